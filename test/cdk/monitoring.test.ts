/**
 * Operability in the stack: an idle default stack has nothing that runs or
 * bills by the month (no lag publisher, schedule, dashboard or alarm); with
 * the opt-in settings on, the scheduled lag publisher (read-only, every
 * minute), the dashboard, the alarms and the optional SNS topic, and cdk-nag
 * with them in place. Powertools' service name on every function.
 * Synthesised without bundling (the bundles are test/cdk/bundle.test.ts's).
 */
import { App, Stack } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { LAG_METRICS_ACCESS } from '../../cdk/constructs/lag-metrics';
import { ALARMS } from '../../cdk/constructs/monitoring';
import { FUNCTION_AREAS } from '../../cdk/function-areas';
import { STACK_NAME } from '../../cdk/samsa-app';
import { CONTEXT_KEYS, DEFAULT_SETTINGS, resolveSettings } from '../../cdk/settings';
import { TELEMETRY_ENV } from '../../functions/telemetry/names';
import { TABLES } from '../../lib/storage/schema';
import { synthTemplate, type TemplateOnly } from './template-only';

const API_AREAS = Object.keys(FUNCTION_AREAS).length;

type Synth = TemplateOnly;
/** Everything opt-in switched on. */
const ALL_ON = { lagMetrics: true, dashboard: true, alarms: true } as const;
let plain: Synth;
let full: Synth;
let withEmail: Synth;
beforeAll(() => {
  plain = synthTemplate();
  full = synthTemplate(ALL_ON);
  // No samsa:alarms: an address alone asks for the alarms.
  withEmail = synthTemplate({ lagMetrics: true, dashboard: true, alarmEmail: 'ops@example.com', lagAlarmThreshold: 500 });
});

const logicalId = (s: Synth, construct: { node: { defaultChild?: unknown } }) => s.stack.getLogicalId(construct.node.defaultChild as never);
const ofType = (s: Synth, type: string) => Object.entries(s.resources).filter(([, r]) => r.Type === type) as [string, any][];
const actionsOf = (statement: any): string[] => [statement.Action].flat();
const lagFn = (s: Synth) => s.stack.lagMetrics!.fn;
const alarmOf = (s: Synth, key: keyof typeof ALARMS) => s.resources[logicalId(s, s.stack.monitoring!.alarms[key]!)].Properties;
const openFindings = (s: Synth) =>
  s.report.pluginReports.flatMap((p) => p.violations.map((v) => `${v.ruleName} at ${v.violatingConstructs.map((c) => c.constructPath).join(', ')}`));

describe('an idle default stack', () => {
  it('has no lag publisher: no function, schedule, role or log group of it', () => {
    expect(plain.stack.lagMetrics).toBeUndefined();
    expect(ofType(plain, 'AWS::Events::Rule')).toEqual([]);
    // The API areas, the web console, the push door and fan-out, subscription delivery (test/cdk/push.test.ts).
    expect(ofType(plain, 'AWS::Lambda::Function')).toHaveLength(API_AREAS + 4);
    expect(Object.keys(plain.resources).filter((id) => id.startsWith('LagMetrics'))).toEqual([]);
    expect(Object.keys(full.resources).filter((id) => id.startsWith('LagMetrics')).length, 'what the check above would find').toBeGreaterThan(0);
  });

  it('has no dashboard, no alarm, no alarm topic or key, and no outputs that would name them', () => {
    expect(plain.stack.monitoring).toBeUndefined();
    for (const type of ['AWS::CloudWatch::Dashboard', 'AWS::CloudWatch::Alarm', 'AWS::SNS::Topic', 'AWS::KMS::Key']) expect(ofType(plain, type), type).toEqual([]);
    const outputs = Object.keys(plain.template.toJSON().Outputs);
    expect(outputs).not.toContain('DashboardName');
    expect(outputs).not.toContain('AlarmTopicArn');
  });

  it('leaves cdk-nag clean', () => {
    expect(openFindings(plain)).toEqual([]);
  });

  it('creates each opt-in part on its own', () => {
    const lagOnly = synthTemplate({ lagMetrics: true });
    expect(ofType(lagOnly, 'AWS::Events::Rule')).toHaveLength(1);
    expect(ofType(lagOnly, 'AWS::CloudWatch::Dashboard')).toEqual([]);
    expect(ofType(lagOnly, 'AWS::CloudWatch::Alarm')).toEqual([]);

    const dashboardOnly = synthTemplate({ dashboard: true });
    expect(ofType(dashboardOnly, 'AWS::CloudWatch::Dashboard')).toHaveLength(1);
    expect(ofType(dashboardOnly, 'AWS::CloudWatch::Alarm')).toEqual([]);
    dashboardOnly.template.hasOutput('DashboardName', { Value: { Ref: Match.anyValue() } });
    // Nothing publishes ConsumerLag without the lag publisher: the dashboard does not graph it.
    expect(JSON.stringify(dashboardOnly.template.toJSON().Resources)).not.toContain('ConsumerLag');

    const alarmsOnly = synthTemplate({ alarms: true });
    expect(ofType(alarmsOnly, 'AWS::CloudWatch::Dashboard')).toEqual([]);
    expect(Object.keys(alarmsOnly.stack.monitoring!.alarms).sort()).toEqual(Object.keys(ALARMS).filter((k) => k !== 'consumerLag').sort());
    expect(ofType(alarmsOnly, 'AWS::CloudWatch::Alarm')).toHaveLength(Object.keys(ALARMS).length - 1);
    for (const s of [lagOnly, dashboardOnly, alarmsOnly]) expect(openFindings(s)).toEqual([]);
  });
});

describe('lag publisher (samsa:lagMetrics)', () => {
  it('runs Node.js 22 on arm64 with explicit memory and a timeout below its one-minute schedule', () => {
    const fn = full.resources[logicalId(full, lagFn(full))].Properties;
    expect(fn).toMatchObject({ Runtime: 'nodejs22.x', Architectures: ['arm64'], MemorySize: 256, Timeout: 50, Handler: 'index.handler' });
    expect(fn.Environment.Variables).toMatchObject({ POWERTOOLS_SERVICE_NAME: STACK_NAME });
  });

  it('may only read the tables: exactly its Get/Query actions, no writes', () => {
    const fnId = logicalId(full, lagFn(full));
    const roleId = full.resources[fnId].Properties.Role['Fn::GetAtt'][0];
    const statements = ofType(full, 'AWS::IAM::Policy')
      .filter(([, p]) => p.Properties.Roles.some((r: any) => r.Ref === roleId))
      .flatMap(([, p]) => p.Properties.PolicyDocument.Statement)
      .filter((s: any) => actionsOf(s).some((a) => a.startsWith('dynamodb:')));
    const granted = new Set(statements.flatMap(actionsOf));
    const expected = new Set(Object.values(LAG_METRICS_ACCESS).flat().map((a) => `dynamodb:${a}`));
    expect(granted).toEqual(expected);
    for (const action of granted) expect(action).toMatch(/^dynamodb:(Get|Query|BatchGet)/);
  });

  it('is run every minute by an EventBridge rule, without retries', () => {
    const [, rule] = ofType(full, 'AWS::Events::Rule')[0]!;
    expect(rule.Properties.ScheduleExpression).toBe('rate(1 minute)');
    expect(rule.Properties.Targets).toEqual([
      expect.objectContaining({
        Arn: { 'Fn::GetAtt': [logicalId(full, lagFn(full)), 'Arn'] },
        RetryPolicy: { MaximumRetryAttempts: 0, MaximumEventAgeInSeconds: 60 },
      }),
    ]);
  });
});

describe('telemetry settings of every function', () => {
  it('sets POWERTOOLS_SERVICE_NAME to the stack name, the service dimension the dashboard and alarms select on', () => {
    const functions = ofType(full, 'AWS::Lambda::Function');
    expect(functions.length).toBe(API_AREAS + 5); // the API areas, the lag publisher, the web console, push door and fan-out, delivery
    for (const [, fn] of functions) expect(fn.Properties.Environment.Variables.POWERTOOLS_SERVICE_NAME).toBe(STACK_NAME);
  });

  it('passes samsa:topicMetrics to the API functions and the lag publisher', () => {
    const emitters = [...Object.values(full.stack.functions.byArea), lagFn(full)];
    for (const fn of emitters) expect(full.resources[logicalId(full, fn)].Properties.Environment.Variables[TELEMETRY_ENV.perTopic]).toBe('true');
    const flat = synthTemplate({ ...ALL_ON, topicMetrics: false });
    for (const fn of [...Object.values(flat.stack.functions.byArea), lagFn(flat)]) {
      expect(flat.resources[flat.stack.getLogicalId(fn.node.defaultChild as never)].Properties.Environment.Variables[TELEMETRY_ENV.perTopic]).toBe('false');
    }
  });
});

describe('outputs', () => {
  it('outputs both table names for samsa doctor, whatever is opted in', () => {
    for (const s of [plain, full]) {
      for (const table of Object.values(TABLES)) s.template.hasOutput(`${table.logicalId}Name`, { Value: { Ref: table.logicalId } });
    }
  });
});

describe('dashboard (samsa:dashboard)', () => {
  it('exists, is named after the stack and is an output', () => {
    const [, dashboard] = ofType(full, 'AWS::CloudWatch::Dashboard')[0]!;
    expect(dashboard.Properties.DashboardName).toBe(`${STACK_NAME}-samsa`);
    full.template.hasOutput('DashboardName', { Value: { Ref: Match.anyValue() } });
  });

  it('graphs the API, Lambda, DynamoDB, Samsa traffic per topic, and lag per group', () => {
    const body = JSON.stringify(full.template.toJSON().Resources[ofType(full, 'AWS::CloudWatch::Dashboard')[0]![0]].Properties.DashboardBody);
    for (const needle of ['AWS/ApiGateway', '5xx', 'AWS/Lambda', 'ConcurrentExecutions', 'AWS/DynamoDB', 'ConsumedWriteCapacityUnits', 'WriteThrottleEvents']) {
      expect(body).toContain(needle);
    }
    for (const name of ['SubscriptionRecordsDelivered', 'SubscriptionDeliveryFailures', 'SubscriptionRecordsDeadLettered']) expect(body).toContain(name);
    for (const search of ['{Samsa,service,topic} MetricName=\\\\\\"RecordsIn\\\\\\"', '{Samsa,group,service} MetricName=\\\\\\"ConsumerLag\\\\\\"', '{Samsa,route,service} MetricName=\\\\\\"Latency\\\\\\"']) {
      expect(body).toContain(search);
    }
  });
});

describe('alarms (samsa:alarms)', () => {
  it('creates one alarm per runbook entry, each pointing at the runbook and quiet without data', () => {
    const alarms = ofType(full, 'AWS::CloudWatch::Alarm');
    expect(alarms).toHaveLength(Object.keys(ALARMS).length);
    for (const [, a] of alarms) {
      expect(a.Properties.AlarmDescription).toMatch(/Runbook: docs\/operations\.md/);
      expect(a.Properties.TreatMissingData).toBe('notBreaching');
    }
  });

  it('watches the worst group lag against the threshold for five minutes', () => {
    const lag = alarmOf(withEmail, 'consumerLag');
    expect(lag).toMatchObject({
      Namespace: 'Samsa',
      MetricName: 'ConsumerLag',
      Dimensions: [{ Name: 'service', Value: STACK_NAME }],
      Statistic: 'Maximum',
      Threshold: 500,
      EvaluationPeriods: 5,
    });
    expect(alarmOf(full, 'consumerLag').Threshold).toBe(DEFAULT_SETTINGS.lagAlarmThreshold);
  });

  it('watches records dead-lettered by push-subscription delivery, stack-wide (no per-subscription dimension)', () => {
    expect(alarmOf(full, 'subscriptionDeadLetters')).toMatchObject({
      Namespace: 'Samsa',
      MetricName: 'SubscriptionRecordsDeadLettered',
      Dimensions: [{ Name: 'service', Value: STACK_NAME }],
      Statistic: 'Sum',
      Period: 300,
      Threshold: 1,
      EvaluationPeriods: 1,
    });
    expect(alarmOf(full, 'subscriptionDeadLetters').AlarmDescription).toContain('SubscriptionDeadLetters');
  });

  it('watches the API 5xx rate, DynamoDB throttling of both tables and the index, aborted reservations', () => {
    const props = (key: keyof typeof ALARMS) => alarmOf(full, key);
    expect(JSON.stringify(props('api5xxRate').Metrics)).toContain('100 * errors / requests');
    const throttling = JSON.stringify(props('dynamoDbThrottling').Metrics);
    for (const table of Object.values(TABLES)) expect(throttling).toContain(table.logicalId);
    expect(throttling).toContain('byOffset');
    expect(props('abortedReservations')).toMatchObject({ MetricName: 'AbortedReservations', Statistic: 'Sum', Threshold: 1 });
  });

  it('notifies an encrypted, TLS-only SNS topic with an email subscription when samsa:alarmEmail is set', () => {
    const [topicId, topic] = ofType(withEmail, 'AWS::SNS::Topic')[0]!;
    expect(topic.Properties.KmsMasterKeyId).toBeDefined();
    const [, key] = ofType(withEmail, 'AWS::KMS::Key')[0]!;
    expect(key.Properties.EnableKeyRotation).toBe(true);
    expect(JSON.stringify(key.Properties.KeyPolicy)).toContain('cloudwatch.amazonaws.com');
    withEmail.template.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'ops@example.com' });
    withEmail.template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
    });
    for (const [, a] of ofType(withEmail, 'AWS::CloudWatch::Alarm')) {
      expect(a.Properties.AlarmActions).toEqual([{ Ref: topicId }]);
      expect(a.Properties.OKActions).toEqual([{ Ref: topicId }]);
    }
    withEmail.template.hasOutput('AlarmTopicArn', { Value: { Ref: topicId } });
  });

  it('creates the alarm topic without an email too, so its ARN can be subscribed to after the deploy', () => {
    const [topicId] = ofType(full, 'AWS::SNS::Topic')[0]!;
    expect(ofType(full, 'AWS::SNS::Topic')).toHaveLength(1);
    expect(ofType(full, 'AWS::SNS::Subscription')).toEqual([]);
    for (const [, a] of ofType(full, 'AWS::CloudWatch::Alarm')) expect(a.Properties.AlarmActions).toEqual([{ Ref: topicId }]);
    full.template.hasOutput('AlarmTopicArn', { Value: { Ref: topicId } });
  });

  it('leaves cdk-nag clean with everything on and with the alarm topic too', () => {
    expect(openFindings(full)).toEqual([]);
    expect(openFindings(withEmail)).toEqual([]);
  });
});

describe('settings from context', () => {
  it('reads samsa:lagAlarmThreshold and samsa:alarmEmail, and rejects bad values', () => {
    const settingsOf = (context: Record<string, unknown>) => resolveSettings(new Stack(new App({ context }), 'S'));
    expect(settingsOf({})).toMatchObject({ lagAlarmThreshold: DEFAULT_SETTINGS.lagAlarmThreshold, alarmEmail: undefined });
    expect(settingsOf({ [CONTEXT_KEYS.lagAlarmThreshold]: '2500', [CONTEXT_KEYS.alarmEmail]: 'oncall@example.com' })).toMatchObject({
      lagAlarmThreshold: 2500,
      alarmEmail: 'oncall@example.com',
    });
    expect(() => settingsOf({ [CONTEXT_KEYS.lagAlarmThreshold]: '-1' })).toThrow(/samsa:lagAlarmThreshold/);
    expect(() => settingsOf({ [CONTEXT_KEYS.alarmEmail]: 'not-an-address' })).toThrow(/samsa:alarmEmail/);
    expect(settingsOf({ [CONTEXT_KEYS.topicMetrics]: 'false' }).topicMetrics).toBe(false);
    expect(() => settingsOf({ [CONTEXT_KEYS.topicMetrics]: 'no' })).toThrow(/samsa:topicMetrics/);
  });

  it('leaves samsa:lagMetrics, samsa:dashboard and samsa:alarms off unless set, and rejects bad values', () => {
    const settingsOf = (context: Record<string, unknown>) => resolveSettings(new Stack(new App({ context }), 'S'));
    expect(settingsOf({})).toMatchObject({ lagMetrics: false, dashboard: false, alarms: false });
    expect(settingsOf({ [CONTEXT_KEYS.lagMetrics]: 'true', [CONTEXT_KEYS.dashboard]: true, [CONTEXT_KEYS.alarms]: 'true' })).toMatchObject({
      lagMetrics: true,
      dashboard: true,
      alarms: true,
    });
    for (const key of [CONTEXT_KEYS.lagMetrics, CONTEXT_KEYS.dashboard, CONTEXT_KEYS.alarms]) {
      expect(() => settingsOf({ [key]: 'yes' })).toThrow(new RegExp(key));
    }
    // An alarm email asks for alarms; an email with alarms switched off is a contradiction, refused.
    expect(settingsOf({ [CONTEXT_KEYS.alarmEmail]: 'oncall@example.com' }).alarms).toBe(true);
    expect(() => settingsOf({ [CONTEXT_KEYS.alarmEmail]: 'oncall@example.com', [CONTEXT_KEYS.alarms]: 'false' })).toThrow(/samsa:alarms/);
  });
});

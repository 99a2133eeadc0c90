/**
 * The AWS side of push (docs/push.md) and subscription delivery
 * (docs/subscriptions.md) as synthesized: the WebSocket API's routes, the two
 * stream consumers' filters and retry bounds, and the IAM each piece gets
 * beyond DynamoDB (DynamoDB grants are replayed in test/iam/replay.test.ts).
 * Template only (no bundling); cdk-nag findings are checked in stack.test.ts
 * (API-key mode) and here (JWT mode, whose $connect has a Lambda authorizer).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { DELIVERY_MARGIN, DELIVERY_TIMEOUT } from '../../cdk/constructs/subscription-delivery';
import { PUSH_AUTHORIZER_IDENTITY_SOURCE } from '../../cdk/constructs/push';
import { SECURITY_CONTEXT_KEYS } from '../../cdk/security-settings';
import { ENV } from '../../functions/config';
import { ROUTES } from '../../functions/http/routes';
import { PUSH_ENV } from '../../functions/push/aws-env';
import { DELIVERY_ENV } from '../../functions/subscriptions/aws-env';
import { PUSH_TOKEN_QUERY } from '../../lib/protocol/push';
import { SETTLED_BATCH_FILTER } from '../../lib/push/settled';
import { synthTemplate, type TemplateOnly } from './template-only';

let synth: TemplateOnly;
let resources: Record<string, any>;
const id = (c: { node: { defaultChild?: unknown } }) => synth.stack.getLogicalId(c.node.defaultChild as never);
const ofType = (type: string) => Object.entries(resources).filter(([, r]) => r.Type === type) as [string, any][];
const statementsOf = (fnId: string) => {
  const roleId = resources[fnId].Properties.Role['Fn::GetAtt'][0];
  return ofType('AWS::IAM::Policy')
    .filter(([, p]) => p.Properties.Roles.some((r: any) => r.Ref === roleId))
    .flatMap(([, p]) => p.Properties.PolicyDocument.Statement);
};
const actions = (s: any): string[] => [s.Action].flat();

beforeAll(() => {
  synth = synthTemplate();
  resources = synth.resources;
}, 120_000);

describe('WebSocket API', () => {
  it('routes $connect, $default and $disconnect to the push door, and returns $default answers to the client', () => {
    const apiId = id(synth.stack.push!.api);
    expect(resources[apiId].Properties).toMatchObject({ ProtocolType: 'WEBSOCKET', RouteSelectionExpression: '$request.body.action' });
    const routes = ofType('AWS::ApiGatewayV2::Route').filter(([, r]) => r.Properties.ApiId.Ref === apiId);
    expect(routes.map(([, r]) => r.Properties.RouteKey).sort()).toEqual(['$connect', '$default', '$disconnect']);
    for (const [, r] of routes) {
      const integration = resources[r.Properties.Target['Fn::Join'][1][1].Ref].Properties;
      expect(integration.IntegrationType).toBe('AWS_PROXY');
      expect(JSON.stringify(integration.IntegrationUri)).toContain(id(synth.stack.push!.door));
    }
    const [defaultRouteId] = routes.find(([, r]) => r.Properties.RouteKey === '$default')!;
    const responses = ofType('AWS::ApiGatewayV2::RouteResponse').map(([, r]) => r.Properties);
    expect(responses).toEqual([expect.objectContaining({ RouteId: { Ref: defaultRouteId }, RouteResponseKey: '$default' })]);
  });

  it('has a throttled stage with JSON access logs that hold no header, and outputs its wss:// URL', () => {
    const [[, stage]] = ofType('AWS::ApiGatewayV2::Stage').filter(([, s]) => s.Properties.ApiId.Ref === id(synth.stack.push!.api)) as [[string, any]];
    expect(stage.Properties).toMatchObject({ StageName: 'v1', AutoDeploy: true, DefaultRouteSettings: { ThrottlingBurstLimit: 200, ThrottlingRateLimit: 100 } });
    const format = JSON.parse(stage.Properties.AccessLogSettings.Format) as Record<string, string>;
    expect(format.connectionId).toBe('$context.connectionId');
    expect(Object.values(format).every((v) => !/header|authorizer/i.test(v))).toBe(true);
    const url = synth.template.findOutputs('PushUrl').PushUrl?.Value;
    expect(JSON.stringify(url)).toContain('wss://');
  });

  it('gives the function that serves GET /v1/health the same URL, for clients to discover', () => {
    const url = synth.template.findOutputs('PushUrl').PushUrl?.Value;
    const withUrl = ofType('AWS::Lambda::Function').filter(([, f]) => f.Properties.Environment?.Variables?.[ENV.pushUrl] !== undefined);
    expect(withUrl.map(([fnId]) => fnId)).toEqual([id(synth.stack.functions.byArea[ROUTES.health.fn])]);
    expect(withUrl[0]![1].Properties.Environment.Variables[ENV.pushUrl]).toEqual(url);
  });
});

describe('resume', () => {
  it('lets only the function serving resume start a delivery run: the delivery function’s ARN in its environment, lambda:InvokeFunction on that function alone', () => {
    const resumeFn = id(synth.stack.functions.byArea[ROUTES.resumeSubscription.fn]);
    const delivery = id(synth.stack.subscriptionDelivery.fn);
    const withArn = ofType('AWS::Lambda::Function').filter(([, f]) => f.Properties.Environment?.Variables?.[DELIVERY_ENV.functionArn] !== undefined);
    expect(withArn.map(([fnId]) => fnId)).toEqual([resumeFn]);
    expect(withArn[0]![1].Properties.Environment.Variables[DELIVERY_ENV.functionArn]).toEqual({ 'Fn::GetAtt': [delivery, 'Arn'] });
    const invokes = statementsOf(resumeFn).filter((st) => actions(st).includes('lambda:InvokeFunction'));
    expect(invokes).toHaveLength(1);
    expect(JSON.stringify(invokes[0].Resource)).toContain(delivery);
    expect(JSON.stringify(invokes[0].Resource)).not.toContain('samsa-target');
  });
});

describe('stream consumers', () => {
  it('run the fan-out and delivery on the log stream, filtered to settled batches, from LATEST, with bounded retries', () => {
    const mappings = ofType('AWS::Lambda::EventSourceMapping').map(([, m]) => m.Properties);
    expect(mappings.map((m) => m.FunctionName.Ref).sort()).toEqual([id(synth.stack.push!.fanOut), id(synth.stack.subscriptionDelivery.fn)].sort());
    for (const m of mappings) {
      expect(m.EventSourceArn).toEqual({ 'Fn::GetAtt': ['LogTable', 'StreamArn'] });
      expect(m.FilterCriteria.Filters.map((f: any) => JSON.parse(f.Pattern))).toEqual([SETTLED_BATCH_FILTER]);
      expect(m).toMatchObject({ StartingPosition: 'LATEST', BisectBatchOnFunctionError: true });
      expect(m.MaximumRetryAttempts).toBeGreaterThanOrEqual(1);
      expect(m.MaximumRetryAttempts).toBeLessThanOrEqual(3);
      expect(m.MaximumRecordAgeInSeconds).toBeLessThanOrEqual(3600);
    }
    const fanOut = mappings.find((m) => m.FunctionName.Ref === id(synth.stack.push!.fanOut));
    expect(fanOut.MaximumRecordAgeInSeconds).toBe(60); // a notification older than a minute is worth nothing
  });
});

describe('IAM beyond DynamoDB', () => {
  it('lets only the fan-out manage connections, and only on this API stage\'s @connections', () => {
    const fanOutId = id(synth.stack.push!.fanOut);
    const manage = ofType('AWS::IAM::Policy').flatMap(([, p]) => p.Properties.PolicyDocument.Statement).filter((s: any) => actions(s).some((a) => a.startsWith('execute-api:')));
    expect(manage).toHaveLength(1);
    expect(statementsOf(fanOutId)).toContainEqual(manage[0]);
    expect(actions(manage[0])).toEqual(['execute-api:ManageConnections']);
    const parts = manage[0].Resource['Fn::Join'][1];
    expect(parts).toContainEqual({ Ref: id(synth.stack.push!.api) });
    expect(parts[parts.length - 1]).toBe('/v1/POST/@connections/*');
    expect(resources[fanOutId].Properties.Environment.Variables[PUSH_ENV.callbackUrl]).toBeDefined();
  });

  it('lets delivery create schedules only in its group and pass only the scheduler role, which may only invoke delivery', () => {
    const d = synth.stack.subscriptionDelivery;
    const fnId = id(d.fn);
    const groupId = synth.stack.getLogicalId(d.scheduleGroup);
    const roleId = id(d.schedulerRole);
    const nonDynamo = statementsOf(fnId).filter((s) => !actions(s).every((a) => /^(dynamodb|logs|xray):/.test(a)));
    expect(nonDynamo).toEqual([
      { Action: 'scheduler:CreateSchedule', Effect: 'Allow', Resource: { 'Fn::Join': ['', expect.arrayContaining([{ Ref: groupId }, '/*'])] } },
      { Action: 'iam:PassRole', Effect: 'Allow', Resource: { 'Fn::GetAtt': [roleId, 'Arn'] }, Condition: { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } } },
      // The Lambda functions subscriptions may target: by default samsa-target-* of this account and region.
      { Action: 'lambda:InvokeFunction', Effect: 'Allow', Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':lambda:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':function:samsa-target-*']] } },
    ]);
    const role = resources[roleId].Properties;
    expect(role.AssumeRolePolicyDocument.Statement).toEqual([
      expect.objectContaining({ Principal: { Service: 'scheduler.amazonaws.com' }, Condition: expect.objectContaining({ StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } }) }),
    ]);
    const rolePolicies = ofType('AWS::IAM::Policy').filter(([, p]) => p.Properties.Roles.some((r: any) => r.Ref === roleId));
    expect(rolePolicies.flatMap(([, p]) => p.Properties.PolicyDocument.Statement)).toEqual([
      { Action: 'lambda:InvokeFunction', Effect: 'Allow', Resource: { 'Fn::GetAtt': [fnId, 'Arn'] } },
    ]);
    expect(role.ManagedPolicyArns).toBeUndefined();
  });

  it('gives delivery an explicit timeout and memory, and a budget of the timeout less the margin for the last post', () => {
    const p = resources[id(synth.stack.subscriptionDelivery.fn)].Properties;
    expect(p.Timeout).toBe(DELIVERY_TIMEOUT.toSeconds());
    expect(p.MemorySize).toBe(512);
    const budget = Number(p.Environment.Variables[DELIVERY_ENV.budgetMs]);
    expect(budget).toBe(DELIVERY_TIMEOUT.toMilliseconds() - DELIVERY_MARGIN.toMilliseconds());
    expect(budget).toBeLessThan(p.Timeout * 1000 - 10_000); // the webhook post timeout (10 s) fits after it
  });
});

describe('JWT mode', () => {
  const ISSUER = 'https://issuer.example.com/';
  let jwt: TemplateOnly;
  let jwtResources: Record<string, any>;
  const jwtId = (c: { node: { defaultChild?: unknown } }) => jwt.stack.getLogicalId(c.node.defaultChild as never);
  const jwtOfType = (type: string) => Object.entries(jwtResources).filter(([, r]) => r.Type === type) as [string, any][];
  beforeAll(() => {
    jwt = synthTemplate({}, {
      context: {
        [SECURITY_CONTEXT_KEYS.authMode]: 'jwt',
        [SECURITY_CONTEXT_KEYS.jwtIssuer]: ISSUER,
        [SECURITY_CONTEXT_KEYS.jwtAudience]: 'samsa,console',
        [SECURITY_CONTEXT_KEYS.jwtPrincipalClaim]: 'email',
      },
    });
    jwtResources = jwt.resources;
  }, 120_000);

  it('has the WebSocket API, its PushUrl output and the URL in the health function, as in API-key mode', () => {
    expect(jwtOfType('AWS::ApiGatewayV2::Api').map(([, r]) => r.Properties.ProtocolType).sort()).toEqual(['HTTP', 'WEBSOCKET']);
    const url = jwt.template.findOutputs('PushUrl').PushUrl?.Value;
    expect(JSON.stringify(url)).toContain('wss://');
    const withUrl = jwtOfType('AWS::Lambda::Function').filter(([, f]) => f.Properties.Environment?.Variables?.[ENV.pushUrl] !== undefined);
    expect(withUrl.map(([fnId]) => fnId)).toEqual([jwtId(jwt.stack.functions.byArea[ROUTES.health.fn])]);
    expect(withUrl[0]![1].Properties.Environment.Variables[ENV.pushUrl]).toEqual(url);
    expect(jwtOfType('AWS::Lambda::EventSourceMapping')).toHaveLength(2);
  });

  it('puts a Lambda REQUEST authorizer on $connect only, reading the token from ?token=', () => {
    const apiId = jwtId(jwt.stack.push.api);
    const [[authorizerId, authorizer]] = jwtOfType('AWS::ApiGatewayV2::Authorizer').filter(([, a]) => a.Properties.ApiId.Ref === apiId) as [[string, any]];
    expect(authorizer.Properties).toMatchObject({ AuthorizerType: 'REQUEST', IdentitySource: [PUSH_AUTHORIZER_IDENTITY_SOURCE] });
    expect(PUSH_AUTHORIZER_IDENTITY_SOURCE).toBe(`route.request.querystring.${PUSH_TOKEN_QUERY}`);
    expect(JSON.stringify(authorizer.Properties.AuthorizerUri)).toContain(jwtId(jwt.stack.push.authorizer!));
    // No result cache: API Gateway caches Lambda authorizer results for HTTP APIs only.
    expect(authorizer.Properties.AuthorizerResultTtlInSeconds).toBeUndefined();
    const routes = jwtOfType('AWS::ApiGatewayV2::Route').filter(([, r]) => r.Properties.ApiId.Ref === apiId).map(([, r]) => r.Properties);
    expect(routes.map((r) => [r.RouteKey, r.AuthorizationType ?? 'NONE', r.AuthorizerId?.Ref]).sort()).toEqual([
      ['$connect', 'CUSTOM', authorizerId],
      ['$default', 'NONE', undefined],
      ['$disconnect', 'NONE', undefined],
    ]);
    // API Gateway may invoke it for this API's authorizers only.
    const permissions = jwtOfType('AWS::Lambda::Permission').filter(([, p]) => p.Properties.FunctionName?.['Fn::GetAtt']?.[0] === jwtId(jwt.stack.push.authorizer!));
    expect(permissions).toHaveLength(1);
    expect(permissions[0]![1].Properties.Principal).toBe('apigateway.amazonaws.com');
    expect(JSON.stringify(permissions[0]![1].Properties.SourceArn)).toContain(apiId);
  });

  it('runs the authorizer on Node 22 arm64 with explicit memory and timeout, the issuer, audiences and principal claim, and no permission but its logs', () => {
    const fnId = jwtId(jwt.stack.push.authorizer!);
    const p = jwtResources[fnId].Properties;
    expect(p).toMatchObject({ Runtime: 'nodejs22.x', Architectures: ['arm64'], MemorySize: 256, Timeout: 10 });
    expect(p.Environment.Variables).toMatchObject({ [PUSH_ENV.jwtIssuer]: ISSUER, [PUSH_ENV.jwtAudience]: 'samsa,console', [ENV.jwtPrincipalClaim]: 'email' });
    const roleId = p.Role['Fn::GetAtt'][0];
    const statements = jwtOfType('AWS::IAM::Policy')
      .filter(([, pol]) => pol.Properties.Roles.some((r: any) => r.Ref === roleId))
      .flatMap(([, pol]) => pol.Properties.PolicyDocument.Statement);
    expect(statements.flatMap(actions).filter((a) => !/^(logs|xray):/.test(a))).toEqual([]);
    expect(jwtResources[roleId].Properties.ManagedPolicyArns).toBeUndefined();
    // The door authenticates in JWT mode: it reads the claims the authorizer validated.
    expect(jwtResources[jwtId(jwt.stack.push.door)].Properties.Environment.Variables).toMatchObject({ [ENV.authMode]: 'jwt', [ENV.jwtPrincipalClaim]: 'email' });
  });

  it('leaves no cdk-nag finding open, and acknowledges the authorizer\'s with reasons', () => {
    expect(jwt.report.pluginReports.map((r) => r.pluginName)).toEqual(expect.arrayContaining(['AwsSolutions', 'Serverless']));
    const onAuthorizer = jwt.report.pluginReports
      .flatMap((r) => r.suppressedViolations ?? [])
      .filter((v) => v.violatingConstructs.some((c) => c.constructPath.includes('/Push/Authorizer')));
    expect(onAuthorizer.length).toBeGreaterThan(0);
    for (const v of onAuthorizer) expect(v.reason.length, v.ruleName).toBeGreaterThan(40);
    const open = jwt.report.pluginReports.flatMap((r) => r.violations.map((v) => `${v.ruleName} at ${v.violatingConstructs.map((c) => c.constructPath).join(', ')}`));
    expect(open).toEqual([]);
  });

  it('with every monitoring part on, has the Lambda alarms watch the door, fan-out and delivery, but not the authorizer (its errors are refusals)', () => {
    const all = synthTemplate({ lagMetrics: true, dashboard: true, alarms: true }, {
      context: { [SECURITY_CONTEXT_KEYS.authMode]: 'jwt', [SECURITY_CONTEXT_KEYS.jwtIssuer]: ISSUER, [SECURITY_CONTEXT_KEYS.jwtAudience]: 'samsa' },
    });
    const allId = (c: { node: { defaultChild?: unknown } }) => all.stack.getLogicalId(c.node.defaultChild as never);
    const { push, subscriptionDelivery, monitoring } = all.stack;
    for (const key of ['lambdaErrors', 'lambdaThrottles'] as const) {
      const metrics = all.resources[allId(monitoring!.alarms[key]!)].Properties.Metrics as any[];
      const watched = metrics.flatMap((m) => m.MetricStat?.Metric.Dimensions ?? []).map((d: any) => d.Value.Ref);
      expect(watched).toEqual(expect.arrayContaining([push.door, push.fanOut, subscriptionDelivery.fn].map(allId)));
      expect(watched).not.toContain(allId(push.authorizer!));
      expect(metrics.filter((m) => m.MetricStat !== undefined).length).toBeLessThanOrEqual(10); // CloudWatch's limit per alarm
    }
  }, 120_000);

  it('has no authorizer in API-key mode (the door checks the key)', () => {
    expect(synth.stack.push.authorizer).toBeUndefined();
    expect(ofType('AWS::ApiGatewayV2::Authorizer')).toEqual([]);
  });
});

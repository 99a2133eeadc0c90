/**
 * The CloudWatch dashboard and alarms of a Samsa stack, and the SNS topic
 * the alarms notify (with an optional email subscription). Each part is opt-in
 * (samsa:dashboard, samsa:alarms in cdk/settings.ts) because each costs money
 * every month the stack exists, used or not; docs/deploy.md prices them. The
 * consumer-lag alarm and graphs exist only beside the lag publisher, the one
 * source of ConsumerLag. Samsa's own metrics are the EMF metrics of
 * functions/telemetry/names.ts under the stack's `service`; the rest are
 * AWS's (API Gateway, Lambda, DynamoDB). docs/operations.md, section "Runbook", has one entry
 * per alarm: what it means, how to investigate, what to do.
 */
import { Duration, Stack, Validations } from 'aws-cdk-lib';
import type { HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import {
  Alarm,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  MathExpression,
  Metric,
  TextWidget,
  TreatMissingData,
  type IMetric,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';
import { DIMENSIONS, METRICS, METRICS_NAMESPACE, type MetricName } from '../../functions/telemetry/names';
import { BY_OFFSET_INDEX } from '../../lib/storage/schema';
import type { SamsaTables } from './tables';

export interface MonitoringProps {
  api: HttpApi;
  /** Every Samsa function, by a display name. */
  functions: Record<string, IFunction>;
  tables: SamsaTables;
  lagAlarmThreshold: number;
  alarmEmail: string | undefined;
  dashboard: boolean;
  alarms: boolean;
  /** Whether the lag publisher runs: without it no ConsumerLag is published, so nothing may watch or graph it. */
  lagMetrics: boolean;
}

/** Alarm ids; docs/operations.md, section "Runbook", has a section for each. */
export const ALARMS = {
  api5xxRate: 'Api5xxRate',
  dynamoDbThrottling: 'DynamoDbThrottling',
  lambdaErrors: 'LambdaErrors',
  lambdaThrottles: 'LambdaThrottles',
  abortedReservations: 'AbortedReservations',
  consumerLag: 'ConsumerLag',
  subscriptionDeadLetters: 'SubscriptionDeadLetters',
} as const;

/** Percentage of API requests answered 5xx, over 5 minutes. */
export const API_5XX_RATE_THRESHOLD = 5;

const MINUTE = Duration.minutes(1);
const FIVE_MINUTES = Duration.minutes(5);

export type AlarmKey = keyof typeof ALARMS;

export class Monitoring extends Construct {
  readonly dashboard: Dashboard | undefined;
  /** Empty unless samsa:alarms; consumerLag only with the lag publisher. */
  readonly alarms: Partial<Record<AlarmKey, Alarm>> = {};
  /** With samsa:alarms, always (output AlarmTopicArn); subscribed to samsa:alarmEmail when set. */
  readonly alarmTopic: Topic | undefined;

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    const service = Stack.of(this).stackName;
    const samsa = (name: MetricName, statistic: string, period = MINUTE) =>
      new Metric({ namespace: METRICS_NAMESPACE, metricName: name, dimensionsMap: { [DIMENSIONS.service]: service }, statistic, period });
    /** One line per value of `dimension` (topics, routes, groups appear as they are used). */
    const search = (name: MetricName, dimension: string, statistic: string, label: string) =>
      new MathExpression({
        expression: `SEARCH('{${METRICS_NAMESPACE},${[DIMENSIONS.service, dimension].sort().join(',')}} MetricName="${name}" ${DIMENSIONS.service}="${service}"', '${statistic}', 60)`,
        label,
        period: MINUTE,
      });
    const functions = Object.entries(props.functions);
    const tables = Object.values(props.tables.tables);
    const sumOf = (label: string, metrics: IMetric[], period: Duration) =>
      new MathExpression({
        expression: metrics.map((_, i) => `m${i}`).join(' + '),
        usingMetrics: Object.fromEntries(metrics.map((m, i) => [`m${i}`, m])),
        label,
        period,
      });

    const api5xxRate = new MathExpression({
      expression: 'IF(requests > 0, 100 * errors / requests, 0)',
      usingMetrics: {
        requests: props.api.metricCount({ statistic: 'Sum', period: FIVE_MINUTES }),
        errors: props.api.metricServerError({ statistic: 'Sum', period: FIVE_MINUTES }),
      },
      label: '5xx % of requests',
      period: FIVE_MINUTES,
    });

    // ---- alarms ----
    if (props.alarms) {
      const ddbThrottles = sumOf(
        'DynamoDB throttle events',
        [
          ...tables.flatMap((t) => [t.metric('ReadThrottleEvents', { statistic: 'Sum', period: FIVE_MINUTES }), t.metric('WriteThrottleEvents', { statistic: 'Sum', period: FIVE_MINUTES })]),
          props.tables.tables.log.metric('WriteThrottleEvents', {
            statistic: 'Sum',
            period: FIVE_MINUTES,
            dimensionsMap: { TableName: props.tables.tables.log.tableName, GlobalSecondaryIndexName: BY_OFFSET_INDEX },
          }),
        ],
        FIVE_MINUTES,
      );
      const lambdaErrors = sumOf('Lambda errors (crashes, timeouts)', functions.map(([, fn]) => fn.metricErrors({ statistic: 'Sum', period: FIVE_MINUTES })), FIVE_MINUTES);
      const lambdaThrottles = sumOf('Lambda throttles', functions.map(([, fn]) => fn.metricThrottles({ statistic: 'Sum', period: FIVE_MINUTES })), FIVE_MINUTES);

      const alarm = (key: AlarmKey, metric: IMetric, threshold: number, description: string, evaluationPeriods = 1) =>
        new Alarm(this, ALARMS[key], {
          alarmDescription: `${description} Runbook: docs/operations.md, section "Runbook", ${ALARMS[key]}.`,
          metric,
          threshold,
          evaluationPeriods,
          comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
          treatMissingData: TreatMissingData.NOT_BREACHING,
        });
      this.alarms.api5xxRate = alarm('api5xxRate', api5xxRate, API_5XX_RATE_THRESHOLD, `At least ${API_5XX_RATE_THRESHOLD} % of API requests were answered 5xx in 5 minutes.`);
      this.alarms.dynamoDbThrottling = alarm('dynamoDbThrottling', ddbThrottles, 1, 'DynamoDB throttled requests to the Samsa tables in the last 5 minutes.');
      this.alarms.lambdaErrors = alarm('lambdaErrors', lambdaErrors, 1, 'A Samsa function crashed or timed out in the last 5 minutes.');
      this.alarms.lambdaThrottles = alarm('lambdaThrottles', lambdaThrottles, 1, 'Lambda throttled Samsa functions (account concurrency) in the last 5 minutes.');
      this.alarms.abortedReservations = alarm(
        'abortedReservations',
        samsa(METRICS.abortedReservations, 'Sum', FIVE_MINUTES),
        1,
        'Readers closed reservations whose writers died before writing them (aborted ranges) in the last 5 minutes.',
      );
      this.alarms.subscriptionDeadLetters = alarm(
        'subscriptionDeadLetters',
        samsa(METRICS.subscriptionRecordsDeadLettered, 'Sum', FIVE_MINUTES),
        1,
        'Push-subscription delivery gave up on records (their last attempt failed) and produced them to a dead-letter topic in the last 5 minutes.',
      );
      if (props.lagMetrics) {
        this.alarms.consumerLag = alarm(
          'consumerLag',
          samsa(METRICS.consumerLag, 'Maximum'),
          props.lagAlarmThreshold,
          `A consumer group's lag stayed at or above ${props.lagAlarmThreshold} records for 5 minutes.`,
          5,
        );
      }

      // Always a topic (its ARN is the stack output AlarmTopicArn), so an alarm can reach someone: subscribe
      // e-mail, chat or a pager to it after the deploy, or let samsa:alarmEmail subscribe one address now.
      this.alarmTopic = this.createAlarmTopic(props.alarmEmail);
      const action = new SnsAction(this.alarmTopic);
      for (const a of Object.values(this.alarms)) {
        a.addAlarmAction(action);
        a.addOkAction(action);
      }
    }

    // ---- dashboard ----
    if (!props.dashboard) return;
    const width = 12;
    const graph = (title: string, left: IMetric[], right: IMetric[] = []) => new GraphWidget({ title, left, right, width, height: 6 });
    const dashboard = new Dashboard(this, 'Dashboard', {
      dashboardName: `${service}-samsa`,
      defaultInterval: Duration.hours(3),
    });
    this.dashboard = dashboard;
    dashboard.addWidgets(
      new TextWidget({
        markdown: `# Samsa \`${service}\`\nAlarms and what to do about them: docs/operations.md, section "Runbook". Samsa's own metrics: namespace \`${METRICS_NAMESPACE}\`, dimension \`service=${service}\`.`,
        width: 24,
        height: 2,
      }),
    );
    dashboard.addWidgets(
      graph('API requests, 4xx, 5xx', [
        props.api.metricCount({ statistic: 'Sum', period: MINUTE, label: 'requests' }),
        props.api.metricClientError({ statistic: 'Sum', period: MINUTE, label: '4xx' }),
        props.api.metricServerError({ statistic: 'Sum', period: MINUTE, label: '5xx' }),
      ]),
      graph('API latency (ms)', [
        props.api.metricLatency({ statistic: 'p50', period: MINUTE, label: 'p50' }),
        props.api.metricLatency({ statistic: 'p99', period: MINUTE, label: 'p99' }),
        props.api.metricIntegrationLatency({ statistic: 'p99', period: MINUTE, label: 'integration p99' }),
      ]),
    );
    dashboard.addWidgets(
      graph('Lambda errors and throttles', [
        ...functions.map(([name, fn]) => fn.metricErrors({ statistic: 'Sum', period: MINUTE, label: `${name} errors` })),
        ...functions.map(([name, fn]) => fn.metricThrottles({ statistic: 'Sum', period: MINUTE, label: `${name} throttles` })),
      ]),
      graph(
        'Lambda duration p99 (ms) and concurrency',
        functions.map(([name, fn]) => fn.metricDuration({ statistic: 'p99', period: MINUTE, label: `${name} p99` })),
        functions.map(([name, fn]) => fn.metric('ConcurrentExecutions', { statistic: 'Maximum', period: MINUTE, label: `${name} concurrency` })),
      ),
    );
    dashboard.addWidgets(
      graph(
        'DynamoDB consumed capacity (units/min)',
        tables.flatMap((t) => [
          t.metricConsumedReadCapacityUnits({ statistic: 'Sum', period: MINUTE, label: `${t.node.id} read` }),
          t.metricConsumedWriteCapacityUnits({ statistic: 'Sum', period: MINUTE, label: `${t.node.id} write` }),
        ]),
      ),
      graph(
        'DynamoDB throttle events',
        tables.flatMap((t) => [
          t.metric('ReadThrottleEvents', { statistic: 'Sum', period: MINUTE, label: `${t.node.id} read` }),
          t.metric('WriteThrottleEvents', { statistic: 'Sum', period: MINUTE, label: `${t.node.id} write` }),
        ]),
      ),
    );
    dashboard.addWidgets(
      graph('Records in / out per topic', [search(METRICS.recordsIn, DIMENSIONS.topic, 'Sum', 'in')], [search(METRICS.recordsOut, DIMENSIONS.topic, 'Sum', 'out')]),
      graph('Bytes in / out per topic', [search(METRICS.bytesIn, DIMENSIONS.topic, 'Sum', 'in')], [search(METRICS.bytesOut, DIMENSIONS.topic, 'Sum', 'out')]),
    );
    dashboard.addWidgets(
      graph('Latency per route, p99 (ms)', [search(METRICS.latency, DIMENSIONS.route, 'p99', 'p99')]),
      graph('Throttles, conflicts, aborted reservations, internal errors', [
        samsa(METRICS.throttled, 'Sum'),
        samsa(METRICS.conflicts, 'Sum'),
        samsa(METRICS.abortedReservations, 'Sum'),
        samsa(METRICS.internalErrors, 'Sum'),
      ]),
    );
    dashboard.addWidgets(
      graph(
        'Push subscriptions: records delivered; failed attempts and records dead-lettered',
        [samsa(METRICS.subscriptionRecordsDelivered, 'Sum')],
        [samsa(METRICS.subscriptionDeliveryFailures, 'Sum'), samsa(METRICS.subscriptionRecordsDeadLettered, 'Sum')],
      ),
    );
    const lag = props.lagMetrics ? [samsa(METRICS.consumerLag, 'Maximum')] : [];
    dashboard.addWidgets(
      ...(props.lagMetrics ? [graph('Consumer lag per group (records)', [search(METRICS.consumerLag, DIMENSIONS.group, 'Maximum', 'lag')])] : []),
      new GraphWidget({
        title: props.lagMetrics ? 'Alarms: 5xx rate, worst group lag' : 'Alarms: 5xx rate',
        left: [api5xxRate],
        right: lag,
        leftAnnotations: [{ value: API_5XX_RATE_THRESHOLD, label: '5xx alarm' }],
        rightAnnotations: props.lagMetrics ? [{ value: props.lagAlarmThreshold, label: 'lag alarm' }] : [],
        width,
        height: 6,
      }),
    );
  }

  /**
   * Encrypted with a customer-managed key (cdk-nag SNS2): CloudWatch alarms
   * cannot publish to a topic under the AWS-managed aws/sns key, whose policy
   * cannot be changed to let cloudwatch.amazonaws.com use it.
   */
  private createAlarmTopic(email: string | undefined): Topic {
    const key = new Key(this, 'AlarmTopicKey', {
      description: 'Encrypts the Samsa alarm topic; usable by CloudWatch alarms',
      enableKeyRotation: true,
    });
    key.addToResourcePolicy(
      new PolicyStatement({
        principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
      }),
    );
    const topic = new Topic(this, 'AlarmTopic', {
      displayName: `Samsa ${Stack.of(this).stackName} alarms`,
      masterKey: key,
      enforceSSL: true,
    });
    if (email !== undefined) {
      topic.addSubscription(new EmailSubscription(email));
      Validations.of(topic).acknowledge({
        id: 'Serverless::Serverless-SNSRedrivePolicy',
        reason:
          'The only subscription is email, which SNS retries itself; a dead-letter queue would hold alarm notifications ' +
          'no one reads, while the alarm state and history stay in CloudWatch.',
      });
    }
    return topic;
  }
}

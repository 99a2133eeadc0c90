/**
 * The scheduled consumer-lag publisher: functions/lag-metrics, run by an
 * EventBridge rule every minute, with read-only access to the tables. Runs
 * are not retried: a run that failed is replaced by the next one a minute
 * later, which publishes fresher figures than a retry would.
 */
import { Duration, Validations } from 'aws-cdk-lib';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { Limits } from '../../lib/limits';
import { acknowledgeRuntime, bundledFunction } from './bundled-function';
import type { SamsaTables, TableAccess } from './tables';

/** Group registry and commit Queries, group and topic items on meta; partition counters on log. Nothing that writes. */
export const LAG_METRICS_ACCESS: TableAccess = {
  meta: ['GetItem', 'Query'],
  log: ['GetItem'],
};

export const LAG_METRICS_SCHEDULE = Duration.minutes(1);

export interface LagMetricsProps {
  tables: SamsaTables;
  logRetention: RetentionDays;
  limits: Partial<Limits>;
  environment: Record<string, string>;
}

export class LagMetrics extends Construct {
  readonly fn: NodejsFunction;
  readonly rule: Rule;

  constructor(scope: Construct, id: string, props: LagMetricsProps) {
    super(scope, id);
    this.fn = bundledFunction(this, 'Publisher', {
      entryDir: 'lag-metrics',
      memorySize: 256,
      // Below the schedule, so runs do not pile up behind a slow one.
      timeout: Duration.seconds(50),
      data: { tables: props.tables, access: LAG_METRICS_ACCESS, limits: props.limits },
      logRetention: props.logRetention,
      environment: props.environment,
    });
    this.rule = new Rule(this, 'Schedule', {
      description: 'Publishes Samsa consumer lag (ConsumerLag) every minute',
      schedule: Schedule.rate(LAG_METRICS_SCHEDULE),
      targets: [new LambdaFunction(this.fn, { retryAttempts: 0, maxEventAge: Duration.minutes(1) })],
    });
    acknowledgeRuntime(this);
    const reason =
      'Each run publishes a snapshot of the lag as it is now; the next run, a minute later, replaces a failed one. ' +
      'A dead-lettered event would only be a stale request to measure the past, which no one could replay usefully.';
    Validations.of(this.fn).acknowledge({ id: 'Serverless::Serverless-LambdaDLQ', reason });
    Validations.of(this.rule).acknowledge({ id: 'Serverless::Serverless-EventBusDLQ', reason });
  }
}

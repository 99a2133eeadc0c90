/**
 * Structured logs and CloudWatch metrics (EMF) for the functions, on
 * Powertools Logger and Metrics. One Telemetry per cold start: Lambda entry
 * points create it from the environment Powertools reads itself
 * (POWERTOOLS_SERVICE_NAME, AWS_LAMBDA_LOG_LEVEL); the local server and
 * tests run without one unless they ask (functions/runtime.ts).
 *
 * Never give it record keys, values, headers or credentials.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { LibEvent } from '../../lib/events';
import { METRICS, METRICS_NAMESPACE, type MetricName } from './names';

export type MetricUnitName = (typeof MetricUnit)[keyof typeof MetricUnit];
export type MetricValue = readonly [name: MetricName, unit: MetricUnitName, value: number];
export { MetricUnit };

export interface TelemetryOptions {
  /** The `service` log key and metric dimension; default: POWERTOOLS_SERVICE_NAME. */
  serviceName?: string;
  /** Default: AWS_LAMBDA_LOG_LEVEL / POWERTOOLS_LOG_LEVEL, else INFO. */
  logLevel?: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR' | 'SILENT';
  /** Emit EMF metrics (default true). */
  metrics?: boolean;
  /** Traffic and lag metrics per topic (default true); false publishes them stack-wide only. */
  perTopic?: boolean;
}

export class Telemetry {
  readonly logger: Logger;
  readonly perTopic: boolean;
  readonly #metrics: Metrics | undefined;

  constructor(options: TelemetryOptions = {}) {
    this.perTopic = options.perTopic ?? true;
    this.logger = new Logger({
      ...(options.serviceName === undefined ? {} : { serviceName: options.serviceName }),
      ...(options.logLevel === undefined ? {} : { logLevel: options.logLevel }),
    });
    this.#metrics =
      options.metrics === false
        ? undefined
        : new Metrics({
            namespace: METRICS_NAMESPACE,
            logger: this.logger,
            ...(options.serviceName === undefined ? {} : { serviceName: options.serviceName }),
          });
  }

  get metricsEnabled(): boolean {
    return this.#metrics !== undefined;
  }

  /**
   * Writes one EMF line: `values` under each of `dimensionSets` (each plus
   * `service`; `{}` is `service` alone, so one line can feed a per-group
   * series and the stack-wide one an alarm watches).
   * Synchronous from add to flush, so requests served concurrently by one
   * process (the local server) never mix their metrics in the shared buffer.
   */
  publish(dimensionSets: readonly Record<string, string>[], values: readonly MetricValue[]): void {
    const metrics = this.#metrics;
    if (metrics === undefined || values.length === 0) return;
    for (const set of dimensionSets) metrics.addDimensions(set);
    for (const [name, unit, value] of values) metrics.addMetric(name, unit, value);
    metrics.publishStoredMetrics();
  }

  /** LibContext.events: what happened inside lib that no result shows. Never throws. */
  readonly onLibEvent = (event: LibEvent): void => {
    try {
      // Which partition had a dead writer is for the runbook, not a metric dimension.
      if (event.type === 'reservationAborted') this.logger.warn('reservation aborted', { topic: event.topic, partition: event.partition });
      this.publish([], [[LIB_EVENT_METRICS[event.type], MetricUnit.Count, 1]]);
    } catch (err) {
      this.logger.warn('metric for a lib event not published', { event: event.type, error: String(err) });
    }
  };
}

const LIB_EVENT_METRICS: Record<LibEvent['type'], MetricName> = {
  reservationAborted: METRICS.abortedReservations,
  conflictRetried: METRICS.conflicts,
  throttleRetried: METRICS.throttled,
};

/**
 * The delivery function's metrics (functions/telemetry/names.ts): one EMF
 * line per invocation with the records delivered, the failed attempts and
 * the records dead-lettered, under `service` alone (no per-subscription
 * dimension: see names.ts), each value only when not 0. A failure or a dead
 * letter also logs a warning with the counts, for Logs Insights.
 */
import { METRICS } from '../telemetry/names';
import { MetricUnit, type MetricValue, type Telemetry } from '../telemetry/telemetry';
import type { DeliverySummary } from './stream-handler';

export function publishDeliveryMetrics(telemetry: Telemetry, s: DeliverySummary): void {
  const values: MetricValue[] = [];
  if (s.delivered > 0) values.push([METRICS.subscriptionRecordsDelivered, MetricUnit.Count, s.delivered]);
  if (s.failures > 0) values.push([METRICS.subscriptionDeliveryFailures, MetricUnit.Count, s.failures]);
  if (s.deadLettered > 0) values.push([METRICS.subscriptionRecordsDeadLettered, MetricUnit.Count, s.deadLettered]);
  telemetry.publish([], values);
  if (s.failures > 0 || s.deadLettered > 0) telemetry.logger.warn('subscription delivery', { ...s });
}

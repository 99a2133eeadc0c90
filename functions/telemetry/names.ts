/**
 * Samsa's CloudWatch metric names and dimensions, declared once: the
 * functions emit them (EMF, telemetry.ts) and the CDK dashboard and alarms
 * (cdk/constructs/monitoring.ts) read them. Plain data, no Powertools import.
 *
 * Every metric carries the `service` dimension: the stack name (the CDK sets
 * POWERTOOLS_SERVICE_NAME), so two Samsa stacks in one account never mix.
 * Cardinality: `topic` and `group` are dimensions because the issue asks for
 * per-topic traffic and per-group lag; each distinct value is a custom metric
 * CloudWatch bills monthly (4 per topic with traffic, 1 per group and 1 per
 * group and topic with commits). `route` has one value per route in use.
 */

export const METRICS_NAMESPACE = 'Samsa';

/** Set by the CDK stack (samsa:topicMetrics); read once per cold start by functions/config.ts. */
export const TELEMETRY_ENV = {
  /** `false`: traffic and lag metrics without the topic dimension (a flat cost instead of one per topic). */
  perTopic: 'SAMSA_METRICS_PER_TOPIC',
} as const;

export const DIMENSIONS = {
  service: 'service',
  topic: 'topic',
  group: 'group',
  route: 'route',
} as const;

export const METRICS = {
  /** Records acknowledged by produce (per topic). */
  recordsIn: 'RecordsIn',
  /** Key + value bytes of the records acknowledged by produce, uncompressed (per topic). */
  bytesIn: 'BytesIn',
  /** Records returned by fetch and group poll (per topic). */
  recordsOut: 'RecordsOut',
  /** Key + value bytes of the records returned by fetch and group poll (per topic). */
  bytesOut: 'BytesOut',
  /** Handler time per request in ms, long-poll waits included (per route). */
  latency: 'Latency',
  /** DynamoDB throttling: retries inside an operation, plus requests answered THROTTLED. */
  throttled: 'Throttled',
  /** Optimistic writes that lost a race: retries inside an operation, plus answers CONCURRENT_MODIFICATION. */
  conflicts: 'Conflicts',
  /** Reservations closed with an abort marker because their writer did not settle them in time. */
  abortedReservations: 'AbortedReservations',
  /** Requests answered 500 INTERNAL_ERROR (a bug; Lambda's own Errors metric does not see them). */
  internalErrors: 'InternalErrors',
  /** Records between a group's committed offset and the log end (per group, per group and topic; Maximum under `service` alone = the worst group). */
  consumerLag: 'ConsumerLag',
  // Push-subscription delivery (functions/subscriptions/metrics.ts), per delivery invocation, stack-wide
  // only: no per-subscription dimension (each subscription would be 3 more custom metrics a month).
  // Published only when not 0, so a healthy stack pays for no failure series. Which subscription:
  // the delivery function's `subscription delivery` log lines, or describe (lastError).
  /** Records acknowledged by their target (webhook or Lambda function) and committed. */
  subscriptionRecordsDelivered: 'SubscriptionRecordsDelivered',
  /** Failed delivery attempts (a batch a target did not acknowledge), each recorded and retried with backoff. */
  subscriptionDeliveryFailures: 'SubscriptionDeliveryFailures',
  /** Records produced to a dead-letter topic after their batch's last attempt failed. */
  subscriptionRecordsDeadLettered: 'SubscriptionRecordsDeadLettered',
} as const;

export type MetricName = (typeof METRICS)[keyof typeof METRICS];

/**
 * The delivery function's door: a DynamoDB Stream event of the log table
 * (already filtered to settled batches by the event source mapping, or by
 * local/streams.ts) or a scheduled wake-up `{ "subscription": name }`.
 * Decode → lib/subscriptions/trigger.ts → a summary of the runs, handed to
 * `onSummary` (the Lambda entry point publishes it as metrics, ./metrics.ts).
 */
import type { DynamoDBStreamEvent } from 'aws-lambda';
import type { LibContext } from '../../lib/context';
import { settledBatches } from '../../lib/push/settled';
import type { DeliveryPorts } from '../../lib/subscriptions/ports';
import type { DeliveryReport } from '../../lib/subscriptions/deliver';
import { deliverNamed, deliverTopics } from '../../lib/subscriptions/trigger';

export interface WakeEvent {
  subscription: string;
}

export type DeliveryEvent = DynamoDBStreamEvent | WakeEvent;

/** What the runs of one event did, summed over its subscriptions. */
export interface DeliverySummary {
  runs: number;
  delivered: number;
  failures: number;
  deadLettered: number;
}

export function summarize(reports: Iterable<DeliveryReport>): DeliverySummary {
  const sum: DeliverySummary = { runs: 0, delivered: 0, failures: 0, deadLettered: 0 };
  for (const r of reports) {
    sum.runs++;
    sum.delivered += r.delivered;
    sum.failures += r.failures;
    sum.deadLettered += r.deadLettered;
  }
  return sum;
}

/**
 * `budgetMs`: how long runs may keep starting batches (the function's timeout less a margin).
 * `onSummary`: told what the event's runs did, when they all finished (not when one threw).
 */
export function deliveryHandler(ctx: LibContext, ports: DeliveryPorts, budgetMs: number, onSummary?: (summary: DeliverySummary) => void) {
  return async (event: DeliveryEvent): Promise<void> => {
    const deadline = ctx.clock.now() + budgetMs;
    let reports: Map<string, DeliveryReport> = new Map();
    if ('subscription' in event && typeof event.subscription === 'string') {
      reports = await deliverNamed(ctx, ports, [event.subscription], { deadline });
    } else if ('Records' in event && Array.isArray(event.Records)) {
      reports = await deliverTopics(ctx, ports, settledBatches(event.Records).map((b) => b.topicId), { deadline });
    }
    onSummary?.(summarize(reports.values()));
  };
}

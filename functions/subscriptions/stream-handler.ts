/**
 * The delivery function's door: a DynamoDB Stream event of the log table
 * (already filtered to settled batches by the event source mapping, or by
 * local/streams.ts) or a scheduled wake-up `{ "subscription": name }`.
 * Decode → lib/subscriptions/trigger.ts → nothing to encode.
 */
import type { DynamoDBStreamEvent } from 'aws-lambda';
import type { LibContext } from '../../lib/context';
import { settledBatches } from '../../lib/push/settled';
import type { DeliveryPorts } from '../../lib/subscriptions/ports';
import { deliverNamed, deliverTopics } from '../../lib/subscriptions/trigger';

export interface WakeEvent {
  subscription: string;
}

export type DeliveryEvent = DynamoDBStreamEvent | WakeEvent;

/** `budgetMs`: how long runs may keep starting batches (the function's timeout less a margin). */
export function deliveryHandler(ctx: LibContext, ports: DeliveryPorts, budgetMs: number) {
  return async (event: DeliveryEvent): Promise<void> => {
    const deadline = ctx.clock.now() + budgetMs;
    if ('subscription' in event && typeof event.subscription === 'string') {
      await deliverNamed(ctx, ports, [event.subscription], { deadline });
      return;
    }
    if ('Records' in event && Array.isArray(event.Records)) {
      await deliverTopics(ctx, ports, settledBatches(event.Records).map((b) => b.topicId), { deadline });
    }
  };
}

/**
 * What wakes delivery: settled batches from the log table's stream (the
 * subscriptions of each touched topic get a delivery run) and scheduled
 * wake-ups (one subscription, for a retry or a linger).
 * Behaviour: one Query of the topic pointers per touched topic id (items
 * `subtopic#<topicId>`), then a delivery run per subscription found, at most
 * `concurrency` at a time; a run that finds another in progress leaves it a
 * wake-up (deliver.ts), so nothing waits for the next produce. A topic with
 * no subscription costs its one Query (0.5 RRU) per stream batch.
 * Errors: a run's storage error is rethrown after the other runs finished,
 * so the stream batch is retried (Lambda, local/streams.ts) — delivery is
 * at-least-once and idempotent per committed offset, so a retry is safe.
 * Cost: the Query per topic, plus each run's cost (deliver.ts).
 */
import type { LibContext } from '../context';
import { forEachLimit } from '../for-each-limit';
import { queryAll } from '../storage/query-all';
import { deliver, type DeliveryReport } from './deliver';
import { topicSubscriptionsQuery } from './items';
import type { DeliveryPorts } from './ports';

export interface TriggerOptions {
  /** When runs must stop starting batches (ms since the epoch): the function's deadline less a margin. */
  deadline: number;
  concurrency?: number;
}

/** Delivery runs for every subscription of the given topic ids (from settled batches). */
export async function deliverTopics(ctx: LibContext, ports: DeliveryPorts, topicIds: Iterable<string>, opts: TriggerOptions): Promise<Map<string, DeliveryReport>> {
  const names: string[] = [];
  for (const topicId of new Set(topicIds)) {
    const pointers = await queryAll(ctx.ddb, topicSubscriptionsQuery(ctx.tables.meta, topicId));
    for (const p of pointers) if (typeof p.sk === 'string') names.push(p.sk);
  }
  return deliverNamed(ctx, ports, names, opts);
}

/** Delivery runs for the named subscriptions (scheduled wake-ups). */
export async function deliverNamed(ctx: LibContext, ports: DeliveryPorts, names: readonly string[], opts: TriggerOptions): Promise<Map<string, DeliveryReport>> {
  const reports = new Map<string, DeliveryReport>();
  const errors: unknown[] = [];
  await forEachLimit([...new Set(names)], opts.concurrency ?? 8, async (name) => {
    try {
      reports.set(name, await deliver(ctx, ports, name, { deadline: opts.deadline }));
    } catch (err) {
      errors.push(err);
    }
  });
  if (errors.length > 0) throw errors[0];
  return reports;
}

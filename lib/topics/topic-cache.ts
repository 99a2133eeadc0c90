/**
 * A short-lived cache of topic items, held per handler instance, for the read
 * path (fetch, offsets, group poll) and for produce. It saves the strong
 * topic read (1 RRU, one round trip) that every fetch, long-poll iteration
 * and produce would otherwise pay.
 *
 * Why a stale entry is safe on the read path: a deleted or re-created topic's
 * old id has no counters, so the read fails and is retried with a fresh read;
 * a partition beyond a stale count is re-checked fresh; and before retention
 * moves a log start, the partition view re-reads the topic strongly, so a
 * stale (lower) retention.ms can never hide records early.
 * Why for produce: its reservation is conditional on the counter existing
 * (a deleted or re-created topic's old id is refused) and on the counter's
 * config version, which every alter-configs and create-partitions stamps
 * (counters.ts); a refused produce re-reads the topic (lib/log/produce.ts).
 * Admin operations never use it.
 */
import type { LibContext } from '../context';
import { findTopic, getTopic, type Topic } from './topic-item';

export class TopicCache {
  private readonly entries = new Map<string, { topic: Topic; at: number }>();

  constructor(
    readonly ttlMs: number,
    private readonly maxEntries = 1_000,
  ) {}

  get(name: string, now: number): Topic | undefined {
    const entry = this.entries.get(name);
    return entry !== undefined && now - entry.at < this.ttlMs ? entry.topic : undefined;
  }

  set(topic: Topic, now: number): void {
    this.entries.delete(topic.name);
    if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value as string);
    this.entries.set(topic.name, { topic, at: now });
  }

  delete(name: string): void {
    this.entries.delete(name);
  }
}

/** The topic for a read or a produce: from the cache when fresh (`cached: true`), else strongly read and cached. */
export async function getTopicForRead(ctx: LibContext, name: string): Promise<{ topic: Topic; cached: boolean }> {
  const hit = ctx.topicCache?.get(name, ctx.clock.now());
  if (hit !== undefined) return { topic: hit, cached: true };
  const topic = await getTopic(ctx, name);
  ctx.topicCache?.set(topic, ctx.clock.now());
  return { topic, cached: false };
}

/** After a cached topic proved stale: drop it, read it strongly and cache what was read. */
export async function refreshTopic(ctx: LibContext, name: string): Promise<Topic | undefined> {
  ctx.topicCache?.delete(name);
  const topic = await findTopic(ctx, name);
  if (topic !== undefined) ctx.topicCache?.set(topic, ctx.clock.now());
  return topic;
}

/**
 * A short-lived cache of topic items for the read path (fetch, offsets, group
 * poll), held per handler instance. It saves the strong topic read (1 RRU)
 * that every fetch and long-poll iteration would otherwise pay.
 *
 * Why a stale entry is safe there: a deleted or re-created topic's old id has
 * no counters, so the read fails and is retried with a fresh read; a
 * partition beyond a stale count is re-checked fresh; and before retention
 * moves a log start, the partition view re-reads the topic strongly, so a
 * stale (lower) retention.ms can never hide records early. Writes (produce,
 * admin) never use it.
 */
import type { LibContext } from '../context';
import { getTopic, type Topic } from './topic-item';

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

/** The topic for a read: from the cache when fresh (`cached: true`), else strongly read and cached. */
export async function getTopicForRead(ctx: LibContext, name: string): Promise<{ topic: Topic; cached: boolean }> {
  const hit = ctx.topicCache?.get(name, ctx.clock.now());
  if (hit !== undefined) return { topic: hit, cached: true };
  const topic = await getTopic(ctx, name);
  ctx.topicCache?.set(topic, ctx.clock.now());
  return { topic, cached: false };
}

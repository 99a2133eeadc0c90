/**
 * Topics as one group request sees them: each name is read at most once per
 * request, however many steps (commit, heartbeat, fetch, the long-poll
 * loop) need it.
 * Behaviour: `current` is the strongly consistent topic (findTopic) — what
 * target computation and commits need, so a re-created topic never gets the
 * old id. `forRead` is the read path's: the strong one if this request
 * already has it, else the handler's read cache (topic-cache.ts: up to 1 s
 * old; a stale entry's counters are gone, which the reader notices).
 * Errors: none; a topic that does not exist (or cannot, by its name) is
 * undefined.
 * Cost: ≤ 1 strong GetItem (1 RRU) per topic and request; `forRead` from a
 * warm cache costs nothing.
 */
import type { LibContext } from '../context';
import { isSamsaError } from '../errors';
import { getTopicForRead } from '../topics/topic-cache';
import { findTopic, type Topic } from '../topics/topic-item';

export interface ReadTopic {
  topic: Topic;
  /** From the read cache: may be up to its TTL old. */
  cached: boolean;
}

export class RequestTopics {
  private readonly strong = new Map<string, Promise<Topic | undefined>>();
  private readonly read = new Map<string, Promise<ReadTopic | undefined>>();

  constructor(private readonly ctx: LibContext) {}

  current(name: string): Promise<Topic | undefined> {
    let found = this.strong.get(name);
    if (found === undefined) this.strong.set(name, (found = findTopic(this.ctx, name)));
    return found;
  }

  async forRead(name: string): Promise<ReadTopic | undefined> {
    const strong = this.strong.get(name);
    if (strong !== undefined) {
      const topic = await strong;
      return topic === undefined ? undefined : { topic, cached: false };
    }
    let found = this.read.get(name);
    if (found === undefined) this.read.set(name, (found = this.cachedOrRead(name)));
    return found;
  }

  /** After a cached topic proved stale (its counters are gone): the next reads of it are strong. */
  forget(name: string): void {
    this.ctx.topicCache?.delete(name);
    this.read.delete(name);
    this.strong.delete(name);
  }

  private async cachedOrRead(name: string): Promise<ReadTopic | undefined> {
    try {
      return await getTopicForRead(this.ctx, name);
    } catch (err) {
      if (isSamsaError(err) && err.code === 'UNKNOWN_TOPIC_OR_PARTITION') return undefined;
      throw err;
    }
  }
}

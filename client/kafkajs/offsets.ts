/**
 * A consumer run's offset bookkeeping (KafkaJS's offset manager): what each
 * partition resolved, what was committed, and when an auto-commit is due.
 * Offsets here are "next offset" (the last resolved message + 1), as Kafka
 * commits them. Also the high watermarks eachBatch reports.
 */
import type { Samsa } from '../index';
import type { OffsetsByTopicPartition } from './types';

export const key = (topic: string, partition: number) => `${topic}\u0000${partition}`;
export const split = (k: string) => ({ topic: k.slice(0, k.indexOf('\u0000')), partition: Number(k.slice(k.indexOf('\u0000') + 1)) });

export interface PartitionOffset {
  topic: string;
  partition: number;
  offset: number;
}

export class OffsetBook {
  private readonly resolved = new Map<string, number>();
  private readonly committed = new Map<string, number>();
  /** Messages resolved since the last commit, for autoCommitThreshold. */
  private sinceCommit = 0;
  private lastCommit = Date.now();

  resolvedOf(k: string): number | undefined {
    return this.resolved.get(k);
  }

  /** A message (or, from eachBatch, everything up to `next`) was processed. */
  resolve(k: string, next: number): void {
    const previous = this.resolved.get(k);
    this.resolved.set(k, next);
    this.sinceCommit += previous === undefined ? 1 : Math.max(0, next - previous);
  }

  /** A seek: the partition goes on from `offset`, whatever was resolved before. */
  reposition(k: string, offset: number): void {
    this.resolved.set(k, offset);
  }

  /** Resolved and not yet committed (of `only` these partitions, when given). */
  due(only?: Set<string>): PartitionOffset[] {
    const due: PartitionOffset[] = [];
    for (const [k, offset] of this.resolved) {
      if (this.committed.get(k) !== offset && (only === undefined || only.has(k))) due.push({ ...split(k), offset });
    }
    return due;
  }

  markCommitted(offsets: PartitionOffset[], automatic: boolean): void {
    for (const o of offsets) this.committed.set(key(o.topic, o.partition), o.offset);
    if (!automatic) return;
    this.lastCommit = Date.now();
    this.sinceCommit = 0;
  }

  /** KafkaJS's rule: the interval has passed or the threshold is reached (never when neither is set). */
  commitDue(interval: number | null | undefined, threshold: number | null | undefined): boolean {
    return (interval !== undefined && interval !== null && Date.now() >= this.lastCommit + interval) || (threshold !== undefined && threshold !== null && this.sinceCommit >= threshold);
  }

  uncommitted(): OffsetsByTopicPartition {
    const byTopic = new Map<string, { partition: number; offset: string }[]>();
    for (const { topic, partition, offset } of this.due()) {
      let list = byTopic.get(topic);
      if (list === undefined) byTopic.set(topic, (list = []));
      list.push({ partition, offset: String(offset) });
    }
    return { topics: [...byTopic].map(([topic, partitions]) => ({ topic, partitions })) };
  }

  /** The partition is no longer this member's. */
  drop(k: string): void {
    this.resolved.delete(k);
    this.committed.delete(k);
  }
}

/**
 * Polls do not carry high watermarks: a topic's are read in the background
 * at most every 5 s; callers report at least the batch's last offset + 1.
 */
export class HighWatermarks {
  private readonly topics = new Map<string, { at: number; partitions: Map<number, number> }>();

  constructor(private readonly samsa: Samsa) {}

  of(topic: string, partition: number): number {
    const known = this.topics.get(topic);
    if (known === undefined || Date.now() - known.at > 5_000) {
      const entry = known ?? { at: 0, partitions: new Map<number, number>() };
      entry.at = Date.now();
      this.topics.set(topic, entry);
      void this.samsa.topicOffsets(topic).then(
        (offsets) => offsets.forEach((p) => entry.partitions.set(p.partition, p.highWatermark)),
        () => undefined,
      );
    }
    return known?.partitions.get(partition) ?? 0;
  }
}

/**
 * The first layer of a group member (client/group-member.ts, then
 * client/group-consumer.ts): its bookkeeping per partition — what it owns
 * and is giving up, where it fetches next, how far it consumed and
 * committed, and which partitions are paused or were interrupted (seeked or
 * paused) while a batch was being handed out. Partitions are keyed
 * `topic NUL partition`. A base class rather than a field so the layers
 * above use the maps directly (the SDK bundle pays per property access).
 */
import type { OffsetCommit, TopicPartitions } from '../lib/protocol/requests';
import type { ConsumedRecord } from './types';
import { checkFields, invalid } from './validate';

export const key = (topic: string, partition: number) => `${topic}\u0000${partition}`;
export const split = (k: string): { topic: string; partition: number } => {
  const at = k.indexOf('\u0000');
  return { topic: k.slice(0, at), partition: Number(k.slice(at + 1)) };
};

export abstract class MemberPartitions {
  /** Partitions we report as owned: the assignment plus those being revoked. */
  protected readonly owned = new Set<string>();
  /** Owned partitions the server took away; released (after their commit) by the next poll. */
  protected readonly revoking = new Set<string>();
  /** Next offset to fetch per partition; absent means "the committed offset". */
  protected readonly positions = new Map<string, number>();
  /** Next offset after the last record processed. */
  protected readonly consumed = new Map<string, number>();
  protected readonly committed = new Map<string, number>();
  protected readonly paused = new Set<string>();
  /** Partitions seeked or paused while a batch is handed out: skip the rest of theirs. */
  protected readonly interrupted = new Set<string>();

  /** The partitions this member owns now (those being revoked excluded). */
  assignment(): TopicPartitions[] {
    return toTopicPartitions([...this.owned].filter((k) => !this.revoking.has(k)));
  }

  protected forget(k: string): void {
    this.owned.delete(k);
    this.revoking.delete(k);
    this.positions.delete(k);
    this.consumed.delete(k);
    this.committed.delete(k);
  }

  protected dueCommits(which: (k: string) => boolean): OffsetCommit[] {
    const due: OffsetCommit[] = [];
    for (const [k, offset] of this.consumed) {
      if (this.owned.has(k) && which(k) && this.committed.get(k) !== offset) due.push({ ...split(k), offset });
    }
    return due;
  }

  protected markConsumed(r: ConsumedRecord): void {
    const k = key(r.topic, r.partition);
    if (this.owned.has(k)) this.consumed.set(k, r.offset + 1);
  }

  /** Undelivered records of a stopped batch: fetch them again, from the first one of each partition. */
  protected rewind(rest: ConsumedRecord[]): void {
    for (const r of rest) {
      const k = key(r.topic, r.partition);
      if (!this.interrupted.has(k) || this.paused.has(k)) this.rewindPartition(k, r.offset);
    }
  }

  protected rewindPartition(k: string, offset: number): void {
    if (!this.owned.has(k)) return;
    const current = this.positions.get(k);
    if (current === undefined || offset < current) this.positions.set(k, offset);
  }

  protected matching(targets: { topic: string; partitions?: number[] }[]): string[] {
    if (!Array.isArray(targets)) throw invalid('pause() and resume() take an array.');
    // All checked before any is applied: a bad target pauses nothing.
    for (const t of targets) checkFields(t, { topic: 's!', partitions: 'I' }, 'pause() or resume()');
    return targets.flatMap((t) =>
      t.partitions !== undefined
        ? t.partitions.map((p) => key(t.topic, p))
        : [...this.owned].filter((k) => split(k).topic === t.topic),
    );
  }
}

export function toTopicPartitions(keys: string[]): TopicPartitions[] {
  const byTopic = new Map<string, number[]>();
  for (const k of keys) {
    const { topic, partition } = split(k);
    let list = byTopic.get(topic);
    if (list === undefined) byTopic.set(topic, (list = []));
    list.push(partition);
  }
  return [...byTopic].map(([topic, partitions]) => ({ topic, partitions: partitions.sort((a, b) => a - b) }));
}

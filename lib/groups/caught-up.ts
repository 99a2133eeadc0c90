/**
 * What a member's polls remember about its partitions, so that an idle poll
 * reads one small item per topic (the activity marks, lib/log/activity.ts)
 * instead of every partition's counter.
 * Behaviour:
 * - A fact "partition P was caught up at offset N at time T": a strongly
 *   consistent read of P's counter (a counter read or a fetch's partition
 *   view) sent at T (this handler's clock) showed N as its next offset. A
 *   fact is true forever; it lives in the member item (`ck`), written by a
 *   poll when new facts let later polls skip partitions.
 * - A poll may skip P when the client's position is N and P's mark is older
 *   than T − maxClockSkewMs − QUIET_MS: every reservation after that read
 *   was reserved no earlier than T − skew (the clocks of two handler
 *   instances differ by at most maxClockSkewMs), and has a landed mark at
 *   most QUIET_MS older. So a partition is read on every poll for about
 *   skew + QUIET_MS (2 s) after its last mark — up to a second more, as facts
 *   are stored to the second — and then not until the next. An eventually consistent Query may miss a newer mark for
 *   a while: the partition is skipped a little longer, never for good (its
 *   fact does not change until the poll reads it).
 * - Facts older than FACT_TTL_MS are not used: a mark that failed (the
 *   writer gave up, activity.ts) delays records by at most that much, and
 *   marks expire long after.
 * Errors: none (a failed write of the facts only costs reads later).
 * Cost: the facts write is one UpdateItem of the member item (≈ 1 WRU per
 * KB; ~10 B per run of partitions caught up at the same offset and second).
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { LibContext } from '../context';
import { QUIET_MS } from '../log/activity';
import { metaKeys } from '../storage/keys';
import { parsePartitionKey, partitionKey, type PartitionKey } from './assign';

export interface Fact {
  /** The counter's next offset, which the position equalled. */
  n: number;
  /** When the strong read was sent (ms, this handler's clock; stored rounded down to the second). */
  t: number;
}

export type Facts = Map<PartitionKey, Fact>;

/** Stored form: base second `b`, and per topic id runs "from-to:n@dt" (dt = second − b). */
export interface StoredFacts {
  b: number;
  f: Record<string, string>;
}

/** Facts are trusted this long; then the partition's counter is read again. */
export const FACT_TTL_MS = 3_600_000;

/**
 * Facts are stored to the second, rounded down (an earlier T is still true): a partition a poll saw
 * caught up settles for the next polls up to this much later than for the poll itself.
 */
export const FACT_RESOLUTION_MS = 1_000;

/** The fact as the member item will hold it. */
export function storedFact(n: number, t: number): Fact {
  return { n, t: Math.floor(t / FACT_RESOLUTION_MS) * FACT_RESOLUTION_MS };
}
/** Larger stored forms are not written (the member item is read strongly on every poll: keep it within 4 KB). */
const MAX_STORED_CHARS = 2_500;

/** Whether the poll must read partition `key`'s counter: no usable fact, or a mark that may be newer than it. */
export function mustRead(fact: Fact | undefined, position: number, mark: number | undefined, now: number, skewMs: number): boolean {
  if (fact === undefined || fact.n !== position || now - fact.t > FACT_TTL_MS) return true;
  return mark !== undefined && mark >= fact.t - skewMs - QUIET_MS;
}

/** Whether a strong counter read now would give a fact that lets later polls skip the partition. */
export function strongReadPays(mark: number | undefined, now: number, skewMs: number): boolean {
  return mark === undefined || mark < now - skewMs - QUIET_MS;
}

export function encodeFacts(facts: Facts, keep: (key: PartitionKey) => boolean): StoredFacts | undefined {
  const kept = [...facts].filter(([key]) => keep(key));
  if (kept.length === 0) return undefined;
  const b = Math.min(...kept.map(([, f]) => Math.floor(f.t / FACT_RESOLUTION_MS)));
  const byTopic = new Map<string, { p: number; n: number; s: number }[]>();
  for (const [key, fact] of kept) {
    const { topicId, partition } = parsePartitionKey(key);
    let list = byTopic.get(topicId);
    if (list === undefined) byTopic.set(topicId, (list = []));
    list.push({ p: partition, n: fact.n, s: Math.floor(fact.t / FACT_RESOLUTION_MS) - b });
  }
  const f: Record<string, string> = {};
  for (const [topicId, list] of byTopic) {
    list.sort((x, y) => x.p - y.p);
    const runs: string[] = [];
    for (let i = 0; i < list.length; ) {
      let j = i;
      while (j + 1 < list.length && list[j + 1]!.p === list[j]!.p + 1 && list[j + 1]!.n === list[i]!.n && list[j + 1]!.s === list[i]!.s) j++;
      const { p, n, s } = list[i]!;
      runs.push(`${p}${j > i ? `-${list[j]!.p}` : ''}:${n}@${s}`);
      i = j + 1;
    }
    f[topicId] = runs.join(',');
  }
  const stored = { b, f };
  return JSON.stringify(stored).length > MAX_STORED_CHARS ? undefined : stored;
}

export function decodeFacts(stored: StoredFacts | undefined): Facts {
  const facts: Facts = new Map();
  if (stored === undefined || typeof stored.b !== 'number' || typeof stored.f !== 'object') return facts;
  for (const [topicId, runs] of Object.entries(stored.f)) {
    for (const run of String(runs).split(',')) {
      const m = /^(\d+)(?:-(\d+))?:(\d+)@(\d+)$/.exec(run);
      if (m === null) continue;
      const from = Number(m[1]);
      const to = m[2] === undefined ? from : Number(m[2]);
      const fact = { n: Number(m[3]), t: (stored.b + Number(m[4])) * FACT_RESOLUTION_MS };
      for (let p = from; p <= to; p++) facts.set(partitionKey(topicId, p), fact);
    }
  }
  return facts;
}

/** The facts write: only on the member incarnation and epoch the poll served. */
export function factsUpdate(stored: StoredFacts | undefined, epoch: number) {
  return {
    UpdateExpression: stored === undefined ? 'REMOVE ck' : 'SET ck = :ck',
    ConditionExpression: 'attribute_exists(pk) AND epoch = :e',
    ExpressionAttributeValues: { ':e': epoch, ...(stored === undefined ? {} : { ':ck': stored }) },
  };
}

export async function storeFacts(ctx: LibContext, group: string, memberId: string, epoch: number, stored: StoredFacts | undefined): Promise<void> {
  try {
    await ctx.ddb.send(new UpdateCommand({ TableName: ctx.tables.meta, Key: metaKeys.member(group, memberId), ...factsUpdate(stored, epoch) }));
  } catch (err) {
    // The member moved on (new epoch, removed): its next poll reads what it needs.
    if (!(err instanceof ConditionalCheckFailedException)) throw err;
  }
}

/**
 * The fetch half of a group poll: records from the member's assigned
 * partitions, under the poll's one authorization and topic resolution.
 * Behaviour:
 * - Each partition reads from its position: the one the client sent (or
 *   an earlier step of this poll reached), else the committed offset (a
 *   strong read, so a commit just acknowledged is never read past), else
 *   `offsetReset` — also when a position fell out of range. A reset to
 *   `latest` is the stable end: nothing to read there.
 * - Which counters are read: not those the member's facts settle (its
 *   position is where a strong read saw the counter's end, and the topic's
 *   activity marks show nothing newer: caught-up.ts); the others in rounds
 *   of 8, 16, … from a rotating start until they hold the record budget.
 *   Which partitions are fetched and with what budget: read-plan.ts (only
 *   those whose counter moved past the position). The others keep their
 *   positions. Every assigned partition with a position is in the answer.
 *   Strong reads that find a partition caught up become facts.
 * - Partitions are keyed by the topic incarnation the member holds them in;
 *   a topic is resolved (read cache) only for partitions that are read, so
 *   an idle poll reads no topic. A partition whose incarnation is gone
 *   (deleted or re-created, or a cached entry whose counters are gone) is
 *   left out, not fatal: the next heartbeat drops it.
 * Errors: those of the partition fetch (lib/log/fetch.ts), except
 * OFFSET_OUT_OF_RANGE (reset) and UNKNOWN_TOPIC_OR_PARTITION (left out).
 * Cost: one eventually consistent Query of each topic's marks (0.5 RRU per
 * 4 KB); counters not settled by a fact (read-hints.ts): 1 RRU each where
 * data is sure or nothing is known — that read is then the fetch's own —
 * else 0.5 (1 when read strongly to become a fact); per partition with new
 * data one fetch (≈ 0.5 RRU per 4 KB of batches, plus 1 RRU for its
 * partition view when its counter was not read whole); for partitions
 * without a position, 1 strong read of their commit items and, without a
 * commit, one partition view each.
 */
import type { LibContext } from '../context';
import { isSamsaError } from '../errors';
import { fetchPartition, type FetchedRecord, type FetchResult } from '../log/fetch';
import { partitionRef, type PartitionRef } from '../log/partition';
import { logKeys } from '../storage/keys';
import { viewPartition, type PartitionView } from '../log/partition-view';
import type { Position, TopicPartitions } from '../protocol/groups';
import { partitionKey } from './assign';
import { mustRead } from './caught-up';
import { readMarks } from '../log/activity';
import { readLeases } from './leases';
import { hintOfCounter, readHints, remember, type Part, type PollMemory } from './read-hints';
import { planReads, type Candidate, type CounterHint } from './read-plan';
import type { RequestTopics } from './request-topics';

export type { PollMemory } from './read-hints';

export interface PolledRecord extends FetchedRecord {
  topic: string;
  partition: number;
}

export interface Fetched {
  records: PolledRecord[];
  positions: Position[];
  /** Topic name → id of the incarnation the records and positions belong to. */
  topicIds: Record<string, string>;
  /** Some partition has offsets reserved beyond its stable end (a write in progress). */
  pending: boolean;
}

/**
 * `assignment` names topics; `topicIds` the incarnation of each that the member holds. `positions`
 * (topic:partition → offset) is updated with where each partition now stands.
 */
export async function fetchAssigned(
  ctx: LibContext,
  group: string,
  topics: RequestTopics,
  assignment: TopicPartitions[],
  topicIds: Map<string, string>,
  positions: Map<string, number>,
  reset: 'earliest' | 'latest',
  budget: { maxRecords: number; maxBytes: number },
  memory: PollMemory,
): Promise<Fetched> {
  const parts = assignment.flatMap((tp) => {
    const topicId = topicIds.get(tp.topic);
    if (topicId === undefined) return [];
    return tp.partitions.map((partition) => ({
      id: positionId(tp.topic, partition),
      name: tp.topic,
      topicId,
      partition,
      pk: logKeys.partitionPk(topicId, partition),
      key: partitionKey(topicId, partition),
    }));
  });
  if (parts.length === 0) return { records: [], positions: [], topicIds: {}, pending: false };
  const gone = new Set<string>();
  // The topic only for partitions that are read: an idle poll resolves none.
  const refOf = async (p: Part): Promise<PartitionRef | undefined> => {
    const ref = await partitionFor(topics, p);
    if (ref === undefined) gone.add(p.id);
    return ref;
  };

  // Committed offsets only matter for partitions without a position.
  const unknown = parts.filter((p) => !positions.has(p.id));
  if (unknown.length > 0) {
    const leases = await readLeases(ctx, group, unknown.map((p) => partitionKey(p.topicId, p.partition)));
    for (const p of unknown) {
      const offset = leases.get(partitionKey(p.topicId, p.partition))?.offset;
      if (typeof offset === 'number') positions.set(p.id, offset);
    }
  }
  // Partitions reset now read from the view just taken (its counter is the hint); the others' counters are read at once.
  const views = new Map<string, PartitionView>();
  await Promise.all(
    parts.filter((p) => !positions.has(p.id)).map(async (p) => {
      const ref = await refOf(p);
      const view = ref === undefined ? undefined : await viewOrGone(ctx, ref);
      if (view === undefined) return void gone.add(p.id);
      views.set(p.id, view);
      positions.set(p.id, reset === 'earliest' ? view.logStartOffset : view.stableEnd);
    }),
  );
  const known = parts.filter((p) => !gone.has(p.id));
  // Which counters to read: those the member's facts and the topics' activity marks do not settle (caught-up.ts).
  const skew = ctx.limits.maxClockSkewMs;
  const marks = await readAllMarks(ctx, known);
  const now = ctx.clock.now();
  const markOf = (p: Part) => marks.get(p.topicId)?.get(p.partition);
  const unread = known.filter((p) => !views.has(p.id));
  const toRead = unread.filter((p) => mustRead(memory.facts.get(p.key), positions.get(p.id)!, markOf(p), now, skew));
  const read = await readHints(ctx, toRead, positions, memory, markOf, budget);
  // Partitions settled by a fact, or left for a later poll, are not candidates.
  const candidates: Candidate[] = known
    .filter((p) => views.has(p.id) || read.hints.has(p.id))
    .map((p) => ({ id: p.id, position: positions.get(p.id)!, hint: hintOf(views.get(p.id)) ?? read.hints.get(p.id) }));
  const shares = planReads(candidates, budget.maxRecords, budget.maxBytes);

  const results = new Map<string, FetchResult>();
  await Promise.all(
    shares.map(async (share) => {
      const p = known.find((x) => x.id === share.id)!;
      const ref = await refOf(p);
      if (ref === undefined) return;
      let viewedAt = ctx.clock.now();
      const fetch = (offset: number, view?: PartitionView) =>
        fetchPartition(ctx, ref, { offset, maxRecords: share.maxRecords, maxBytes: share.maxBytes, maxWaitMs: 0 }, view);
      try {
        let result: FetchResult;
        try {
          // A counter read strongly a moment ago (read-hints.ts) serves as the view's own read.
          const counter = read.counters.get(p.id);
          result = await fetch(positions.get(p.id)!, views.get(p.id) ?? (counter === undefined ? undefined : await viewPartition(ctx, ref, counter)));
        } catch (err) {
          if (!isSamsaError(err) || err.code !== 'OFFSET_OUT_OF_RANGE') throw err;
          viewedAt = ctx.clock.now();
          const view = await viewPartition(ctx, ref);
          result = await fetch(reset === 'earliest' ? view.logStartOffset : view.stableEnd, view);
        }
        results.set(p.id, result);
        positions.set(p.id, result.nextOffset);
        // Read up to the counter's next offset (nothing pending beyond the stable end): caught up as of the view.
        if (!result.pending && result.nextOffset === result.highWatermark && !views.has(p.id)) {
          remember(memory, p, result.nextOffset, viewedAt, markOf(p), skew);
        }
      } catch (err) {
        if (!isSamsaError(err) || err.code !== 'UNKNOWN_TOPIC_OR_PARTITION') throw err;
        if (ref.cached) topics.forget(p.name); // the next request reads it strongly
        gone.add(p.id);
      }
    }),
  );

  const fetched: Fetched = { records: [], positions: [], topicIds: {}, pending: false };
  const ids = new Map<string, string>();
  for (const p of known) {
    if (gone.has(p.id)) continue;
    for (const r of results.get(p.id)?.records ?? []) fetched.records.push({ ...r, topic: p.name, partition: p.partition });
    fetched.positions.push({ topic: p.name, partition: p.partition, offset: positions.get(p.id)! });
    ids.set(p.name, p.topicId);
    fetched.pending ||= results.get(p.id)?.pending ?? false;
  }
  // fromEntries defines own properties: a topic named __proto__ (a valid Kafka name) stays a key.
  fetched.topicIds = Object.fromEntries(ids);
  return fetched;
}

export const positionId = (topic: string, partition: number) => `${topic}:${partition}`;

/**
 * The partition to read, in the incarnation the member holds it in: the topic from the read cache, or
 * read strongly when the cached one is another incarnation or has too few partitions. Undefined when
 * that incarnation or partition is gone (the next heartbeat drops it).
 */
async function partitionFor(topics: RequestTopics, p: Part): Promise<PartitionRef | undefined> {
  let found = await topics.forRead(p.name);
  if (found?.cached === true && (found.topic.topicId !== p.topicId || p.partition >= found.topic.partitions)) {
    topics.forget(p.name);
    found = await topics.forRead(p.name);
  }
  if (found === undefined || found.topic.topicId !== p.topicId || p.partition >= found.topic.partitions) return undefined;
  const ref = partitionRef(found.topic, p.partition);
  return found.cached ? { ...ref, cached: true } : ref;
}

async function viewOrGone(ctx: LibContext, ref: PartitionRef): Promise<PartitionView | undefined> {
  try {
    return await viewPartition(ctx, ref);
  } catch (err) {
    if (isSamsaError(err) && err.code === 'UNKNOWN_TOPIC_OR_PARTITION') return undefined;
    throw err;
  }
}

/** topic id → partition → activity mark, one Query per topic over the partitions polled. */
async function readAllMarks(ctx: LibContext, parts: readonly Part[]): Promise<Map<string, Map<number, number>>> {
  const byTopic = new Map<string, number[]>();
  for (const p of parts) byTopic.set(p.topicId, [...(byTopic.get(p.topicId) ?? []), p.partition]);
  const entries = await Promise.all([...byTopic].map(async ([topicId, partitions]) => [topicId, await readMarks(ctx, topicId, partitions)] as const));
  return new Map(entries);
}

function hintOf(view: PartitionView | undefined): CounterHint | undefined {
  return view === undefined ? undefined : hintOfCounter(view.counter, view.logStartSeq, view.logStartOffset);
}

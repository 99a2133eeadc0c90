/**
 * Stateless poll: `POST /v1/groups/{group}/poll` — commit, heartbeat and
 * fetch in one call, served by any handler instance.
 * Behaviour: first commits `commit` (so finished work is saved before any
 * revocation), then heartbeats, then fetches from every assigned partition
 * from the position the client sent, else the committed offset, else
 * `offsetReset` (also when a position fell out of range). With maxWaitMs it
 * waits for data — and for a joining member's assignment — re-heartbeating
 * as it waits, and returns early when the assignment changes. `topicIds`
 * names the incarnation of each topic the records and positions came from
 * (one per topic and answer: each fetch reads the topics once, strongly).
 * Errors: those of heartbeat and commit (commit errors are reported per
 * offset in `commits`), UNKNOWN_TOPIC_OR_PARTITION for vanished topics is
 * skipped, not fatal.
 * Cost: one heartbeat and one fetch of each assigned partition; while
 * waiting, a heartbeat per heartbeat interval and an eventually consistent
 * read of each assigned partition's counter per step (≤ 1 per second).
 */
import { authorize, type Principal } from '../auth/authorize';
import type { LibContext } from '../context';
import { isSamsaError } from '../errors';
import { fetchPartition, type FetchedRecord } from '../log/fetch';
import { checkPartition, partitionRef } from '../log/partition';
import { listOffsets } from '../log/list-offsets';
import type { PollBody, Position, TopicPartitions } from '../protocol/groups';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { logKeys } from '../storage/keys';
import { findTopic, type Topic } from '../topics/topic-item';
import { partitionKey } from './assign';
import { commitOffsets, type CommitResult } from './commit';
import { heartbeat, type HeartbeatResult } from './heartbeat';
import { readLeases } from './leases';

export interface PolledRecord extends FetchedRecord {
  topic: string;
  partition: number;
}

export interface PollResult extends HeartbeatResult {
  records: PolledRecord[];
  positions: Position[];
  /** Topic name → id of the incarnation this answer's records and positions belong to; once per topic, not per record. */
  topicIds: Record<string, string>;
  commits?: CommitResult[];
}

export async function poll(ctx: LibContext, principal: Principal, group: string, req: PollBody): Promise<PollResult> {
  // A poll fetches, which needs read on each topic (Kafka's Fetch): check them all before the commit or heartbeat changes anything.
  await authorize(ctx.authorizer, principal, 'read', { type: 'group', name: group });
  for (const topic of new Set(req.topics ?? [])) await authorize(ctx.authorizer, principal, 'read', { type: 'topic', name: topic });
  const commits =
    req.commit !== undefined && req.commit.length > 0 && req.memberEpoch > 0
      ? await commitOffsets(ctx, principal, group, req.memberId, req.memberEpoch, req.commit)
      : undefined;
  const maxWaitMs = Math.min(Math.max(req.maxWaitMs ?? 0, 0), ctx.limits.maxWaitMs);
  const maxRecords = Math.min(Math.max(req.maxRecords ?? 500, 1), ctx.limits.maxRecordsPerRequest);
  const maxBytes = Math.min(Math.max(req.maxBytes ?? 1024 * 1024, 1), ctx.limits.maxResponseBytes);
  const deadline = ctx.clock.now() + maxWaitMs;
  const { positions: _p, commit: _c, maxWaitMs: _w, maxRecords: _r, maxBytes: _b, ...hbRequest } = req;

  let hb = await heartbeat(ctx, principal, group, hbRequest);
  let beatAt = ctx.clock.now();
  const first = JSON.stringify(hb.assignment);
  const fetchNow = () => fetchAssigned(ctx, principal, group, hb, req.positions ?? [], req.offsetReset ?? 'latest', maxRecords, maxBytes);
  // Read before each fetch, so a reservation made after a fetch always shows as a change.
  let seqs = maxWaitMs > 0 ? await reservationSeqs(ctx, hb.assignment) : '';
  let result = await fetchNow();
  for (let delay = 100; ; delay = Math.min(1_000, delay * 2)) {
    const done = result.records.length > 0 || JSON.stringify(hb.assignment) !== first || ctx.clock.now() + delay >= deadline;
    if (done) {
      const { pending: _pending, ...fetched } = result;
      return { ...hb, ...fetched, ...(commits === undefined ? {} : { commits }) };
    }
    await new Promise((r) => setTimeout(r, delay));
    // Waiting costs little: a heartbeat once per interval (every step while the member has nothing
    // yet, so it picks partitions up as others give them away), and otherwise only a half-price
    // read of each assigned partition's counter; the partitions are fetched again only when one moved.
    if (hb.assignment.length === 0 || ctx.clock.now() - beatAt >= hb.heartbeatIntervalMs) {
      // The member will own what it is given once it gets the response: heartbeat as that member.
      hb = await heartbeat(ctx, principal, group, { ...hbRequest, memberEpoch: hb.memberEpoch, owned: hb.assignment });
      beatAt = ctx.clock.now();
      if (JSON.stringify(hb.assignment) !== first) {
        seqs = await reservationSeqs(ctx, hb.assignment);
        result = await fetchNow();
        continue;
      }
    }
    // Fetch again when a reservation was made since the last fetch, or while one it saw was still
    // being written (it showed no records yet).
    const now = await reservationSeqs(ctx, hb.assignment);
    if (now !== seqs || result.pending) {
      seqs = now;
      result = await fetchNow();
    }
  }
}

/** The counters' reservation seqs of the assigned partitions: only a new reservation brings new data. */
async function reservationSeqs(ctx: LibContext, assignment: TopicPartitions[]): Promise<string> {
  const seqs = await Promise.all(
    assignment.flatMap((tp) =>
      tp.partitions.map(async (partition) => {
        const topic = ctx.topicCache?.get(tp.topic, ctx.clock.now()) ?? (await findTopic(ctx, tp.topic));
        if (topic === undefined) return 'gone';
        const out = await ctx.ddb.send(
          new GetCommand({ TableName: ctx.tables.log, Key: logKeys.counter(topic.topicId, partition), ProjectionExpression: 'seq' }),
        );
        return String(out.Item?.seq ?? 'gone');
      }),
    ),
  );
  return seqs.join(',');
}

async function fetchAssigned(
  ctx: LibContext,
  principal: Principal,
  group: string,
  hb: HeartbeatResult,
  sent: Position[],
  reset: 'earliest' | 'latest',
  maxRecords: number,
  maxBytes: number,
): Promise<{ records: PolledRecord[]; positions: Position[]; topicIds: Record<string, string>; pending: boolean }> {
  const partitions = hb.assignment.flatMap((tp: TopicPartitions) => tp.partitions.map((partition) => ({ topic: tp.topic, partition })));
  if (partitions.length === 0) return { records: [], positions: [], topicIds: {}, pending: false };
  const topics = new Map<string, Topic>();
  for (const name of new Set(partitions.map((p) => p.topic))) {
    const topic = await findTopic(ctx, name);
    if (topic !== undefined) topics.set(name, topic);
  }
  const sentFor = (topic: string, partition: number) => sent.find((p) => p.topic === topic && p.partition === partition)?.offset;
  // Committed offsets only matter for partitions the client sent no position for.
  const unknown = partitions.filter((p) => sentFor(p.topic, p.partition) === undefined);
  const committed = unknown.length === 0 ? new Map<string, number>() : await committedPositions(ctx, group, unknown, topics);
  // Every partition gets an equal share of the budget, so a busy partition cannot starve the others
  // and no partition reads records the response would have to drop.
  const share = { records: Math.max(1, Math.ceil(maxRecords / partitions.length)), bytes: Math.max(1, Math.floor(maxBytes / partitions.length)) };
  const fetched = await Promise.all(
    partitions.map(async ({ topic: name, partition }) => {
      const topic = topics.get(name);
      if (topic === undefined) return undefined; // deleted: the next heartbeat drops it
      const fetchFrom = (offset: number) => {
        checkPartition(topic, partition);
        return fetchPartition(ctx, partitionRef(topic, partition), { offset, maxRecords: share.records, maxBytes: share.bytes, maxWaitMs: 0 });
      };
      try {
        let result;
        try {
          result = await fetchFrom(sentFor(name, partition) ?? committed.get(`${name}:${partition}`) ?? (await resetOffset(ctx, principal, name, partition, reset)));
        } catch (err) {
          if (!isSamsaError(err) || err.code !== 'OFFSET_OUT_OF_RANGE') throw err;
          result = await fetchFrom(await resetOffset(ctx, principal, name, partition, reset));
        }
        return { topic: name, topicId: result.topicId, partition, records: result.records, next: result.nextOffset, pending: result.pending };
      } catch (err) {
        if (isSamsaError(err) && err.code === 'UNKNOWN_TOPIC_OR_PARTITION') return undefined;
        throw err;
      }
    }),
  );
  const records: PolledRecord[] = [];
  const positions: Position[] = [];
  const topicIds = new Map<string, string>();
  let pending = false;
  for (const f of fetched) {
    if (f === undefined) continue;
    for (const r of f.records) records.push({ ...r, topic: f.topic, partition: f.partition });
    positions.push({ topic: f.topic, partition: f.partition, offset: f.next });
    topicIds.set(f.topic, f.topicId);
    pending ||= f.pending;
  }
  // fromEntries defines own properties: a topic named __proto__ (a valid Kafka name) stays a key.
  return { records, positions, topicIds: Object.fromEntries(topicIds), pending };
}

async function committedPositions(
  ctx: LibContext,
  group: string,
  partitions: { topic: string; partition: number }[],
  topics: Map<string, Topic>,
): Promise<Map<string, number>> {
  const keys = partitions.flatMap((p) => {
    const topic = topics.get(p.topic);
    return topic === undefined ? [] : [partitionKey(topic.topicId, p.partition)];
  });
  const leases = await readLeases(ctx, group, keys);
  const positions = new Map<string, number>();
  for (const p of partitions) {
    const topic = topics.get(p.topic);
    const offset = topic === undefined ? undefined : leases.get(partitionKey(topic.topicId, p.partition))?.offset;
    if (typeof offset === 'number') positions.set(`${p.topic}:${p.partition}`, offset);
  }
  return positions;
}

async function resetOffset(ctx: LibContext, principal: Principal, topic: string, partition: number, reset: 'earliest' | 'latest'): Promise<number> {
  const found = await listOffsets(ctx, principal, topic, partition, reset);
  return found.offset ?? found.highWatermark;
}

/**
 * Stateless poll: `POST /v1/groups/{group}/poll` — commit, heartbeat and
 * fetch in one call, served by any handler instance.
 * Behaviour: first commits `commit` (so finished work is saved before any
 * revocation), then heartbeats, then fetches from every assigned partition
 * from the position the client sent, else the committed offset, else
 * `offsetReset` (also when a position fell out of range). With maxWaitMs it
 * waits for data — and for a joining member's assignment — re-heartbeating
 * as it waits, and returns early when the assignment changes.
 * Errors: those of heartbeat and commit (commit errors are reported per
 * offset in `commits`), UNKNOWN_TOPIC_OR_PARTITION for vanished topics is
 * skipped, not fatal.
 * Cost: a heartbeat per wait step (≤ 1 per second after the first few), and
 * per assigned partition the fetch cost.
 */
import type { Principal } from '../auth/authorize';
import type { LibContext } from '../context';
import { isSamsaError } from '../errors';
import { fetchRecords, type FetchedRecord } from '../log/fetch';
import { listOffsets } from '../log/list-offsets';
import type { PollBody, Position, TopicPartitions } from '../protocol/groups';
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
  commits?: CommitResult[];
}

export async function poll(ctx: LibContext, principal: Principal, group: string, req: PollBody): Promise<PollResult> {
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
  const first = JSON.stringify(hb.assignment);
  for (let delay = 100; ; delay = Math.min(1_000, delay * 2)) {
    const result = await fetchAssigned(ctx, principal, group, hb, req.positions ?? [], req.offsetReset ?? 'latest', maxRecords, maxBytes);
    const done = result.records.length > 0 || JSON.stringify(hb.assignment) !== first || ctx.clock.now() + delay >= deadline;
    if (done) return { ...hb, ...result, ...(commits === undefined ? {} : { commits }) };
    await new Promise((r) => setTimeout(r, delay));
    // The member will own what it is given once it gets the response: heartbeat as that member.
    hb = await heartbeat(ctx, principal, group, { ...hbRequest, memberEpoch: hb.memberEpoch, owned: hb.assignment });
  }
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
): Promise<{ records: PolledRecord[]; positions: Position[] }> {
  const partitions = hb.assignment.flatMap((tp: TopicPartitions) => tp.partitions.map((partition) => ({ topic: tp.topic, partition })));
  if (partitions.length === 0) return { records: [], positions: [] };
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
      const fetchFrom = (offset: number) =>
        fetchRecords(ctx, principal, { topic: name, partition, offset, maxRecords: share.records, maxBytes: share.bytes, maxWaitMs: 0 }, topic);
      try {
        let result;
        try {
          result = await fetchFrom(sentFor(name, partition) ?? committed.get(`${name}:${partition}`) ?? (await resetOffset(ctx, principal, name, partition, reset)));
        } catch (err) {
          if (!isSamsaError(err) || err.code !== 'OFFSET_OUT_OF_RANGE') throw err;
          result = await fetchFrom(await resetOffset(ctx, principal, name, partition, reset));
        }
        return { topic: name, partition, records: result.records, next: result.nextOffset };
      } catch (err) {
        if (isSamsaError(err) && err.code === 'UNKNOWN_TOPIC_OR_PARTITION') return undefined;
        throw err;
      }
    }),
  );
  const records: PolledRecord[] = [];
  const positions: Position[] = [];
  for (const f of fetched) {
    if (f === undefined) continue;
    for (const r of f.records) records.push({ ...r, topic: f.topic, partition: f.partition });
    positions.push({ topic: f.topic, partition: f.partition, offset: f.next });
  }
  return { records, positions };
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

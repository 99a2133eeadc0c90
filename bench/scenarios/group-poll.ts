/**
 * Part 4 of the groups scenario (groups.ts): the group poll (POST …/poll) of
 * a member owning 4 partitions of 1,000 records of 100 B each, with
 * positions, maxWaitMs 0 and the HTTP defaults otherwise (maxRecords 10,000,
 * maxBytes 1 MiB), from offset 0 until caught up, several passes; then polls
 * with no new data (the fixed overhead). Sequential DynamoDB round trips of
 * every poll are recorded (bench/spans.ts).
 *
 * Idle means idle: for QUIET_WINDOW_MS after a partition's last write its
 * activity mark is too fresh for a poll to trust what it learned about the
 * partition (lib/groups/caught-up.ts), so every poll in that window reads
 * the partition's counter again. The idle polls are therefore measured once
 * that window has passed since the last write, and the first of them — the
 * one that reads each counter to learn the partition is caught up, and
 * records that in the member item — is reported on its own.
 */
import { mergeTallies, summarizeTally } from '../capacity';
import { eventBatch, rng } from '../data';
import { memberAnswer, sequentialLoop, type BenchEnv } from '../env';
import { DEFAULT_LIMITS } from '../../lib/limits';
import { FACT_RESOLUTION_MS } from '../../lib/groups/caught-up';
import { QUIET_MS } from '../../lib/log/activity';
import { round, summarize } from '../stats';
import { perOp } from './groups';

/**
 * How long after a partition's last write polls keep reading its counter: clock skew + QUIET_MS + the
 * second facts are rounded to (caught-up.ts), plus a margin. Without the rounding, idle polls measured
 * in that last second read every counter again, by chance of the clock (16 partitions: 1.5 to 9 RRU).
 */
export const QUIET_WINDOW_MS = DEFAULT_LIMITS.maxClockSkewMs + QUIET_MS + FACT_RESOLUTION_MS + 500;

/** Waits until QUIET_WINDOW_MS has passed since `lastWriteAt` (performance.now()). */
export async function waitOutQuietWindow(lastWriteAt: number): Promise<void> {
  const left = lastWriteAt + QUIET_WINDOW_MS - performance.now();
  if (left > 0) await new Promise((r) => setTimeout(r, left));
}

export const POLL_PARTITIONS = 4;
export const POLL_RECORDS_PER_PARTITION = 1_000;
const POLL_BATCH = 100;
const POLL_VALUE_BYTES = 100;
const POLL_PASSES = 4;
const IDLE_POLLS = 60;
const SESSION_MS = 600_000;

interface TP {
  topic: string;
  partitions: number[];
}

export interface PollMember {
  id: string;
  epoch: number;
  assignment: TP[];
}

const flat = (a: TP[]): string[] => a.flatMap((tp) => tp.partitions.map((p) => `${tp.topic}/${p}`)).sort();
const sameAssignment = (a: TP[], b: TP[]) => JSON.stringify(flat(a)) === JSON.stringify(flat(b));

export async function runGroupPoll(
  env: BenchEnv,
  groupName: (what: string) => string,
  heartbeat: (group: string, m: PollMember, topics: string[]) => Promise<boolean>,
  fetchDefaultsRruPerRecord: number | undefined,
) {
  // 4. Poll: one member owning 4 partitions of 1,000 records each.
  const pollTopic = await env.createTopic(POLL_PARTITIONS, {}, 'groups-poll');
  const random = rng(4848);
  for (let p = 0; p < POLL_PARTITIONS; p++) {
    for (let b = 0; b < POLL_RECORDS_PER_PARTITION / POLL_BATCH; b++) {
      const records = eventBatch(POLL_BATCH, POLL_VALUE_BYTES, `g-p${p}-b${b}`, random).map((r) => ({ ...r, partition: p }));
      const res = await env.call('POST', `/v1/topics/${pollTopic}/records`, { records });
      if (res.status !== 200) throw new Error(`poll populate: HTTP ${res.status} ${JSON.stringify(res.body)}`);
    }
  }
  const lastWriteAt = performance.now();
  const pollGroup = groupName('poll');
  const consumer: PollMember = { id: 'c0', epoch: 0, assignment: [] };
  await heartbeat(pollGroup, consumer, [pollTopic]);
  await heartbeat(pollGroup, consumer, [pollTopic]);
  if (flat(consumer.assignment).length !== POLL_PARTITIONS) {
    throw new Error(`poll member owns ${JSON.stringify(consumer.assignment)}, not ${POLL_PARTITIONS} partitions`);
  }
  type Pos = { topic: string; partition: number; offset: number };
  /** Sequential DynamoDB round trips of each poll, into the list of the phase being measured. */
  const consumeSequential: number[] = [];
  const idleSequential: number[] = [];
  let sequentialSink = consumeSequential;
  const mean = (xs: number[]) => round(xs.reduce((a, x) => a + x, 0) / Math.max(1, xs.length), 3);
  const pollOnce = async (positions: Pos[]) => {
    const m = await env.spans.measure(() => env.call('POST', `/v1/groups/${pollGroup}/poll`, {
      memberId: consumer.id,
      memberEpoch: consumer.epoch,
      topics: [pollTopic],
      owned: consumer.assignment,
      positions,
      offsetReset: 'earliest',
      maxWaitMs: 0,
      sessionTimeoutMs: SESSION_MS,
      rebalanceTimeoutMs: SESSION_MS,
    }));
    sequentialSink.push(m.sequential);
    const res = m.result;
    if (res.status !== 200) throw new Error(`poll: HTTP ${res.status} ${JSON.stringify(res.body)}`);
    if (memberAnswer(res.body).memberEpoch !== consumer.epoch || !sameAssignment(memberAnswer(res.body).assignment, consumer.assignment)) {
      throw new Error(`poll: the assignment changed during the scenario: ${JSON.stringify(res.body.assignment)}`);
    }
    return res.body as { records: { partition: number; offset: number }[]; positions: Pos[] };
  };
  const start0 = (): Pos[] => Array.from({ length: POLL_PARTITIONS }, (_, partition) => ({ topic: pollTopic, partition, offset: 0 }));
  const passes = [];
  for (let pass = 0; pass < POLL_PASSES; pass++) {
    let positions = start0();
    const next = new Array<number>(POLL_PARTITIONS).fill(0);
    let inOrder = true;
    let records = 0;
    const latencies: number[] = [];
    const recordsPerPoll: number[] = [];
    const partitionsByPoll: number[][] = [];
    const before = env.meter.snapshot();
    const t0 = performance.now();
    for (let polls = 0; next.some((n) => n < POLL_RECORDS_PER_PARTITION); polls++) {
      if (polls > 200 || performance.now() - t0 > 20_000) throw new Error(`poll pass ${pass} did not catch up: ${JSON.stringify(next)}`);
      const s = performance.now();
      const body = await pollOnce(positions);
      latencies.push(performance.now() - s);
      for (const r of body.records) {
        if (r.offset !== next[r.partition]) inOrder = false;
        next[r.partition] = r.offset + 1;
      }
      records += body.records.length;
      recordsPerPoll.push(body.records.length);
      partitionsByPoll.push([...new Set(body.records.map((r) => r.partition))].sort((a, b) => a - b));
      positions = body.positions;
      if (body.records.length === 0) throw new Error(`poll pass ${pass}: an empty poll before catching up: ${JSON.stringify(next)}`);
    }
    const elapsedMs = performance.now() - t0;
    passes.push({ records, polls: latencies.length, elapsedMs, latencies, recordsPerPoll, partitionsByPoll, inOrder, tally: env.meter.since(before) });
  }
  const pollTally = mergeTallies(...passes.map((p) => p.tally));
  const pollRecords = passes.reduce((a, p) => a + p.records, 0);
  const pollCount = passes.reduce((a, p) => a + p.polls, 0);
  const pollElapsed = passes.reduce((a, p) => a + p.elapsedMs, 0);
  const pollS = summarizeTally(pollTally);
  const pollOps = perOp(pollTally, pollCount);
  const pollLat = summarize(passes.flatMap((p) => p.latencies));
  const firstS = summarizeTally(passes[0]!.tally);
  const laterS = summarizeTally(mergeTallies(...passes.slice(1).map((p) => p.tally)));
  const laterRecords = passes.slice(1).reduce((a, p) => a + p.records, 0);
  const consumed = {
    partitions: POLL_PARTITIONS,
    recordsPerPartition: POLL_RECORDS_PER_PARTITION,
    valueBytes: POLL_VALUE_BYTES,
    request: 'positions for every partition, maxWaitMs 0, maxRecords/maxBytes HTTP defaults (10,000, 1 MiB: bounded by bytes)',
    passes: passes.length,
    polls: pollCount,
    records: pollRecords,
    recordsPerPoll: round(pollRecords / pollCount, 1),
    recordsPerPollByPass: passes.map((p) => p.recordsPerPoll),
    /** Partitions that records came from, poll by poll, in the first pass. */
    partitionsServedByPollFirstPass: passes[0]?.partitionsByPoll,
    recordsPerSec: round((pollRecords / pollElapsed) * 1000, 1),
    p50Ms: pollLat.p50Ms,
    p99Ms: pollLat.p99Ms,
    rruPerRecord: round(pollS.rru / pollRecords, 5),
    wruPerRecord: round(pollS.wru / pollRecords, 5),
    firstPassRruPerRecord: round(firstS.rru / (passes[0]?.records ?? 1), 5),
    laterPassesRruPerRecord: round(laterS.rru / Math.max(1, laterRecords), 5),
    rruPerPoll: pollOps.rru,
    wruPerPoll: pollOps.wru,
    roundTripsPerPoll: pollOps.roundTrips,
    sequentialRoundTripsPerPoll: mean(consumeSequential),
    maxSequentialRoundTrips: Math.max(0, ...consumeSequential),
    byCommandPerPoll: pollOps.byCommand,
    everyRecordOnceInOrder: passes.every((p) => p.inOrder && p.records === POLL_PARTITIONS * POLL_RECORDS_PER_PARTITION),
    fetchDefaultsRruPerRecord,
  };

  // Fixed overhead: polls at the end of every partition, no new data.
  const endPositions = Array.from({ length: POLL_PARTITIONS }, (_, partition) => ({ topic: pollTopic, partition, offset: POLL_RECORDS_PER_PARTITION }));
  let idleRecords = 0;
  sequentialSink = idleSequential;
  await waitOutQuietWindow(lastWriteAt);
  const firstBefore = env.meter.snapshot();
  idleRecords += (await pollOnce(endPositions)).records.length;
  const firstOps = perOp(env.meter.since(firstBefore), 1);
  idleSequential.length = 0;
  const idleBefore = env.meter.snapshot();
  const idleLoop = await sequentialLoop(IDLE_POLLS, 15_000, async () => {
    idleRecords += (await pollOnce(endPositions)).records.length;
  });
  const idleOps = perOp(env.meter.since(idleBefore), idleLoop.completed);
  const idleLat = summarize(idleLoop.latenciesMs);
  const idle = {
    polls: idleLoop.completed,
    recordsReturned: idleRecords,
    p50Ms: idleLat.p50Ms,
    p99Ms: idleLat.p99Ms,
    rruPerPoll: idleOps.rru,
    wruPerPoll: idleOps.wru,
    roundTripsPerPoll: idleOps.roundTrips,
    sequentialRoundTripsPerPoll: mean(idleSequential),
    byCommand: idleOps.byCommand,
    truncated: idleLoop.truncated,
    /** The first idle poll once the quiet window passed: it reads the counters and records the partitions caught up. */
    first: { rru: firstOps.rru, wru: firstOps.wru, roundTrips: firstOps.roundTrips, byCommand: firstOps.byCommand },
    waitedMsAfterLastWrite: QUIET_WINDOW_MS,
  };

  return { consumed, idle, passes };
}

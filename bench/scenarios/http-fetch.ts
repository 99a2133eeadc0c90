/**
 * Scenario http-fetch: consuming over real HTTP, one request in flight.
 *  1. Sequential consumer: one partition of 1 KB JSON records written in
 *     64-record batches (64 KB, the cost headline), read from offset 0 to the
 *     high watermark with every fetch default (maxRecords 10,000, maxBytes 1 MiB),
 *     several passes.
 *  2. Group poll: a one-member group over a 4-partition topic with the same
 *     records, POST …/poll with positions, maxWaitMs 0, defaults otherwise,
 *     from offset 0 until caught up.
 *  3. Idle long polls at the end of the log (no new data): a fetch and a group
 *     poll that wait `idleWaitMs` — what an idle consumer costs per hour
 *     (handler busy the whole wait, capacity of the re-checks).
 * Populated through HTTP by 4 concurrent producers (not measured).
 */
import { summarizeTally, type Tally } from '../capacity';
import { jsonBatch, rng } from '../data';
import { concurrentLoops, memberAnswer, type BenchEnv } from '../env';
import { billedMsMean, type HttpStack } from '../http';
import type { Profile } from '../profile';
import type { IdleInput } from '../cost';
import { row, type Row, type ScenarioOutput, type TableRow } from '../report';
import { round, summarize } from '../stats';

const RECORD_BYTES = 1024;
const GROUP_PARTITIONS = 4;
const SESSION_MS = 600_000;

interface ReadFigures {
  passes: number;
  records: number;
  requests: number;
  recordsPerRequest: number;
  recordsPerSec: number;
  p50Ms: number;
  p99Ms: number;
  serverMsMean: number;
  billedMsPerRequest: number;
  rruPerRecord: number;
  wruPerRecord: number;
  rruPerRequest: number;
  roundTripsPerRequest: number;
  responseBytesPerRequest: number;
  everyRecordOnceInOrder: boolean;
}

function figures(passes: number, records: number, latencies: number[], serverMs: number[], bytes: number, elapsedMs: number, tally: Tally, ok: boolean): ReadFigures {
  const s = summarizeTally(tally);
  const lat = summarize(latencies);
  const n = latencies.length;
  const okMs = serverMs.filter(Number.isFinite);
  return {
    passes,
    records,
    requests: n,
    recordsPerRequest: round(records / n, 1),
    recordsPerSec: round((records / elapsedMs) * 1000, 1),
    p50Ms: lat.p50Ms,
    p99Ms: lat.p99Ms,
    serverMsMean: round(okMs.reduce((a, b) => a + b, 0) / Math.max(1, okMs.length), 2),
    billedMsPerRequest: round(billedMsMean(serverMs), 2),
    rruPerRecord: round(s.rru / records, 5),
    wruPerRecord: round(s.wru / records, 5),
    rruPerRequest: round(s.rru / n, 3),
    roundTripsPerRequest: round(s.roundTrips / n, 2),
    responseBytesPerRequest: Math.round(bytes / n),
    everyRecordOnceInOrder: ok,
  };
}

async function populate(env: BenchEnv, http: HttpStack, topic: string, batches: { records: unknown[] }[]): Promise<void> {
  let next = 0;
  await concurrentLoops(4, batches.length, 120_000, async () => {
    const i = next++;
    if (i >= batches.length) return;
    const res = await http.request('POST', `/v1/topics/${topic}/records`, batches[i]);
    if (res.status !== 200) throw new Error(`http-fetch populate: HTTP ${res.status} ${JSON.stringify(res.body)}`);
  });
}

export async function runHttpFetch(env: BenchEnv, http: HttpStack, profile: Profile): Promise<ScenarioOutput & { idle: IdleInput }> {
  const p = profile.fetch;
  const batchCount = Math.ceil(p.records / p.recordsPerBatch);
  const total = batchCount * p.recordsPerBatch;
  const random = rng(64064);
  const wires = Array.from({ length: batchCount }, (_, i) => jsonBatch(p.recordsPerBatch, RECORD_BYTES, i * p.recordsPerBatch, random));

  // 1. Sequential consumer.
  const topic = await env.createTopic(1, {}, 'http-fetch');
  await populate(env, http, topic, wires.map((records) => ({ records })));
  const seqLat: number[] = [];
  const seqServer: number[] = [];
  let seqBytes = 0;
  let seqRecords = 0;
  let seqOk = true;
  let seqElapsed = 0;
  const seqBefore = env.meter.snapshot();
  for (let pass = 0; pass < p.passes; pass++) {
    let offset = 0;
    let got = 0;
    const t0 = performance.now();
    for (;;) {
      const res = await http.request('GET', `/v1/topics/${topic}/partitions/0/records?offset=${offset}`);
      if (res.status !== 200) throw new Error(`http-fetch at ${offset}: HTTP ${res.status} ${JSON.stringify(res.body)}`);
      seqLat.push(res.clientMs);
      seqServer.push(res.serverMs);
      seqBytes += res.responseBytes;
      for (const r of res.body.records as { offset: number }[]) {
        if (r.offset !== offset) seqOk = false;
        offset = r.offset + 1;
        got++;
      }
      offset = res.body.nextOffset as number;
      if (offset >= (res.body.highWatermark as number)) break;
      if ((res.body.records as unknown[]).length === 0) throw new Error('http-fetch: empty fetch below the high watermark');
    }
    seqElapsed += performance.now() - t0;
    seqRecords += got;
    if (got !== total) seqOk = false;
  }
  const sequential = figures(p.passes, seqRecords, seqLat, seqServer, seqBytes, seqElapsed, env.meter.since(seqBefore), seqOk);

  // 2. Group poll over 4 partitions.
  const gTopic = await env.createTopic(GROUP_PARTITIONS, {}, 'http-poll');
  await populate(
    env,
    http,
    gTopic,
    wires.map((records, i) => ({ records: records.map((r) => ({ ...r, partition: i % GROUP_PARTITIONS })) })),
  );
  const perPartition = Array.from({ length: GROUP_PARTITIONS }, (_, q) => wires.filter((_, i) => i % GROUP_PARTITIONS === q).length * p.recordsPerBatch);
  const group = `http-poll-${env.prefix}`;
  const member = { id: 'c0', epoch: 0, assignment: [] as { topic: string; partitions: number[] }[] };
  const heartbeat = async () => {
    const res = await http.request('POST', `/v1/groups/${group}/heartbeat`, {
      memberId: member.id,
      memberEpoch: member.epoch,
      topics: [gTopic],
      ...(member.epoch > 0 ? { owned: member.assignment } : {}),
      sessionTimeoutMs: SESSION_MS,
      rebalanceTimeoutMs: SESSION_MS,
    });
    if (res.status !== 200) throw new Error(`http-fetch heartbeat: HTTP ${res.status} ${JSON.stringify(res.body)}`);
    member.epoch = memberAnswer(res.body).memberEpoch;
    member.assignment = memberAnswer(res.body).assignment;
  };
  await heartbeat();
  await heartbeat();
  type Pos = { topic: string; partition: number; offset: number };
  const poll = (positions: Pos[], maxWaitMs: number) =>
    http.request('POST', `/v1/groups/${group}/poll`, {
      memberId: member.id,
      memberEpoch: member.epoch,
      topics: [gTopic],
      owned: member.assignment,
      positions,
      offsetReset: 'earliest',
      maxWaitMs,
      sessionTimeoutMs: SESSION_MS,
      rebalanceTimeoutMs: SESSION_MS,
    });
  const pLat: number[] = [];
  const pServer: number[] = [];
  let pBytes = 0;
  let pRecords = 0;
  let pOk = true;
  let pElapsed = 0;
  const pBefore = env.meter.snapshot();
  for (let pass = 0; pass < p.groupPasses; pass++) {
    let positions: Pos[] = Array.from({ length: GROUP_PARTITIONS }, (_, partition) => ({ topic: gTopic, partition, offset: 0 }));
    const next = new Array<number>(GROUP_PARTITIONS).fill(0);
    const t0 = performance.now();
    for (let polls = 0; next.some((n, q) => n < (perPartition[q] as number)); polls++) {
      if (polls > 500 || performance.now() - t0 > 60_000) throw new Error(`http-fetch group poll did not catch up: ${JSON.stringify(next)}`);
      const res = await poll(positions, 0);
      if (res.status !== 200) throw new Error(`http-fetch poll: HTTP ${res.status} ${JSON.stringify(res.body)}`);
      pLat.push(res.clientMs);
      pServer.push(res.serverMs);
      pBytes += res.responseBytes;
      for (const r of res.body.records as { partition: number; offset: number }[]) {
        if (r.offset !== next[r.partition]) pOk = false;
        next[r.partition] = r.offset + 1;
      }
      pRecords += (res.body.records as unknown[]).length;
      positions = memberAnswer(res.body).positions;
      if ((res.body.records as unknown[]).length === 0) throw new Error('http-fetch: empty poll before catching up');
    }
    pElapsed += performance.now() - t0;
  }
  if (pRecords !== total * p.groupPasses) pOk = false;
  const groupPoll = figures(p.groupPasses, pRecords, pLat, pServer, pBytes, pElapsed, env.meter.since(pBefore), pOk);

  // 3. Idle long polls: nothing new arrives while they wait.
  const idle = async (what: 'fetch' | 'poll') => {
    const before = env.meter.snapshot();
    const res =
      what === 'fetch'
        ? await http.request('GET', `/v1/topics/${topic}/partitions/0/records?offset=${total}&maxWaitMs=${p.idleWaitMs}`)
        : await poll(
            Array.from({ length: GROUP_PARTITIONS }, (_, partition) => ({ topic: gTopic, partition, offset: perPartition[partition] as number })),
            p.idleWaitMs,
          );
    if (res.status !== 200) throw new Error(`http-fetch idle ${what}: HTTP ${res.status} ${JSON.stringify(res.body)}`);
    const s = summarizeTally(env.meter.since(before));
    const seconds = res.serverMs / 1000;
    return {
      waitMs: p.idleWaitMs,
      serverMs: round(res.serverMs, 1),
      recordsReturned: (res.body.records as unknown[]).length,
      rru: s.rru,
      wru: s.wru,
      roundTrips: s.roundTrips,
      /** Steady-state capacity per second of waiting. */
      rruPerSecond: round(s.rru / seconds, 3),
      wruPerSecond: round(s.wru / seconds, 3),
    };
  };
  const idleFetch = await idle('fetch');
  const idlePoll = await idle('poll');

  const checks: Row[] = [
    row('http-fetch', 'HTTP sequential fetch and group poll: readers that missed, repeated or reordered records', (sequential.everyRecordOnceInOrder ? 0 : 1) + (groupPoll.everyRecordOnceInOrder ? 0 : 1), 'readers', ['=', 0], `${total} records per pass`),
  ];
  const rows: TableRow[] = [
    {
      scenario: 'http-fetch',
      variant: `sequential, ${total} × 1KB (64/batch), defaults`,
      recordsPerSec: sequential.recordsPerSec,
      p50Ms: sequential.p50Ms,
      p99Ms: sequential.p99Ms,
      rruPerRecord: sequential.rruPerRecord,
      note: `${sequential.recordsPerRequest} rec/fetch, ${sequential.rruPerRequest} RRU/fetch, RT/fetch ${sequential.roundTripsPerRequest}, handler ${sequential.serverMsMean} ms, ${sequential.passes} pass(es)`,
    },
    {
      scenario: 'http-fetch',
      variant: `group poll, 4 partitions, defaults`,
      recordsPerSec: groupPoll.recordsPerSec,
      p50Ms: groupPoll.p50Ms,
      p99Ms: groupPoll.p99Ms,
      rruPerRecord: groupPoll.rruPerRecord,
      wruPerRecord: groupPoll.wruPerRecord,
      note: `${groupPoll.recordsPerRequest} rec/poll, ${groupPoll.rruPerRequest} RRU/poll, RT/poll ${groupPoll.roundTripsPerRequest}, handler ${groupPoll.serverMsMean} ms`,
    },
    {
      scenario: 'http-fetch',
      variant: `idle long poll ${p.idleWaitMs} ms: fetch / group poll`,
      note:
        `fetch: ${idleFetch.rruPerSecond} RRU/s, ${idleFetch.wruPerSecond} WRU/s while waiting; ` +
        `group poll: ${idlePoll.rruPerSecond} RRU/s, ${idlePoll.wruPerSecond} WRU/s; the handler is busy for the whole wait`,
    },
  ];
  return {
    idle: { fetch: idleFetch, groupPoll: idlePoll },
    key: 'http-fetch',
    json: {
      via: 'real HTTP (local/server.ts), one request in flight',
      recordBytes: RECORD_BYTES,
      recordsPerBatch: p.recordsPerBatch,
      records: total,
      sequential,
      groupPoll: { partitions: GROUP_PARTITIONS, request: 'positions, maxWaitMs 0, maxRecords/maxBytes defaults', ...groupPoll },
      idleLongPoll: { fetch: idleFetch, groupPoll: idlePoll },
    },
    rows,
    checks,
    notes: [],
  };
}

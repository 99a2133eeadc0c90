/**
 * Scenario 4, fetch: a sequential consumer reads one partition of 20,000
 * records of 100 B (200 batches, ~2 MB) from offset 0 to the high watermark
 * through the app (GET …/records), one fetch in flight.
 *  - `fetch` (the target row): default maxBytes (1 MiB) with maxRecords at
 *    its ceiling, so the byte budget bounds each fetch; 3 passes (the first
 *    one also pays the stable-cursor walk left behind by the producers).
 *  - `fetch-defaults`: every HTTP default (maxRecords 10,000, maxBytes 1 MiB).
 *  - `raw-query`: the baseline — the same batch items read by plain
 *    eventually consistent Query pages (1 MB each), no HTTP, no decoding.
 */
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { logKeys } from '../../lib/storage/keys';
import { getTopic } from '../../lib/topics/topic-item';
import { summarizeTally, type Tally } from '../capacity';
import { eventBatch, rng } from '../data';
import { concurrentLoops, type BenchEnv } from '../env';
import { row, type Row, type ScenarioOutput, type TableRow } from '../report';
import { round, summarize } from '../stats';

const RECORDS_PER_BATCH = 100;
const BATCHES = 200;
const VALUE_BYTES = 100;
const PASSES = 3;

interface PassResult {
  fetches: number;
  records: number;
  elapsedMs: number;
  latenciesMs: number[];
  denseOffsets: boolean;
  tally: Tally;
  /** Sequential DynamoDB round trips of each fetch. */
  sequential: number[];
}

async function fetchPass(env: BenchEnv, topic: string, extraQuery: string, maxMs: number): Promise<PassResult> {
  const before = env.meter.snapshot();
  const latenciesMs: number[] = [];
  let offset = 0;
  let records = 0;
  let dense = true;
  let fetches = 0;
  const sequential: number[] = [];
  const start = performance.now();
  for (;;) {
    if (performance.now() - start > maxMs) throw new Error(`fetch pass over ${topic} did not finish within ${maxMs} ms`);
    const t0 = performance.now();
    const m = await env.spans.measure(() => env.call('GET', `/v1/topics/${topic}/partitions/0/records?offset=${offset}${extraQuery}`));
    const res = m.result;
    sequential.push(m.sequential);
    latenciesMs.push(performance.now() - t0);
    fetches++;
    if (res.status !== 200) throw new Error(`fetch at ${offset}: HTTP ${res.status} ${JSON.stringify(res.body)}`);
    const got = res.body.records as { offset: number }[];
    for (const r of got) {
      if (r.offset !== offset) dense = false;
      offset = r.offset + 1;
    }
    records += got.length;
    offset = res.body.nextOffset as number;
    if (offset >= (res.body.highWatermark as number)) break;
    if (got.length === 0) throw new Error(`fetch at ${offset} returned nothing below the high watermark`);
  }
  return { fetches, records, elapsedMs: performance.now() - start, latenciesMs, denseOffsets: dense, tally: env.meter.since(before), sequential };
}

export async function runFetch(env: BenchEnv, maxMsPerPass = 20_000): Promise<ScenarioOutput & { defaultsRruPerRecord: number }> {
  const topic = await env.createTopic(1, {}, 'fetch');
  const random = rng(777);
  const bodies = Array.from({ length: BATCHES }, (_, i) =>
    JSON.stringify({ records: eventBatch(RECORDS_PER_BATCH, VALUE_BYTES, `f-${i}`, random) }),
  );
  // Populate with 8 producers (not measured).
  let next = 0;
  await concurrentLoops(8, BATCHES, 120_000, async () => {
    const i = next++;
    if (i >= bodies.length) return;
    const res = await env.call('POST', `/v1/topics/${topic}/records`, bodies[i]);
    if (res.status !== 200) throw new Error(`populate: HTTP ${res.status} ${JSON.stringify(res.body)}`);
  });
  const total = BATCHES * RECORDS_PER_BATCH;

  const passes: PassResult[] = [];
  for (let p = 0; p < PASSES; p++) passes.push(await fetchPass(env, topic, '&maxRecords=10000', maxMsPerPass));
  const defaults = await fetchPass(env, topic, '', maxMsPerPass);

  // Raw baseline: eventually consistent Query of the batch items, 1 MB pages.
  const ref = await getTopic(env.lib, topic);
  const pk = logKeys.partitionPk(ref.topicId, 0);
  const rawBefore = env.meter.snapshot();
  const rawLat: number[] = [];
  let rawRecords = 0;
  let rawItemBytes = 0;
  let startKey: Record<string, unknown> | undefined;
  const rawStart = performance.now();
  do {
    const t0 = performance.now();
    const out = await env.doc.send(
      new QueryCommand({
        TableName: env.tables.log,
        KeyConditionExpression: 'pk = :pk AND sk >= :zero',
        ExpressionAttributeValues: { ':pk': pk, ':zero': 0 },
        ExclusiveStartKey: startKey,
      }),
    );
    rawLat.push(performance.now() - t0);
    for (const item of out.Items ?? []) {
      rawRecords += (item.n as number | undefined) ?? 0;
      rawItemBytes += (item.r as Uint8Array | undefined)?.length ?? 0;
    }
    startKey = out.LastEvaluatedKey;
  } while (startKey !== undefined);
  const rawElapsed = performance.now() - rawStart;
  const rawTally = summarizeTally(env.meter.since(rawBefore));

  const describe = (name: string, results: PassResult[]) => {
    const records = results.reduce((s, r) => s + r.records, 0);
    const fetches = results.reduce((s, r) => s + r.fetches, 0);
    const elapsed = results.reduce((s, r) => s + r.elapsedMs, 0);
    const lat = summarize(results.flatMap((r) => r.latenciesMs));
    const tallies = results.map((r) => summarizeTally(r.tally));
    const rru = tallies.reduce((s, t) => s + t.rru, 0);
    const wru = tallies.reduce((s, t) => s + t.wru, 0);
    const calls: Record<string, number> = {};
    for (const r of results) for (const [c, t] of Object.entries(r.tally.byCommand)) calls[c] = (calls[c] ?? 0) + t.roundTrips;
    const seq = results.flatMap((r) => r.sequential);
    return {
      variant: name,
      sequentialRoundTripsPerFetch: round(seq.reduce((a, x) => a + x, 0) / Math.max(1, seq.length), 3),
      maxSequentialRoundTrips: Math.max(0, ...seq),
      passes: results.length,
      fetches,
      records,
      recordsPerFetch: round(records / fetches, 1),
      recordsPerSec: round((records / elapsed) * 1000, 1),
      p50Ms: lat.p50Ms,
      p99Ms: lat.p99Ms,
      rruPerRecord: round(rru / records, 5),
      rruPerFetch: round(rru / fetches, 3),
      firstPassRruPerRecord: round((tallies[0]?.rru ?? 0) / (results[0]?.records ?? 1), 5),
      wruDuringFetch: wru,
      roundTripsPerFetch: Object.fromEntries(Object.entries(calls).map(([c, n]) => [c, round(n / fetches, 3)])),
      denseOffsets: results.every((r) => r.denseOffsets && r.records === total),
    };
  };
  const main = describe('fetch', passes);
  const dflt = describe('fetch-defaults', [defaults]);
  const rawRow = {
    variant: 'raw-query',
    pages: rawLat.length,
    records: rawRecords,
    payloadBytes: rawItemBytes,
    recordsPerSec: round((rawRecords / rawElapsed) * 1000, 1),
    p50Ms: summarize(rawLat).p50Ms,
    p99Ms: summarize(rawLat).p99Ms,
    rruPerRecord: round(rawTally.rru / rawRecords, 5),
    rru: rawTally.rru,
  };

  const checks: Row[] = [
    row('fetch', 'sequential fetch, 100 B records, every HTTP default (maxBytes 1 MiB): RRU/record', dflt.rruPerRecord, 'RRU', ['<=', 0.015], `raw eventually consistent Query of the same items: ${rawRow.rruPerRecord} RRU/record`),
    row('fetch', 'sequential fetch, 100 B records, every HTTP default: sequential DynamoDB round trips per fetch (mean)', dflt.sequentialRoundTripsPerFetch, 'round trips', undefined, `max ${dflt.maxSequentialRoundTrips}; ${dflt.recordsPerFetch} records/fetch`),
    row('fetch', 'sequential fetch, 100 B records, maxBytes bound (maxRecords 10000): RRU/record', main.rruPerRecord, 'RRU', ['<=', 0.015], `raw Query ${rawRow.rruPerRecord}`),
    row('fetch', 'sequential fetch, 100 B records, maxBytes bound: sequential DynamoDB round trips per fetch (mean)', main.sequentialRoundTripsPerFetch, 'round trips', undefined, `max ${main.maxSequentialRoundTrips}`),
  ];
  const tableRows: TableRow[] = [main, dflt].map((r) => ({
    scenario: 'fetch',
    variant: r.variant === 'fetch' ? `${total} rec, maxRecords=10000` : `${total} rec, defaults`,
    recordsPerSec: r.recordsPerSec,
    p50Ms: r.p50Ms,
    p99Ms: r.p99Ms,
    rruPerRecord: r.rruPerRecord,
    note:
      `${r.recordsPerFetch} rec/fetch, ${r.rruPerFetch} RRU/fetch, ${r.passes} pass(es), first pass ${r.firstPassRruPerRecord} RRU/rec` +
      (r.wruDuringFetch > 0 ? `, ${r.wruDuringFetch} WRU written by readers` : '') +
      (r.denseOffsets ? '' : ', OFFSETS NOT DENSE'),
  }));
  tableRows.push({
    scenario: 'fetch',
    variant: 'raw Query baseline',
    recordsPerSec: rawRow.recordsPerSec,
    p50Ms: rawRow.p50Ms,
    p99Ms: rawRow.p99Ms,
    rruPerRecord: rawRow.rruPerRecord,
    note: `${rawRow.pages} pages of ≤ 1 MB, eventually consistent; p50/p99 per page`,
  });
  return {
    key: 'fetch',
    defaultsRruPerRecord: dflt.rruPerRecord,
    json: {
      partitionRecords: total,
      batches: BATCHES,
      valueBytes: VALUE_BYTES,
      via: 'Hono app.request (GET /v1/topics/{topic}/partitions/0/records)',
      ...main,
      defaults: dflt,
      rawQuery: rawRow,
    },
    rows: tableRows,
    checks,
    notes: [],
  };
}

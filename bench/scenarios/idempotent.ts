/**
 * Scenario 6, idempotent produce: 100-record batches of 100 B with a producer
 * id (POST /v1/producers) and consecutive base sequences, one request in
 * flight, through the app; compared with the plain produce row of the same
 * shape. Then one retry of the last batch (not part of the figures) must
 * return the same offsets without storing the records again.
 * Skipped when the engine does not offer idempotent produce.
 */
import { eventBatch, rng } from '../data';
import { sequentialLoop, type BenchEnv } from '../env';
import { row as reportRow, type Row, type ScenarioOutput } from '../report';
import { percentile, round, summarize } from '../stats';
import { markAllowance, produceFigures, type ProduceRow } from './produce';

const RECORDS_PER_BATCH = 100;
const VALUE_BYTES = 100;
const BATCHES = 200;
export const SKIPPED = 'skipped: idempotent producer not available';

function skipped(reason: string): ScenarioOutput {
  return {
    key: 'idempotent',
    json: { skipped: SKIPPED, reason },
    rows: [{ scenario: 'idempotent', variant: '100×100B', note: SKIPPED }],
    checks: [],
    notes: [`idempotent: ${SKIPPED} (${reason})`],
  };
}

export async function runIdempotent(env: BenchEnv, plain: ProduceRow | undefined, maxMs = 20_000): Promise<ScenarioOutput> {
  const topic = await env.createTopic(1, {}, 'idempotent');
  const init = await env.call('POST', '/v1/producers');
  if (init.status !== 200 || typeof init.body?.producerId !== 'string') {
    return skipped(`POST /v1/producers answered ${init.status}`);
  }
  const { producerId, producerEpoch } = init.body as { producerId: string; producerEpoch: number };
  const random = rng(99991);
  const bodyOf = (i: number) => ({
    producerId,
    producerEpoch,
    baseSequences: { '0': i * RECORDS_PER_BATCH },
    records: eventBatch(RECORDS_PER_BATCH, VALUE_BYTES, `i-${i}`, random).map((r) => ({ ...r, partition: 0 })),
  });
  const bodies = Array.from({ length: BATCHES }, (_, i) => JSON.stringify(bodyOf(i)));

  // Probe: the first batch must be accepted (and is part of the warm-up, not the figures).
  const probe = await env.call('POST', `/v1/topics/${topic}/records`, bodies[0]);
  if (probe.status !== 200) return skipped(`idempotent produce answered ${probe.status} ${JSON.stringify(probe.body?.error ?? '')}`);

  let failed = 0;
  const responses: { offset: number }[][] = [];
  const sequential: number[] = [];
  const before = env.meter.snapshot();
  const loop = await sequentialLoop(bodies.length - 1, maxMs, async (j) => {
    const m = await env.spans.measure(() => env.call('POST', `/v1/topics/${topic}/records`, bodies[j + 1]));
    sequential.push(m.sequential);
    const res = m.result;
    if (res.status !== 200) failed++;
    else responses[j + 1] = (res.body.records ?? []) as { offset: number }[];
  });
  const tally = env.meter.since(before);
  const records = loop.completed * RECORDS_PER_BATCH;
  const f = produceFigures(tally, loop.completed, records);
  const lat = summarize(loop.latenciesMs);

  // A retry of the last accepted batch: same offsets, nothing stored twice.
  const last = loop.completed;
  const retryBefore = env.meter.snapshot();
  const retry = await env.call('POST', `/v1/topics/${topic}/records`, bodies[last]);
  const retryTally = produceFigures(env.meter.since(retryBefore), 1, RECORDS_PER_BATCH);
  const original = responses[last]?.map((r) => r.offset) ?? [];
  const retried = retry.status === 200 ? (retry.body.records as { offset: number }[]).map((r) => r.offset) : [];
  const hw = (await env.call('GET', `/v1/topics/${topic}/partitions/0/offsets?at=latest`)).body;
  const retryReturnsSameOffsets = retry.status === 200 && JSON.stringify(original) === JSON.stringify(retried);

  const extraWruPerBatch = plain === undefined ? Number.NaN : round(f.wruPerBatch - plain.wruPerBatch, 3);
  const extraWritesPerBatch = plain === undefined ? Number.NaN : round(f.roundTripsPerProduce - plain.roundTripsPerProduce, 3);
  const extraRruPerBatch = plain === undefined ? Number.NaN : round(f.rruPerBatch - plain.rruPerBatch, 3);
  const row = {
    recordsPerBatch: RECORDS_PER_BATCH,
    valueBytes: VALUE_BYTES,
    requests: loop.completed,
    failedRequests: failed,
    recordsPerSec: round(((records - failed * RECORDS_PER_BATCH) / loop.elapsedMs) * 1000, 1),
    p50Ms: lat.p50Ms,
    p99Ms: lat.p99Ms,
    wruPerBatch: f.wruPerBatch,
    wruPerRecord: f.wruPerRecord,
    rruPerBatch: f.rruPerBatch,
    rruPerRecord: f.rruPerRecord,
    roundTripsPerProduce: f.roundTripsPerProduce,
    allRoundTripsPerProduce: f.allRoundTripsPerProduce,
    roundTripsByCommand: f.roundTripsByCommand,
    wruByCommandPerBatch: f.wruByCommandPerBatch,
    sequentialRoundTrips: round(sequential.reduce((a, x) => a + x, 0) / Math.max(1, sequential.length), 3),
    medianSequentialRoundTrips: percentile(sequential, 50),
    maxSequentialRoundTrips: Math.max(0, ...sequential),
    extraWruPerBatch,
    extraWritesPerBatch,
    extraRruPerBatch,
    plainWruPerBatch: plain?.wruPerBatch,
    retry: {
      sameOffsets: retryReturnsSameOffsets,
      status: retry.status,
      wru: retryTally.s.wru,
      rru: retryTally.s.rru,
      writeRoundTrips: retryTally.roundTripsPerProduce,
      highWatermarkAfter: hw?.offset ?? hw,
    },
    truncated: loop.truncated,
  };
  const checks: Row[] = [
    reportRow('idempotent', 'idempotent produce 100×100B: sequential DynamoDB round trips per request (median)', row.medianSequentialRoundTrips, 'round trips', ['<=', 3], `mean ${row.sequentialRoundTrips}, max ${row.maxSequentialRoundTrips}`),
  ];
  if (plain !== undefined) {
    checks.push(
      reportRow(
        'idempotent',
        'idempotent produce: extra WRU per batch vs plain',
        extraWruPerBatch,
        'WRU',
        ['<=', round(1 + markAllowance(loop.elapsedMs, loop.completed), 3)],
        `+${extraWritesPerBatch} write calls, +${extraRruPerBatch} RRU per batch; target: the producer state's 1 WRU + the activity marks of this loop's ${round(loop.elapsedMs / 1000, 2)} s (one per QUIET_MS, a cost per second that the two loops' lengths share out differently per batch)`,
      ),
    );
  }
  checks.push(reportRow('idempotent', 'idempotent retry answers other offsets than the original', retryReturnsSameOffsets ? 0 : 1, 'retries', ['=', 0], `status ${retry.status}`));
  return {
    key: 'idempotent',
    json: { via: 'Hono app.request with producerId/producerEpoch/baseSequences', ...row },
    rows: [
      {
        scenario: 'idempotent',
        variant: '100×100B',
        recordsPerSec: row.recordsPerSec,
        p50Ms: row.p50Ms,
        p99Ms: row.p99Ms,
        wruPerRecord: row.wruPerRecord,
        rruPerRecord: row.rruPerRecord,
        note:
          `${row.wruPerBatch} WRU/batch (+${extraWruPerBatch} vs plain), +${extraRruPerBatch} RRU/batch` +
          (failed > 0 ? `; ${failed} FAILED requests` : ''),
      },
    ],
    checks,
    notes: [],
  };
}

/**
 * Scenario 2, produce: the engine end to end through the Hono app
 * (`app.request`, so JSON parsing, validation and the response are
 * included), one request in flight, one fresh single-partition topic per
 * shape. Same shapes and record sizes as raw-put.
 */
import { QUIET_MS } from '../../lib/log/activity';
import { summarizeTally, unitsOfCommand, type Tally } from '../capacity';
import { eventBatch, rng } from '../data';
import { sequentialLoop, type BenchEnv } from '../env';
import { row, type Row, type ScenarioOutput } from '../report';
import { percentile, ratio, round, summarize } from '../stats';
import { SHAPES, shapeName, type RawPutRow } from './raw-put';

export interface ProduceRow {
  recordsPerBatch: number;
  valueBytes: number;
  requests: number;
  failedRequests: number;
  batchesPerSec: number;
  recordsPerSec: number;
  p50Ms: number;
  p99Ms: number;
  wruPerBatch: number;
  wruPerRecord: number;
  rruPerBatch: number;
  rruPerRecord: number;
  /** Write calls (UpdateItem + PutItem) per request. */
  roundTripsPerProduce: number;
  /** Sequential DynamoDB round trips per request (the critical path of its calls, bench/spans.ts), mean and max. */
  sequentialRoundTrips: number;
  medianSequentialRoundTrips: number;
  maxSequentialRoundTrips: number;
  /** Every DynamoDB round trip per request, reads included. */
  allRoundTripsPerProduce: number;
  roundTripsByCommand: Record<string, number>;
  wruByCommandPerBatch: Record<string, number>;
  indexWruPerBatch: number;
  /** Activity marks (lib/log/activity.ts): UpdateItems beyond the one counter ADD per request, per request and per second of the loop. */
  marksPerBatch: number;
  marksPerSecond: number;
  marks: number;
  elapsedMs: number;
  wastedWru: number;
  wruRatioToRaw: number;
  throughputRatioToRaw: number;
  truncated: boolean;
}

/** Per-request figures of one measured produce loop. */
export function produceFigures(tally: Tally, requests: number, records: number) {
  const s = summarizeTally(tally);
  const roundTripsByCommand: Record<string, number> = {};
  const wruByCommandPerBatch: Record<string, number> = {};
  for (const [name, c] of Object.entries(tally.byCommand)) {
    roundTripsByCommand[name] = round(c.roundTrips / requests, 3);
    if (name !== 'GetItem' && name !== 'Query') wruByCommandPerBatch[name] = round(unitsOfCommand(tally, name) / requests, 3);
  }
  const writes = (tally.byCommand.PutItem?.roundTrips ?? 0) + (tally.byCommand.UpdateItem?.roundTrips ?? 0);
  return {
    s,
    wruPerBatch: round(s.wru / requests, 3),
    wruPerRecord: round(s.wru / records, 4),
    rruPerBatch: round(s.rru / requests, 3),
    rruPerRecord: round(s.rru / records, 4),
    roundTripsPerProduce: round(writes / requests, 3),
    allRoundTripsPerProduce: round(s.roundTrips / requests, 3),
    roundTripsByCommand,
    wruByCommandPerBatch,
    indexWruPerBatch: round(s.indexWru / requests, 3),
    wastedWru: s.wastedWru,
  };
}

/**
 * Where a produce request's write units go: the batch item (as a raw put of it), its byOffset index
 * entry, the counter ADD, and the activity marks — per second, not per request (activity.ts), so at
 * a high request rate they are a sliver of a unit per request and at one request a second a whole one.
 */
/** The writes of one 100×100B request per record: batch item 11 WRU (10.4 KB), its byOffset index entry 1, counter ADD 1. */
export const WRITE_FLOOR_100x100 = 0.13;

/**
 * Activity marks (lib/log/activity.ts) are a cost per second, not per request: one mark (1 WRU) per QUIET_MS per
 * busy partition and writing instance, the first included. Spread over the records written in `elapsedMs`.
 */
export function markAllowance(elapsedMs: number, records: number): number {
  return (Math.floor(elapsedMs / QUIET_MS) + 1) / Math.max(1, records);
}

function produceNote(r: ProduceRow, raw: RawPutRow | undefined): string {
  const batch = round((r.wruByCommandPerBatch.PutItem ?? 0) - r.indexWruPerBatch, 3);
  const counter = round((r.wruByCommandPerBatch.UpdateItem ?? 0) - r.marksPerBatch, 3);
  return (
    `${r.wruPerBatch} WRU per request of ${r.recordsPerBatch} records: batch item ${batch}` +
    (raw === undefined ? '' : ` (raw put of the same item: ${round(raw.wruPerRecord * r.recordsPerBatch, 3)})`) +
    `, its byOffset index entry ${r.indexWruPerBatch}, counter ADD ${counter}, activity marks ${r.marksPerBatch} (${r.marksPerSecond}/s: per busy partition and second, not per request)`
  );
}

export async function runProduce(
  env: BenchEnv,
  raw: Map<string, RawPutRow>,
  maxMsPerShape = 20_000,
  /** Multiplies every shape's request count (quick mode); 1 keeps the published figures' counts. */
  scale = 1,
): Promise<ScenarioOutput & { byShape: Map<string, ProduceRow> }> {
  const rows: ProduceRow[] = [];
  const byShape = new Map<string, ProduceRow>();
  for (const shape of SHAPES) {
    const topic = await env.createTopic(1, {}, `produce-${shape.recordsPerBatch}x${shape.valueBytes}`);
    const random = rng(shape.recordsPerBatch * 104729 + shape.valueBytes);
    // Request bodies are serialised before timing; the app still parses each one.
    const bodies = Array.from({ length: Math.max(20, Math.round(shape.batches * scale)) }, (_, i) =>
      JSON.stringify({ records: eventBatch(shape.recordsPerBatch, shape.valueBytes, `p-${i}`, random) }),
    );
    let failed = 0;
    const sequential: number[] = [];
    const before = env.meter.snapshot();
    const loop = await sequentialLoop(bodies.length, maxMsPerShape, async (i) => {
      const m = await env.spans.measure(() => env.call('POST', `/v1/topics/${topic}/records`, bodies[i]));
      sequential.push(m.sequential);
      if (m.result.status !== 200) failed++;
    });
    const tally = env.meter.since(before);
    const records = loop.completed * shape.recordsPerBatch;
    const f = produceFigures(tally, loop.completed, records);
    const lat = summarize(loop.latenciesMs);
    const base = raw.get(shapeName(shape));
    const recordsPerSec = round(((records - failed * shape.recordsPerBatch) / loop.elapsedMs) * 1000, 1);
    const row: ProduceRow = {
      recordsPerBatch: shape.recordsPerBatch,
      valueBytes: shape.valueBytes,
      requests: loop.completed,
      failedRequests: failed,
      batchesPerSec: round((loop.completed / loop.elapsedMs) * 1000, 1),
      recordsPerSec,
      p50Ms: lat.p50Ms,
      p99Ms: lat.p99Ms,
      wruPerBatch: f.wruPerBatch,
      wruPerRecord: f.wruPerRecord,
      rruPerBatch: f.rruPerBatch,
      rruPerRecord: f.rruPerRecord,
      roundTripsPerProduce: f.roundTripsPerProduce,
      sequentialRoundTrips: round(sequential.reduce((a, x) => a + x, 0) / Math.max(1, sequential.length), 3),
      medianSequentialRoundTrips: percentile(sequential, 50),
      maxSequentialRoundTrips: Math.max(0, ...sequential),
      allRoundTripsPerProduce: f.allRoundTripsPerProduce,
      roundTripsByCommand: f.roundTripsByCommand,
      wruByCommandPerBatch: f.wruByCommandPerBatch,
      indexWruPerBatch: f.indexWruPerBatch,
      marksPerBatch: round(Math.max(0, (tally.byCommand.UpdateItem?.calls ?? 0) - loop.completed) / Math.max(1, loop.completed), 3),
      marksPerSecond: round((Math.max(0, (tally.byCommand.UpdateItem?.calls ?? 0) - loop.completed) / loop.elapsedMs) * 1000, 2),
      marks: Math.max(0, (tally.byCommand.UpdateItem?.calls ?? 0) - loop.completed),
      elapsedMs: round(loop.elapsedMs, 1),
      wastedWru: f.wastedWru,
      wruRatioToRaw: round(ratio(f.wruPerRecord, base?.wruPerRecord ?? 0), 3),
      throughputRatioToRaw: round(ratio(recordsPerSec, base?.recordsPerSec ?? 0), 3),
      truncated: loop.truncated,
    };
    rows.push(row);
    byShape.set(shapeName(shape), row);
  }

  const main = byShape.get('100×100B');
  const checks: Row[] = [];
  if (main !== undefined) {
    const raw100 = raw.get('100×100B');
    checks.push(
      row('produce', 'produce 100×100B: WRU/record', main.wruPerRecord, 'WRU', ['<=', round(WRITE_FLOOR_100x100 + markAllowance(main.elapsedMs, main.requests * main.recordsPerBatch), 5)], `${produceNote(main, raw100)}; target: ${WRITE_FLOOR_100x100} (batch item 11 + index entry 1 + counter 1 WRU per 100 records) + the activity marks the marks row allows (one per ${QUIET_MS} ms), per record`),
      row('produce', 'produce 100×100B: activity marks written by one instance producing to one partition', main.marks, 'marks', ['<=', Math.floor(main.elapsedMs / QUIET_MS) + 1], `${main.requests} requests in ${round(main.elapsedMs / 1000, 2)} s (${main.marksPerBatch} per request, ${main.marksPerSecond}/s); ≈ 1 WRU each; target: one per QUIET_MS (${QUIET_MS} ms) of the loop, the first included, whatever the request rate`),
      row('produce', 'produce 100×100B: sequential DynamoDB round trips per request (median)', main.medianSequentialRoundTrips, 'round trips', ['<=', 2], `mean ${main.sequentialRoundTrips}, max ${main.maxSequentialRoundTrips}; ${main.allRoundTripsPerProduce} calls/request`),
    );
  }
  for (const r of rows) {
    if (r === main) continue;
    checks.push(row('produce', `produce ${shapeName(r)}: sequential DynamoDB round trips per request (median)`, r.medianSequentialRoundTrips, 'round trips', ['<=', 2], `mean ${r.sequentialRoundTrips}, max ${r.maxSequentialRoundTrips}`));
  }
  return {
    key: 'produce',
    byShape,
    json: { via: "Hono app.request (POST /v1/topics/{topic}/records; HTTP parsing included, no network socket)", inFlight: 1, rows },
    rows: rows.map((r) => ({
      scenario: 'produce',
      variant: shapeName(r),
      recordsPerSec: r.recordsPerSec,
      p50Ms: r.p50Ms,
      p99Ms: r.p99Ms,
      wruPerRecord: r.wruPerRecord,
      rruPerRecord: r.rruPerRecord,
      note:
        `${r.wruPerBatch} WRU/batch (index ${r.indexWruPerBatch}); vs raw: WRU ×${r.wruRatioToRaw}, throughput ×${r.throughputRatioToRaw}` +
        (r.failedRequests > 0 ? `; ${r.failedRequests} FAILED requests` : ''),
    })),
    checks,
    notes: [],
  };
}

/**
 * Scenario http-produce: produce end to end over real HTTP (local/server.ts
 * on a free port, Node fetch with keep-alive), one request in flight, a
 * fresh single-partition topic per cell, for batch sizes 1, 10, 100, 1,000
 * (+ 64, the 64 KB batch of the cost model) × JSON records of 100 B, 1 KB,
 * 10 KB, with topic compression `none` and `gzip`. Cells whose request body
 * exceeds Samsa's 5 MiB request limit (below Lambda's 6 MB synchronous
 * payload cap) are skipped and listed.
 *
 * Per cell: records/s, MB/s of record values, client p50/p99, mean handler
 * wall time (the Lambda duration proxy), WRU and RRU per record, DynamoDB
 * round trips per request; and the raw floor of the same cell — the exact
 * items the engine writes for those records (lib/log/batch-item.ts
 * buildBatch with the cell's codec, chunks included), put with
 * `attribute_not_exists` one after another into the scratch table, no
 * counter, no index, no HTTP — with the ratios to it.
 *
 * 1 KB cells are then read back by a sequential consumer over HTTP (all
 * fetch defaults: maxRecords 10,000, maxBytes 1 MiB) for the cost model's read
 * side: RRU per record, fetches per record, handler time per fetch, response
 * bytes.
 */
import { randomUUID } from 'node:crypto';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { buildBatch } from '../../lib/log/batch-item';
import { DEFAULT_LIMITS } from '../../lib/limits';
import type { CompressionType } from '../../lib/topics/configs';
import { DEFAULT_TOPIC_CONFIG } from '../../lib/topics/configs';
import { itemBytes, summarizeTally } from '../capacity';
import { jsonBatch, rng, toTypedJsonRecords } from '../data';
import { sequentialLoop, type BenchEnv } from '../env';
import { billedMsMean, type HttpStack } from '../http';
import { cellName, sizeName, type GridCell, type Profile } from '../profile';
import { row, type Row, type ScenarioOutput, type TableRow } from '../report';
import { ratio, round, summarize } from '../stats';
import { produceFigures } from './produce';

/** API Gateway HTTP APIs meter requests in 512 KB increments. */
export const APIGW_METER_BYTES = 512 * 1024;
/** Lambda's synchronous invocation payload cap. */
const LAMBDA_PAYLOAD_BYTES = 6 * 1000 * 1000;

export interface ReadBack {
  passes: number;
  records: number;
  fetches: number;
  recordsPerFetch: number;
  /** Most records one fetch returned: what a consumer gets per fetch in steady state (the last fetch of a pass is partial). */
  recordsPerFullFetch: number;
  rruPerRecord: number;
  wruPerRecord: number;
  roundTripsPerFetch: number;
  p50Ms: number;
  p99Ms: number;
  serverMsMean: number;
  billedMsPerFetch: number;
  /** Billed handler ms (each fetch rounded up to 1 ms) per record read. */
  billedMsPerRecord: number;
  responseBytesPerFetch: number;
  /** API Gateway billed requests of a full fetch (response size in 512 KB increments — conservative, see cost notes). */
  apiGatewayUnitsPerFullFetch: number;
  recordsPerSec: number;
  denseOffsets: boolean;
}

export interface CellResult {
  cell: string;
  recordsPerRequest: number;
  recordBytes: number;
  codec: CompressionType;
  skipped?: string;
  requests?: number;
  records?: number;
  failedRequests?: number;
  requestBytes?: number;
  /** Mean response body bytes of a produce request (egress). */
  responseBytes?: number;
  apiGatewayUnitsPerRequest?: number;
  recordsPerSec?: number;
  mbPerSec?: number;
  p50Ms?: number;
  p99Ms?: number;
  serverMsMean?: number;
  billedMsPerRequest?: number;
  wruPerRecord?: number;
  rruPerRecord?: number;
  wruPerRequest?: number;
  roundTripsPerRequest?: number;
  writeRoundTripsPerRequest?: number;
  roundTripsByCommand?: Record<string, number>;
  /** Encoded payload bytes ÷ raw record value bytes, from the engine's own encoder. */
  compressionRatio?: number;
  raw?: {
    batches: number;
    recordsPerSec: number;
    wruPerRecord: number;
    putsPerBatch: number;
    /** DynamoDB item bytes stored per record (batch item + chunks + 100 B per-item overhead, no index). */
    storedBytesPerRecord: number;
    p50Ms: number;
    p99Ms: number;
  };
  wruRatioToRaw?: number;
  throughputRatioToRaw?: number;
  truncated?: boolean;
  readBack?: ReadBack;
}

export function requestsFor(p: Profile['grid'], c: GridCell): number {
  let n = Math.round(p.targetBytes / (c.recordsPerRequest * c.recordBytes));
  n = Math.min(p.maxRequests, Math.max(p.minRequests, n));
  if (c.recordBytes === 1024) n = Math.max(n, Math.ceil(p.minCostRecords / c.recordsPerRequest));
  return n;
}

export async function runHttpProduce(env: BenchEnv, http: HttpStack, profile: Profile): Promise<ScenarioOutput & { cells: CellResult[] }> {
  const g = profile.grid;
  const cells: CellResult[] = [];
  for (const codec of g.codecs) {
    for (const cell of g.cells) {
      cells.push(await runCell(env, http, g, cell, codec));
    }
  }

  const measured = cells.filter((c) => c.skipped === undefined);
  const failed = measured.reduce((s, c) => s + (c.failedRequests ?? 0), 0);
  const checks: Row[] = [
    row('http-produce', 'HTTP produce grid: requests not acknowledged', failed, 'requests', ['=', 0], `of ${measured.reduce((s, c) => s + (c.requests ?? 0), 0)} requests in ${measured.length} cells`),
  ];
  const dense = measured.filter((c) => c.readBack !== undefined);
  if (dense.length > 0) {
    checks.push(row('http-produce', 'HTTP read-back of the 1 KB cells: cells with missing records or offsets not dense', dense.filter((c) => c.readBack?.denseOffsets !== true).length, 'cells', ['=', 0], `${dense.length} cells read back`));
  }

  const rows: TableRow[] = cells.map((c) =>
    c.skipped !== undefined
      ? { scenario: 'http-produce', variant: `${c.cell} ${c.codec}`, note: `skipped: ${c.skipped}` }
      : {
          scenario: 'http-produce',
          variant: `${c.cell} ${c.codec}`,
          recordsPerSec: c.recordsPerSec,
          mbPerSec: c.mbPerSec,
          p50Ms: c.p50Ms,
          p99Ms: c.p99Ms,
          wruPerRecord: c.wruPerRecord,
          rruPerRecord: c.rruPerRecord,
          writesPerRequest: c.writeRoundTripsPerRequest,
          note:
            `${c.requests} req; RT/req ${c.roundTripsPerRequest}; handler ${c.serverMsMean} ms; ` +
            `vs raw: WRU ×${c.wruRatioToRaw}, rec/s ×${c.throughputRatioToRaw}` +
            (c.codec === 'none' ? '' : `; payload ×${c.compressionRatio} smaller`) +
            ((c.requests ?? 0) < 100 ? `; p99 = max of ${c.requests}` : '') +
            ((c.failedRequests ?? 0) > 0 ? `; ${c.failedRequests} FAILED` : '') +
            (c.truncated ? '; time cap hit' : ''),
        },
  );
  return {
    key: 'http-produce',
    cells,
    json: {
      via: 'real HTTP: local/server.ts startServer on a free port, Node fetch (undici) keep-alive, one request in flight',
      records: 'JSON values of exactly the cell size (bench/data.ts jsonDoc), no key; record size = JSON text bytes',
      rawFloor: 'the engine\'s own batch items (buildBatch, same codec, chunks included), conditional puts, scratch table without index, no HTTP',
      handlerTime: 'server-side wall time per request from the http.server.request.start / response.finish diagnostics channels',
      requestLimitBytes: DEFAULT_LIMITS.maxRequestBytes,
      cells,
    },
    rows,
    checks,
    notes: [
      `http-produce: record values are JSON documents of exactly 100 B / 1 KB / 10 KB; MB/s counts record value bytes. Cells whose request body exceeds Samsa's ${DEFAULT_LIMITS.maxRequestBytes / 1024 / 1024} MiB request limit (Lambda's synchronous payload cap is 6 MB) are skipped. Handler time = server-side wall time of the request on this machine against DynamoDB Local (the Lambda duration proxy of the cost model).`,
    ],
  };
}

async function runCell(env: BenchEnv, http: HttpStack, g: Profile['grid'], cell: GridCell, codec: CompressionType): Promise<CellResult> {
  const name = cellName(cell);
  const base = { cell: name, recordsPerRequest: cell.recordsPerRequest, recordBytes: cell.recordBytes, codec };
  const requests = requestsFor(g, cell);
  const random = rng(cell.recordsPerRequest * 7907 + cell.recordBytes * 31 + (codec === 'none' ? 0 : 1));
  const wires = Array.from({ length: requests }, (_, i) => jsonBatch(cell.recordsPerRequest, cell.recordBytes, i * cell.recordsPerRequest, random));
  // Request bodies are serialised before timing; the server still parses each one.
  const bodies = wires.map((records) => JSON.stringify({ records }));
  const bodyBytes = Buffer.byteLength(bodies[0] as string);
  if (bodyBytes > DEFAULT_LIMITS.maxRequestBytes) {
    return {
      ...base,
      skipped: `request body ${(bodyBytes / 1e6).toFixed(1)} MB > ${DEFAULT_LIMITS.maxRequestBytes / 1024 / 1024} MiB request limit${bodyBytes > LAMBDA_PAYLOAD_BYTES ? ' and > 6 MB Lambda payload' : ''}`,
    };
  }

  // Raw floor: the engine's items for the first batches of this cell.
  const raw = await rawFloor(env, wires.slice(0, Math.max(10, Math.min(g.rawMaxBatches, requests))), codec);

  const topic = await env.createTopic(1, { 'compression.type': codec }, `http-${cell.recordsPerRequest}x${sizeName(cell.recordBytes)}-${codec}`);
  let failed = 0;
  let responseBytes = 0;
  const serverMs: number[] = [];
  const before = env.meter.snapshot();
  const loop = await sequentialLoop(bodies.length, g.maxMsPerCell, async (i) => {
    const res = await http.request('POST', `/v1/topics/${topic}/records`, bodies[i]);
    serverMs.push(res.serverMs);
    responseBytes += res.responseBytes;
    if (res.status !== 200) failed++;
  });
  const tally = env.meter.since(before);
  const records = loop.completed * cell.recordsPerRequest;
  const f = produceFigures(tally, loop.completed, records);
  const lat = summarize(loop.latenciesMs);
  const okRecords = records - failed * cell.recordsPerRequest;
  const recordsPerSec = round((okRecords / loop.elapsedMs) * 1000, 1);
  const meanBody = bodies.slice(0, loop.completed).reduce((s, b) => s + Buffer.byteLength(b), 0) / Math.max(1, loop.completed);

  const result: CellResult = {
    ...base,
    requests: loop.completed,
    records,
    failedRequests: failed,
    requestBytes: Math.round(meanBody),
    responseBytes: Math.round(responseBytes / Math.max(1, loop.completed)),
    apiGatewayUnitsPerRequest: Math.ceil(meanBody / APIGW_METER_BYTES),
    recordsPerSec,
    mbPerSec: round((okRecords * cell.recordBytes) / 1e6 / (loop.elapsedMs / 1000), 2),
    p50Ms: lat.p50Ms,
    p99Ms: lat.p99Ms,
    serverMsMean: round(mean(serverMs), 2),
    billedMsPerRequest: round(billedMsMean(serverMs), 2),
    wruPerRecord: f.wruPerRecord,
    rruPerRecord: f.rruPerRecord,
    wruPerRequest: f.wruPerBatch,
    roundTripsPerRequest: f.allRoundTripsPerProduce,
    writeRoundTripsPerRequest: f.roundTripsPerProduce,
    roundTripsByCommand: f.roundTripsByCommand,
    compressionRatio: raw.compressionRatio,
    raw: raw.row,
    wruRatioToRaw: round(ratio(f.wruPerRecord, raw.row.wruPerRecord), 3),
    throughputRatioToRaw: round(ratio(recordsPerSec, raw.row.recordsPerSec), 3),
    truncated: loop.truncated,
  };
  if (cell.recordBytes === 1024 && loop.completed > 0) result.readBack = await readBack(env, http, topic, records, g.readBackPasses);
  return result;
}

async function rawFloor(env: BenchEnv, wires: ReturnType<typeof jsonBatch>[], codec: CompressionType) {
  const pk = `rawhttp#${randomUUID().slice(0, 8)}`;
  const now = Date.now();
  let rawBytes = 0;
  let payloadBytes = 0;
  let storedBytes = 0;
  let records = 0;
  const built = wires.map((wire, i) => {
    const typed = toTypedJsonRecords(wire, now);
    rawBytes += typed.reduce((s, r) => s + (r.value?.length ?? 0), 0);
    records += typed.length;
    const b = buildBatch({
      pk,
      seq: i,
      baseOffset: i * wire.length,
      reservedAt: now,
      appendTime: now,
      records: typed,
      compression: codec,
      retentionMs: DEFAULT_TOPIC_CONFIG['retention.ms'],
      nonce: randomUUID(),
    });
    const r = b.item.r as Uint8Array | undefined;
    payloadBytes += r?.length ?? b.chunks.reduce((s, c) => s + c.d.length, 0);
    for (const item of [b.item, ...b.chunks]) storedBytes += itemBytes(marshall(item) as Record<string, unknown>) + 100;
    return b;
  });
  const before = env.meter.snapshot();
  const loop = await sequentialLoop(built.length, 30_000, async (i) => {
    const b = built[i]!;
    for (const chunk of b.chunks) await env.doc.send(new PutCommand({ TableName: env.scratchTable, Item: chunk }));
    await env.doc.send(new PutCommand({ TableName: env.scratchTable, Item: b.item, ConditionExpression: 'attribute_not_exists(sk)' }));
  });
  const s = summarizeTally(env.meter.since(before));
  const done = built.slice(0, loop.completed);
  const doneRecords = done.reduce((acc, b) => acc + (b.item.n as number), 0);
  const lat = summarize(loop.latenciesMs);
  return {
    compressionRatio: round(rawBytes / Math.max(1, payloadBytes), 2),
    row: {
      batches: loop.completed,
      recordsPerSec: round((doneRecords / loop.elapsedMs) * 1000, 1),
      wruPerRecord: round(s.wru / Math.max(1, doneRecords), 4),
      putsPerBatch: round(s.writeCalls / Math.max(1, loop.completed), 2),
      storedBytesPerRecord: round(storedBytes / Math.max(1, records), 1),
      p50Ms: lat.p50Ms,
      p99Ms: lat.p99Ms,
    },
  };
}

/** A sequential consumer reads the cell's partition from 0 to the high watermark with every fetch default, `passes` times. */
export async function readBack(env: BenchEnv, http: HttpStack, topic: string, expected: number, passes: number, partition = 0): Promise<ReadBack> {
  const latencies: number[] = [];
  const serverMs: number[] = [];
  let responseBytes = 0;
  let fullFetch = { records: 0, bytes: 0 };
  let fetches = 0;
  let records = 0;
  let dense = true;
  let elapsed = 0;
  const before = env.meter.snapshot();
  for (let pass = 0; pass < passes; pass++) {
    let offset = 0;
    let got = 0;
    const start = performance.now();
    for (;;) {
      if (performance.now() - start > 60_000) throw new Error(`read-back of ${topic} did not finish within 60 s`);
      const res = await http.request('GET', `/v1/topics/${topic}/partitions/${partition}/records?offset=${offset}`);
      if (res.status !== 200) throw new Error(`read-back fetch at ${offset}: HTTP ${res.status} ${JSON.stringify(res.body)}`);
      fetches++;
      latencies.push(res.clientMs);
      serverMs.push(res.serverMs);
      responseBytes += res.responseBytes;
      const n = (res.body.records as unknown[]).length;
      if (n > fullFetch.records) fullFetch = { records: n, bytes: res.responseBytes };
      for (const r of res.body.records as { offset: number }[]) {
        if (r.offset !== offset) dense = false;
        offset = r.offset + 1;
        got++;
      }
      offset = res.body.nextOffset as number;
      if (offset >= (res.body.highWatermark as number)) break;
      if ((res.body.records as unknown[]).length === 0) throw new Error(`read-back at ${offset}: empty fetch below the high watermark`);
    }
    elapsed += performance.now() - start;
    records += got;
    if (got !== expected) dense = false;
  }
  const s = summarizeTally(env.meter.since(before));
  const lat = summarize(latencies);
  return {
    passes,
    records,
    fetches,
    recordsPerFetch: round(records / fetches, 1),
    recordsPerFullFetch: fullFetch.records,
    rruPerRecord: round(s.rru / records, 5),
    wruPerRecord: round(s.wru / records, 5),
    roundTripsPerFetch: round(s.roundTrips / fetches, 2),
    p50Ms: lat.p50Ms,
    p99Ms: lat.p99Ms,
    serverMsMean: round(mean(serverMs), 2),
    billedMsPerFetch: round(billedMsMean(serverMs), 2),
    billedMsPerRecord: round((billedMsMean(serverMs) * serverMs.length) / records, 5),
    responseBytesPerFetch: Math.round(responseBytes / fetches),
    apiGatewayUnitsPerFullFetch: Math.max(1, Math.ceil(fullFetch.bytes / APIGW_METER_BYTES)),
    recordsPerSec: round((records / elapsed) * 1000, 1),
    denseOffsets: dense,
  };
}

function mean(xs: number[]): number {
  const ok = xs.filter((x) => Number.isFinite(x));
  return ok.length === 0 ? Number.NaN : ok.reduce((a, b) => a + b, 0) / ok.length;
}

/**
 * Scenario 3, produce-gzip: the same 100-record batches of typical JSON
 * orders (~200–300 B each, STRING key + JSON value) produced through the app
 * to three single-partition topics — compression.type none, gzip, brotli —
 * and the WRU per record of each. Identical records per codec (same seed).
 */
import { encodePayload } from '../../lib/log/batch-item';
import type { CompressionType } from '../../lib/topics/configs';
import { orderBatch, rng } from '../data';
import { sequentialLoop, type BenchEnv } from '../env';
import { row, type Row, type ScenarioOutput } from '../report';
import { ratio, round, summarize } from '../stats';
import { produceFigures } from './produce';

const CODECS: CompressionType[] = ['none', 'gzip', 'brotli'];
const RECORDS_PER_BATCH = 100;
const BATCHES = 60;

interface GzipRow {
  compression: CompressionType;
  requests: number;
  failedRequests: number;
  recordsPerSec: number;
  p50Ms: number;
  p99Ms: number;
  payloadBytesPerBatch: number;
  wruPerBatch: number;
  wruPerRecord: number;
  rruPerRecord: number;
  roundTripsPerProduce: number;
  wruByCommandPerBatch: Record<string, number>;
  truncated: boolean;
}

export async function runProduceGzip(env: BenchEnv, maxMsPerCodec = 15_000): Promise<ScenarioOutput> {
  // One set of bodies for every codec.
  const random = rng(424242);
  const batches = Array.from({ length: BATCHES }, (_, i) => orderBatch(i * RECORDS_PER_BATCH, RECORDS_PER_BATCH, random));
  const bodies = batches.map((records) => JSON.stringify({ records }));
  const utf8 = new TextEncoder();
  const sample = batches[0] ?? [];
  const recordBytes = sample.map((r) => utf8.encode(r.key.data).length + utf8.encode(JSON.stringify(r.value.data)).length);
  const avgRecordBytes = round(recordBytes.reduce((a, b) => a + b, 0) / recordBytes.length, 1);
  const typed = sample.map((r) => ({
    timestamp: Date.now(),
    key: utf8.encode(r.key.data),
    value: utf8.encode(JSON.stringify(r.value.data)),
    headers: [],
    keyType: 1,
    valueType: 2,
  }));

  const rows: GzipRow[] = [];
  for (const codec of CODECS) {
    const topic = await env.createTopic(1, { 'compression.type': codec }, `orders-${codec}`);
    let failed = 0;
    const before = env.meter.snapshot();
    const loop = await sequentialLoop(bodies.length, maxMsPerCodec, async (i) => {
      const res = await env.call('POST', `/v1/topics/${topic}/records`, bodies[i]);
      if (res.status !== 200) failed++;
    });
    const tally = env.meter.since(before);
    const records = loop.completed * RECORDS_PER_BATCH;
    const f = produceFigures(tally, loop.completed, records);
    const lat = summarize(loop.latenciesMs);
    rows.push({
      compression: codec,
      requests: loop.completed,
      failedRequests: failed,
      recordsPerSec: round(((records - failed * RECORDS_PER_BATCH) / loop.elapsedMs) * 1000, 1),
      p50Ms: lat.p50Ms,
      p99Ms: lat.p99Ms,
      payloadBytesPerBatch: encodePayload(typed, codec).length,
      wruPerBatch: f.wruPerBatch,
      wruPerRecord: f.wruPerRecord,
      rruPerRecord: f.rruPerRecord,
      roundTripsPerProduce: f.roundTripsPerProduce,
      wruByCommandPerBatch: f.wruByCommandPerBatch,
      truncated: loop.truncated,
    });
  }
  const wru = (c: CompressionType) => rows.find((r) => r.compression === c)?.wruPerRecord ?? Number.NaN;
  const compressionWruReduction = round(ratio(wru('none'), wru('gzip')), 2);
  const brotliWruReduction = round(ratio(wru('none'), wru('brotli')), 2);
  const checks: Row[] = [
    row('produce-gzip', 'gzip: WRU/record reduction on typical JSON orders', compressionWruReduction, '×', ['>=', 3], `${wru('none')} → ${wru('gzip')} WRU/record`),
  ];
  return {
    key: 'produce-gzip',
    json: {
      recordsPerBatch: RECORDS_PER_BATCH,
      avgRecordBytes,
      record: 'order event: STRING key (customer id) + JSON value (orderId, customer, 1–2 items, total, status, createdAt)',
      rows,
      compressionWruReduction,
      brotliWruReduction,
    },
    rows: rows.map((r) => ({
      scenario: 'produce-gzip',
      variant: `100×~${Math.round(avgRecordBytes)}B ${r.compression}`,
      recordsPerSec: r.recordsPerSec,
      p50Ms: r.p50Ms,
      p99Ms: r.p99Ms,
      wruPerRecord: r.wruPerRecord,
      rruPerRecord: r.rruPerRecord,
      writesPerRequest: r.roundTripsPerProduce,
      note:
        `payload ${r.payloadBytesPerBatch} B/batch, ${r.wruPerBatch} WRU/batch` +
        (r.compression === 'none' ? '' : `; ×${round(ratio(wru('none'), r.wruPerRecord), 2)} fewer WRU`) +
        (r.failedRequests > 0 ? `; ${r.failedRequests} FAILED requests` : ''),
    })),
    checks,
    notes: [],
  };
}

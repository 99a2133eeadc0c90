/**
 * Scenario 1, raw-put: the DynamoDB floor. One conditional PutItem
 * (attribute_not_exists) per batch, one after another, of exactly the item
 * the engine builds (lib/log/batch-item.ts buildBatch, no compression) for
 * the same records, into a scratch table with the log table's key schema and
 * no index. No counter, no index entry, no topic read, no HTTP.
 */
import { randomUUID } from 'node:crypto';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { buildBatch, type BatchItem } from '../../lib/log/batch-item';
import { DEFAULT_TOPIC_CONFIG } from '../../lib/topics/configs';
import { itemBytes, summarizeTally } from '../capacity';
import { eventBatch, rng, toTypedRecords } from '../data';
import { sequentialLoop, type BenchEnv } from '../env';
import type { ScenarioOutput } from '../report';
import { round, summarize } from '../stats';

export interface Shape {
  recordsPerBatch: number;
  valueBytes: number;
  /** Requests (batches) measured. */
  batches: number;
}

export const SHAPES: Shape[] = [
  { recordsPerBatch: 1, valueBytes: 100, batches: 500 },
  { recordsPerBatch: 10, valueBytes: 100, batches: 500 },
  { recordsPerBatch: 100, valueBytes: 100, batches: 400 },
  { recordsPerBatch: 100, valueBytes: 1024, batches: 120 },
];

export const shapeName = (s: { recordsPerBatch: number; valueBytes: number }) =>
  `${s.recordsPerBatch}×${s.valueBytes >= 1024 ? `${s.valueBytes / 1024}KB` : `${s.valueBytes}B`}`;

export interface RawPutRow {
  recordsPerBatch: number;
  valueBytes: number;
  batches: number;
  itemBytes: number;
  batchesPerSec: number;
  recordsPerSec: number;
  wruPerBatch: number;
  wruPerRecord: number;
  p50Ms: number;
  p99Ms: number;
  roundTripsPerPut: number;
  truncated: boolean;
}

/** `scale` multiplies every shape's batch count (quick mode); 1 keeps the published figures' counts. */
export async function runRawPut(env: BenchEnv, maxMsPerShape = 15_000, scale = 1): Promise<ScenarioOutput & { byShape: Map<string, RawPutRow> }> {
  const rows: RawPutRow[] = [];
  const byShape = new Map<string, RawPutRow>();
  for (const shape of SHAPES) {
    const random = rng(shape.recordsPerBatch * 7919 + shape.valueBytes);
    const pk = `raw#${shapeName(shape)}#${randomUUID().slice(0, 8)}`;
    const now = Date.now();
    // Built before timing: the floor is DynamoDB's, not our encoder's.
    const items: BatchItem[] = Array.from({ length: Math.max(20, Math.round(shape.batches * scale)) }, (_, i) => {
      const wire = eventBatch(shape.recordsPerBatch, shape.valueBytes, `raw-${i}`, random);
      return buildBatch({
        pk,
        seq: i,
        baseOffset: i * shape.recordsPerBatch,
        reservedAt: now,
        appendTime: now,
        records: toTypedRecords(wire, now),
        compression: 'none',
        retentionMs: DEFAULT_TOPIC_CONFIG['retention.ms'],
        nonce: randomUUID(),
      }).item;
    });
    const before = env.meter.snapshot();
    const loop = await sequentialLoop(items.length, maxMsPerShape, async (i) => {
      await env.doc.send(
        new PutCommand({ TableName: env.scratchTable, Item: items[i], ConditionExpression: 'attribute_not_exists(sk)' }),
      );
    });
    const tally = env.meter.since(before);
    const s = summarizeTally(tally);
    const lat = summarize(loop.latenciesMs);
    const records = loop.completed * shape.recordsPerBatch;
    const row: RawPutRow = {
      recordsPerBatch: shape.recordsPerBatch,
      valueBytes: shape.valueBytes,
      batches: loop.completed,
      itemBytes: itemBytes(marshall(items[0] as BatchItem) as Record<string, unknown>),
      batchesPerSec: round((loop.completed / loop.elapsedMs) * 1000, 1),
      recordsPerSec: round((records / loop.elapsedMs) * 1000, 1),
      wruPerBatch: round(s.wru / loop.completed, 3),
      wruPerRecord: round(s.wru / records, 4),
      p50Ms: lat.p50Ms,
      p99Ms: lat.p99Ms,
      roundTripsPerPut: round(s.roundTrips / loop.completed, 3),
      truncated: loop.truncated,
    };
    rows.push(row);
    byShape.set(shapeName(shape), row);
  }
  return {
    key: 'raw-put',
    byShape,
    json: { table: 'scratch (log-table key schema, no index)', condition: 'attribute_not_exists(sk)', inFlight: 1, rows },
    rows: rows.map((r) => ({
      scenario: 'raw-put',
      variant: shapeName(r),
      recordsPerSec: r.recordsPerSec,
      p50Ms: r.p50Ms,
      p99Ms: r.p99Ms,
      wruPerRecord: r.wruPerRecord,
      writesPerRequest: r.roundTripsPerPut,
      note: `${r.batchesPerSec} batches/s, ${r.wruPerBatch} WRU/batch, item ${r.itemBytes} B`,
    })),
    checks: [],
    notes: [],
  };
}

/**
 * Which log-table stream records are settled batches, and what they tell.
 *
 * Behaviour: SETTLED_BATCH_FILTER is the one filter of the log table's stream,
 * used by the CDK event source mapping (Lambda event filtering: only matching
 * records invoke the fan-out, and filtered-out records cost nothing) and by the
 * local stack's stream consumers (local/streams.ts, through matchesFilter), so
 * both see the same records. A settled batch is an INSERT of an item with an
 * offset `o` and no abort flag `ab` (lib/log/batch-item.ts): counters are
 * MODIFYs, chunks, checkpoints and activity marks carry no `o`, abort markers
 * carry `ab`. `settledBatches` turns such records into (topic id, partition,
 * high watermark = o + n) — the end of that batch, a hint: earlier sequence
 * numbers may still be unsettled, and the reader's one read path decides what
 * is visible.
 * Errors: none; a record that does not decode is skipped (it is not a batch).
 * Cost: pure.
 */
import type { DynamoDBRecord } from 'aws-lambda';

/**
 * Lambda event filter pattern (the subset matchesFilter understands: arrays
 * of literal values, and `{exists: boolean}`). Keep within that subset.
 */
export const SETTLED_BATCH_FILTER = {
  eventName: ['INSERT'],
  dynamodb: {
    NewImage: {
      o: { N: [{ exists: true }] },
      ab: [{ exists: false }],
    },
  },
} as const;

export interface SettledBatch {
  topicId: string;
  partition: number;
  /** Offset just past the batch. */
  highWatermark: number;
}

type Pattern = { readonly [key: string]: Pattern | readonly Rule[] };
type Rule = string | number | { readonly exists: boolean };

/** Lambda's matching for the pattern subset above: every key must match; an array lists alternatives. */
export function matchesFilter(pattern: Pattern, value: unknown): boolean {
  for (const [key, sub] of Object.entries(pattern)) {
    const field = value !== null && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined;
    if (Array.isArray(sub)) {
      const ok = (sub as readonly Rule[]).some((rule) =>
        typeof rule === 'object' ? (field !== undefined) === rule.exists : field === rule,
      );
      if (!ok) return false;
    } else if (!matchesFilter(sub as Pattern, field)) {
      return false;
    }
  }
  return true;
}

export function isSettledBatch(record: DynamoDBRecord): boolean {
  return matchesFilter(SETTLED_BATCH_FILTER as unknown as Pattern, record);
}

/** The settled batches of a stream event, at most one per partition (the highest watermark wins). */
export function settledBatches(records: readonly DynamoDBRecord[]): SettledBatch[] {
  const byPartition = new Map<string, SettledBatch>();
  for (const record of records) {
    if (!isSettledBatch(record)) continue;
    const image = record.dynamodb?.NewImage;
    const pk = image?.pk?.S;
    const o = Number(image?.o?.N);
    const n = Number(image?.n?.N ?? '0');
    const match = pk === undefined ? null : /^(.+)#(\d+)$/.exec(pk);
    if (match === null || !Number.isSafeInteger(o) || !Number.isSafeInteger(n)) continue;
    const batch = { topicId: match[1] as string, partition: Number(match[2]), highWatermark: o + n };
    const key = `${batch.topicId}#${batch.partition}`;
    const seen = byPartition.get(key);
    if (seen === undefined || seen.highWatermark < batch.highWatermark) byPartition.set(key, batch);
  }
  return [...byPartition.values()];
}

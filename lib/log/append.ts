/**
 * Append one batch to one partition: the records of one produce request for
 * one partition.
 * Behaviour: one reservation (dense seq + consecutive offsets), then one
 * conditional put of the batch (or its chunks, then the manifest). The
 * records become visible together or not at all, in request order. With
 * `expectedOffset`, nothing is reserved unless the partition's next offset
 * equals it. Acknowledged only after the put succeeded.
 * Errors: OFFSET_MISMATCH (412), RESERVATION_ABORTED (retriable),
 * UNKNOWN_TOPIC_OR_PARTITION (topic deleted meanwhile), TopicChanged
 * (CONCURRENT_MODIFICATION: the topic in hand predates a change; counter.ts),
 * storage errors.
 * Cost: 2 sequential writes — counter ADD (1 WRU) and the batch put
 * (1 WRU per started KB + 1 for its index entry).
 */
import { randomUUID } from 'node:crypto';
import type { LibContext } from '../context';
import { effectiveConfig } from '../topics/configs';
import { buildBatch, type TypedRecord } from './batch-item';
import { writeCheckpoint } from './checkpoints';
import { reserve, type Reservation } from './counter';
import type { PartitionRef } from './partition';
import { writeBatch } from './write-batch';

export interface AppendResult {
  baseOffset: number;
  /** Server append time, the default record timestamp. */
  appendTime: number;
}

/** Records whose timestamp is undefined get the append time. */
export type PendingRecord = Omit<TypedRecord, 'timestamp'> & { timestamp: number | undefined };

export async function append(
  ctx: LibContext,
  ref: PartitionRef,
  records: PendingRecord[],
  options: { expectedOffset?: number } = {},
): Promise<AppendResult> {
  const reservation = await reserve(ctx, ref, records, options.expectedOffset);
  ctx.crash?.('produce.afterReserve');
  await writeReserved(ctx, ref, reservation, records, randomUUID());
  return { baseOffset: reservation.baseOffset, appendTime: reservation.reservedAt };
}

/** Writes `records` into a reservation already taken (also by an idempotent retry of it). */
export async function writeReserved(
  ctx: LibContext,
  ref: PartitionRef,
  reservation: Reservation,
  records: PendingRecord[],
  nonce: string,
): Promise<void> {
  const config = effectiveConfig(ref.topic.configs);
  const built = buildBatch({
    pk: ref.pk,
    seq: reservation.seq,
    baseOffset: reservation.baseOffset,
    reservedAt: reservation.reservedAt,
    appendTime: reservation.reservedAt,
    records: records.map((r) => ({ ...r, timestamp: r.timestamp ?? reservation.reservedAt })),
    compression: config['compression.type'],
    retentionMs: config['retention.ms'],
    nonce,
  });
  // The six-hourly checkpoint rides along with the batch put: no extra sequential round trip. Both
  // are awaited even when the batch fails (a frozen Lambda would drop a checkpoint still retrying).
  const [batch] = await Promise.allSettled([
    writeBatch(ctx, built, reservation, config['retention.ms']),
    writeCheckpoint(ctx, ref, reservation, built.item.ttl),
  ]);
  if (batch.status === 'rejected') throw batch.reason;
  ctx.crash?.('produce.afterBatchPut');
}

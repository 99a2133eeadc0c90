/**
 * Idempotent append: Kafka's (producerId, epoch, sequence) semantics over
 * HTTP, without a transaction on the hot counter (LOG-DESIGN.md).
 * Behaviour (produce.ts has already checked, once per request, that the id
 * was issued and the epoch is the one last issued: producer-id.ts):
 *  1. Read the producer's state for this partition strongly (no orphan
 *     reservation for a retry that is a duplicate).
 *  2. A batch whose base sequence is one of the last five accepted gets its
 *     original offsets back (same count and content hash, else
 *     DUPLICATE_SEQUENCE_MISMATCH). If that batch's writer died before
 *     writing, the retry writes it into the same reservation; if it was
 *     aborted, it is re-reserved by compare-and-set while it is the newest.
 *  3. Otherwise the sequence must be exactly the next one (else
 *     OUT_OF_ORDER_SEQUENCE); an older epoch is INVALID_PRODUCER_EPOCH; a
 *     newer epoch restarts at sequence 0.
 *  4. Reserve, then claim the sequence with a conditional update of the
 *     state (same epoch, previous last sequence, strictly increasing
 *     reservation); a loser aborts its own reservation at once. Then write.
 * Cost over a plain append: 1 strong GetItem and 1 small conditional update;
 * plus, per request, 1 strong GetItem of the producer item when the function
 * instance has not seen this producer epoch yet (producer-id.ts).
 */
import { createHash } from 'node:crypto';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { LibContext } from '../context';
import { SamsaError } from '../errors';
import { metaKeys } from '../storage/keys';
import { effectiveConfig } from '../topics/configs';
import { abortSeq } from './abort';
import { writeReserved, type AppendResult, type PendingRecord } from './append';
import { encodeRecords } from './batch-codec';
import { reserve, type Reservation } from './counter';
import { confirmEntry } from './index-walk';
import type { PartitionRef } from './partition';

export interface ProducerBatch {
  producerId: string;
  epoch: number;
  baseSequence: number;
}

/** One accepted batch, remembered so its retries get the same offsets. */
interface BatchMemo {
  /** First sequence number. */
  s: number;
  c: number;
  /** Reservation seq in the partition log and its base offset. */
  q: number;
  o: number;
  ra: number;
  h: string;
}

interface ProducerState {
  e: number;
  /** Last accepted sequence number. */
  ls: number;
  /** Newest reservation seq. */
  lr: number;
  b: BatchMemo[];
}

const REMEMBERED_BATCHES = 5;
export const MAX_SEQUENCE = 2_147_483_647;

export async function appendIdempotent(
  ctx: LibContext,
  ref: PartitionRef,
  records: PendingRecord[],
  batch: ProducerBatch,
  expectedOffset?: number,
): Promise<AppendResult> {
  const key = metaKeys.producerState(ref.topic.topicId, ref.partition, batch.producerId);
  const hash = contentHash(records);
  const nonce = `${batch.producerId}:${batch.epoch}:${batch.baseSequence}`;
  const state = await readState(ctx, key);

  if (state !== undefined && batch.epoch < state.e) {
    throw new SamsaError(
      'INVALID_PRODUCER_EPOCH',
      `Producer ${batch.producerId} epoch ${batch.epoch} is fenced by epoch ${state.e} on '${ref.topic.name}' partition ${ref.partition}.`,
    );
  }
  const sameEpoch = state !== undefined && state.e === batch.epoch;
  const duplicate = sameEpoch ? state.b.find((m) => m.s === batch.baseSequence) : undefined;
  if (duplicate !== undefined) return replay(ctx, ref, key, state as ProducerState, duplicate, records, hash, nonce);

  const expected = sameEpoch ? state.ls + 1 : 0;
  if (batch.baseSequence !== expected) {
    throw new SamsaError(
      'OUT_OF_ORDER_SEQUENCE',
      `Producer ${batch.producerId} sent sequence ${batch.baseSequence} to '${ref.topic.name}' partition ${ref.partition}; expected ${expected}.`,
      { details: { expectedSequence: expected } },
    );
  }
  if (batch.baseSequence + records.length - 1 > MAX_SEQUENCE) {
    throw new SamsaError('OUT_OF_ORDER_SEQUENCE', 'Sequence numbers exhausted for this epoch; request a new producer epoch.');
  }

  const reservation = await reserve(ctx, ref, records.length, expectedOffset);
  ctx.crash?.('produce.afterReserve');
  const memo: BatchMemo = {
    s: batch.baseSequence,
    c: records.length,
    q: reservation.seq,
    o: reservation.baseOffset,
    ra: reservation.reservedAt,
    h: hash,
  };
  const claimed = await claimSequence(ctx, key, sameEpoch ? state : undefined, batch.epoch, memo);
  if (!claimed) {
    // A concurrent request (most likely a retry of this batch) claimed the sequence first.
    await abortSeq(ctx, ref, reservation.seq, reservation.baseOffset, effectiveConfig(ref.topic.configs)['retention.ms']);
    const now = await readState(ctx, key);
    const winner = now?.e === batch.epoch ? now.b.find((m) => m.s === batch.baseSequence) : undefined;
    if (now === undefined || winner === undefined) {
      throw new SamsaError('CONCURRENT_MODIFICATION', `Producer ${batch.producerId} state changed concurrently; retry the batch.`);
    }
    return replay(ctx, ref, key, now, winner, records, hash, nonce);
  }
  ctx.crash?.('produce.afterProducerState');
  await writeReserved(ctx, ref, reservation, records, nonce);
  return { baseOffset: reservation.baseOffset, appendTime: reservation.reservedAt };
}

/** A retry of a batch already accepted: its original offsets, written now if its writer died first. */
async function replay(
  ctx: LibContext,
  ref: PartitionRef,
  key: { pk: string; sk: string },
  state: ProducerState,
  memo: BatchMemo,
  records: PendingRecord[],
  hash: string,
  nonce: string,
): Promise<AppendResult> {
  if (memo.c !== records.length || memo.h !== hash) {
    throw new SamsaError(
      'DUPLICATE_SEQUENCE_MISMATCH',
      `Sequence ${memo.s} was already used for a different batch (${memo.c} records); a retry must resend the same records.`,
    );
  }
  const entry = await confirmEntry(ctx, ref, memo.q);
  if (entry !== undefined && !entry.aborted) return { baseOffset: memo.o, appendTime: memo.ra };
  const reservation: Reservation = { seq: memo.q, baseOffset: memo.o, count: memo.c, reservedAt: memo.ra };
  if (entry === undefined) {
    // The first writer died after claiming the sequence: finish its job (fails as aborted past the deadline).
    await writeReserved(ctx, ref, reservation, records, nonce);
    return { baseOffset: memo.o, appendTime: memo.ra };
  }
  // Aborted: nothing of it was visible, so it may be re-reserved — but only as the newest batch, or order breaks.
  if (state.lr !== memo.q) {
    throw new SamsaError(
      'OUT_OF_ORDER_SEQUENCE',
      `Batch ${memo.s} was aborted after later batches of this producer were written; start a new producer epoch.`,
    );
  }
  const fresh = await reserve(ctx, ref, records.length);
  const replaced: BatchMemo = { ...memo, q: fresh.seq, o: fresh.baseOffset, ra: fresh.reservedAt };
  try {
    await ctx.ddb.send(
      new UpdateCommand({
        TableName: ctx.tables.meta,
        Key: key,
        UpdateExpression: 'SET b = :b, lr = :q',
        ConditionExpression: 'e = :e AND ls = :ls AND lr = :old',
        ExpressionAttributeValues: {
          ':b': state.b.map((m) => (m.s === memo.s ? replaced : m)),
          ':q': fresh.seq,
          ':e': state.e,
          ':ls': state.ls,
          ':old': memo.q,
        },
      }),
    );
  } catch (err) {
    if (!(err instanceof ConditionalCheckFailedException)) throw err;
    await abortSeq(ctx, ref, fresh.seq, fresh.baseOffset, effectiveConfig(ref.topic.configs)['retention.ms']);
    throw new SamsaError('CONCURRENT_MODIFICATION', 'Another retry of this batch is in progress; retry it.');
  }
  await writeReserved(ctx, ref, fresh, records, nonce);
  return { baseOffset: fresh.baseOffset, appendTime: fresh.reservedAt };
}

async function readState(ctx: LibContext, key: { pk: string; sk: string }): Promise<ProducerState | undefined> {
  const out = await ctx.ddb.send(new GetCommand({ TableName: ctx.tables.meta, Key: key, ConsistentRead: true }));
  return out.Item as ProducerState | undefined;
}

/** Claims the batch's sequences; false if another request got there first. */
async function claimSequence(
  ctx: LibContext,
  key: { pk: string; sk: string },
  state: ProducerState | undefined,
  epoch: number,
  memo: BatchMemo,
): Promise<boolean> {
  try {
    if (state === undefined) {
      // First batch of this producer (or of a newer epoch) on this partition.
      await ctx.ddb.send(
        new PutCommand({
          TableName: ctx.tables.meta,
          Item: { ...key, e: epoch, ls: memo.s + memo.c - 1, lr: memo.q, b: [memo] },
          ConditionExpression: 'attribute_not_exists(sk) OR (e < :e AND lr < :q)',
          ExpressionAttributeValues: { ':e': epoch, ':q': memo.q },
        }),
      );
    } else {
      await ctx.ddb.send(
        new UpdateCommand({
          TableName: ctx.tables.meta,
          Key: key,
          UpdateExpression: 'SET ls = :ls, lr = :q, b = :b',
          ConditionExpression: 'e = :e AND ls = :prev AND lr < :q',
          ExpressionAttributeValues: {
            ':ls': memo.s + memo.c - 1,
            ':q': memo.q,
            ':b': [...state.b, memo].slice(-REMEMBERED_BATCHES),
            ':e': epoch,
            ':prev': memo.s - 1,
          },
        }),
      );
    }
    return true;
  } catch (err) {
    if (err instanceof ConditionalCheckFailedException) return false;
    throw err;
  }
}

/** What makes a retry "the same batch": every record's bytes, types and given timestamps. */
function contentHash(records: PendingRecord[]): string {
  const hash = createHash('sha256');
  hash.update(Uint8Array.from(records.map((r) => (r.keyType << 2) | r.valueType | (r.timestamp === undefined ? 0 : 16))));
  hash.update(encodeRecords(records.map((r) => ({ ...r, timestamp: r.timestamp ?? 0 }))));
  return hash.digest('base64url').slice(0, 22);
}

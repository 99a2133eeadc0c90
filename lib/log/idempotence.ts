/**
 * Idempotent append: Kafka's (producerId, epoch, sequence) semantics over
 * HTTP, without a transaction on the hot counter (docs/design.md, "Idempotent producers without transactions").
 * Behaviour (produce.ts has already checked, once per request, that the id
 * was issued and the epoch is the one last issued: producer-id.ts):
 *  1. Read the producer's state for this partition strongly and, at the same
 *     time, reserve as a new batch would. Whenever the state says this is no
 *     new batch (a retry, a fenced epoch, a sequence out of order), that
 *     reservation is closed at once with an abort marker (no orphan for
 *     readers to wait for; its checkpoint, if due, is written all the same).
 *  2. A batch whose base sequence is one of the last five accepted gets its
 *     original offsets back (same count and content hash, else
 *     DUPLICATE_SEQUENCE_MISMATCH). If that batch's writer died before
 *     writing, the retry writes it into the same reservation; if it was
 *     aborted, it is re-reserved by compare-and-set while it is the newest.
 *  3. Otherwise the sequence must be exactly the next one (else
 *     OUT_OF_ORDER_SEQUENCE); an older epoch is INVALID_PRODUCER_EPOCH; a
 *     newer epoch restarts at sequence 0.
 *  4. Claim the sequence with a conditional update of the state (same epoch,
 *     previous last sequence, strictly increasing reservation); a loser
 *     aborts its own reservation at once. Then write.
 * A topic from produce's cache is trusted for the answers of 2 and 3 only
 * once the reservation of 1 found its counter current (requireCurrentTopic).
 * Cost over a plain append: 1 strong GetItem (in parallel with the
 * reservation) and 1 small conditional update — 3 sequential round trips in
 * all with a cached topic and epoch; a retry also pays its abort marker
 * (1 WRU + its index entry), and the offsets it reserved stay an aborted
 * range readers skip (fetch reports it in abortedRanges). Plus, per request, 1 strong GetItem of the
 * producer item when the function instance has not seen this producer epoch
 * yet (producer-id.ts).
 */
import { createHash } from 'node:crypto';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { LibContext } from '../context';
import { isSamsaError, SamsaError } from '../errors';
import { metaKeys } from '../storage/keys';
import { effectiveConfig } from '../topics/configs';
import { abortSeq } from './abort';
import { writeReserved, type AppendResult, type PendingRecord } from './append';
import { encodeRecords } from './batch-codec';
import { ttlFor } from './batch-item';
import { writeCheckpoint } from './checkpoints';
import { reserve, TopicChanged, type Reservation } from './counter';
import { InjectedCrash } from './crash-points';
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
  // The reservation a new batch needs is taken while the state is read (one round trip, not two).
  // When the state says this is no new batch, the reservation is closed at once (closeReservation).
  const speculative = reserve(ctx, ref, records, expectedOffset).then(
    (reservation) => ({ reservation }),
    (error: unknown) => ({ error }),
  );
  /** The reservation became this batch's (or the process "died" holding it): not closed here. */
  let keep = false;
  try {
    const state = await readState(ctx, key);
    if (state !== undefined && batch.epoch < state.e) {
      await requireCurrentTopic(ref, speculative);
      throw new SamsaError(
        'INVALID_PRODUCER_EPOCH',
        `Producer ${batch.producerId} epoch ${batch.epoch} is fenced by epoch ${state.e} on '${ref.topic.name}' partition ${ref.partition}.`,
      );
    }
    const sameEpoch = state !== undefined && state.e === batch.epoch;
    const duplicate = sameEpoch ? state.b.find((m) => m.s === batch.baseSequence) : undefined;
    if (duplicate !== undefined) {
      await requireCurrentTopic(ref, speculative);
      const spare = async (afterSeq: number) => {
        const taken = await speculative;
        if (!('reservation' in taken) || taken.reservation.seq <= afterSeq) return undefined;
        keep = true;
        return taken.reservation;
      };
      return await replay(ctx, ref, key, state as ProducerState, duplicate, records, hash, nonce, spare);
    }

    const expected = sameEpoch ? state.ls + 1 : 0;
    if (batch.baseSequence !== expected) {
      await requireCurrentTopic(ref, speculative);
      throw new SamsaError(
        'OUT_OF_ORDER_SEQUENCE',
        `Producer ${batch.producerId} sent sequence ${batch.baseSequence} to '${ref.topic.name}' partition ${ref.partition}; expected ${expected}.`,
        { details: { expectedSequence: expected } },
      );
    }
    if (batch.baseSequence + records.length - 1 > MAX_SEQUENCE) {
      throw new SamsaError('OUT_OF_ORDER_SEQUENCE', 'Sequence numbers exhausted for this epoch; request a new producer epoch.');
    }

    const taken = await speculative;
    // Refused (topic changed or gone, offset mismatch): nothing was reserved, nothing claimed.
    if ('error' in taken) throw taken.error;
    const reservation = taken.reservation;
    keep = true;
    ctx.crash?.('produce.afterReserve');
    const memo: BatchMemo = { s: batch.baseSequence, c: records.length, q: reservation.seq, o: reservation.baseOffset, ra: reservation.reservedAt, h: hash };
    const claimed = await claimSequence(ctx, key, sameEpoch ? state : undefined, batch.epoch, memo);
    if (!claimed) {
      // A concurrent request (most likely a retry of this batch) claimed the sequence first.
      await closeReservation(ctx, ref, reservation);
      const now = await readState(ctx, key);
      const winner = now?.e === batch.epoch ? now.b.find((m) => m.s === batch.baseSequence) : undefined;
      if (now === undefined || winner === undefined) {
        throw new SamsaError('CONCURRENT_MODIFICATION', `Producer ${batch.producerId} state changed concurrently; retry the batch.`);
      }
      return await replay(ctx, ref, key, now, winner, records, hash, nonce);
    }
    ctx.crash?.('produce.afterProducerState');
    await writeReserved(ctx, ref, reservation, records, nonce);
    return { baseOffset: reservation.baseOffset, appendTime: reservation.reservedAt };
  } catch (err) {
    if (err instanceof InjectedCrash) keep = true;
    throw err;
  } finally {
    if (!keep) {
      const taken = await speculative;
      if ('reservation' in taken) await closeReservation(ctx, ref, taken.reservation);
    }
  }
}

/**
 * Answers drawn from the producer state alone (a duplicate, a fenced epoch, a sequence out of order)
 * are only as current as the topic id the state was read under. A cached topic is current when the
 * reservation taken beside the read found its counter (and config version) in place; when that was
 * refused as stale (TopicChanged, UNKNOWN_TOPIC_OR_PARTITION), produce.ts reads the topic again and
 * retries.
 */
async function requireCurrentTopic(ref: PartitionRef, speculative: Promise<{ reservation: Reservation } | { error: unknown }>): Promise<void> {
  if (!ref.cached) return;
  const taken = await speculative;
  if (!('error' in taken)) return;
  // An offset mismatch was judged on the counter, after its existence and config version; anything
  // else (stale, gone, a storage error) leaves the topic unconfirmed.
  if (!(isSamsaError(taken.error) && taken.error.code === 'OFFSET_MISMATCH')) throw taken.error;
}

/**
 * Closes a reservation this request will not write: an abort marker at its seq, and its checkpoint
 * if it was the first of an interval (no other writer records that one). Best effort: a seq left
 * open is aborted by readers after the abort bound.
 */
async function closeReservation(ctx: LibContext, ref: PartitionRef, r: Reservation): Promise<void> {
  const retentionMs = effectiveConfig(ref.topic.configs)['retention.ms'];
  await Promise.allSettled([
    abortSeq(ctx, ref, r.seq, r.baseOffset, retentionMs),
    writeCheckpoint(ctx, ref, r, ttlFor(r.reservedAt, retentionMs)),
  ]);
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
  /** The reservation this request took beside its state read, if it succeeded after `afterSeq`; it becomes the caller's to write. */
  spare?: (afterSeq: number) => Promise<Reservation | undefined>,
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
  // Only a reservation after the producer's newest keeps its batches in order.
  const fresh = (await spare?.(memo.q)) ?? (await reserve(ctx, ref, records));
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
    await closeReservation(ctx, ref, fresh);
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

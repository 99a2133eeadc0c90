/**
 * The storage requests of a transaction (lib/log/transaction.ts), as pure
 * functions so their conditions are unit-tested: each is the condition of
 * the non-transactional operation it stands for, so a transaction is exactly
 * as strict as the normal path, only all-or-nothing.
 * - batch put: `attribute_not_exists(sk)`, the settle of write-batch.ts: a
 *   seq is settled once, by the batch or by a reader's abort marker.
 * - commit update: `owner = me AND joinEpoch <= ownerEpoch <= myEpoch`, the
 *   fenced commit of lib/groups/commit.ts, on the same item and attributes.
 * - producer state put: the transaction's sequence follows the last one of
 *   the same epoch (or starts a newer epoch at 0), claimed in the same
 *   transaction as the records, so the records and the claim land together.
 * And the bounds DynamoDB puts on one TransactWriteItems call: at most 100
 * actions, at most 4 MB of items in all, no item twice.
 */
import { MAX_INLINE_PAYLOAD, type BatchItem } from './batch-item';

/** DynamoDB: a TransactWriteItems call holds at most 100 actions. */
export const MAX_TRANSACTION_ITEMS = 100;
/**
 * DynamoDB caps a transaction's items at 4 MB in all. Payload bytes (after
 * compression) are bounded below that, leaving room for the attributes and
 * keys of up to 100 items and the producer state.
 */
export const MAX_TRANSACTION_PAYLOAD_BYTES = 3_500_000;
/** A partition's records in a transaction must fit one batch item: chunked batches (several items written in turn) cannot be part of one. */
export const MAX_PARTITION_PAYLOAD_BYTES = MAX_INLINE_PAYLOAD;

/** The state of a producer's transactions (meta table), one item per producer id. */
export function transactionStateKey(producerId: string): { pk: string; sk: string } {
  return { pk: `txn#${producerId}`, sk: 'state' };
}

/** Where a partition's records of the last transaction landed: enough to answer its retry with the same offsets. */
export interface PartitionMemo {
  /** Topic name and id, partition, base offset, seq, reservedAt (the default timestamp), request indices of its records. */
  t: string;
  id: string;
  p: number;
  o: number;
  q: number;
  ra: number;
  i: number[];
}

export interface TransactionMemo {
  /** Sequence, content hash, partitions written, offsets committed. */
  s: number;
  h: string;
  p: PartitionMemo[];
  c: { topic: string; partition: number; offset: number }[];
}

export interface TransactionState {
  e: number;
  /** Last transaction sequence accepted in epoch `e`. */
  ls: number;
  /** That transaction (only the last is remembered: a producer sends one transaction at a time). */
  m: TransactionMemo;
}

/** The settle of a batch item inside a transaction (write-batch.ts `settle`, same condition). */
export function batchPut(table: string, item: BatchItem) {
  return {
    Put: {
      TableName: table,
      Item: item,
      ConditionExpression: 'attribute_not_exists(sk)',
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const,
    },
  };
}

/** The fenced commit of one offset (lib/groups/commit.ts `commitOne`: same item, condition and attributes). */
export function commitUpdate(
  table: string,
  key: { pk: string; sk: string },
  commit: { offset: number; metadata?: string },
  member: { memberId: string; epoch: number; joinEpoch: number },
  now: number,
) {
  return {
    Update: {
      TableName: table,
      Key: key,
      UpdateExpression: 'SET #offset = :o, metadata = :md, committedAt = :now, commitEpoch = :e',
      ConditionExpression: '#owner = :m AND ownerEpoch BETWEEN :join AND :e',
      ExpressionAttributeNames: { '#offset': 'offset', '#owner': 'owner' },
      ExpressionAttributeValues: {
        ':o': commit.offset,
        ':md': commit.metadata ?? '',
        ':now': now,
        ':e': member.epoch,
        ':join': member.joinEpoch,
        ':m': member.memberId,
      },
      // No ReturnValuesOnConditionCheckFailure: the transactions function may name only commit attributes
      // (IAM), so a refusal reads the lease instead (transaction-commit.ts).
    },
  };
}

/**
 * Claims the transaction's sequence: the state as read (`previous`) must still be there, so two
 * concurrent attempts of one transaction (a retry racing the original) cannot both commit.
 */
export function stateClaim(table: string, producerId: string, previous: TransactionState | undefined, epoch: number, memo: TransactionMemo) {
  const sameEpoch = previous !== undefined && previous.e === epoch;
  return {
    Put: {
      TableName: table,
      Item: { ...transactionStateKey(producerId), e: epoch, ls: memo.s, m: memo },
      ConditionExpression: sameEpoch ? 'e = :e AND ls = :prev' : 'attribute_not_exists(pk) OR e < :e',
      ExpressionAttributeValues: sameEpoch ? { ':e': epoch, ':prev': memo.s - 1 } : { ':e': epoch },
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const,
    },
  };
}

/** What a new transaction's sequence means against the producer's state. */
export type SequenceVerdict =
  | { kind: 'new' }
  | { kind: 'retry'; memo: TransactionMemo }
  | { kind: 'fenced'; epoch: number }
  | { kind: 'out-of-order'; expected: number };

export function judgeSequence(state: TransactionState | undefined, epoch: number, sequence: number): SequenceVerdict {
  if (state !== undefined && epoch < state.e) return { kind: 'fenced', epoch: state.e };
  const sameEpoch = state !== undefined && state.e === epoch;
  if (sameEpoch && sequence === state.ls && state.m.s === sequence) return { kind: 'retry', memo: state.m };
  const expected = sameEpoch ? state.ls + 1 : 0;
  return sequence === expected ? { kind: 'new' } : { kind: 'out-of-order', expected };
}

/** Rough size of the state item (DynamoDB stores a number in about 1 byte per 2 digits, plus 1): counted against the 4 MB bound. */
export function memoBytes(memo: TransactionMemo): number {
  let bytes = 200;
  for (const p of memo.p) bytes += 80 + p.t.length + p.i.length * 5;
  for (const c of memo.c) bytes += 40 + c.topic.length;
  return bytes;
}

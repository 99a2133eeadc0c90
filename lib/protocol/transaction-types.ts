/**
 * Plain shapes of `POST /v1/transactions` (request and answer), for code that
 * must not depend on zod (the SDK). ./transactions.ts holds the zod/mini
 * schemas and asserts at compile time that they infer exactly these types.
 * Types only, dependency-free.
 */
import type { ProduceRecord } from './requests';
import type { OffsetCommit } from './requests';

/** A record of a transaction: a produce record plus the topic it goes to. */
export interface TransactionRecord extends ProduceRecord {
  topic: string;
}

/** A consumer group's commits made in the same transaction (exactly-once consume-transform-produce). */
export interface TransactionGroupCommit {
  groupId: string;
  memberId: string;
  memberEpoch: number;
  offsets: OffsetCommit[];
}

/** `POST /v1/transactions`. */
export interface TransactionBody {
  records: TransactionRecord[];
  groupCommit?: TransactionGroupCommit;
  /** Idempotent retries: an id from `POST /v1/producers`, its epoch, and this transaction's sequence number (0, 1, 2, … per epoch). */
  producerId?: string;
  producerEpoch?: number;
  sequence?: number;
}

export interface TransactionRecordResult {
  topic: string;
  partition: number;
  offset: number;
  timestamp: number;
}

/** The answer: every record where it landed, in request order, and the offsets committed. */
export interface TransactionResponse {
  records: TransactionRecordResult[];
  committed: { topic: string; partition: number; offset: number }[];
}

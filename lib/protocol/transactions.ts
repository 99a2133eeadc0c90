/**
 * Wire schema of `POST /v1/transactions` (atomic produce across partitions
 * and topics, optionally with a consumer group's commits). Plain types in
 * ./transaction-types.ts; what the route does in lib/log/transaction.ts.
 */
import * as z from 'zod/mini';
import { offsetCommit } from './groups';
import { produceRecord } from './records';
import { nonNegative, timestamp } from './response-schemas';
import type { Equal } from './response-schemas';
import type { TransactionBody, TransactionGroupCommit, TransactionRecord, TransactionRecordResult, TransactionResponse } from './transaction-types';

export type { TransactionBody, TransactionGroupCommit, TransactionRecord, TransactionRecordResult, TransactionResponse } from './transaction-types';

export const transactionRecord = z.extend(produceRecord, { topic: z.string() });

export const transactionGroupCommit = z.strictObject({
  groupId: z.string(),
  memberId: z.string(),
  memberEpoch: z.int(),
  offsets: z.array(offsetCommit),
});

export const transactionBody = z.strictObject({
  records: z.array(transactionRecord),
  groupCommit: z.optional(transactionGroupCommit),
  producerId: z.optional(z.string()),
  producerEpoch: z.optional(z.int()),
  sequence: z.optional(z.int()),
});

export const transactionRecordResult = z.strictObject({ topic: z.string(), partition: nonNegative(), offset: nonNegative(), timestamp: timestamp() });
export const transactionResponse = z.strictObject({
  records: z.array(transactionRecordResult),
  committed: z.array(z.strictObject({ topic: z.string(), partition: nonNegative(), offset: nonNegative() })),
});

const _checks: {
  record: Equal<z.infer<typeof transactionRecord>, TransactionRecord>;
  groupCommit: Equal<z.infer<typeof transactionGroupCommit>, TransactionGroupCommit>;
  body: Equal<z.infer<typeof transactionBody>, TransactionBody>;
  result: Equal<z.infer<typeof transactionRecordResult>, TransactionRecordResult>;
  response: Equal<z.infer<typeof transactionResponse>, TransactionResponse>;
} = { record: true, groupCommit: true, body: true, result: true, response: true };
void _checks;

/**
 * The request that settles a seq: the put of a batch (write-batch.ts) or of
 * an abort marker (abort.ts, and a writer closing its own reservation).
 * Behaviour: `attribute_not_exists(sk)` makes a seq settle exactly once —
 * by its batch or by a marker, whichever lands first; with `returnOld` a
 * refusal carries the item that won (ALL_OLD), which tells the writer
 * whether its own earlier attempt landed. Pure: unit-tested in
 * test/unit/builder-requests.test.ts; the checker's self-test swaps it
 * (lib/builders.ts) for one without the condition.
 * Errors/Cost: those of the put (1 WRU per started KB, +1 for the index entry).
 */
import type { PutCommandInput } from '@aws-sdk/lib-dynamodb';

export function settlePut(table: string, item: Record<string, unknown>, returnOld: boolean): PutCommandInput {
  return {
    TableName: table,
    Item: item,
    ConditionExpression: 'attribute_not_exists(sk)',
    ...(returnOld ? { ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const } : {}),
  };
}

/**
 * Closes a dead writer's reservation with an abort marker at its seq, using
 * the same `attribute_not_exists` race as the writer: exactly one of the two
 * settles the seq. Callers abort only when the reservation is older than the
 * abort bound plus clock skew (writers stop at the bound minus skew).
 * Returns what settled the seq: the marker, or the writer's batch if it won.
 * Cost: one small conditional put (1 WRU, +1 for the index entry); when the
 * writer won the race, one strong GetItem of its batch.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { buildersOf } from '../builders';
import type { LibContext } from '../context';
import { markerItem } from './batch-item';
import { toEntry, type SeqEntry } from './index-walk';
import type { PartitionRef } from './partition';

export async function abortSeq(
  ctx: LibContext,
  ref: PartitionRef,
  seq: number,
  offsetLowerBound: number,
  retentionMs: number,
): Promise<SeqEntry> {
  const marker = markerItem(ref.pk, seq, offsetLowerBound, ctx.clock.now(), retentionMs);
  try {
    await ctx.ddb.send(new PutCommand(buildersOf(ctx).settlePut(ctx.tables.log, marker as unknown as Record<string, unknown>, false)));
    ctx.events?.({ type: 'reservationAborted', topic: ref.topic.name, partition: ref.partition });
    return toEntry(marker as unknown as Record<string, unknown>);
  } catch (err) {
    if (!(err instanceof ConditionalCheckFailedException)) throw err;
    // The writer won. Read its item rather than asking for ALL_OLD: readers' IAM confines them to
    // READER_WRITTEN_ATTRIBUTES (lib/log/reader-writes.ts), and a whole batch item is outside that set.
    const out = await ctx.ddb.send(new GetCommand({ TableName: ctx.tables.log, Key: { pk: ref.pk, sk: seq }, ConsistentRead: true }));
    if (out.Item === undefined) throw err;
    return toEntry(out.Item);
  }
}

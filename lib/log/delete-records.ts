/**
 * Delete records (Kafka DeleteRecords): moves the partition's log start to
 * `before`, making every record below it unreachable at once; TTL removes
 * the items later. Never moves backwards; `before` may be the high watermark
 * (deletes everything) but not beyond.
 * Errors: OFFSET_OUT_OF_RANGE (beyond the high watermark or negative),
 * UNKNOWN_TOPIC_OR_PARTITION.
 * Cost: the partition view, an index lookup, one counter update.
 */
import { authorize, type Principal } from '../auth/authorize';
import type { LibContext } from '../context';
import { SamsaError } from '../errors';
import { advanceLogStart } from './counter';
import { confirmEntry, entryAtOrBefore } from './index-walk';
import { resolvePartition } from './partition';
import { viewPartition } from './partition-view';

export async function deleteRecords(
  ctx: LibContext,
  principal: Principal,
  topicName: string,
  partition: number,
  before: number,
): Promise<{ logStartOffset: number }> {
  await authorize(ctx.authorizer, principal, 'delete', { type: 'topic', name: topicName });
  const ref = await resolvePartition(ctx, topicName, partition);
  const view = await viewPartition(ctx, ref);
  if (before < 0 || before > view.stableEnd) {
    throw new SamsaError(
      'OFFSET_OUT_OF_RANGE',
      `Cannot delete records before ${before}: the high watermark of '${topicName}' partition ${partition} is ${view.stableEnd}.`,
      { details: { logStartOffset: view.logStartOffset, highWatermark: view.stableEnd } },
    );
  }
  if (before <= view.logStartOffset) return { logStartOffset: view.logStartOffset };
  if (before === view.stableEnd) {
    await advanceLogStart(ctx, ref, view.stableSeq, before, undefined);
    return { logStartOffset: before };
  }
  // Find the settled seq whose range holds `before`: the index hints, strong reads confirm.
  const hint = await entryAtOrBefore(ctx, ref, before);
  for (let seq = Math.max(hint?.seq ?? view.logStartSeq, view.logStartSeq); seq < view.stableSeq; seq++) {
    const entry = view.entries.get(seq) ?? (await confirmEntry(ctx, ref, seq));
    if (entry === undefined || entry.aborted || entry.n === undefined) continue;
    if (entry.o + entry.n > before) {
      await advanceLogStart(ctx, ref, seq, before, entry.ra);
      return { logStartOffset: before };
    }
  }
  await advanceLogStart(ctx, ref, view.stableSeq, before, undefined);
  return { logStartOffset: before };
}

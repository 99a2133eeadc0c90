/**
 * ListOffsets: `earliest` (log start), `latest` (high watermark = stable
 * end), or a timestamp: Kafka's rule for non-monotonic producer timestamps —
 * the first batch whose running maximum timestamp reaches T, then its first
 * record with timestamp ≥ T; none when no record reaches T. Searched only
 * below the stable end, through the index (max timestamps are projected).
 * Errors: UNKNOWN_TOPIC_OR_PARTITION.
 * Cost: the partition view; by timestamp, an index walk from the log start
 * (≈ 0.5 RRU per 60 batches) and one read of the matching batch.
 */
import { authorize, type Principal } from '../auth/authorize';
import type { LibContext } from '../context';
import type { OffsetLookup, PartitionOffsets } from '../protocol/responses';
import { decodePayload } from './batch-item';
import { confirmEntry, indexEntries } from './index-walk';
import { resolvePartition, partitionRef, type PartitionRef } from './partition';
import { viewPartition } from './partition-view';
import { readBatches } from './read-batches';
import { getTopic } from '../topics/topic-item';
import { validateTopicName } from '../topics/validate';

export type OffsetSpec = 'earliest' | 'latest' | { timestamp: number };

export type { OffsetLookup, PartitionOffsets };

export async function listOffsets(
  ctx: LibContext,
  principal: Principal,
  topicName: string,
  partition: number,
  spec: OffsetSpec,
): Promise<OffsetLookup> {
  await authorize(ctx.authorizer, principal, 'describe', { type: 'topic', name: topicName });
  const ref = await resolvePartition(ctx, topicName, partition);
  const view = await viewPartition(ctx, ref);
  const base = { partition, logStartOffset: view.logStartOffset, highWatermark: view.stableEnd };
  if (spec === 'earliest') return { ...base, offset: view.logStartOffset };
  if (spec === 'latest') return { ...base, offset: view.stableEnd };
  const found = await offsetForTimestamp(ctx, ref, view.logStartSeq, view.logStartOffset, view.stableSeq, spec.timestamp);
  return found === undefined ? { ...base, offset: null } : { ...base, ...found };
}

/** Start and end of every partition of a topic. */
export async function topicOffsets(ctx: LibContext, principal: Principal, topicName: string): Promise<PartitionOffsets[]> {
  validateTopicName(topicName);
  await authorize(ctx.authorizer, principal, 'describe', { type: 'topic', name: topicName });
  const topic = await getTopic(ctx, topicName);
  return Promise.all(
    Array.from({ length: topic.partitions }, async (_, partition) => {
      const view = await viewPartition(ctx, partitionRef(topic, partition));
      return { partition, logStartOffset: view.logStartOffset, highWatermark: view.stableEnd };
    }),
  );
}

async function offsetForTimestamp(
  ctx: LibContext,
  ref: PartitionRef,
  fromSeq: number,
  fromOffset: number,
  toSeq: number,
  timestamp: number,
): Promise<{ offset: number; timestamp: number } | undefined> {
  const entries = await indexEntries(ctx, ref, fromOffset, toSeq, (seen) =>
    [...seen.values()].some((e) => (e.mt ?? -1) >= timestamp),
  );
  for (let seq = fromSeq; seq < toSeq; seq++) {
    const entry = entries.get(seq) ?? (await confirmEntry(ctx, ref, seq));
    if (entry === undefined || entry.aborted || (entry.mt ?? -1) < timestamp) continue;
    let found: { offset: number; timestamp: number } | undefined;
    await readBatches(ctx, ref, seq, seq + 1, (item) => {
      const records = decodePayload(item.r ?? new Uint8Array(), item.c ?? 0, item.n ?? 0, ctx.limits.maxRequestBytes * 4);
      const index = records.findIndex((r, i) => r.timestamp >= timestamp && entry.o + i >= fromOffset);
      const record = records[index];
      if (record !== undefined) found = { offset: entry.o + index, timestamp: record.timestamp };
      return false;
    });
    if (found !== undefined) return found;
  }
  return undefined;
}

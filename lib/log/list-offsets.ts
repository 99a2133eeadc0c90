/**
 * ListOffsets: `earliest` (log start), `latest` (high watermark = stable
 * end), or a timestamp: Kafka's rule for non-monotonic producer timestamps —
 * the first batch whose running maximum timestamp reaches T, then its first
 * record with timestamp ≥ T; none when no record reaches T. Searched only
 * below the stable end, through the index (max timestamps are projected).
 * The first batch whose running maximum reaches T is the first batch whose
 * own maximum (`mt`) does, and nothing stored bounds the maxima before a
 * given batch, so the entries before the answer must all be seen: a binary
 * search over `mt` would be wrong as soon as an early batch holds a later
 * timestamp than those after it. The index is read from the log start in
 * rounds of offset ranges four times larger each (500 entries, then 2,000,
 * …), a round's range split into segments of ≤ 8,000 entries (one Query
 * page each) read in parallel, until a round holds a batch reaching T:
 * O(log n) sequential round trips. A page cut short (DynamoDB's 1 MB
 * pages; DynamoDB Local counts whole batch items there, ≈ 100 per page of
 * 10 KB batches) has the rest of its range split into pieces of three
 * quarters of that page's size (batches differ in size: a piece of exactly
 * one page would often end one entry short), read in parallel, so a segment
 * still costs about two sequential round trips, not one per page; and the
 * later rounds are split up front into segments of that size (at most 16,
 * unless the 8,000-entry split asks more), so they mostly cost one. Seqs the lagging
 * index misses before the answer are confirmed strongly, as everywhere
 * (index-walk.ts).
 * Errors: UNKNOWN_TOPIC_OR_PARTITION.
 * Cost: the partition view (topic from the read cache, as fetch); by
 * timestamp, the index entries up to the round holding the answer (≈ 0.5
 * RRU per 60 entries; at most about four times the entries before the
 * answer, never more than the partition's), in about 2 × (1 + log4(entries
 * / 500)) sequential round trips, and one read of the matching batch.
 */
import { authorize, type Principal } from '../auth/authorize';
import type { LibContext } from '../context';
import { forEachLimit } from '../for-each-limit';
import { isSamsaError } from '../errors';
import type { OffsetLookup, PartitionOffsets } from '../protocol/responses';
import { QueryCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { BY_OFFSET_INDEX } from '../storage/schema';
import { decodePayload } from './batch-item';
import { confirmEntry, toEntry, type SeqEntry } from './index-walk';
import { forgetAndResolve, partitionRef, resolvePartitionForRead, type PartitionRef } from './partition';
import { viewPartition, type PartitionView } from './partition-view';
import { payloadOf, readBatches } from './read-batches';
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
  let ref = await resolvePartitionForRead(ctx, topicName, partition);
  let view: PartitionView;
  try {
    view = await viewPartition(ctx, ref);
  } catch (err) {
    // A cached topic whose counters are gone: deleted or re-created since. Read it again.
    if (!ref.cached || !isSamsaError(err) || err.code !== 'UNKNOWN_TOPIC_OR_PARTITION') throw err;
    ref = await forgetAndResolve(ctx, topicName, partition);
    view = await viewPartition(ctx, ref);
  }
  const base = { partition, logStartOffset: view.logStartOffset, highWatermark: view.stableEnd };
  if (spec === 'earliest') return { ...base, offset: view.logStartOffset };
  if (spec === 'latest') return { ...base, offset: view.stableEnd };
  const found = await offsetForTimestamp(ctx, ref, view, spec.timestamp);
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

/** How the index is read by timestamp: entries in the first round, and per segment (one Query page). */
export interface TimestampScan {
  firstEntries: number;
  segmentEntries: number;
}

const DEFAULT_SCAN: TimestampScan = { firstEntries: 500, segmentEntries: 8_000 };

/** Kafka's offset for `timestamp` below the stable end of `view`; undefined when no record reaches it. */
export async function offsetForTimestamp(
  ctx: LibContext,
  ref: PartitionRef,
  view: PartitionView,
  timestamp: number,
  scan: TimestampScan = DEFAULT_SCAN,
): Promise<{ offset: number; timestamp: number } | undefined> {
  const { logStartSeq: fromSeq, logStartOffset: fromOffset, stableSeq: toSeq, stableEnd: toOffset } = view;
  if (fromSeq >= toSeq) return undefined;
  const reaches = (e: SeqEntry | undefined) => e !== undefined && !e.aborted && (e.mt ?? -1) >= timestamp;
  const entries = new Map<number, SeqEntry>();
  // Offsets per seq, to turn entry counts into offset ranges (the index is keyed by offset).
  const perSeq = Math.max(1, (toOffset - fromOffset) / (toSeq - fromSeq));
  let scanned = fromOffset;
  let width = scan.firstEntries;
  const pages: PageHint = {};
  /** Reads the next round unless the index is read to the stable end; false when it was. */
  const nextRound = async (): Promise<boolean> => {
    if (scanned >= toOffset) return false;
    const end = Math.min(toOffset, scanned + Math.ceil(width * perSeq));
    const bySize = Math.ceil(width / scan.segmentEntries);
    // Split by the pages seen so far, the entries this round really holds (the log may end before its width).
    const byPages = pages.cutAt === undefined ? 1 : Math.ceil((end - scanned) / perSeq / pieceEntries(pages.cutAt));
    const segments = Math.max(bySize, Math.min(MAX_PAGED_SEGMENTS, byPages));
    const step = Math.ceil((end - scanned) / segments);
    const ranges = Array.from({ length: segments }, (_, i) => [scanned + i * step, Math.min(end, scanned + (i + 1) * step)] as const);
    await Promise.all(ranges.filter(([a, b]) => a < b).map(([a, b]) => readIndexRange(ctx, ref, a, b, toSeq, entries, perSeq, pages)));
    scanned = end;
    width *= 4;
    return true;
  };
  let after = fromSeq - 1;
  for (;;) {
    // The first seq after `after` reaching the timestamp per the index, reading further rounds until one does.
    let candidate: number | undefined;
    for (;;) {
      for (const e of entries.values()) if (e.seq > after && reaches(e) && (candidate === undefined || e.seq < candidate)) candidate = e.seq;
      if (candidate !== undefined || !(await nextRound())) break;
    }
    // The lagging index may miss seqs before it, which may reach the timestamp too: confirm them.
    const upTo = candidate ?? toSeq;
    const missing: number[] = [];
    for (let seq = after + 1; seq < upTo; seq++) if (!entries.has(seq)) missing.push(seq);
    await forEachLimit(missing, 16, async (seq) => {
      const entry = await confirmEntry(ctx, ref, seq);
      if (entry !== undefined) entries.set(seq, entry);
    });
    let seq = after + 1;
    while (seq < upTo && !reaches(entries.get(seq))) seq++;
    if (seq >= toSeq) return undefined;
    const found = await firstRecordAtOrAfter(ctx, ref, entries.get(seq) as SeqEntry, timestamp, fromOffset);
    if (found !== undefined) return found;
    // Its records reaching the timestamp lie below the log start (delete-records inside the batch).
    after = seq;
  }
}

/** Pieces one short page's remaining range is split into, read in parallel (per split). */
const MAX_PIECES = 16;
/** Segments a round is split into up front by the size of the pages cut short before it. */
const MAX_PAGED_SEGMENTS = 16;

/** What the pages read so far tell: the fewest entries a page cut short held. */
interface PageHint {
  cutAt?: number;
}

/** Entries per piece for pages cut at `cutAt` entries: three quarters, so a piece rarely ends short itself. */
const pieceEntries = (cutAt: number) => Math.max(1, Math.floor((cutAt * 3) / 4));

/** The Query of the index entries with offsets in [from, to), from `startKey` on. */
export function indexRangeQuery(table: string, pk: string, from: number, to: number, startKey?: Record<string, unknown>): QueryCommandInput {
  return {
    TableName: table,
    IndexName: BY_OFFSET_INDEX,
    KeyConditionExpression: 'pk = :pk AND o BETWEEN :from AND :to',
    ExpressionAttributeValues: { ':pk': pk, ':from': from, ':to': to - 1 },
    ...(startKey === undefined ? {} : { ExclusiveStartKey: startKey }),
  };
}

/**
 * Index entries with offsets in [from, to) and seq < uptoSeq, every page, into `entries`. A page
 * that ends early (DynamoDB's 1 MB page, or fewer entries than `perSeq` predicted) does not make
 * the rest a chain of pages: the rest of the range is split into pieces of three quarters of a
 * page each (the page just read tells its size), read in parallel, each splitting again if it too
 * ends early — so a range costs about two sequential round trips, not one per page. The size is
 * kept in `pages` for the next rounds to split by.
 */
async function readIndexRange(
  ctx: LibContext,
  ref: PartitionRef,
  from: number,
  to: number,
  uptoSeq: number,
  entries: Map<number, SeqEntry>,
  perSeq: number,
  pages: PageHint,
  startKey?: Record<string, unknown>,
): Promise<void> {
  const out = await ctx.ddb.send(new QueryCommand(indexRangeQuery(ctx.tables.log, ref.pk, from, to, startKey)));
  const page = out.Items ?? [];
  for (const item of page) {
    const entry = toEntry(item);
    if (entry.seq < uptoSeq) entries.set(entry.seq, entry);
  }
  const last = out.LastEvaluatedKey;
  if (last === undefined) return;
  const at = last.o as number;
  if (page.length > 0) pages.cutAt = Math.min(pages.cutAt ?? page.length, page.length);
  // Entries at offset `at` after the page's last one (a marker shares its lower bound with a batch)
  // are read by the first piece, from where the page stopped.
  const pieces = Math.max(1, Math.min(MAX_PIECES, Math.ceil((to - at) / perSeq / pieceEntries(page.length))));
  const step = Math.max(1, Math.ceil((to - at) / pieces));
  const starts = Array.from({ length: pieces }, (_, i) => at + i * step).filter((a) => a < to);
  await Promise.all(
    starts.map((a, i) => {
      const b = Math.min(to, starts[i + 1] ?? to);
      return readIndexRange(ctx, ref, a, i === 0 ? Math.max(b, at + 1) : b, uptoSeq, entries, perSeq, pages, i === 0 ? last : undefined);
    }),
  );
}

/** The first record of the batch at `entry` with timestamp ≥ `timestamp` at or after `fromOffset`. */
async function firstRecordAtOrAfter(
  ctx: LibContext,
  ref: PartitionRef,
  entry: SeqEntry,
  timestamp: number,
  fromOffset: number,
): Promise<{ offset: number; timestamp: number } | undefined> {
  let found: { offset: number; timestamp: number } | undefined;
  await readBatches(
    ctx,
    ref,
    entry.seq,
    entry.seq + 1,
    async (item) => {
      const payload = await payloadOf(ctx, ref, item);
      const records = decodePayload(payload, item.c ?? 0, item.n ?? 0, ctx.limits.maxRequestBytes * 4);
      const index = records.findIndex((r, i) => r.timestamp >= timestamp && entry.o + i >= fromOffset);
      const record = records[index];
      if (record !== undefined) found = { offset: entry.o + index, timestamp: record.timestamp };
      return false;
    },
    { first: 1 },
  );
  return found;
}

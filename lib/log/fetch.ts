/**
 * Fetch: `GET /v1/topics/{topic}/partitions/{p}/records`.
 * Behaviour: returns records from `offset` (also from inside a batch) up to
 * the stable end, in offset order, never beyond a gap a writer may still
 * fill. Stops at maxRecords or maxBytes, but always returns the first
 * available record, however large, so a consumer never stalls. Reports the
 * aborted ranges it skipped, `nextOffset`, `highWatermark` (stable end,
 * never backwards) and `logStartOffset`. At the high watermark with
 * maxWaitMs > 0 it long-polls the counter item (backing off to 500 ms) until
 * data arrives or the wait ends. Answers carry the topic id of the
 * incarnation read; a fetch given `topicId` (KIP-516) reads only that
 * incarnation, so a reader never runs on from a deleted topic into a
 * re-created one of the same name.
 * Errors: OFFSET_OUT_OF_RANGE (416, with the valid range) judged against a
 * strongly consistent read of the counter; UNKNOWN_TOPIC_OR_PARTITION;
 * UNKNOWN_TOPIC_ID (404) when `topicId` is not the topic's current id
 * (deleted, or deleted and re-created), judged before the partition.
 * fetchPartition: the same for a partition the caller already resolved and
 * authorized (the group poll: one authorization for many partitions).
 * Cost: partition view (1 RRU + index query when new batches settled) and
 * eventually consistent Query pages of the batches — the first sized from
 * maxRecords and maxBytes, the next from what the first showed — ≈ 0.5 RRU
 * per 4 KB read; a large batch's chunks are read (eventually consistent)
 * only when the fetch returns records of it. An offset that is neither the
 * log start nor at the cursor costs one index lookup (≈ 0.5 RRU).
 * A pinned fetch whose id differs from a cached topic's reads the topic
 * strongly (1 RRU) before it judges the pin.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { authorize, type Principal } from '../auth/authorize';
import type { LibContext } from '../context';
import { isSamsaError, SamsaError } from '../errors';
import { COUNTER_SK } from '../storage/keys';
import { decodePayload, MAX_INLINE_PAYLOAD, type TypedRecord } from './batch-item';
import { entryAtOrBefore, type SeqEntry } from './index-walk';
import { checkPartition, forgetAndResolve, partitionRef, resolvePartitionForRead, type PartitionRef } from './partition';
import { getTopicForRead } from '../topics/topic-cache';
import type { Topic } from '../topics/topic-item';
import { validateTopicName } from '../topics/validate';
import { viewPartition, type AbortedRange, type PartitionView } from './partition-view';
import { payloadOf, readBatches } from './read-batches';
import { approxJsonSize } from './record-size';

export interface FetchInput {
  topic: string;
  partition: number;
  offset: number;
  maxRecords: number;
  maxBytes: number;
  maxWaitMs: number;
  /** Read only the incarnation with this id; any other (or none) is UNKNOWN_TOPIC_ID. */
  topicId?: string;
}

export interface FetchedRecord extends TypedRecord {
  offset: number;
}

export interface FetchResult {
  /** The incarnation the records came from. */
  topicId: string;
  records: FetchedRecord[];
  nextOffset: number;
  highWatermark: number;
  logStartOffset: number;
  abortedRanges: AbortedRange[];
  /** Offsets are reserved beyond the high watermark: a writer is still writing (or died). */
  pending: boolean;
}

export async function fetchRecords(ctx: LibContext, principal: Principal, input: FetchInput): Promise<FetchResult> {
  await authorize(ctx.authorizer, principal, 'read', { type: 'topic', name: input.topic });
  let ref = await resolveForFetch(ctx, input, false);
  let view: PartitionView;
  try {
    view = await viewPartition(ctx, ref);
  } catch (err) {
    // A cached topic whose counters are gone: deleted or re-created since. Read it again.
    if (!ref.cached || !isSamsaError(err) || err.code !== 'UNKNOWN_TOPIC_OR_PARTITION') throw err;
    ref = await resolveForFetch(ctx, input, true);
    view = await viewPartition(ctx, ref);
  }
  return fetchPartition(ctx, ref, input, view);
}

export type PartitionFetch = Pick<FetchInput, 'offset' | 'maxRecords' | 'maxBytes' | 'maxWaitMs'>;

/**
 * The fetch of one partition the caller already resolved and authorized
 * (the group poll reads many partitions under one authorization); `view`
 * when the caller just took it, else viewed here. Errors as fetchRecords,
 * less the topic's: UNKNOWN_TOPIC_OR_PARTITION when the partition's counter
 * is gone (a deleted topic; a cached `ref` may be stale, see resolveForFetch).
 */
export async function fetchPartition(ctx: LibContext, ref: PartitionRef, input: PartitionFetch, view?: PartitionView): Promise<FetchResult> {
  view ??= await viewPartition(ctx, ref);
  checkRange(ref, view, input.offset);
  if (input.offset >= view.stableEnd && input.maxWaitMs > 0) {
    view = await waitForData(ctx, ref, view, input.offset, Math.min(input.maxWaitMs, ctx.limits.maxWaitMs));
  }
  return readFrom(ctx, ref, view, { ...input, topic: ref.topic.name, partition: ref.partition });
}

/**
 * The partition to read; `fresh` after a cached topic proved stale. Unpinned:
 * the topic as the read cache knows it. Pinned: only the incarnation
 * `topicId` names, compared before the partition is checked, so a topic
 * re-created with fewer partitions is UNKNOWN_TOPIC_ID too. A cached topic
 * with another id is read again strongly before the pin is judged: the cache
 * may predate the incarnation the caller pinned.
 */
async function resolveForFetch(ctx: LibContext, input: FetchInput, fresh: boolean): Promise<PartitionRef> {
  const pin = input.topicId;
  if (pin === undefined) {
    return fresh ? forgetAndResolve(ctx, input.topic, input.partition) : resolvePartitionForRead(ctx, input.topic, input.partition);
  }
  validateTopicName(input.topic);
  if (fresh) ctx.topicCache?.delete(input.topic);
  let found = await currentTopic(ctx, input.topic, pin);
  if (found.cached && (found.topic.topicId !== pin || input.partition >= found.topic.partitions)) {
    ctx.topicCache?.delete(input.topic);
    found = await currentTopic(ctx, input.topic, pin);
  }
  if (found.topic.topicId !== pin) throw unknownTopicId(input.topic, pin, true);
  checkPartition(found.topic, input.partition);
  return { ...partitionRef(found.topic, input.partition), ...(found.cached ? { cached: true } : {}) };
}

/** The topic as it is (or as cached); for a pinned fetch a topic that is gone is UNKNOWN_TOPIC_ID. */
async function currentTopic(ctx: LibContext, name: string, pin: string): Promise<{ topic: Topic; cached: boolean }> {
  try {
    return await getTopicForRead(ctx, name);
  } catch (err) {
    if (isSamsaError(err) && err.code === 'UNKNOWN_TOPIC_OR_PARTITION') throw unknownTopicId(name, pin, false);
    throw err;
  }
}

function unknownTopicId(name: string, topicId: string, recreated: boolean): SamsaError {
  const now = recreated ? 'the name now belongs to another topic (deleted and re-created)' : 'no topic has that name now (deleted)';
  return new SamsaError('UNKNOWN_TOPIC_ID', `Topic '${name}' with id ${topicId} does not exist: ${now}.`, { details: { topicId } });
}

function checkRange(ref: PartitionRef, view: PartitionView, offset: number): void {
  // Offsets reserved but not yet stable are in range: they exist, the caller just waits for them.
  if (offset < view.logStartOffset || offset > view.counter.next) {
    throw new SamsaError(
      'OFFSET_OUT_OF_RANGE',
      `Offset ${offset} is out of range for '${ref.topic.name}' partition ${ref.partition}: valid offsets are ${view.logStartOffset}..${view.stableEnd} (the high watermark).`,
      { details: { logStartOffset: view.logStartOffset, highWatermark: view.stableEnd } },
    );
  }
}

async function waitForData(ctx: LibContext, ref: PartitionRef, view: PartitionView, offset: number, waitMs: number): Promise<PartitionView> {
  const deadline = ctx.clock.now() + waitMs;
  let seq = view.counter.seq;
  for (let delay = 50; ctx.clock.now() < deadline; delay = Math.min(500, delay * 2)) {
    await new Promise((r) => setTimeout(r, Math.min(delay, Math.max(0, deadline - ctx.clock.now()))));
    // Half-price poll of the small counter item: only a new reservation can move the stable end.
    const out = await ctx.ddb.send(
      new GetCommand({ TableName: ctx.tables.log, Key: { pk: ref.pk, sk: COUNTER_SK }, ProjectionExpression: 'seq' }),
    );
    if (out.Item === undefined) break;
    // Nothing newly reserved. The stable end can still move if it waits behind an open reservation:
    // its writer may land the batch, or it may pass the abort bound. Only then view again.
    if ((out.Item.seq as number) === seq && view.stableSeq >= view.counter.seq) continue;
    view = await viewPartition(ctx, ref);
    seq = view.counter.seq;
    if (view.stableEnd > offset) break;
  }
  return view;
}

async function readFrom(ctx: LibContext, ref: PartitionRef, view: PartitionView, input: FetchInput): Promise<FetchResult> {
  const result: FetchResult = {
    topicId: ref.topic.topicId,
    records: [],
    nextOffset: input.offset,
    highWatermark: view.stableEnd,
    logStartOffset: view.logStartOffset,
    abortedRanges: [],
    pending: view.counter.next > view.stableEnd,
  };
  if (input.offset >= view.stableEnd) return result;

  const start = await seqFor(ctx, ref, view, input.offset);
  const byteBudget = Math.min(input.maxBytes, ctx.limits.maxResponseBytes);
  let bytes = 0;
  let lastEnd: number | undefined;
  let abortFrom: number | undefined;
  let stoppedEarly = false;
  const maxDecoded = ctx.limits.maxRequestBytes * 4;
  const stop = () => ((stoppedEarly = true), false);
  // Batches this fetch still needs, judged from the ones read so far (records per batch, bytes per record).
  let batchesRead = 0;
  let recordsRead = 0;
  const pageSize = (previous: number) => {
    if (batchesRead === 0 || result.records.length === 0) return previous * 4;
    const perBatch = Math.max(1, recordsRead / batchesRead);
    const perRecord = Math.max(1, bytes / result.records.length);
    const wanted = Math.min(input.maxRecords - result.records.length, (byteBudget - bytes) / perRecord);
    // No slack: a batch that falls short costs one more small page, an extra batch costs its full size.
    return wanted / perBatch;
  };
  await readBatches(
    ctx,
    ref,
    start.seq,
    view.stableSeq,
    async (item) => {
      if (item.ab !== undefined) {
        abortFrom ??= Math.max(lastEnd ?? item.o, input.offset);
        return true;
      }
      const n = item.n ?? 0;
      batchesRead++;
      recordsRead += n;
      // The first batch read starts after the requested offset (which is ≥ the log start): the offsets
      // in between belong to reservations before it that were aborted (e.g. the log start was moved
      // into an aborted range, whose marker lies below the log start seq). Report them as such.
      if (lastEnd === undefined && abortFrom === undefined && item.o > input.offset) abortFrom = input.offset;
      if (abortFrom !== undefined && item.o > abortFrom) result.abortedRanges.push({ from: abortFrom, to: item.o });
      abortFrom = undefined;
      lastEnd = item.o + n;
      if (lastEnd <= input.offset) return true;
      // A large batch's chunks are read only when its first record may still fit (it is at least
      // its share of the chunks that are surely full; records shrink little under compression).
      if (result.records.length > 0) {
        const atLeast = MIN_RECORD_JSON + (item.ch === undefined ? 0 : (((item.ch - 1) * MAX_INLINE_PAYLOAD) / n) * 1.4);
        if (result.records.length >= input.maxRecords || bytes + atLeast > byteBudget) return stop();
      }
      const records = decodePayload(await payloadOf(ctx, ref, item), item.c ?? 0, n, maxDecoded);
      for (let i = Math.max(0, input.offset - item.o); i < n; i++) {
        const record = records[i] as TypedRecord;
        const size = approxJsonSize(record);
        if (result.records.length > 0 && (bytes + size > byteBudget || result.records.length >= input.maxRecords)) return stop();
        result.records.push({ ...record, offset: item.o + i });
        bytes += size;
        result.nextOffset = item.o + i + 1;
      }
      // Full: asking for the next item would cost a page for nothing.
      const full = result.records.length >= input.maxRecords || byteBudget - bytes < MIN_RECORD_JSON;
      return full && item.sk + 1 < view.stableSeq ? stop() : true;
    },
    { first: firstPage(view, input, start.entry, byteBudget), next: pageSize },
  );
  if (!stoppedEarly) {
    // Everything below the stable end was returned or is aborted: continue from there.
    // No batch at all from the requested offset on: those offsets are aborted too (see above).
    if (lastEnd === undefined) abortFrom ??= input.offset;
    if (abortFrom !== undefined && view.stableEnd > abortFrom) result.abortedRanges.push({ from: abortFrom, to: view.stableEnd });
    result.nextOffset = view.stableEnd;
  }
  return result;
}

/** The JSON of a record with no key, value or headers (approxJsonSize): no response holds more records than the budget over this. */
const MIN_RECORD_JSON = 120;
/**
 * A first page of more items than this is left to later pages, sized from what it showed (a batch may
 * be 400 KB) — unless the counter's mean record size bounds the page's bytes: then up to
 * MAX_SIZED_FIRST_PAGE, as many as the byte budget holds at that size.
 */
const MAX_FIRST_PAGE = 8;
const MAX_SIZED_FIRST_PAGE = 64;

/**
 * Items for the first page: the batches the records asked for span, at the partition's average
 * records per seq (markers included) — plus the batch holding the offset, when it is known —
 * never more records than the byte budget can hold (at the partition's mean record size when the
 * counter knows it, else at the smallest record). Every item of a page is billed, so it leans
 * short: a page that falls short costs one more small one.
 */
function firstPage(view: PartitionView, input: FetchInput, entry: SeqEntry | undefined, byteBudget: number): number {
  const c = view.counter;
  const meanRecord = c.jsonBytes !== undefined && c.next > 0 ? Math.max(MIN_RECORD_JSON, c.jsonBytes / c.next) : undefined;
  const wanted = Math.min(input.maxRecords, Math.floor(byteBudget / (meanRecord ?? MIN_RECORD_JSON)) + 1);
  const perSeq = Math.max(1, (view.stableEnd - view.logStartOffset) / Math.max(1, view.stableSeq - view.logStartSeq));
  const inFirst = entry?.n === undefined ? 0 : Math.max(0, entry.o + entry.n - input.offset);
  const items = inFirst > 0 ? 1 + Math.ceil(Math.max(0, wanted - inFirst) / perSeq) : Math.ceil(wanted / perSeq);
  return Math.max(1, Math.min(meanRecord === undefined ? MAX_FIRST_PAGE : MAX_SIZED_FIRST_PAGE, items));
}

/**
 * The seq whose batch holds `offset` (and its index entry, when known): the log start seq for the
 * log start offset, else from the cursor when the offset is recent, else through the index.
 */
async function seqFor(ctx: LibContext, ref: PartitionRef, view: PartitionView, offset: number): Promise<{ seq: number; entry?: SeqEntry }> {
  const start = Math.max(view.logStartSeq, 0);
  let best: SeqEntry | undefined;
  for (const e of view.entries.values()) {
    if (e.o <= offset && e.seq >= start && (best === undefined || e.seq > best.seq)) best = e;
  }
  if (best !== undefined) return { seq: best.seq, entry: best };
  // Reading from the log start seq skips what lies below the offset: no index lookup needed.
  if (offset <= view.logStartOffset) return { seq: start };
  if (offset >= view.counter.co && view.counter.cur >= start) return { seq: view.counter.cur };
  const entry = await entryAtOrBefore(ctx, ref, offset);
  // The index lags: an older entry (or none) only means reading a little further forward.
  if (entry === undefined || entry.seq < start) return { seq: start };
  return { seq: entry.seq, entry };
}

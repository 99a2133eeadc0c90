/**
 * What every reader needs before it may return a record: the partition's
 * log start and stable end, judged from a strongly consistent read of the
 * counter — never from a stale read.
 *
 * - Retention: batches reserved before now − retention.ms are gone. The log
 *   start moves over them (and over gaps whose reservation is older than both
 *   the cutoff and the abort bound, which may be TTL-deleted batches) before
 *   TTL (retention + one day) can delete anything above it. It never passes
 *   an open reservation, so a TTL deletion is never taken for a dead writer.
 * - Stable end: the first unsettled seq at or after the persisted cursor.
 *   Gaps older than the abort bound (+ skew) are closed with abort markers;
 *   younger ones hold the stable end back. The cursor is persisted forward,
 *   so the high watermark never goes backwards.
 * Cost (happy path): 1 strong GetItem of the counter (1 RRU; none when the
 * caller read it strongly already); when new
 * batches settled since the last reader, one index Query (0.5 RRU per 4 KB
 * of ~60-byte entries) and one cursor update (1 WRU).
 */
import type { LibContext } from '../context';
import { effectiveConfig } from '../topics/configs';
import { getTopic, unknownTopic } from '../topics/topic-item';
import { abortSeq } from './abort';
import { lastCheckpointBefore } from './checkpoints';
import { advanceCursor, advanceLogStart, holeBound, readCounter, recordHole, type CounterState } from './counter';
import { confirmEntry, indexEntries, type SeqEntry } from './index-walk';
import type { PartitionRef } from './partition';

export interface AbortedRange {
  /** First aborted offset. */
  from: number;
  /** One past the last aborted offset. */
  to: number;
}

export interface PartitionView {
  counter: CounterState;
  logStartSeq: number;
  logStartOffset: number;
  /** High watermark: every offset below it is settled (a record or aborted). */
  stableEnd: number;
  /** Every seq below it is settled. */
  stableSeq: number;
  /** Index entries seen from the log start or cursor, for readers to reuse. */
  entries: Map<number, SeqEntry>;
}

/**
 * `counter`, when given, must come from a strong read this request just made (a group poll reads the
 * counters of several partitions in one BatchGetItem): the view is then as of that read.
 */
export async function viewPartition(ctx: LibContext, ref: PartitionRef, read?: CounterState): Promise<PartitionView> {
  const counter = read ?? (await readCounter(ctx, ref));
  let retentionMs = effectiveConfig(ref.topic.configs)['retention.ms'];
  if (ref.cached && mayExpire(ctx, counter, retentionMs)) {
    // Retention only ever moves the log start forward: judge it by the topic as it is now, never by a
    // cached copy that may predate a raise of retention.ms.
    const fresh = await getTopic(ctx, ref.topic.name);
    if (fresh.topicId !== ref.topic.topicId) throw unknownTopic(ref.topic.name);
    ctx.topicCache?.set(fresh, ctx.clock.now());
    retentionMs = effectiveConfig(fresh.configs)['retention.ms'];
  }
  const start = await applyRetention(ctx, ref, counter, retentionMs);
  const fromSeq = Math.max(counter.cur, start.seq);
  const fromOffset = start.seq > counter.cur ? start.offset : counter.co;
  // Only entries at or after the cursor: every seq ≥ fromSeq has o ≥ fromOffset (markers hold a lower
  // bound ≥ the end of every batch before them). Reading from the log start cost O(partition) per view.
  const entries = fromSeq >= counter.seq ? new Map<number, SeqEntry>() : await indexEntries(ctx, ref, fromOffset, counter.seq);
  const stable = await walkStable(ctx, ref, counter, fromSeq, fromOffset, entries, retentionMs);
  return { counter, logStartSeq: start.seq, logStartOffset: start.offset, stableEnd: stable.end, stableSeq: stable.seq, entries };
}

function abortable(ctx: LibContext, reservedNoLaterThan: number): boolean {
  return ctx.clock.now() - reservedNoLaterThan > ctx.limits.abortAfterMs + ctx.limits.maxClockSkewMs;
}

/**
 * An upper bound of seq's reservation time: the reservedAt of the first settled entry after it, the
 * counter's newest reservation, or what the reader who first found seq unsettled read as the newest —
 * whichever is earliest.
 */
function reservedNoLaterThan(entries: Map<number, SeqEntry>, seq: number, counter: CounterState): number {
  let best: SeqEntry | undefined;
  for (const e of entries.values()) if (e.seq > seq && (best === undefined || e.seq < best.seq)) best = e;
  return Math.min(best?.ra ?? counter.ra, holeBound(counter, seq) ?? Infinity);
}

/** Whether anything at the log start can have passed retention (else the retention walk is skipped). */
function mayExpire(ctx: LibContext, counter: CounterState, retentionMs: number): boolean {
  if (retentionMs < 0 || counter.ls >= counter.seq) return false;
  // The entry at the log start was reserved after the cutoff: nothing can have expired.
  return counter.lra === undefined || counter.lra < ctx.clock.now() - retentionMs;
}

async function applyRetention(
  ctx: LibContext,
  ref: PartitionRef,
  counter: CounterState,
  retentionMs: number,
): Promise<{ seq: number; offset: number }> {
  let seq = counter.ls;
  let offset = counter.lo;
  if (!mayExpire(ctx, counter, retentionMs)) return { seq, offset };
  const cutoff = ctx.clock.now() - retentionMs;
  let checkpointTried = false;
  const entries = await indexEntries(ctx, ref, offset, counter.seq, (seen) => [...seen.values()].some((e) => e.ra >= cutoff));
  let firstLive: SeqEntry | undefined;
  // Markers directly before the first live batch stay above the log start: their offsets are
  // within retention, and fetch reports them as aborted rather than as out of range.
  let markerRun: { seq: number; offset: number } | undefined;
  while (seq < counter.seq) {
    // Seq `cur` starts exactly at `co`: a better offset than a marker's or a missing item's lower bound.
    if (seq === counter.cur) offset = Math.max(offset, counter.co);
    const entry = entries.get(seq) ?? (await confirmEntry(ctx, ref, seq));
    if (entry !== undefined) {
      // Abort markers hold no records, so the log start may always pass them. Resting on one
      // would pin it to the marker's `ra` — when a reader aborted the seq, possibly days after
      // the batches around it were written — while TTL deletes those batches under it.
      if (entry.aborted) {
        markerRun ??= { seq, offset };
        seq++;
        continue;
      }
      if (entry.ra >= cutoff) {
        firstLive = entry;
        if (markerRun !== undefined) ({ seq, offset } = markerRun);
        // max: a log start that delete-records put inside this batch stays where it is.
        else offset = Math.max(offset, entry.o);
        break;
      }
      markerRun = undefined;
      if (entry.n !== undefined) offset = entry.o + entry.n;
    } else if (seq < counter.cur) {
      // Every seq below the persisted cursor was settled, so a missing one is not an open
      // reservation: TTL deleted it, which it does only after retention (+ margin) passed.
      // Happens when no reader came during the margin; without this the walk would stop here.
      markerRun = undefined;
    } else {
      const upper = reservedNoLaterThan(entries, seq, counter);
      if (!(upper < cutoff && abortable(ctx, upper))) {
        // Missing and possibly recent — or deleted by TTL long ago in a partition no reader walked.
        // Everything below the last checkpoint older than both the cutoff and the abort bound has
        // expired, whatever it was: jump over it instead of waiting and aborting seq by seq.
        if (!checkpointTried) {
          checkpointTried = true;
          const bound = ctx.clock.now() - ctx.limits.abortAfterMs - ctx.limits.maxClockSkewMs;
          const checkpoint = await lastCheckpointBefore(ctx, ref, counter, seq + 1, Math.min(cutoff, bound));
          if (checkpoint !== undefined && checkpoint.seq <= counter.seq) {
            seq = checkpoint.seq;
            offset = Math.max(offset, checkpoint.offset);
            markerRun = undefined;
            continue;
          }
        }
        if (markerRun !== undefined) ({ seq, offset } = markerRun);
        break;
      }
      markerRun = undefined;
    }
    seq++;
  }
  if (seq === counter.seq) offset = counter.next;
  // The log start offset moves only with the log start seq. Where the seq stayed, the stored offset
  // stands: inside the first batch (delete-records), or below it (delete-records up to the high
  // watermark, or an earlier walk that stopped at a reservation since written). Raising it would
  // turn a consumer's valid position into OFFSET_OUT_OF_RANGE although nothing was deleted.
  if (seq === counter.ls) offset = counter.lo;
  if (seq > counter.ls || (firstLive !== undefined && counter.lra !== firstLive.ra)) {
    await advanceLogStart(ctx, ref, seq, offset, firstLive?.ra);
  }
  return { seq, offset };
}

async function walkStable(
  ctx: LibContext,
  ref: PartitionRef,
  counter: CounterState,
  fromSeq: number,
  fromOffset: number,
  entries: Map<number, SeqEntry>,
  retentionMs: number,
): Promise<{ end: number; seq: number }> {
  let seq = fromSeq;
  let end = fromOffset;
  let cursorSeq = fromSeq;
  let cursorOffset = fromOffset;
  while (seq < counter.seq) {
    let entry = entries.get(seq) ?? (await confirmEntry(ctx, ref, seq));
    if (entry === undefined) {
      if (!abortable(ctx, reservedNoLaterThan(entries, seq, counter)) && seq + 1 < counter.seq && !entries.has(seq + 1)) {
        // The lagging index may hide the batch after the gap, whose reservedAt bounds the gap's own:
        // read it strongly (only while a gap holds the stable end, and only when the index missed it).
        const next = await confirmEntry(ctx, ref, seq + 1);
        if (next !== undefined) entries.set(seq + 1, next);
      }
      if (!abortable(ctx, reservedNoLaterThan(entries, seq, counter))) {
        // The first reader to stop here records the bound it knows now; later readers age the hole from it.
        if (holeBound(counter, seq) === undefined) await recordHole(ctx, ref, counter, seq);
        break;
      }
      entry = await abortSeq(ctx, ref, seq, end, retentionMs);
    }
    entries.set(seq, entry);
    if (!entry.aborted && entry.n !== undefined) {
      end = entry.o + entry.n;
      cursorSeq = seq + 1;
      cursorOffset = end;
    }
    seq++;
  }
  if (seq === counter.seq) {
    end = counter.next;
    cursorSeq = seq;
    cursorOffset = end;
  }
  if (cursorSeq > counter.cur) await advanceCursor(ctx, ref, cursorSeq, cursorOffset);
  return { end, seq };
}

/**
 * Offsets in [from, to) that belong to aborted reservations, derived from
 * the settled entries between two batches (a marker's own range is unknown).
 */
export function abortedRangesBetween(entries: SeqEntry[], tailEnd: number | undefined): AbortedRange[] {
  const ranges: AbortedRange[] = [];
  let runFrom: number | undefined;
  let lastEnd: number | undefined;
  for (const e of entries) {
    if (e.aborted) {
      runFrom ??= lastEnd ?? e.o;
      continue;
    }
    if (runFrom !== undefined && e.o > runFrom) ranges.push({ from: runFrom, to: e.o });
    runFrom = undefined;
    lastEnd = e.o + (e.n ?? 0);
  }
  if (runFrom !== undefined && tailEnd !== undefined && tailEnd > runFrom) ranges.push({ from: runFrom, to: tailEnd });
  return ranges;
}

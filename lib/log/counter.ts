/**
 * The per-partition counter item (log table, sk = -1).
 *
 * - `seq`/`next`: the next reservation sequence number and offset. One atomic
 *   ADD reserves a dense seq and the offset range [next − n, next). DynamoDB
 *   serialises updates of one item, so concurrent producers never waste a
 *   write (docs/design.md, "Offsets come from a counter"), where optimistic
 *   appends at the tail would fail most of their conditions under contention.
 * - `ra`: reservedAt of the newest reservation — an upper bound of every
 *   older reservation's time, used to age gaps at the tail.
 * - `cur`/`co`: the stable cursor: every seq < cur is settled and seq `cur`
 *   starts at offset `co`. Only moves forward (conditional SET).
 * - `ls`/`lo`: log start seq and offset; only move forward.
 * - `hs`/`hra`: the newest hole a reader stopped at — seq `hs` was unsettled
 *   when `ra` read `hra`, so `hra` bounds its reservation time. Without it the
 *   only bound of a hole whose later batches the lagging index hides is `ra`,
 *   which every new reservation renews: a busy partition whose new writes
 *   also fail would hold its stable end behind an acknowledged record for as
 *   long as that lasts, not just the abort bound.
 * - `nb`: the JSON bytes of every record reserved (record-size.ts), added by
 *   each reservation: with `next`, the partition's mean record size.
 * - `k<I>s`/`k<I>a`/`k<I>o`: the checkpoint of six-hour interval I, set by
 *   the interval's first reservation in the reservation update itself
 *   (./checkpoints.ts), until a later interval's first writer has copied it
 *   to its own item.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { LibContext } from '../context';
import { SamsaError } from '../errors';
import { COUNTER_SK } from '../storage/keys';
import { markDue, recentLandedMark, writeMark } from './activity';
import type { StoredRecord } from './batch-codec';
import { checkpointNames, intervalOf, pendingCheckpoints, type Checkpoint } from './checkpoints';
import { batchJsonSize } from './record-size';

/** What a reservation needs of each record: its size in a JSON answer (record-size.ts). */
export type ReservedRecord = Pick<StoredRecord, 'key' | 'value' | 'headers'>;
import type { PartitionRef } from './partition';

export interface CounterState {
  seq: number;
  next: number;
  ra: number;
  cur: number;
  co: number;
  ls: number;
  lo: number;
  /** reservedAt of the entry at the log start, once known: lets retention skip its walk while nothing can expire. */
  lra?: number;
  /** The newest hole a reader recorded, and the counter's `ra` when it did: an upper bound of its reservation time. */
  hole?: { seq: number; ra: number };
  /** Checkpoints still on the counter (./checkpoints.ts), oldest first. */
  pending: Checkpoint[];
  /** JSON bytes of every record reserved (`nb`); absent on counters older than it. */
  jsonBytes?: number;
}

export interface Reservation {
  seq: number;
  baseOffset: number;
  count: number;
  reservedAt: number;
  /**
   * Set on the first reservation of a checkpoint interval: the previous reservation's time. Every
   * seq below this one was reserved no later than that, and this writer records it as a checkpoint.
   */
  checkpointAt?: number;
  /** Checkpoints of earlier intervals still on the counter: the due writer copies them to items and removes them. */
  pending?: Checkpoint[];
  /**
   * The partition's activity mark (activity.ts), when this reservation had to write one: started
   * here, so every writer's reservation marks; writers await it before they acknowledge.
   */
  marked?: Promise<boolean>;
}

export async function readCounter(ctx: LibContext, ref: PartitionRef): Promise<CounterState> {
  const out = await ctx.ddb.send(
    new GetCommand({ TableName: ctx.tables.log, Key: { pk: ref.pk, sk: COUNTER_SK }, ConsistentRead: true }),
  );
  if (out.Item === undefined) throw partitionGone(ref);
  return decodeCounter(out.Item);
}

/** A counter item (plain attributes, as lib-dynamodb returns it) as CounterState. */
export function decodeCounter(i: Record<string, unknown>): CounterState {
  const num = (name: string): number => {
    const v = i[name];
    if (typeof v !== 'number') throw new Error(`counter item ${String(i.pk)}: '${name}' is ${typeof v}, not a number`);
    return v;
  };
  return {
    seq: num('seq'),
    next: num('next'),
    ra: num('ra'),
    cur: num('cur'),
    co: num('co'),
    ls: num('ls'),
    lo: num('lo'),
    ...(typeof i.lra === 'number' ? { lra: i.lra } : {}),
    ...(typeof i.hs === 'number' && typeof i.hra === 'number' ? { hole: { seq: i.hs, ra: i.hra } } : {}),
    pending: pendingCheckpoints(i),
    ...(typeof i.nb === 'number' ? { jsonBytes: i.nb } : {}),
  };
}

/** The bound of `seq`'s reservation time a reader recorded, if it recorded this seq. */
export function holeBound(counter: CounterState, seq: number): number | undefined {
  return counter.hole?.seq === seq ? counter.hole.ra : undefined;
}

/**
 * Records that `seq` was unsettled while the counter (as read) said `ra`; a
 * no-op when a reader already recorded it or a later hole. One small update
 * per hole, by its first observer.
 */
export async function recordHole(ctx: LibContext, ref: PartitionRef, counter: CounterState, seq: number): Promise<void> {
  try {
    await ctx.ddb.send(new UpdateCommand({ TableName: ctx.tables.log, Key: { pk: ref.pk, sk: COUNTER_SK }, ...recordHoleUpdate(seq, counter.ra) }));
  } catch (err) {
    if (!(err instanceof ConditionalCheckFailedException)) throw err;
  }
}

/** The update of recordHole: conditional so that `hs` only grows and the first observer's bound stands. */
export function recordHoleUpdate(seq: number, ra: number) {
  return {
    UpdateExpression: 'SET hs = :hs, hra = :hra',
    ConditionExpression: 'attribute_exists(pk) AND (attribute_not_exists(hs) OR hs < :hs)',
    ExpressionAttributeValues: { ':hs': seq, ':hra': ra },
  };
}

/**
 * Reserves one seq and `count` offsets. Conditional on the counter existing:
 * an ADD on a missing item would create it and resurrect a deleted topic.
 * And on the counter's config version `cv` being no newer than the topic the
 * caller holds (`ref.topic.version`): lib/topics/** stamps every counter of a
 * topic with the topic's new version after each change, so a writer holding
 * a cached topic older than a finished alter-configs or create-partitions is
 * refused (TopicChanged) before it reserves anything, and builds its batch
 * from the topic it re-reads. A counter without `cv` (written before it
 * existed) accepts any version.
 * Sent once, without SDK retries: a retried ADD that had been applied would
 * leave an orphan reservation (readers then wait for the abort bound).
 * Errors: UNKNOWN_TOPIC_OR_PARTITION (counter gone: topic deleted, or
 * re-created under a new id), TopicChanged (CONCURRENT_MODIFICATION),
 * OFFSET_MISMATCH.
 */
export async function reserve(
  ctx: LibContext,
  ref: PartitionRef,
  records: readonly ReservedRecord[],
  expectedOffset?: number,
): Promise<Reservation> {
  const count = records.length;
  const now = ctx.clock.now();
  const ownMark = recentLandedMark(ctx, ref.pk, now);
  try {
    const out = await ctx.ddbOnce.send(
      new UpdateCommand({
        TableName: ctx.tables.log,
        Key: { pk: ref.pk, sk: COUNTER_SK },
        ...reserveUpdate(count, now, ref.topic.version, expectedOffset, ownMark, batchJsonSize(records)),
      }),
    );
    const old = out.Attributes ?? {};
    // Exactly one reservation is the first of each interval (the counter serialises them), so one
    // writer per interval records a checkpoint — no lock, no failed conditional write.
    const previous = old.ra as number;
    const due = intervalOf(now) > intervalOf(previous);
    const older = due ? pendingCheckpoints(old).filter((c) => c.interval < intervalOf(now)) : [];
    return {
      seq: old.seq as number,
      baseOffset: old.next as number,
      count,
      reservedAt: now,
      ...(due ? { checkpointAt: previous } : {}),
      ...(older.length > 0 ? { pending: older } : {}),
      // Marked recently enough, as the counter or this instance knows (activity.ts)? Else mark now.
      ...(markDue(now, Math.max(typeof old.mt === 'number' ? old.mt : -Infinity, ownMark ?? -Infinity))
        ? { marked: writeMark(ctx, ref.pk, now, now + ctx.limits.abortAfterMs - ctx.limits.maxClockSkewMs) }
        : {}),
    };
  } catch (err) {
    if (!(err instanceof ConditionalCheckFailedException)) throw err;
    // ALL_OLD on failure tells the three conditions apart (the item is in wire format here).
    if (err.Item === undefined) throw partitionGone(ref);
    const cv = err.Item.cv?.N;
    if (cv !== undefined && Number(cv) > ref.topic.version) throw new TopicChanged(ref, Number(cv));
    const current = err.Item.next?.N;
    if (expectedOffset === undefined) throw partitionGone(ref); // no other condition left; not expected
    throw new SamsaError(
      'OFFSET_MISMATCH',
      `Expected the next offset of '${ref.topic.name}' partition ${ref.partition} to be ${expectedOffset}; it is ${current}. Nothing was written.`,
      { details: { expectedOffset, nextOffset: Number(current) } },
    );
  }
}

/**
 * The reservation update: ADD one seq and `count` offsets, stamp the time;
 * only on an existing counter whose config version the writer's topic
 * covers (and, for a conditional append, at the expected offset). Returns
 * the counter as it was either way: our seq and base offset, the previous
 * reservation's time, or on failure what failed. The interval's checkpoint
 * rides along (if_not_exists: only the interval's first reservation sets it;
 * every operand is the item as it was before this update), so it is recorded
 * by the same write that makes it true, whatever happens to the writer next.
 */
export function reserveUpdate(count: number, now: number, topicVersion: number, expectedOffset?: number, landedMark?: number, jsonBytes?: number) {
  const expect = expectedOffset !== undefined;
  const mark = landedMark !== undefined;
  const sized = jsonBytes !== undefined;
  const k = checkpointNames(intervalOf(now));
  return {
    // `mt`: an activity mark this writer saw land (activity.ts). Any landed mark is a true value, so
    // overwriting a newer one is safe: it only makes the next writers mark again.
    // `nb`: the records' JSON bytes so far (record-size.ts), for the group poll's read plan.
    UpdateExpression:
      `ADD #seq :one, #next :n${sized ? ', nb :nb' : ''} SET ra = :now${mark ? ', mt = :mt' : ''}` +
      ', #ks = if_not_exists(#ks, #seq), #ka = if_not_exists(#ka, ra), #ko = if_not_exists(#ko, #next)',
    ConditionExpression: `attribute_exists(pk) AND (attribute_not_exists(cv) OR cv <= :v)${expect ? ' AND #next = :expected' : ''}`,
    ExpressionAttributeNames: { '#seq': 'seq', '#next': 'next', '#ks': k.seq, '#ka': k.at, '#ko': k.offset },
    ExpressionAttributeValues: {
      ':one': 1,
      ':n': count,
      ':now': now,
      ':v': topicVersion,
      ...(expect ? { ':expected': expectedOffset } : {}),
      ...(mark ? { ':mt': landedMark } : {}),
      ...(sized ? { ':nb': jsonBytes } : {}),
    },
    ReturnValues: 'ALL_OLD' as const,
    ReturnValuesOnConditionCheckFailure: 'ALL_OLD' as const,
  };
}

/**
 * The topic changed (alter-configs, create-partitions) after the writer's
 * copy was read: nothing was reserved; re-read the topic and route the
 * records again. Retriable if it reaches a caller.
 */
export class TopicChanged extends SamsaError {
  constructor(
    ref: PartitionRef,
    readonly counterVersion: number,
  ) {
    super('CONCURRENT_MODIFICATION', `Topic '${ref.topic.name}' changed while this request ran; retry it.`);
  }
}

/** Moves the stable cursor forward; a no-op when another reader already moved it as far. */
export async function advanceCursor(ctx: LibContext, ref: PartitionRef, cur: number, co: number): Promise<void> {
  try {
    await ctx.ddb.send(
      new UpdateCommand({
        TableName: ctx.tables.log,
        Key: { pk: ref.pk, sk: COUNTER_SK },
        UpdateExpression: 'SET cur = :cur, co = :co',
        ConditionExpression: 'attribute_exists(pk) AND cur < :cur',
        ExpressionAttributeValues: { ':cur': cur, ':co': co },
      }),
    );
  } catch (err) {
    if (!(err instanceof ConditionalCheckFailedException)) throw err;
  }
}

/** Moves the log start forward (retention, delete-records) or records its reservedAt; never backwards. */
export async function advanceLogStart(
  ctx: LibContext,
  ref: PartitionRef,
  ls: number,
  lo: number,
  lra: number | undefined,
): Promise<void> {
  try {
    await ctx.ddb.send(
      new UpdateCommand({
        TableName: ctx.tables.log,
        Key: { pk: ref.pk, sk: COUNTER_SK },
        UpdateExpression: lra === undefined ? 'SET ls = :ls, lo = :lo REMOVE lra' : 'SET ls = :ls, lo = :lo, lra = :lra',
        ConditionExpression: 'attribute_exists(pk) AND ls <= :ls AND lo <= :lo',
        ExpressionAttributeValues: { ':ls': ls, ':lo': lo, ...(lra === undefined ? {} : { ':lra': lra }) },
      }),
    );
  } catch (err) {
    if (!(err instanceof ConditionalCheckFailedException)) throw err;
  }
}

function partitionGone(ref: PartitionRef): SamsaError {
  return new SamsaError(
    'UNKNOWN_TOPIC_OR_PARTITION',
    `Topic '${ref.topic.name}' partition ${ref.partition} no longer exists (the topic was deleted).`,
  );
}

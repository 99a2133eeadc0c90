/**
 * Reservation-time checkpoints: "every seq below S was reserved by T".
 *
 * Behaviour: the first reservation of every six-hour interval I records, in
 * the reservation update itself, S = its own seq, T = the previous
 * reservation's time and O = its base offset, as the counter attributes
 * `k<I>s`, `k<I>a`, `k<I>o` (if_not_exists, so later reservations of I leave
 * them alone). Its writer also puts the checkpoint as an item of its own,
 * beside the partition (sk = S), and copies any older interval's checkpoint
 * still on the counter to an item before removing it there, so the counter
 * holds the current interval's checkpoint and, at most briefly, older ones.
 * A reader that finds batches missing below the cursor-less part of a
 * partition uses the newest checkpoint older than both the retention cutoff
 * and the abort bound to tell batches TTL deleted long ago (expired: the log
 * start moves past them) from a dead writer's gap (aborted after the bound).
 * Being in the reservation update, the checkpoint cannot be lost by a writer
 * that dies right after reserving — the items alone could be.
 * Errors: none surface; the copies are retried for as long as the writer
 * tries its batch, then left to the next interval's first writer.
 * Cost: per partition and interval, one checkpoint put (1 WRU) and, when an
 * older checkpoint is on the counter, one more put and one counter update;
 * a reader's lookup is one Query of a few dozen small items, only when it
 * meets a missing batch it cannot otherwise date.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { LibContext } from '../context';
import { toSamsaError } from '../errors';
import { checkpointKeys, COUNTER_SK } from '../storage/keys';
import { queryPages } from '../storage/query-all';
import type { CounterState, Reservation } from './counter';
import type { PartitionRef } from './partition';

export const CHECKPOINT_EVERY_MS = 6 * 3_600_000;

export interface Checkpoint {
  interval: number;
  /** Every seq below this one … */
  seq: number;
  /** … was reserved no later than this (ms since the epoch). */
  at: number;
  /** The base offset of seq `seq`. */
  offset: number;
}

export function intervalOf(ms: number): number {
  return Math.floor(ms / CHECKPOINT_EVERY_MS);
}

/** The counter attributes that hold interval I's checkpoint. */
export function checkpointNames(interval: number): { seq: string; at: string; offset: string } {
  return { seq: `k${interval}s`, at: `k${interval}a`, offset: `k${interval}o` };
}

const NAME = /^k(\d+)s$/;

/** The checkpoints held on a counter item (plain attributes), oldest first; incomplete ones are ignored. */
export function pendingCheckpoints(item: Record<string, unknown>): Checkpoint[] {
  const found: Checkpoint[] = [];
  for (const [name, seq] of Object.entries(item)) {
    const m = NAME.exec(name);
    if (m === null || typeof seq !== 'number') continue;
    const interval = Number(m[1]);
    const names = checkpointNames(interval);
    const at = item[names.at];
    const offset = item[names.offset];
    if (typeof at === 'number' && typeof offset === 'number') found.push({ interval, seq, at, offset });
  }
  return found.sort((a, b) => a.seq - b.seq);
}

/** The update that removes copied checkpoints from the counter; never creates a counter that is gone. */
export function removeCheckpointsUpdate(intervals: number[]) {
  const names: Record<string, string> = {};
  const paths: string[] = [];
  intervals.forEach((interval, i) => {
    const n = checkpointNames(interval);
    for (const [j, attr] of [n.seq, n.at, n.offset].entries()) {
      names[`#k${i}_${j}`] = attr;
      paths.push(`#k${i}_${j}`);
    }
  });
  return { UpdateExpression: `REMOVE ${paths.join(', ')}`, ConditionExpression: 'attribute_exists(pk)', ExpressionAttributeNames: names };
}

/**
 * The due writer's part: its own checkpoint and any older one left on the counter become items;
 * then the older ones leave the counter. Retriable failures are retried, with backoff, for as long
 * as the writer tries its batch (the produce request waits for both), then given up: the counter
 * still holds what was not copied, for readers and for the next interval's first writer.
 */
export async function writeCheckpoint(ctx: LibContext, ref: PartitionRef, r: Reservation, ttl: number | undefined): Promise<void> {
  if (r.checkpointAt === undefined) return;
  const copies: Checkpoint[] = [...(r.pending ?? []), { interval: intervalOf(r.reservedAt), seq: r.seq, at: r.checkpointAt, offset: r.baseOffset }];
  const giveUpAt = r.reservedAt + ctx.limits.abortAfterMs - ctx.limits.maxClockSkewMs;
  const retrying = async (send: () => Promise<unknown>): Promise<boolean> => {
    for (let i = 0; ; i++) {
      try {
        await send();
        return true;
      } catch (err) {
        if (err instanceof ConditionalCheckFailedException) return true; // the counter is gone: nothing to clean
        if (!toSamsaError(err).retriable || ctx.clock.now() >= giveUpAt) return false;
        await new Promise((resolve) => setTimeout(resolve, Math.min(1_000, 50 * 2 ** i)));
      }
    }
  };
  const puts = await Promise.all(
    copies.map((c) =>
      retrying(() =>
        ctx.ddb.send(
          new PutCommand({
            TableName: ctx.tables.log,
            Item: { ...checkpointKeys.checkpoint(ref.pk, c.seq), at: c.at, o: c.offset, ...(ttl === undefined ? {} : { ttl }) },
          }),
        ),
      ),
    ),
  );
  const copied = (r.pending ?? []).filter((_, i) => puts[i] === true).map((c) => c.interval);
  if (copied.length === 0) return;
  await retrying(() => ctx.ddb.send(new UpdateCommand({ TableName: ctx.tables.log, Key: { pk: ref.pk, sk: COUNTER_SK }, ...removeCheckpointsUpdate(copied) })));
}

/**
 * The last checkpoint at or after `fromSeq` taken before `before`: every seq below it was reserved
 * before then. Reads the items (six-hourly, so a few dozen small ones) and the counter's own.
 */
export async function lastCheckpointBefore(
  ctx: LibContext,
  ref: PartitionRef,
  counter: CounterState,
  fromSeq: number,
  before: number,
): Promise<{ seq: number; offset: number } | undefined> {
  let found: { seq: number; offset: number } | undefined;
  const consider = (seq: number, at: number, offset: number): void => {
    if (seq >= fromSeq && at < before && (found === undefined || seq > found.seq)) found = { seq, offset };
  };
  for (const c of counter.pending) consider(c.seq, c.at, c.offset);
  const pages = queryPages(ctx.ddb, {
    TableName: ctx.tables.log,
    KeyConditionExpression: 'pk = :pk AND sk >= :from',
    ExpressionAttributeValues: { ':pk': checkpointKeys.pk(ref.pk), ':from': fromSeq },
  });
  for await (const page of pages) {
    for (const item of page) {
      // In seq order and so in time order: nothing after the first too-new one qualifies.
      if ((item.at as number) >= before) return found;
      consider(item.sk as number, item.at as number, item.o as number);
    }
  }
  return found;
}

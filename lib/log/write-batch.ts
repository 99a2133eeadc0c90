/**
 * Settles a reservation with its batch.
 * Behaviour: writes chunk items (if any), then the batch item at its seq with
 * `attribute_not_exists`, so a seq is settled at most once — by this batch or
 * by a reader's abort marker, whichever lands first. An ambiguous failure
 * (timeout, 5xx) is retried; a condition failure against our own nonce means
 * an earlier attempt landed (success, no duplicate). The writer stops trying
 * at reservedAt + abortAfterMs − skew, before any reader may abort the seq,
 * and then aborts its own reservation so readers need not wait.
 * Errors: RESERVATION_ABORTED (retriable; nothing of the batch is visible),
 * storage errors once the deadline passed.
 * Cost: one put of the batch size (1 WRU per started KB, +1 for the index
 * entry); chunked batches add one put per chunk. At most once a second per
 * busy partition, the activity mark (activity.ts) in parallel: ≈ 1 WRU, and
 * ≈ 1 WRU on the counter after it.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { buildersOf } from '../builders';
import type { LibContext } from '../context';
import { SamsaError, toSamsaError } from '../errors';
import { markerItem, type BuiltBatch } from './batch-item';
import type { Reservation } from './counter';

export type SettleOutcome = 'written' | 'aborted';

export async function writeBatch(ctx: LibContext, built: BuiltBatch, reservation: Reservation, retentionMs: number): Promise<void> {
  const deadline = reservation.reservedAt + ctx.limits.abortAfterMs - ctx.limits.maxClockSkewMs;
  try {
    await settleBatch(ctx, built, reservation, retentionMs, deadline);
  } finally {
    // The partition's activity mark (activity.ts) ran alongside since the reservation: no extra
    // sequential round trip. Awaited either way: a frozen Lambda would drop a mark still retrying.
    await reservation.marked;
  }
}

async function settleBatch(ctx: LibContext, built: BuiltBatch, reservation: Reservation, retentionMs: number, deadline: number): Promise<void> {
  for (const chunk of built.chunks) {
    await untilDeadline(ctx, deadline, () => ctx.ddbOnce.send(new PutCommand({ TableName: ctx.tables.log, Item: chunk })));
  }
  if (built.chunks.length > 0) ctx.crash?.('produce.afterChunks');
  let outcome: SettleOutcome;
  try {
    outcome = await untilDeadline(ctx, deadline, () => settle(ctx, built.item, built.item.w));
  } catch (err) {
    // Gave up: close our own seq so readers move on at once. If our batch landed after all, that wins.
    const marker = markerItem(built.item.pk, built.item.sk, built.item.o, ctx.clock.now(), retentionMs);
    outcome = await settle(ctx, marker, built.item.w).catch(() => {
      throw toSamsaError(err);
    });
    if (outcome === 'written') return;
    throw aborted(reservation);
  }
  if (outcome === 'aborted') throw aborted(reservation);
}

/**
 * Puts `item` at its seq unless the seq is settled. Returns 'written' when the
 * seq holds a batch with `nonce` (ours, possibly from an earlier attempt),
 * 'aborted' when it holds an abort marker.
 */
export async function settle(ctx: LibContext, item: { pk: string; sk: number }, nonce: string): Promise<SettleOutcome> {
  try {
    await ctx.ddbOnce.send(new PutCommand(buildersOf(ctx).settlePut(ctx.tables.log, item, true)));
    return 'ab' in item ? 'aborted' : 'written';
  } catch (err) {
    if (!(err instanceof ConditionalCheckFailedException)) throw err;
    const old = err.Item === undefined ? undefined : unmarshall(err.Item);
    if (old?.ab !== undefined) return 'aborted';
    if (old?.w === nonce) return 'written';
    throw new SamsaError('INTERNAL_ERROR', `seq ${item.sk} of ${item.pk} holds another writer's batch`);
  }
}

async function untilDeadline<T>(ctx: LibContext, deadline: number, attempt: () => Promise<T>): Promise<T> {
  for (let i = 0; ; i++) {
    if (ctx.clock.now() >= deadline) throw new SamsaError('REQUEST_TIMED_OUT', 'Batch write did not complete in time.');
    try {
      return await attempt();
    } catch (err) {
      const samsa = toSamsaError(err);
      if (!samsa.retriable) throw err;
      if (samsa.code === 'THROTTLED') ctx.events?.({ type: 'throttleRetried', operation: 'settleBatch' });
      await new Promise((r) => setTimeout(r, Math.min(1_000, 20 * 2 ** i) * (0.5 + Math.random() / 2)));
    }
  }
}

function aborted(r: Reservation): SamsaError {
  return new SamsaError(
    'RESERVATION_ABORTED',
    `The batch for offsets ${r.baseOffset}..${r.baseOffset + r.count - 1} was not written in time and was aborted; nothing of it is visible. Retry the request.`,
  );
}

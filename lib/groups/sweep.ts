/**
 * Member liveness without reading every member on every heartbeat: a sweep
 * marker on the group item.
 * Behaviour:
 * - The group item records `sweptAt`: when a heartbeat last read every
 *   member item, removed those past their timeouts and recomputed the
 *   target if the members no longer match it. A heartbeat that finds the
 *   marker at least one heartbeat interval old claims the sweep by
 *   compare-and-set on the marker and runs it; every other heartbeat reads
 *   only its own member item and the group item. So one heartbeat per
 *   interval scans the members, whatever the group size, and a member that
 *   went silent is removed within its session timeout (+ half an interval,
 *   state.ts) + one interval, as soon as any member heartbeats.
 * - Every removal (a leave, an admin's, a lease take from a timed-out
 *   owner) sets the marker to 0 after releasing the leases, so the next
 *   heartbeat of any member sweeps and hands the partitions on. A removal
 *   whose marker write is lost is caught by the next periodic sweep.
 * - A marker further ahead than one interval (a clock that jumped back)
 *   counts as due: it must not silence the sweeps.
 * Errors: none; a lost claim is a conflict (the heartbeat retries).
 * Cost: a claim or a mark is 1 conditional UpdateItem of the group item
 * (≈ its size in KB, WRU): one claim per interval per group.
 */
import { UpdateCommand, type UpdateCommandInput } from '@aws-sdk/lib-dynamodb';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import type { LibContext } from '../context';
import { metaKeys } from '../storage/keys';
import type { GroupItem } from './state';

export function sweepDue(g: GroupItem, now: number, intervalMs: number): boolean {
  const at = g.sweptAt ?? 0;
  return now - at >= intervalMs || at - now > intervalMs;
}

/** The claim: sets the marker to `now` if it still holds what the claimer read (absent on items older than sweeps). */
export function claimSweepRequest(table: string, group: string, seen: number | undefined, now: number): UpdateCommandInput {
  return {
    TableName: table,
    Key: metaKeys.group(group),
    UpdateExpression: 'SET sweptAt = :now',
    ConditionExpression: seen === undefined ? 'attribute_exists(pk) AND attribute_not_exists(sweptAt)' : 'sweptAt = :seen',
    ExpressionAttributeValues: { ':now': now, ...(seen === undefined ? {} : { ':seen': seen }) },
  };
}

/** The mark after a removal: the next heartbeat sweeps. Only on an existing group item (never creates one). */
export function markSweepRequest(table: string, group: string): UpdateCommandInput {
  return {
    TableName: table,
    Key: metaKeys.group(group),
    UpdateExpression: 'SET sweptAt = :zero',
    ConditionExpression: 'attribute_exists(pk)',
    ExpressionAttributeValues: { ':zero': 0 },
  };
}

/** True when this heartbeat won the sweep. */
export async function claimSweep(ctx: LibContext, group: string, g: GroupItem, now: number): Promise<boolean> {
  try {
    await ctx.ddb.send(new UpdateCommand(claimSweepRequest(ctx.tables.meta, group, g.sweptAt, now)));
    return true;
  } catch (err) {
    if (err instanceof ConditionalCheckFailedException) return false;
    throw err;
  }
}

export async function markSweep(ctx: LibContext, group: string): Promise<void> {
  try {
    await ctx.ddb.send(new UpdateCommand(markSweepRequest(ctx.tables.meta, group)));
  } catch (err) {
    // No group item: nothing computed a target that could still name the member.
    if (!(err instanceof ConditionalCheckFailedException)) throw err;
  }
}

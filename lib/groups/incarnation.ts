/**
 * Member incarnations: an earlier incarnation of a member id can never be
 * taken for a later one.
 * Behaviour:
 * - A member id lives through incarnations. A join (memberEpoch 0) starts
 *   one; leaving, an admin's removal, or removal after the session or
 *   rebalance timeout ends it. The SDK keeps its member id when it re-joins,
 *   so the same id coming back is the normal case, not an exotic one.
 * - Epochs never repeat across the incarnations of one member id. Before a
 *   member item is deleted, its epoch is written to the id's retired item
 *   (`retired#<memberId>`; the write only ever raises it), and a join starts
 *   above max(retired epoch, the live item's epoch, the group epoch). The
 *   retired item outlives the member item and the group's deletion: it is
 *   the only memory of an incarnation that has ended.
 * - Each member item records `joinEpoch`, the first epoch of its
 *   incarnation. Every epoch the incarnation was ever given lies in
 *   [joinEpoch, epoch]; an epoch below it belongs to an earlier incarnation,
 *   an epoch above `epoch` was never issued.
 * - So fencing is one rule everywhere: heartbeats and polls accept only the
 *   current epoch (or the previous one after a lost response, never below
 *   joinEpoch); a commit needs joinEpoch ≤ e ≤ epoch on the member item, and
 *   `owner = me AND joinEpoch ≤ ownerEpoch ≤ e` on the partition's lease.
 *   A join re-takes every lease under its new epoch, so a lease that names
 *   the member id with an ownerEpoch below joinEpoch is left over from an
 *   earlier incarnation: it is free for any member to take.
 * Errors: none of its own; callers answer FENCED_MEMBER_EPOCH or
 * UNKNOWN_MEMBER_ID.
 * Cost: 1 small conditional write (1 WRU) before each member removal;
 * 1 strong GetItem (0.5 RRU) when a member id without a live item joins.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, UpdateCommand, type GetCommandInput, type UpdateCommandInput } from '@aws-sdk/lib-dynamodb';
import { buildersOf } from '../builders';
import type { LibContext } from '../context';
import { metaKeys } from '../storage/keys';

/** The write that raises a member id's retired epoch to `epoch` (and never lowers it). */
export function retireRequest(table: string, group: string, memberId: string, epoch: number): UpdateCommandInput {
  return {
    TableName: table,
    Key: metaKeys.retiredMember(group, memberId),
    UpdateExpression: 'SET lastEpoch = :e',
    ConditionExpression: 'attribute_not_exists(lastEpoch) OR lastEpoch < :e',
    ExpressionAttributeValues: { ':e': epoch },
  };
}

/**
 * Records that an incarnation that reached `epoch` is ending. Called BEFORE its member item is
 * deleted: a crash in between leaves the member alive with a retired epoch at most its own, which
 * is harmless, whereas the other order could lose the only record of the epochs it was given.
 */
export async function retire(ctx: LibContext, group: string, memberId: string, epoch: number): Promise<void> {
  try {
    await ctx.ddb.send(new UpdateCommand(retireRequest(ctx.tables.meta, group, memberId, epoch)));
  } catch (err) {
    // Already at or above `epoch`: a later incarnation ended too, or a retry of this one.
    if (!(err instanceof ConditionalCheckFailedException)) throw err;
  }
}

/** The highest epoch an ended incarnation of `memberId` held; 0 when none has ended. */
export async function retiredEpoch(ctx: LibContext, group: string, memberId: string): Promise<number> {
  const get = buildersOf(ctx).retiredEpochGet(ctx.tables.meta, group, memberId);
  if (get === undefined) return 0;
  const out = await ctx.ddb.send(new GetCommand(get));
  const last = out.Item?.lastEpoch;
  return typeof last === 'number' ? last : 0;
}

/** The strong read of a member id's retired epoch. */
export function retiredEpochGet(table: string, group: string, memberId: string): GetCommandInput {
  return { TableName: table, Key: metaKeys.retiredMember(group, memberId), ConsistentRead: true };
}

export interface Incarnation {
  joinEpoch: number;
  epoch: number;
}

/** Where an epoch a member sent stands against its live incarnation [joinEpoch, epoch]. */
export function placeEpoch(member: { joinEpoch: number; epoch: number }, sent: number): 'current' | 'earlier-incarnation' | 'never-issued' {
  if (sent < member.joinEpoch) return 'earlier-incarnation';
  if (sent > member.epoch) return 'never-issued';
  return 'current';
}

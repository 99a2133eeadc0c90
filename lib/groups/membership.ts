/**
 * Member items: a join's placeholder, the compare-and-set write of a
 * member's state, and removing a member — on leave, session expiry, a
 * missed rebalance timeout, or an admin's request.
 * Behaviour of a removal: the member's epoch is first recorded as the
 * member id's retired epoch (incarnation.ts), so a later incarnation of the
 * id starts above it; then the member item goes, conditional on the state
 * we judged (a heartbeat that raced us keeps the member alive); then its
 * leases are released; then the group is marked for a sweep (sweep.ts), so
 * the next heartbeat recomputes the target without it. A crash after the
 * delete leaves leases naming a member that no longer exists, which the
 * next owner takes over by compare-and-set.
 * Errors: none of its own; a lost compare-and-set of a member write is a
 * Conflict (the heartbeat retries).
 * Cost: a member write is 1 Put (≈ 1 WRU); a removal 1 write of the
 * retired epoch, 1 conditional delete, 1 write per lease, 1 group update.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { LibContext } from '../context';
import { metaKeys } from '../storage/keys';
import { retire } from './incarnation';
import { releaseLeases } from './leases';
import { memberToItem, type MemberItem } from './state';
import { markSweep } from './sweep';

/** A concurrent change won a compare-and-set: the heartbeat reads again and redoes its work. */
export class Conflict extends Error {}

/**
 * Returns false when the member changed since it was read (it is alive after all). `sweep: false`
 * from a sweep, which recomputes the target itself.
 */
export async function removeMember(ctx: LibContext, group: string, member: MemberItem, opts: { sweep?: boolean } = {}): Promise<boolean> {
  await retire(ctx, group, member.memberId, member.epoch);
  try {
    await ctx.ddb.send(
      new DeleteCommand({
        TableName: ctx.tables.meta,
        Key: metaKeys.member(group, member.memberId),
        ConditionExpression: 'epoch = :e AND lastHeartbeat = :hb',
        ExpressionAttributeValues: { ':e': member.epoch, ':hb': member.lastHeartbeat },
      }),
    );
  } catch (err) {
    if (err instanceof ConditionalCheckFailedException) return false;
    throw err;
  }
  await releaseLeases(ctx, group, member.holding, member.memberId);
  if (opts.sweep !== false) await markSweep(ctx, group);
  return true;
}

/** Writes the member's state if it is still the one read (`seen`; undefined: the item must not exist yet). */
export async function putMember(ctx: LibContext, group: string, item: MemberItem, seen: MemberItem | undefined): Promise<void> {
  try {
    await ctx.ddb.send(
      new PutCommand({
        TableName: ctx.tables.meta,
        Item: memberToItem(group, item),
        ConditionExpression: seen === undefined ? 'attribute_not_exists(pk)' : 'epoch = :e AND lastHeartbeat = :hb',
        ...(seen === undefined ? {} : { ExpressionAttributeValues: { ':e': seen.epoch, ':hb': seen.lastHeartbeat } }),
      }),
    );
  } catch (err) {
    // A concurrent heartbeat of the same member won; redo ours against its result.
    if (err instanceof ConditionalCheckFailedException) throw new Conflict();
    throw err;
  }
}

/**
 * A joining member's item, written before anything is computed for it, so a concurrent heartbeat
 * counts it as live: it is never left out of the target, nor its leases taken as a dead member's.
 */
export async function joinPlaceholder(
  ctx: LibContext,
  group: string,
  req: Pick<MemberItem, 'memberId' | 'topics' | 'sessionTimeoutMs' | 'rebalanceTimeoutMs' | 'offsetReset'>,
  now: number,
  retired: number,
): Promise<MemberItem> {
  const item: MemberItem = {
    memberId: req.memberId,
    // Epoch 0 matches no request; joinEpoch already fences every ended incarnation while this one starts.
    epoch: 0,
    joinEpoch: retired + 1,
    prevEpoch: 0,
    assigned: [],
    holding: [],
    topics: req.topics,
    sessionTimeoutMs: req.sessionTimeoutMs,
    rebalanceTimeoutMs: req.rebalanceTimeoutMs,
    lastHeartbeat: now,
    offsetReset: req.offsetReset,
  };
  await putMember(ctx, group, item, undefined);
  return item;
}

/** Registers the group for listing; idempotent. */
export async function registerGroup(ctx: LibContext, group: string, now: number): Promise<void> {
  try {
    await ctx.ddb.send(
      new PutCommand({
        TableName: ctx.tables.meta,
        Item: { ...metaKeys.groupRegistry(group), group, createdAt: now },
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  } catch (err) {
    if (!(err instanceof ConditionalCheckFailedException)) throw err;
  }
}

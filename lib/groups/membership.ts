/**
 * Removing a member — on leave, session expiry, a missed rebalance timeout,
 * or an admin's request. Its epoch is first recorded as the member id's
 * retired epoch (incarnation.ts), so a later incarnation of the id starts
 * above it; then the member item goes, conditional on the state we judged
 * (a heartbeat that raced us keeps the member alive); then its leases are
 * released. A crash after the delete leaves leases naming a member that no
 * longer exists, which the next owner takes over by compare-and-set.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { LibContext } from '../context';
import { metaKeys } from '../storage/keys';
import { retire } from './incarnation';
import { releaseLeases } from './leases';
import type { MemberItem } from './state';

/** Returns false when the member changed since it was read (it is alive after all). */
export async function removeMember(ctx: LibContext, group: string, member: MemberItem): Promise<boolean> {
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
  return true;
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

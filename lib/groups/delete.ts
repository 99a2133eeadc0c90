/**
 * Delete a group (only when it has no live member) and remove one member
 * (an admin kicking a stuck consumer; its partitions move on at once).
 * Behaviour:
 * - Deleting removes the group item, every commit item and the registry
 *   entry. Each delete is conditional on what made the group deletable: a
 *   commit item only while no member owns its partition, the group item only
 *   at the epoch read, and no member item may appear meanwhile. A member that
 *   joins while the group is being deleted is never robbed of a lease it
 *   just took: the delete stops with GROUP_NOT_EMPTY (commits it already
 *   deleted stay deleted; the joiner's lease and commit stay). The member
 *   ids' retired epochs are kept (incarnation.ts), so a member re-joining
 *   the re-created group never reuses an epoch of an earlier incarnation.
 * - Removing a member ends its incarnation like a leave (membership.ts).
 * Errors: GROUP_NOT_EMPTY, GROUP_ID_NOT_FOUND, UNKNOWN_MEMBER_ID,
 * CONCURRENT_MODIFICATION (retriable: the member kept changing).
 * Cost: delete — 1 Query of the group's items (keys only), then 1 small
 * conditional write per item; remove — 1 strong GetItem, 1 write of the
 * retired epoch, 1 conditional delete, 1 write per lease released.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, GetCommand, type DeleteCommandInput } from '@aws-sdk/lib-dynamodb';
import { queryAll } from '../storage/query-all';
import { authorize, type Principal } from '../auth/authorize';
import type { LibContext } from '../context';
import { SamsaError } from '../errors';
import { forEachLimit } from '../for-each-limit';
import { metaKeys } from '../storage/keys';
import { removeMember } from './membership';
import { requireEmpty } from './reset-offsets';
import { memberFromItem } from './state';
import { validateGroupName, validateMemberId } from './validate';

export async function deleteGroup(ctx: LibContext, principal: Principal, group: string): Promise<void> {
  validateGroupName(group);
  await authorize(ctx.authorizer, principal, 'delete', { type: 'group', name: group });
  await requireEmpty(ctx, group, 'delete it');
  const items = await queryAll(ctx.ddb, {
    TableName: ctx.tables.meta,
    KeyConditionExpression: 'pk = :pk',
    ExpressionAttributeValues: { ':pk': metaKeys.groupPk(group) },
    ProjectionExpression: 'pk, sk, epoch',
    ConsistentRead: true,
  });
  const registered = await ctx.ddb.send(new GetCommand({ TableName: ctx.tables.meta, Key: metaKeys.groupRegistry(group) }));
  const deletable = items.filter((item) => !String(item.sk).startsWith('retired#'));
  if (deletable.length === 0 && registered.Item === undefined) throw new SamsaError('GROUP_ID_NOT_FOUND', `Group '${group}' does not exist.`);
  // requireEmpty removed every timed-out member: a member item now is one that joined since.
  if (deletable.some((item) => String(item.sk).startsWith('member#'))) throw joinedMeanwhile(group);
  try {
    await forEachLimit(deletable, 16, async (item) => {
      await ctx.ddb.send(new DeleteCommand(deleteGroupItemRequest(ctx.tables.meta, { pk: String(item.pk), sk: String(item.sk) }, item.epoch)));
    });
  } catch (err) {
    if (err instanceof ConditionalCheckFailedException) throw joinedMeanwhile(group);
    throw err;
  }
  await ctx.ddb.send(new DeleteCommand({ TableName: ctx.tables.meta, Key: metaKeys.groupRegistry(group) }));
}

/** The delete of one item of a group, conditional on the group still being empty as far as that item shows. */
export function deleteGroupItemRequest(table: string, key: { pk: string; sk: string }, epoch: unknown): DeleteCommandInput {
  if (key.sk.startsWith('commit#')) {
    // A lease taken since the check belongs to a member that joined meanwhile: never delete it.
    return { TableName: table, Key: key, ConditionExpression: 'attribute_not_exists(#owner)', ExpressionAttributeNames: { '#owner': 'owner' } };
  }
  if (key.sk === 'group' && typeof epoch === 'number') {
    // A joiner that recomputed the target since the check moved the epoch on.
    return { TableName: table, Key: key, ConditionExpression: 'attribute_not_exists(epoch) OR epoch = :e', ExpressionAttributeValues: { ':e': epoch } };
  }
  return { TableName: table, Key: key };
}

function joinedMeanwhile(group: string): SamsaError {
  return new SamsaError('GROUP_NOT_EMPTY', `A member joined group '${group}' while it was being deleted; stop its consumers and delete it again.`);
}

export async function removeGroupMember(ctx: LibContext, principal: Principal, group: string, memberId: string): Promise<void> {
  validateGroupName(group);
  validateMemberId(memberId);
  await authorize(ctx.authorizer, principal, 'alter', { type: 'group', name: group });
  for (let attempt = 0; attempt < 8; attempt++) {
    const out = await ctx.ddb.send(new GetCommand({ TableName: ctx.tables.meta, Key: metaKeys.member(group, memberId), ConsistentRead: true }));
    if (out.Item === undefined) throw new SamsaError('UNKNOWN_MEMBER_ID', `Group '${group}' has no member '${memberId}'.`);
    // Conditional on the state read: a heartbeat racing us makes us read it again.
    if (await removeMember(ctx, group, memberFromItem(out.Item))) return;
  }
  throw new SamsaError('CONCURRENT_MODIFICATION', `Member '${memberId}' of group '${group}' kept changing; retry the removal.`);
}

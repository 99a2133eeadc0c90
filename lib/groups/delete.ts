/**
 * Delete a group (only when it has no live member) and remove one member
 * (an admin kicking a stuck consumer; its partitions move on at once).
 * Errors: GROUP_NOT_EMPTY, GROUP_ID_NOT_FOUND, UNKNOWN_MEMBER_ID.
 */
import { BatchWriteCommand, DeleteCommand, GetCommand } from '@aws-sdk/lib-dynamodb';
import { queryAll } from '../storage/query-all';
import { authorize, type Principal } from '../auth/authorize';
import type { LibContext } from '../context';
import { SamsaError } from '../errors';
import { metaKeys } from '../storage/keys';
import { releaseLeases } from './leases';
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
    ProjectionExpression: 'pk, sk',
  });
  const keys = items.map((item) => ({ pk: item.pk as string, sk: item.sk as string }));
  const registered = await ctx.ddb.send(new GetCommand({ TableName: ctx.tables.meta, Key: metaKeys.groupRegistry(group) }));
  if (keys.length === 0 && registered.Item === undefined) throw new SamsaError('GROUP_ID_NOT_FOUND', `Group '${group}' does not exist.`);
  for (let i = 0; i < keys.length; i += 25) {
    let pending = keys.slice(i, i + 25).map((Key) => ({ DeleteRequest: { Key } }));
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt > 8) throw new SamsaError('UNAVAILABLE', 'Could not delete every item of the group; retry.');
      const out = await ctx.ddb.send(new BatchWriteCommand({ RequestItems: { [ctx.tables.meta]: pending } }));
      pending = (out.UnprocessedItems?.[ctx.tables.meta] ?? []) as typeof pending;
    }
  }
  await ctx.ddb.send(new DeleteCommand({ TableName: ctx.tables.meta, Key: metaKeys.groupRegistry(group) }));
}

export async function removeGroupMember(ctx: LibContext, principal: Principal, group: string, memberId: string): Promise<void> {
  validateGroupName(group);
  validateMemberId(memberId);
  await authorize(ctx.authorizer, principal, 'alter', { type: 'group', name: group });
  const out = await ctx.ddb.send(
    new DeleteCommand({ TableName: ctx.tables.meta, Key: metaKeys.member(group, memberId), ReturnValues: 'ALL_OLD' }),
  );
  const member = out.Attributes === undefined ? undefined : memberFromItem(out.Attributes);
  if (member === undefined) throw new SamsaError('UNKNOWN_MEMBER_ID', `Group '${group}' has no member '${memberId}'.`);
  await releaseLeases(ctx, group, member.holding, memberId);
}

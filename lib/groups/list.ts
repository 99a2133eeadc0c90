/**
 * List groups: every group ever joined and not deleted, with its member
 * count (members whose session has not expired).
 * Cost: one Query of the registry, one member Query per group.
 */
import { queryAll } from '../storage/query-all';
import type { Principal } from '../auth/authorize';
import type { LibContext } from '../context';
import type { GroupListing } from '../protocol/responses';
import { metaKeys } from '../storage/keys';
import { isExpired, loadMembers } from './state';

export async function listGroups(ctx: LibContext, principal: Principal): Promise<GroupListing[]> {
  const items = await queryAll(ctx.ddb, {
    TableName: ctx.tables.meta,
    KeyConditionExpression: 'pk = :pk',
    ExpressionAttributeValues: { ':pk': metaKeys.groupRegistryPk },
  });
  const names = items.map((item) => item.sk as string);
  const now = ctx.clock.now();
  const visible = [];
  for (const group of names) {
    if (!(await ctx.authorizer(principal, 'describe', { type: 'group', name: group }))) continue;
    const members = [...(await loadMembers(ctx, group)).values()].filter((m) => !isExpired(m, now)).length;
    visible.push({ group, members, state: members === 0 ? ('Empty' as const) : ('Active' as const) });
  }
  return visible;
}

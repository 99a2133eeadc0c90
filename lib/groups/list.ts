/**
 * List groups: every group ever joined and not deleted, with its state and
 * live-member count — the same definitions describe uses (status.ts).
 * Cost: one Query of the registry; per group visible to the caller, a strong
 * GetItem of its group item and a strong Query of its member items.
 */
import { queryAll } from '../storage/query-all';
import type { Principal } from '../auth/authorize';
import type { LibContext } from '../context';
import type { GroupListing } from '../protocol/responses';
import { metaKeys } from '../storage/keys';
import { loadGroup } from './state';
import { groupState, liveMembers } from './status';

export async function listGroups(ctx: LibContext, principal: Principal): Promise<GroupListing[]> {
  const items = await queryAll(ctx.ddb, {
    TableName: ctx.tables.meta,
    KeyConditionExpression: 'pk = :pk',
    ExpressionAttributeValues: { ':pk': metaKeys.groupRegistryPk },
  });
  const names = items.map((item) => item.sk as string);
  const visible: GroupListing[] = [];
  for (const group of names) {
    if (!(await ctx.authorizer(principal, 'describe', { type: 'group', name: group }))) continue;
    const { group: g, members } = await loadGroup(ctx, group);
    const live = liveMembers(members.values(), ctx.clock.now());
    visible.push({ group, members: live.length, state: groupState(g, live) });
  }
  return visible;
}

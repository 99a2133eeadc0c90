/**
 * Describe a group: state, epoch, members with their epochs, assignments,
 * partitions still being revoked, and last heartbeats.
 * State and live members: status.ts (the same definitions list uses). Members
 * past their session timeout that no request has removed yet are listed with
 * `expired: true`; they count for nothing.
 * Errors: INVALID_GROUP_ID, GROUP_ID_NOT_FOUND (no group item and no live
 * member: never joined, or deleted).
 */
import { authorize, type Principal } from '../auth/authorize';
import type { LibContext } from '../context';
import { SamsaError } from '../errors';
import type { GroupDescription } from '../protocol/responses';
import { toTopicPartitions } from './target';
import { loadGroup } from './state';
import { groupState, liveMembers } from './status';
import { validateGroupName } from './validate';

export type { GroupDescription };

export async function describeGroup(ctx: LibContext, principal: Principal, group: string): Promise<GroupDescription> {
  validateGroupName(group);
  await authorize(ctx.authorizer, principal, 'describe', { type: 'group', name: group });
  const { group: g, members } = await loadGroup(ctx, group);
  const now = ctx.clock.now();
  const live = liveMembers(members.values(), now);
  // Without a group item, live members are a first join in progress (Assigning); without either, no group.
  if (g === undefined && live.length === 0) throw new SamsaError('GROUP_ID_NOT_FOUND', `Group '${group}' does not exist.`);
  const topics = g?.topics ?? {};
  const alive = new Set(live.map((m) => m.memberId));
  const described = [...members.values()]
    .sort((a, b) => a.memberId.localeCompare(b.memberId))
    .map((m) => {
      const target = g?.target[m.memberId] ?? [];
      return {
        memberId: m.memberId,
        memberEpoch: m.epoch,
        topics: m.topics,
        assignment: toTopicPartitions(m.assigned, topics),
        target: toTopicPartitions(target, topics),
        revoking: toTopicPartitions(m.holding.filter((p) => !target.includes(p)), topics),
        lastHeartbeat: new Date(m.lastHeartbeat).toISOString(),
        sessionTimeoutMs: m.sessionTimeoutMs,
        expired: !alive.has(m.memberId),
      };
    });
  return { group, state: groupState(g, live), epoch: g?.epoch ?? 0, members: described };
}

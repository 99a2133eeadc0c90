/**
 * Describe a group: state, epoch, members with their epochs, assignments,
 * partitions still being revoked, and last heartbeats.
 * State: Empty (no live member), Stable (every member holds exactly its
 * target), Reconciling (partitions are still changing hands).
 * Errors: INVALID_GROUP_ID, GROUP_ID_NOT_FOUND.
 */
import { authorize, type Principal } from '../auth/authorize';
import type { LibContext } from '../context';
import { SamsaError } from '../errors';
import type { GroupDescription } from '../protocol/responses';
import { toTopicPartitions } from './heartbeat';
import { isExpired, loadGroup } from './state';
import { validateGroupName } from './validate';

export type { GroupDescription };

export async function describeGroup(ctx: LibContext, principal: Principal, group: string): Promise<GroupDescription> {
  validateGroupName(group);
  await authorize(ctx.authorizer, principal, 'describe', { type: 'group', name: group });
  const { group: g, members } = await loadGroup(ctx, group);
  if (g === undefined) throw new SamsaError('GROUP_ID_NOT_FOUND', `Group '${group}' does not exist.`);
  const now = ctx.clock.now();
  const described = [...members.values()]
    .sort((a, b) => a.memberId.localeCompare(b.memberId))
    .map((m) => {
      const target = g.target[m.memberId] ?? [];
      return {
        memberId: m.memberId,
        memberEpoch: m.epoch,
        topics: m.topics,
        assignment: toTopicPartitions(m.assigned, g.topics),
        target: toTopicPartitions(target, g.topics),
        revoking: toTopicPartitions(m.holding.filter((p) => !target.includes(p)), g.topics),
        lastHeartbeat: new Date(m.lastHeartbeat).toISOString(),
        sessionTimeoutMs: m.sessionTimeoutMs,
        expired: isExpired(m, now),
      };
    });
  const live = described.filter((m) => !m.expired);
  const stable = live.every((m) => JSON.stringify(m.assignment) === JSON.stringify(m.target) && m.revoking.length === 0);
  return { group, state: live.length === 0 ? 'Empty' : stable ? 'Stable' : 'Reconciling', epoch: g.epoch, members: described };
}

/**
 * Group members linked to a WebSocket connection (lib/push/link.ts): the
 * check that a link names a live incarnation, and the leave `$disconnect`
 * makes for it.
 * Behaviour:
 * - A link records (group, member id, epoch). The epoch pins the
 *   incarnation (incarnation.ts): it must lie in the live member's
 *   [joinEpoch, epoch] when the link is made, and again when the connection
 *   ends. An ended incarnation's link is therefore inert: a member id that
 *   re-joined (a new incarnation, on this connection or another) is never
 *   removed by an older connection's `$disconnect`.
 * - The leave is the groups' own removal (membership.ts removeMember: the
 *   retired epoch first, then the conditional delete, the leases, the sweep
 *   mark), exactly what a heartbeat with memberEpoch -1 does, so the group's
 *   next heartbeat rebalances without it. No coordinator of its own.
 * Errors (check): INVALID_GROUP_ID, INVALID_REQUEST, UNKNOWN_MEMBER_ID,
 * FENCED_MEMBER_EPOCH. The leave has none: a member already gone is a no-op.
 * Cost: check 1 strong GetItem of the member (1 RRU). Leave: the same read,
 * then a removal (1 write of the retired epoch, 1 conditional delete, 1
 * write per lease held, 1 group update); a heartbeat racing the delete makes
 * it read again (at most 3 attempts).
 */
import type { LibContext } from '../context';
import { SamsaError } from '../errors';
import { placeEpoch } from './incarnation';
import { removeMember } from './membership';
import { readMember } from './state';
import { validateGroupName, validateMemberId } from './validate';

export async function checkLinkable(ctx: LibContext, group: string, memberId: string, memberEpoch: number): Promise<void> {
  validateGroupName(group);
  validateMemberId(memberId);
  const me = await readMember(ctx, group, memberId);
  if (me === undefined || me.epoch === 0) {
    throw new SamsaError('UNKNOWN_MEMBER_ID', `Member '${memberId}' is not in group '${group}'; join first, then link.`);
  }
  if (placeEpoch(me, memberEpoch) !== 'current') {
    throw new SamsaError('FENCED_MEMBER_EPOCH', `Epoch ${memberEpoch} is not one of member '${memberId}''s current incarnation; rejoin, then link.`);
  }
}

/** Removes the member if its live incarnation is the linked one; true when this call removed it. */
export async function leaveLinked(ctx: LibContext, group: string, memberId: string, memberEpoch: number): Promise<boolean> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const me = await readMember(ctx, group, memberId);
    if (me === undefined || me.epoch === 0 || placeEpoch(me, memberEpoch) !== 'current') return false;
    if (await removeMember(ctx, group, me)) return true;
    // Its heartbeat wrote the item meanwhile: judge the new state.
  }
  return false;
}

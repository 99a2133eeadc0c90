/**
 * A group's state and live members, one definition for list and describe
 * (and so for the CLI and the console), in Kafka's vocabulary (KIP-848):
 * - Empty: no live member.
 * - Assigning: the target assignment is behind the membership — a member
 *   joined and its target is not computed yet, or a member past its session
 *   timeout is still in the target (until a heartbeat settles it: another
 *   member's sweep removes it and recomputes the target, sweep.ts; its own
 *   heartbeat makes it live).
 * - Reconciling: the target is up to date, but some member does not hold
 *   exactly its target yet (it is being given partitions, or still gives
 *   some up).
 * - Stable: every live member holds exactly its target.
 * - Dead: the group item is gone and no member is left: a deleted group
 *   whose registry entry has not been removed yet (delete removes it last).
 *
 * A member is live until its session timeout (plus half a heartbeat
 * interval: its `lastHeartbeat` is written at most that often, state.ts) has
 * passed since its last heartbeat (isExpired, the rule offset resets and
 * deletes apply). A member past it is removed by the next sweep of another
 * member's heartbeat (within one interval, sweep.ts) or a lease take, or
 * made live again by its own late heartbeat; until then describe shows it
 * with `expired: true` and counts it nowhere.
 */
import type { GroupStateName } from '../protocol/responses';
import type { PartitionKey } from './assign';
import { isExpired, type GroupItem, type MemberItem } from './state';

export function liveMembers(members: Iterable<MemberItem>, now: number): MemberItem[] {
  return [...members].filter((m) => !isExpired(m, now));
}

/** `group` undefined: no group item (never written, or deleted). */
export function groupState(group: GroupItem | undefined, live: readonly MemberItem[]): GroupStateName {
  if (group === undefined) return live.length === 0 ? 'Dead' : 'Assigning';
  if (live.length === 0) return 'Empty';
  const targeted = Object.keys(group.members);
  if (targeted.length !== live.length || live.some((m) => group.members[m.memberId] === undefined)) return 'Assigning';
  const reconciled = live.every((m) => holdsExactly(m, group.target[m.memberId] ?? []));
  return reconciled ? 'Stable' : 'Reconciling';
}

function holdsExactly(member: MemberItem, target: readonly PartitionKey[]): boolean {
  const wanted = new Set(target);
  const same = (keys: readonly PartitionKey[]) => keys.length === wanted.size && keys.every((k) => wanted.has(k));
  return same(member.assigned) && same(member.holding);
}

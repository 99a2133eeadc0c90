/**
 * Reconciling one member with its target through the ownership leases
 * (leases.ts), and deciding whether its member item must be written.
 * Behaviour:
 * - The member keeps the partitions it holds that are still in its target
 *   or that it still reports as owned (it is giving them up); releases
 *   those it neither has in its target nor reports; tries to take the rest
 *   of its target (acquire.ts). Its epoch is bumped whenever its assignment
 *   changes, above every epoch the member id was ever given (incarnation.ts).
 * - A re-join (memberEpoch 0) is a new incarnation: it re-takes even the
 *   leases it holds, under its new epoch, so the old incarnation (a zombie
 *   with the same member id) can no longer commit through them.
 * - The member item is written when its state changed, and otherwise only
 *   when its liveness is due (`lastHeartbeat` older than half a heartbeat
 *   interval, state.ts): a poll between heartbeats writes nothing.
 * Errors: MembershipChanged (acquire.ts) when a heartbeat that did not read
 * the members removed a timed-out lease owner.
 * Cost: acquire's and 1 conditional write per lease released.
 */
import type { LibContext } from '../context';
import type { HeartbeatBody } from '../protocol/groups';
import { acquire } from './acquire';
import { comparePartitionKeys, type PartitionKey } from './assign';
import { releaseLeases } from './leases';
import { livenessWriteEvery, type MemberItem } from './state';
import { ownedKeys, type Metadata } from './target';

/** A heartbeat request, validated, with its defaults applied. */
export type HeartbeatInput = Omit<HeartbeatBody, 'topics'> & {
  topics: string[];
  sessionTimeoutMs: number;
  rebalanceTimeoutMs: number;
  offsetReset: 'earliest' | 'latest';
};

export interface ReconcileInput {
  me: MemberItem;
  req: HeartbeatInput;
  target: PartitionKey[];
  metadata: Metadata;
  groupEpoch: number;
  /** The member id's retired epoch (joins only; 0 otherwise). */
  retired: number;
  /** The other live members, when the caller read them all; undefined otherwise (owners are read one by one). */
  live: Map<string, MemberItem> | undefined;
  now: number;
}

/** The member's new state (its leases already taken and released). */
export async function reconcile(ctx: LibContext, group: string, r: ReconcileInput): Promise<MemberItem> {
  const { me, req, target } = r;
  const owned = ownedKeys(req.owned ?? [], r.metadata);
  const nextEpoch = Math.max(me.epoch + 1, r.groupEpoch, r.retired + 1);
  const rejoin = req.memberEpoch === 0;
  const held = me.holding;
  const keep = rejoin ? [] : held.filter((p) => target.includes(p) || owned.has(p));
  const toRelease = held.filter((p) => !target.includes(p) && (rejoin || !owned.has(p)));
  const toAcquire = target.filter((p) => !keep.includes(p));
  const topicNames = new Map([...r.metadata].map(([name, t]) => [t.id, name]));
  const acquired = await acquire(ctx, group, toAcquire, topicNames, req.memberId, nextEpoch, r.live ?? new Map(), { stopOnRemoval: r.live === undefined });
  await releaseLeases(ctx, group, toRelease, req.memberId);

  const newHolding = [...new Set([...keep, ...acquired])].sort(comparePartitionKeys);
  const assigned = newHolding.filter((p) => target.includes(p));
  const changed = rejoin || !sameKeys(assigned, me.assigned);
  const stillRevoking = newHolding.some((p) => !target.includes(p));
  const awaiting = target.some((p) => !newHolding.includes(p));
  return {
    memberId: req.memberId,
    epoch: changed ? nextEpoch : me.epoch,
    joinEpoch: rejoin ? nextEpoch : me.joinEpoch,
    // A join has no previous epoch to fall back on: the ended incarnation's epochs stay fenced.
    prevEpoch: rejoin ? 0 : changed ? me.epoch : me.prevEpoch,
    assigned,
    holding: newHolding,
    topics: req.topics,
    sessionTimeoutMs: req.sessionTimeoutMs,
    rebalanceTimeoutMs: req.rebalanceTimeoutMs,
    lastHeartbeat: r.now,
    offsetReset: req.offsetReset,
    ...(stillRevoking ? { revokeSince: me.revokeSince ?? r.now } : {}),
    ...(awaiting ? { awaiting } : {}),
    topicIds: Object.fromEntries(req.topics.flatMap((name) => (r.metadata.has(name) ? [[name, r.metadata.get(name)!.id]] : []))),
    // Facts about partitions stay true whoever writes the item (caught-up.ts); a rejoin starts without them.
    ...(me.ck === undefined || rejoin ? {} : { ck: me.ck }),
  };
}

/** Whether `next` must be written over `me`: a join, a changed state, or liveness due. */
export function mustWrite(me: MemberItem, next: MemberItem, rejoin: boolean): boolean {
  if (rejoin || !sameState(me, next)) return true;
  return next.lastHeartbeat - me.lastHeartbeat >= livenessWriteEvery(next.sessionTimeoutMs);
}

/** Everything a member item holds but its liveness. */
export function sameState(a: MemberItem, b: MemberItem): boolean {
  return (
    a.epoch === b.epoch &&
    a.joinEpoch === b.joinEpoch &&
    a.prevEpoch === b.prevEpoch &&
    sameKeys(a.assigned, b.assigned) &&
    sameKeys(a.holding, b.holding) &&
    a.topics.join('\n') === b.topics.join('\n') &&
    a.sessionTimeoutMs === b.sessionTimeoutMs &&
    a.rebalanceTimeoutMs === b.rebalanceTimeoutMs &&
    a.offsetReset === b.offsetReset &&
    a.revokeSince === b.revokeSince &&
    (a.awaiting ?? false) === (b.awaiting ?? false) &&
    JSON.stringify(Object.entries(a.topicIds ?? {}).sort()) === JSON.stringify(Object.entries(b.topicIds ?? {}).sort())
  );
}

export function sameKeys(a: readonly PartitionKey[], b: readonly PartitionKey[]): boolean {
  return a.length === b.length && a.every((k, i) => k === b[i]);
}

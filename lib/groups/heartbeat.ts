/**
 * Heartbeat: `POST /v1/groups/{group}/heartbeat` — KIP-848 membership over
 * stateless HTTP.
 * Behaviour:
 * - memberEpoch 0 joins (or re-joins: the client generates its member id, so
 *   a lost join response leaves no phantom) and starts a new incarnation of
 *   the member id, whose epochs are above every epoch an earlier incarnation
 *   held (incarnation.ts); -1 leaves; otherwise the epoch must be the
 *   member's current one, or its previous one in the same incarnation when
 *   everything it owns is still assigned to it (its last response was lost).
 *   The member item is read strongly on every heartbeat: fencing never
 *   judges a stale copy.
 * - A steady heartbeat reads its member item, the group item and its own
 *   topics, and reconciles the member with its target (reconcile.ts: the
 *   ownership leases; the member item is written only when its state
 *   changed or its liveness is due). It goes the full way — every member
 *   item read — when it joins, when its subscriptions or topics differ from
 *   what the target was computed from (target.ts), and when it wins the
 *   group's sweep (sweep.ts: once per heartbeat interval per group, and
 *   after every removal). The full way removes members past their session
 *   or rebalance timeout, recomputes the target if the members changed, and
 *   then reconciles. A lease held by a timed-out member is taken only after
 *   removing it (acquire.ts), so a member late but not yet removed carries on.
 * - A poll between heartbeats (poll.ts) may answer from the member item
 *   alone (`steadyAnswer`): same epoch, owns exactly what it holds, takes
 *   nothing, liveness not due. It learns of a new target at its next due
 *   heartbeat, within half a heartbeat interval.
 * Errors: INVALID_GROUP_ID, INVALID_REQUEST, UNKNOWN_MEMBER_ID,
 * FENCED_MEMBER_EPOCH (rejoin with epoch 0), GROUP_MAX_SIZE_REACHED,
 * CONCURRENT_MODIFICATION (retriable, after internal retries).
 * Cost (steady state, whatever the group size): 1 strong GetItem of the
 * member (1 RRU), 1 of the group (1 RRU per 4 KB), 1 per subscribed topic;
 * a member put (≈ 1 WRU) only when due. The sweeping heartbeat adds a
 * strong Query of the member items (~0.5 KB each) and 1 group update; a
 * join a strong GetItem of the member id's retired epoch. Rebalances add
 * the group write and one lease write per partition that changes hands.
 */
import { authorize, type Principal } from '../auth/authorize';
import type { LibContext } from '../context';
import { SamsaError } from '../errors';
import type { HeartbeatBody, TopicPartitions } from '../protocol/groups';
import { validateTopicName } from '../topics/validate';
import { partitionKey } from './assign';
import { MembershipChanged } from './acquire';
import { retiredEpoch } from './incarnation';
import { Conflict, joinPlaceholder, putMember, removeMember } from './membership';
import { mustWrite, reconcile, sameKeys, type HeartbeatInput } from './reconcile';
import { RequestTopics } from './request-topics';
import { emptyGroup, heartbeatInterval, livenessWriteEvery, loadGroup, readGroup, readMember, timedOut, type GroupItem, type MemberItem } from './state';
import { claimSweep, sweepDue } from './sweep';
import { ownedKeys, sameMembership, sameTopics, toTopicPartitions, topicMetadata, writeTarget, type Metadata } from './target';
import { boundedTimeout, REBALANCE_TIMEOUT, SESSION_TIMEOUT, validateGroupName, validateMemberId } from './validate';

export type { HeartbeatInput } from './reconcile';

export interface HeartbeatResult {
  memberId: string;
  memberEpoch: number;
  assignment: TopicPartitions[];
  heartbeatIntervalMs: number;
}

/** A heartbeat's result and, for the poll, the id of each subscribed topic the assignment names. */
export interface Beat {
  result: HeartbeatResult;
  topicIds: Map<string, string>;
}

const MAX_SUBSCRIBED_TOPICS = 100;

export async function heartbeat(ctx: LibContext, principal: Principal, group: string, req: HeartbeatBody): Promise<HeartbeatResult> {
  const input = heartbeatInput(group, req);
  await authorize(ctx.authorizer, principal, 'read', { type: 'group', name: group });
  for (const t of input.topics) await authorize(ctx.authorizer, principal, 'describe', { type: 'topic', name: t });
  return (await beat(ctx, group, input, new RequestTopics(ctx))).result;
}

/** Validates a heartbeat (or the heartbeat part of a poll) and applies its defaults. */
export function heartbeatInput(group: string, req: HeartbeatBody): HeartbeatInput {
  validateGroupName(group);
  validateMemberId(req.memberId);
  if (req.memberEpoch < -1) throw new SamsaError('INVALID_REQUEST', 'memberEpoch must be -1 (leave), 0 (join) or an epoch the server gave.');
  const topics = [...new Set(req.topics ?? [])].sort();
  if (topics.length > MAX_SUBSCRIBED_TOPICS) throw new SamsaError('INVALID_REQUEST', `A member may subscribe to at most ${MAX_SUBSCRIBED_TOPICS} topics.`);
  for (const t of topics) validateTopicName(t);
  const sessionTimeoutMs = boundedTimeout(req.sessionTimeoutMs, SESSION_TIMEOUT, 'sessionTimeoutMs');
  const rebalanceTimeoutMs = boundedTimeout(req.rebalanceTimeoutMs, REBALANCE_TIMEOUT, 'rebalanceTimeoutMs');
  return { ...req, topics, sessionTimeoutMs, rebalanceTimeoutMs, offsetReset: req.offsetReset ?? 'latest' };
}

/**
 * The heartbeat of a request already validated and authorized (heartbeat, poll). `seen`: the member
 * item as the caller just read it strongly, used by the first attempt.
 */
export async function beat(
  ctx: LibContext,
  group: string,
  input: HeartbeatInput,
  topics: RequestTopics,
  seen?: { member: MemberItem | undefined },
): Promise<Beat> {
  let full = false;
  for (let attempt = 0; attempt < 8; attempt++) {
    try {
      return await beatOnce(ctx, group, input, topics, full, attempt === 0 ? seen : undefined);
    } catch (err) {
      if (err instanceof MembershipChanged) {
        full = true; // it removed a member that the target still names: recompute before taking anything
        continue;
      }
      if (!(err instanceof Conflict)) throw err;
      ctx.events?.({ type: 'conflictRetried', operation: 'groupHeartbeat' });
      await new Promise((r) => setTimeout(r, 10 + Math.random() * 20 * 2 ** attempt));
    }
  }
  throw new SamsaError('CONCURRENT_MODIFICATION', `Group '${group}' is changing too fast; retry the heartbeat.`);
}

async function beatOnce(
  ctx: LibContext,
  group: string,
  req: HeartbeatInput,
  topics: RequestTopics,
  full: boolean,
  seen: { member: MemberItem | undefined } | undefined,
): Promise<Beat> {
  const now = ctx.clock.now();
  const intervalMs = heartbeatInterval(req.sessionTimeoutMs);
  if (req.memberEpoch === -1) {
    // Leaving is idempotent; a heartbeat of the same member racing the removal makes us look again.
    const me = seen?.member ?? (await readMember(ctx, group, req.memberId));
    if (me !== undefined && !(await removeMember(ctx, group, me))) throw new Conflict();
    return { result: { memberId: req.memberId, memberEpoch: -1, assignment: [], heartbeatIntervalMs: intervalMs }, topicIds: new Map() };
  }
  if (req.memberEpoch === 0 || full) return fullBeat(ctx, group, req, topics, now, intervalMs);

  const [me, g, metadata] = await Promise.all([
    seen === undefined ? readMember(ctx, group, req.memberId) : Promise.resolve(seen.member),
    readGroup(ctx, group),
    topicMetadata(topics, req.topics),
  ]);
  checkEpoch(me, req, g);
  if (g === undefined || g.members[req.memberId]?.topics.join('\n') !== req.topics.join('\n') || !sameTopics(g, metadata, req.topics)) {
    return fullBeat(ctx, group, req, topics, now, intervalMs);
  }
  if (sweepDue(g, now, intervalMs)) {
    if (!(await claimSweep(ctx, group, g, now))) throw new Conflict(); // another heartbeat sweeps: read what it did
    return fullBeat(ctx, group, req, topics, now, intervalMs);
  }
  const item = await reconcile(ctx, group, { me, req, target: g.target[req.memberId] ?? [], metadata, groupEpoch: g.epoch, retired: 0, live: undefined, now });
  return finish(ctx, group, me, item, req, metadata, intervalMs);
}

/** Every member item read: removes the timed-out, recomputes the target if the members changed, then reconciles. */
async function fullBeat(ctx: LibContext, group: string, req: HeartbeatInput, topics: RequestTopics, now: number, intervalMs: number): Promise<Beat> {
  // A join also reads the member id's retired epoch, so the new incarnation starts above every old one.
  const [state, ownTopics, retired] = await Promise.all([
    loadGroup(ctx, group),
    topicMetadata(topics, req.topics),
    req.memberEpoch === 0 ? retiredEpoch(ctx, group, req.memberId) : Promise.resolve(0),
  ]);
  let me = state.members.get(req.memberId);
  // A member late for its own session is still a member until some request removes it; nobody takes
  // its partitions before that (acquire.ts removes a timed-out owner first), so a late heartbeat is safe.
  if (req.memberEpoch > 0) checkEpoch(me, req, state.group);

  // Remove members that are gone; one that heartbeats meanwhile survives (conditional delete).
  const live = new Map<string, MemberItem>();
  for (const m of state.members.values()) {
    if (m.memberId === req.memberId) continue;
    if (timedOut(m, now) && (await removeMember(ctx, group, m, { sweep: false }))) continue;
    live.set(m.memberId, m);
  }
  if (me === undefined && live.size >= ctx.limits.maxMembersPerGroup) {
    throw new SamsaError('GROUP_MAX_SIZE_REACHED', `Group '${group}' already has ${live.size} members (the maximum).`);
  }
  me ??= await joinPlaceholder(ctx, group, { ...req, topics: req.topics }, now, retired);

  // The target assignment, recomputed when membership, subscriptions or topic metadata changed.
  const subscriptions: Record<string, string[]> = { [req.memberId]: req.topics };
  for (const m of live.values()) subscriptions[m.memberId] = [...m.topics].sort();
  const metadata: Metadata = new Map([...ownTopics, ...(await topicMetadata(topics, Object.values(subscriptions).flat()))]);
  let g: GroupItem = state.group ?? emptyGroup(now);
  if (state.group === undefined || !sameMembership(g, subscriptions, metadata)) {
    g = await writeTarget(ctx, group, state.group, subscriptions, metadata, now);
  }
  const item = await reconcile(ctx, group, { me, req, target: g.target[req.memberId] ?? [], metadata, groupEpoch: g.epoch, retired, live, now });
  return finish(ctx, group, me, item, req, metadata, intervalMs);
}

async function finish(
  ctx: LibContext,
  group: string,
  me: MemberItem,
  item: MemberItem,
  req: HeartbeatInput,
  metadata: Metadata,
  intervalMs: number,
): Promise<Beat> {
  // A placeholder (epoch 0) is always written over: the join's result.
  if (me.epoch === 0 || mustWrite(me, item, req.memberEpoch === 0)) await putMember(ctx, group, item, me);
  return {
    result: { memberId: req.memberId, memberEpoch: item.epoch, assignment: toTopicPartitions(item.assigned, metadata), heartbeatIntervalMs: intervalMs },
    topicIds: new Map(Object.entries(item.topicIds ?? {})),
  };
}

/**
 * A poll's answer from the member item alone, when its heartbeat has nothing to do: the member sent
 * its current epoch, the same subscriptions and timeouts, owns exactly what it holds (it gives
 * nothing up), waits for nothing, and its liveness is not due. Undefined otherwise: the poll
 * heartbeats. Topics are as the member's last heartbeat read them (≤ half an interval ago).
 */
export function steadyAnswer(me: MemberItem | undefined, req: HeartbeatInput, now: number): Beat | undefined {
  if (me === undefined || me.topicIds === undefined || req.memberEpoch !== me.epoch || me.awaiting === true || me.revokeSince !== undefined) return undefined;
  if (now - me.lastHeartbeat >= livenessWriteEvery(req.sessionTimeoutMs)) return undefined;
  const same =
    me.topics.join('\n') === req.topics.join('\n') &&
    me.sessionTimeoutMs === req.sessionTimeoutMs &&
    me.rebalanceTimeoutMs === req.rebalanceTimeoutMs &&
    me.offsetReset === req.offsetReset &&
    sameKeys(me.holding, me.assigned);
  if (!same) return undefined;
  const topicIds = new Map(Object.entries(me.topicIds));
  const metadata: Metadata = new Map([...topicIds].map(([name, id]) => [name, { id, partitions: 0 }]));
  const owned = ownedKeys(req.owned ?? [], metadata);
  if (owned.size !== me.assigned.length || me.assigned.some((k) => !owned.has(k))) return undefined;
  const assignment = toTopicPartitions(me.assigned, metadata);
  return { result: { memberId: me.memberId, memberEpoch: me.epoch, assignment, heartbeatIntervalMs: heartbeatInterval(req.sessionTimeoutMs) }, topicIds };
}

function checkEpoch(me: MemberItem | undefined, req: HeartbeatInput, group: GroupItem | undefined): asserts me is MemberItem {
  if (me === undefined) {
    throw new SamsaError('UNKNOWN_MEMBER_ID', `Member '${req.memberId}' is not in the group (removed or expired); rejoin with memberEpoch 0.`);
  }
  if (req.memberEpoch === me.epoch) return;
  // Lost response: the member never saw its new epoch, and owns nothing it was not given.
  const owned = (req.owned ?? []).flatMap((tp) =>
    tp.partitions.map((p) => partitionKey(group?.topics[tp.topic]?.id ?? `?${tp.topic}`, p)),
  );
  if (req.memberEpoch === me.prevEpoch && me.prevEpoch >= me.joinEpoch && owned.every((p) => me.assigned.includes(p))) return;
  throw new SamsaError(
    'FENCED_MEMBER_EPOCH',
    `Member '${req.memberId}' sent epoch ${req.memberEpoch}; its epoch is ${me.epoch}. Rejoin with memberEpoch 0.`,
  );
}

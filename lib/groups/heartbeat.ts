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
 * - Members whose session timed out, or that still hold partitions past
 *   their rebalance timeout, are removed by whichever other member's request
 *   sees it first: no background process is needed. Their partitions are
 *   taken only after that removal, so a member that was late but not yet
 *   removed may carry on.
 * - Membership (member items are the truth), subscriptions and the topics'
 *   metadata are compared with what the target assignment was computed from;
 *   any change recomputes it (sticky, even) and writes the group item by
 *   compare-and-set on its epoch. Steady-state heartbeats never write it.
 * - The member then gets the partitions of its target whose ownership lease
 *   it holds or can take (acquire.ts: free, held by a member that is gone, or
 *   left over from an earlier incarnation); a
 *   partition held by a live member is handed over only after that member
 *   stops reporting it as owned. The member epoch is bumped whenever its
 *   assignment changes.
 * Errors: INVALID_GROUP_ID, INVALID_REQUEST, UNKNOWN_MEMBER_ID,
 * FENCED_MEMBER_EPOCH (rejoin with epoch 0), GROUP_MAX_SIZE_REACHED,
 * CONCURRENT_MODIFICATION (retriable, after internal retries).
 * Cost (steady state): 1 strong GetItem of the group, 1 strong Query of the
 * member items (~0.5 KB each), 1 strong GetItem per subscribed topic, 1 put
 * of the member item (1 WRU). A join adds a strong GetItem of the member id's
 * retired epoch; a removal, one write of it. Rebalances add the group write
 * and one lease write per partition that changes hands.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { authorize, type Principal } from '../auth/authorize';
import type { LibContext } from '../context';
import { SamsaError } from '../errors';
import type { HeartbeatBody, TopicPartitions } from '../protocol/groups';
import { findTopic } from '../topics/topic-item';
import { validateTopicName } from '../topics/validate';
import { assign, comparePartitionKeys, parsePartitionKey, partitionKey, type PartitionKey } from './assign';
import { acquire } from './acquire';
import { releaseLeases } from './leases';
import { retiredEpoch } from './incarnation';
import { registerGroup, removeMember } from './membership';
import { emptyGroup, groupToItem, loadGroup, memberToItem, timedOut, type GroupItem, type MemberItem } from './state';
import { boundedTimeout, REBALANCE_TIMEOUT, SESSION_TIMEOUT, validateGroupName, validateMemberId } from './validate';

export interface HeartbeatResult {
  memberId: string;
  memberEpoch: number;
  assignment: TopicPartitions[];
  heartbeatIntervalMs: number;
}

class Conflict extends Error {}

const MAX_SUBSCRIBED_TOPICS = 100;

export async function heartbeat(ctx: LibContext, principal: Principal, group: string, req: HeartbeatBody): Promise<HeartbeatResult> {
  validateGroupName(group);
  validateMemberId(req.memberId);
  if (req.memberEpoch < -1) throw new SamsaError('INVALID_REQUEST', 'memberEpoch must be -1 (leave), 0 (join) or an epoch the server gave.');
  const topics = [...new Set(req.topics ?? [])].sort();
  if (topics.length > MAX_SUBSCRIBED_TOPICS) throw new SamsaError('INVALID_REQUEST', `A member may subscribe to at most ${MAX_SUBSCRIBED_TOPICS} topics.`);
  for (const t of topics) validateTopicName(t);
  const sessionTimeoutMs = boundedTimeout(req.sessionTimeoutMs, SESSION_TIMEOUT, 'sessionTimeoutMs');
  const rebalanceTimeoutMs = boundedTimeout(req.rebalanceTimeoutMs, REBALANCE_TIMEOUT, 'rebalanceTimeoutMs');
  await authorize(ctx.authorizer, principal, 'read', { type: 'group', name: group });
  for (const t of topics) await authorize(ctx.authorizer, principal, 'describe', { type: 'topic', name: t });

  const input = { ...req, topics, sessionTimeoutMs, rebalanceTimeoutMs, offsetReset: req.offsetReset ?? 'latest' } as const;
  for (let attempt = 0; attempt < 8; attempt++) {
    try {
      return await heartbeatOnce(ctx, group, input);
    } catch (err) {
      if (!(err instanceof Conflict)) throw err;
      ctx.events?.({ type: 'conflictRetried', operation: 'groupHeartbeat' });
      await new Promise((r) => setTimeout(r, 10 + Math.random() * 20 * 2 ** attempt));
    }
  }
  throw new SamsaError('CONCURRENT_MODIFICATION', `Group '${group}' is changing too fast; retry the heartbeat.`);
}

type Input = Omit<HeartbeatBody, 'topics'> & {
  topics: string[];
  sessionTimeoutMs: number;
  rebalanceTimeoutMs: number;
  offsetReset: 'earliest' | 'latest';
};

async function heartbeatOnce(ctx: LibContext, group: string, req: Input): Promise<HeartbeatResult> {
  const now = ctx.clock.now();
  // The member's own topics are read alongside the group: usually every member subscribes to the same.
  // A join also reads the member id's retired epoch, so the new incarnation starts above every old one.
  const [state, ownTopics, retired] = await Promise.all([
    loadGroup(ctx, group),
    topicMetadata(ctx, req.memberEpoch === -1 ? [] : req.topics),
    req.memberEpoch === 0 ? retiredEpoch(ctx, group, req.memberId) : Promise.resolve(0),
  ]);
  let me = state.members.get(req.memberId);
  const intervalMs = Math.max(200, Math.min(5_000, Math.floor(req.sessionTimeoutMs / 3)));

  if (req.memberEpoch === -1) {
    // Leaving is idempotent; a heartbeat of the same member racing the removal makes us look again.
    if (me !== undefined && !(await removeMember(ctx, group, me))) throw new Conflict();
    return { memberId: req.memberId, memberEpoch: -1, assignment: [], heartbeatIntervalMs: intervalMs };
  }
  // A member late for its own session is still a member until some request removes it; nobody takes
  // its partitions before that (acquire.ts removes a timed-out owner first), so a late heartbeat is safe.
  if (req.memberEpoch > 0) checkEpoch(me, req, state.group);

  // Lazily remove members that are gone; a member that heartbeats meanwhile survives (conditional delete).
  const live = new Map<string, MemberItem>();
  for (const m of state.members.values()) {
    if (m.memberId === req.memberId) continue;
    if (timedOut(m, now) && (await removeMember(ctx, group, m))) continue;
    live.set(m.memberId, m);
  }
  if (me === undefined && live.size >= ctx.limits.maxMembersPerGroup) {
    throw new SamsaError('GROUP_MAX_SIZE_REACHED', `Group '${group}' already has ${live.size} members (the maximum).`);
  }
  if (me === undefined) {
    // A joining member's item exists before anything is computed for it, so a concurrent heartbeat
    // counts it as live: it is never left out of the target, nor its leases taken as a dead member's.
    me = await joinPlaceholder(ctx, group, req, now, retired);
  }

  // The target assignment, recomputed when membership, subscriptions or topic metadata changed.
  const subscriptions: Record<string, string[]> = { [req.memberId]: req.topics };
  for (const m of live.values()) subscriptions[m.memberId] = [...m.topics].sort();
  const others = Object.values(subscriptions).flat().filter((name) => !req.topics.includes(name));
  const metadata: Metadata = new Map([...ownTopics, ...(await topicMetadata(ctx, others))]);
  let g = state.group ?? emptyGroup(now);
  if (!sameMembership(g, subscriptions, metadata)) {
    g = await writeTarget(ctx, group, state.group, subscriptions, metadata, now);
  }

  // Reconcile this member with its target through the ownership leases.
  const target = g.target[req.memberId] ?? [];
  const owned = ownedKeys(req.owned ?? [], metadata);
  // Above every epoch this member id was ever given, in this incarnation or an ended one (incarnation.ts).
  const nextEpoch = Math.max(me.epoch + 1, g.epoch, retired + 1);
  // A re-join is a new incarnation: it re-takes even the leases it holds, under its new epoch, so the
  // old incarnation (a zombie with the same member id) can no longer commit through them.
  const rejoin = req.memberEpoch === 0;
  const held = me.holding;
  const keep = rejoin ? [] : held.filter((p) => target.includes(p) || owned.has(p));
  const toRelease = held.filter((p) => !target.includes(p) && (rejoin || !owned.has(p)));
  const toAcquire = target.filter((p) => !keep.includes(p));
  const topicNames = new Map([...metadata].map(([name, t]) => [t.id, name]));
  const acquired = await acquire(ctx, group, toAcquire, topicNames, req.memberId, nextEpoch, live);
  await releaseLeases(ctx, group, toRelease, req.memberId);

  const newHolding = [...new Set([...keep, ...acquired])].sort(comparePartitionKeys);
  const assigned = newHolding.filter((p) => target.includes(p));
  const changed = rejoin || !sameKeys(assigned, me.assigned);
  const stillRevoking = newHolding.some((p) => !target.includes(p));
  const item: MemberItem = {
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
    lastHeartbeat: now,
    offsetReset: req.offsetReset,
    ...(stillRevoking ? { revokeSince: me.revokeSince ?? now } : {}),
  };
  await putMember(ctx, group, item, me);
  return {
    memberId: req.memberId,
    memberEpoch: item.epoch,
    assignment: toTopicPartitions(assigned, metadata),
    heartbeatIntervalMs: intervalMs,
  };
}

function checkEpoch(me: MemberItem | undefined, req: Input, group: GroupItem | undefined): void {
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

type Metadata = Map<string, { id: string; partitions: number }>;

async function topicMetadata(ctx: LibContext, names: string[]): Promise<Metadata> {
  const metadata: Metadata = new Map();
  await Promise.all(
    [...new Set(names)].map(async (name) => {
      const topic = await findTopic(ctx, name);
      if (topic !== undefined) metadata.set(name, { id: topic.topicId, partitions: topic.partitions });
    }),
  );
  return metadata;
}

function sameMembership(g: GroupItem, subscriptions: Record<string, string[]>, metadata: Metadata): boolean {
  const members = Object.keys(subscriptions);
  if (members.length !== Object.keys(g.members).length) return false;
  for (const m of members) {
    if ((g.members[m]?.topics ?? []).join('\n') !== (subscriptions[m] ?? []).join('\n')) return false;
  }
  if (metadata.size !== Object.keys(g.topics).length) return false;
  for (const [name, meta] of metadata) {
    const seen = g.topics[name];
    if (seen === undefined || seen.id !== meta.id || seen.partitions !== meta.partitions) return false;
  }
  return true;
}

async function writeTarget(
  ctx: LibContext,
  group: string,
  previous: GroupItem | undefined,
  subscriptions: Record<string, string[]>,
  metadata: Metadata,
  now: number,
): Promise<GroupItem> {
  const base = previous ?? emptyGroup(now);
  const target = assign({
    members: Object.fromEntries(
      Object.entries(subscriptions).map(([m, names]) => [m, names.flatMap((n) => (metadata.has(n) ? [metadata.get(n)!.id] : []))]),
    ),
    partitions: Object.fromEntries([...metadata.values()].map((t) => [t.id, t.partitions])),
    previous: base.target,
  });
  const next: GroupItem = {
    epoch: base.epoch + 1,
    members: Object.fromEntries(
      Object.entries(subscriptions).map(([m, topics]) => [m, { topics, joinedAt: base.members[m]?.joinedAt ?? now }]),
    ),
    target,
    topics: Object.fromEntries(metadata),
    createdAt: base.createdAt,
  };
  try {
    await ctx.ddb.send(
      new PutCommand({
        TableName: ctx.tables.meta,
        Item: groupToItem(group, next),
        ConditionExpression: previous === undefined ? 'attribute_not_exists(pk)' : 'epoch = :old',
        ...(previous === undefined ? {} : { ExpressionAttributeValues: { ':old': previous.epoch } }),
      }),
    );
  } catch (err) {
    if (err instanceof ConditionalCheckFailedException) throw new Conflict();
    throw err;
  }
  if (previous === undefined) await registerGroup(ctx, group, now);
  return next;
}

async function joinPlaceholder(ctx: LibContext, group: string, req: Input, now: number, retired: number): Promise<MemberItem> {
  const item: MemberItem = {
    memberId: req.memberId,
    // Epoch 0 matches no request; joinEpoch already fences every ended incarnation while this one starts.
    epoch: 0,
    joinEpoch: retired + 1,
    prevEpoch: 0,
    assigned: [],
    holding: [],
    topics: req.topics,
    sessionTimeoutMs: req.sessionTimeoutMs,
    rebalanceTimeoutMs: req.rebalanceTimeoutMs,
    lastHeartbeat: now,
    offsetReset: req.offsetReset,
  };
  await putMember(ctx, group, item, undefined);
  return item;
}

async function putMember(ctx: LibContext, group: string, item: MemberItem, seen: MemberItem | undefined): Promise<void> {
  try {
    await ctx.ddb.send(
      new PutCommand({
        TableName: ctx.tables.meta,
        Item: memberToItem(group, item),
        ConditionExpression: seen === undefined ? 'attribute_not_exists(pk)' : 'epoch = :e AND lastHeartbeat = :hb',
        ...(seen === undefined ? {} : { ExpressionAttributeValues: { ':e': seen.epoch, ':hb': seen.lastHeartbeat } }),
      }),
    );
  } catch (err) {
    // A concurrent heartbeat of the same member won; redo ours against its result.
    if (err instanceof ConditionalCheckFailedException) throw new Conflict();
    throw err;
  }
}

function ownedKeys(owned: TopicPartitions[], metadata: Metadata): Set<PartitionKey> {
  const keys = new Set<PartitionKey>();
  for (const tp of owned) {
    const id = metadata.get(tp.topic)?.id;
    if (id !== undefined) for (const p of tp.partitions) keys.add(partitionKey(id, p));
  }
  return keys;
}

export function toTopicPartitions(keys: PartitionKey[], metadata: Metadata | Record<string, { id: string }>): TopicPartitions[] {
  const entries = metadata instanceof Map ? [...metadata] : Object.entries(metadata);
  const names = new Map(entries.map(([name, t]) => [t.id, name]));
  const byTopic = new Map<string, number[]>();
  for (const key of keys) {
    const { topicId, partition } = parsePartitionKey(key);
    const name = names.get(topicId);
    if (name === undefined) continue;
    byTopic.set(name, [...(byTopic.get(name) ?? []), partition]);
  }
  return [...byTopic].sort(([a], [b]) => a.localeCompare(b)).map(([topic, partitions]) => ({ topic, partitions: partitions.sort((a, b) => a - b) }));
}

function sameKeys(a: PartitionKey[], b: PartitionKey[]): boolean {
  return a.length === b.length && a.every((k, i) => k === b[i]);
}

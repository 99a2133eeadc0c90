/**
 * The stored shape of a consumer group and the reads every group operation
 * shares. The group item changes only when membership, subscriptions or the
 * target assignment change, and once per heartbeat interval for the sweep
 * marker (sweep.ts); each member's liveness lives in its own item, so
 * heartbeats never contend on one hot item (docs/design.md, "Liveness lives in member items"). A member item's
 * `lastHeartbeat` is written at most every half heartbeat interval (a poll
 * or heartbeat in between writes nothing unless its state changed), so a
 * member counts as expired only after its session timeout plus that half
 * interval: never earlier than its session after its last request.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { queryAll } from '../storage/query-all';
import type { LibContext } from '../context';
import { metaKeys } from '../storage/keys';
import type { PartitionKey } from './assign';
import type { StoredFacts } from './caught-up';
import { decodePartitions, encodePartitions, type StoredPartitions } from './partition-set';

export interface GroupItem {
  /** Bumped by every change; the compare-and-set version of the item. */
  epoch: number;
  /** memberId → subscribed topic names. */
  members: Record<string, { topics: string[]; joinedAt: number }>;
  /** memberId → target partitions (`topicId:p`). */
  target: Record<string, PartitionKey[]>;
  /** Topic metadata the target was computed from: name → id and partition count. */
  topics: Record<string, { id: string; partitions: number }>;
  createdAt: number;
  /** When a heartbeat last read every member item (sweep.ts); 0 asks the next heartbeat to sweep. */
  sweptAt?: number;
}

export interface MemberItem {
  memberId: string;
  epoch: number;
  /**
   * The first epoch of this incarnation of the member id (incarnation.ts): every epoch it was given
   * lies in [joinEpoch, epoch]. 0 on items written before incarnations were tracked.
   */
  joinEpoch: number;
  /** The epoch before the last bump: a member whose response was lost may still use it. */
  prevEpoch: number;
  /** Partitions returned to the member in its current epoch. */
  assigned: PartitionKey[];
  /** Partitions whose ownership lease the member holds: assigned plus those it has not yet revoked. */
  holding: PartitionKey[];
  topics: string[];
  sessionTimeoutMs: number;
  rebalanceTimeoutMs: number;
  lastHeartbeat: number;
  /** When the member was first asked to revoke partitions it still holds. */
  revokeSince?: number;
  offsetReset: 'earliest' | 'latest';
  /** Its target holds partitions it does not hold yet: its polls heartbeat every time, to pick them up. */
  awaiting?: boolean;
  /** Name → id of its subscribed topics as its last heartbeat read them: a poll between heartbeats needs no topic read. */
  topicIds?: Record<string, string>;
  /** What its polls learned about its partitions (caught-up.ts): partitions an idle poll need not read. */
  ck?: StoredFacts;
}

export interface GroupState {
  group: GroupItem | undefined;
  members: Map<string, MemberItem>;
}

export function emptyGroup(now: number): GroupItem {
  return { epoch: 0, members: {}, target: {}, topics: {}, createdAt: now };
}

export async function loadGroup(ctx: LibContext, group: string): Promise<GroupState> {
  const [g, members] = await Promise.all([readGroup(ctx, group), loadMembers(ctx, group)]);
  return { group: g, members };
}

/** The group item, strongly consistent: a target or sweep marker is never judged from a stale copy. */
export async function readGroup(ctx: LibContext, group: string): Promise<GroupItem | undefined> {
  const out = await ctx.ddb.send(new GetCommand({ TableName: ctx.tables.meta, Key: metaKeys.group(group), ConsistentRead: true }));
  return out.Item === undefined ? undefined : groupFromItem(out.Item);
}

/** One member item, strongly consistent: fencing judges the member as it is now. */
export async function readMember(ctx: LibContext, group: string, memberId: string): Promise<MemberItem | undefined> {
  const out = await ctx.ddb.send(new GetCommand({ TableName: ctx.tables.meta, Key: metaKeys.member(group, memberId), ConsistentRead: true }));
  return out.Item === undefined ? undefined : memberFromItem(out.Item);
}

// Stored forms: partition sets as compact ranges (partition-set.ts); a member's `h` only when it
// differs from `a`, which it does only while the member is giving partitions up.

export function memberToItem(group: string, m: MemberItem): Record<string, unknown> {
  const { assigned, holding, ...rest } = m;
  const same = holding.length === assigned.length && holding.every((k, i) => k === assigned[i]);
  return { ...metaKeys.member(group, m.memberId), ...rest, a: encodePartitions(assigned), ...(same ? {} : { h: encodePartitions(holding) }) };
}

export function memberFromItem(item: Record<string, unknown>): MemberItem {
  const { pk: _pk, sk: _sk, a, h, ...rest } = item;
  const assigned = decodePartitions(a as StoredPartitions);
  const joinEpoch = typeof rest.joinEpoch === 'number' ? rest.joinEpoch : 0;
  return { ...(rest as Omit<MemberItem, 'assigned' | 'holding' | 'joinEpoch'>), joinEpoch, assigned, holding: h === undefined ? assigned : decodePartitions(h as StoredPartitions) };
}

export function groupToItem(group: string, g: GroupItem): Record<string, unknown> {
  return {
    ...metaKeys.group(group),
    ...g,
    target: Object.fromEntries(Object.entries(g.target).map(([m, keys]) => [m, encodePartitions(keys)])),
  };
}

function groupFromItem(item: Record<string, unknown>): GroupItem {
  const target = item.target as Record<string, StoredPartitions>;
  return {
    epoch: item.epoch as number,
    members: item.members as GroupItem['members'],
    target: Object.fromEntries(Object.entries(target).map(([m, stored]) => [m, decodePartitions(stored)])),
    topics: item.topics as GroupItem['topics'],
    createdAt: item.createdAt as number,
    ...(typeof item.sweptAt === 'number' ? { sweptAt: item.sweptAt } : {}),
  };
}

export async function loadMembers(ctx: LibContext, group: string): Promise<Map<string, MemberItem>> {
  const items = await queryAll(ctx.ddb, {
    TableName: ctx.tables.meta,
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :m)',
    ExpressionAttributeValues: { ':pk': metaKeys.groupPk(group), ':m': 'member#' },
    ConsistentRead: true,
  });
  return new Map(items.map((item) => [item.memberId as string, memberFromItem(item)]));
}

export type Liveness = Pick<MemberItem, 'lastHeartbeat' | 'sessionTimeoutMs' | 'revokeSince' | 'rebalanceTimeoutMs'>;

/** The heartbeat interval the server asks for: a third of the session timeout, within [200 ms, 5 s]. */
export function heartbeatInterval(sessionTimeoutMs: number): number {
  return Math.max(200, Math.min(5_000, Math.floor(sessionTimeoutMs / 3)));
}

/** How often a member's requests write its `lastHeartbeat` at most: so much older than its last request it may be. */
export function livenessWriteEvery(sessionTimeoutMs: number): number {
  return Math.floor(heartbeatInterval(sessionTimeoutMs) / 2);
}

export function isExpired(member: Pick<Liveness, 'lastHeartbeat' | 'sessionTimeoutMs'>, now: number): boolean {
  return now - member.lastHeartbeat > member.sessionTimeoutMs + livenessWriteEvery(member.sessionTimeoutMs);
}

/** Missed its rebalance timeout: still holds partitions it was asked to give up. */
export function missedRevocation(member: Liveness, now: number): boolean {
  return member.revokeSince !== undefined && now - member.revokeSince > member.rebalanceTimeoutMs;
}

/** Past its session or rebalance timeout: as good as removed; a sweep (sweep.ts) or a lease take (acquire.ts) removes it. */
export function timedOut(member: Liveness, now: number): boolean {
  return isExpired(member, now) || missedRevocation(member, now);
}

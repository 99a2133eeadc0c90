/**
 * The stored shape of a consumer group and the reads every group operation
 * shares. The group item changes only when membership, subscriptions or the
 * target assignment change; each member's liveness lives in its own item, so
 * heartbeats never contend on one hot item (LOG-DESIGN.md).
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { queryAll } from '../storage/query-all';
import type { LibContext } from '../context';
import { metaKeys } from '../storage/keys';
import type { PartitionKey } from './assign';
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
}

export interface GroupState {
  group: GroupItem | undefined;
  members: Map<string, MemberItem>;
}

export function emptyGroup(now: number): GroupItem {
  return { epoch: 0, members: {}, target: {}, topics: {}, createdAt: now };
}

export async function loadGroup(ctx: LibContext, group: string): Promise<GroupState> {
  const [groupOut, members] = await Promise.all([
    ctx.ddb.send(new GetCommand({ TableName: ctx.tables.meta, Key: metaKeys.group(group), ConsistentRead: true })),
    loadMembers(ctx, group),
  ]);
  return { group: groupOut.Item === undefined ? undefined : groupFromItem(groupOut.Item), members };
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

export function isExpired(member: Pick<Liveness, 'lastHeartbeat' | 'sessionTimeoutMs'>, now: number): boolean {
  return now - member.lastHeartbeat > member.sessionTimeoutMs;
}

/** Missed its rebalance timeout: still holds partitions it was asked to give up. */
export function missedRevocation(member: Liveness, now: number): boolean {
  return member.revokeSince !== undefined && now - member.revokeSince > member.rebalanceTimeoutMs;
}

/** Past its session or rebalance timeout: as good as removed, whichever request notices first removes it. */
export function timedOut(member: Liveness, now: number): boolean {
  return isExpired(member, now) || missedRevocation(member, now);
}

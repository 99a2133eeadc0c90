/**
 * The group's target assignment (KIP-848: the coordinator computes it).
 * Behaviour: the group item holds the target and what it was computed from
 * — each member's subscriptions and each subscribed topic's id and
 * partition count. When the members, their subscriptions or the topics
 * differ from that, the target is recomputed (assign.ts: sticky, even) and
 * the group item written by compare-and-set on its epoch and sweep marker,
 * so a write never overwrites a change or a removal's mark (sweep.ts) it
 * did not see. Steady-state heartbeats never write it.
 * Errors: none of its own; a lost compare-and-set is a Conflict (the
 * heartbeat reads again and retries).
 * Cost: the topics' metadata is 1 strong GetItem per topic (once per
 * request, RequestTopics); a target write is 1 Put of the group item
 * (≈ its size in KB, WRU), the first one also registers the group.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { PutCommand, type PutCommandInput } from '@aws-sdk/lib-dynamodb';
import type { LibContext } from '../context';
import type { TopicPartitions } from '../protocol/groups';
import { assign, parsePartitionKey, partitionKey, type PartitionKey } from './assign';
import { Conflict, registerGroup } from './membership';
import type { RequestTopics } from './request-topics';
import { emptyGroup, groupToItem, type GroupItem } from './state';

/** Topic name → id and partition count, as the target is computed from them. */
export type Metadata = Map<string, { id: string; partitions: number }>;

/** The current metadata of `names` (strongly read, once per request); topics that do not exist are left out. */
export async function topicMetadata(topics: RequestTopics, names: Iterable<string>): Promise<Metadata> {
  const metadata: Metadata = new Map();
  await Promise.all(
    [...new Set(names)].map(async (name) => {
      const topic = await topics.current(name);
      if (topic !== undefined) metadata.set(name, { id: topic.topicId, partitions: topic.partitions });
    }),
  );
  return metadata;
}

/** Whether the target was computed from exactly these members, subscriptions and topics. */
export function sameMembership(g: GroupItem, subscriptions: Record<string, string[]>, metadata: Metadata): boolean {
  const members = Object.keys(subscriptions);
  if (members.length !== Object.keys(g.members).length) return false;
  for (const m of members) {
    if ((g.members[m]?.topics ?? []).join('\n') !== (subscriptions[m] ?? []).join('\n')) return false;
  }
  return metadata.size === Object.keys(g.topics).length && sameTopics(g, metadata, [...metadata.keys()]);
}

/** Whether each of `names` is, in the group's target, what `metadata` says it is now (both absent included). */
export function sameTopics(g: GroupItem, metadata: Metadata, names: readonly string[]): boolean {
  for (const name of names) {
    const now = metadata.get(name);
    const seen = Object.hasOwn(g.topics, name) ? g.topics[name] : undefined;
    if (now === undefined && seen === undefined) continue;
    if (now === undefined || seen === undefined || seen.id !== now.id || seen.partitions !== now.partitions) return false;
  }
  return true;
}

/** The group item's write: a first one only if none exists, later ones only over the epoch and marker read. */
export function writeTargetRequest(table: string, group: string, previous: GroupItem | undefined, next: GroupItem): PutCommandInput {
  if (previous === undefined) return { TableName: table, Item: groupToItem(group, next), ConditionExpression: 'attribute_not_exists(pk)' };
  const swept = previous.sweptAt;
  return {
    TableName: table,
    Item: groupToItem(group, next),
    ConditionExpression: swept === undefined ? 'epoch = :old AND attribute_not_exists(sweptAt)' : 'epoch = :old AND sweptAt = :swept',
    ExpressionAttributeValues: { ':old': previous.epoch, ...(swept === undefined ? {} : { ':swept': swept }) },
  };
}

/** Recomputes and writes the target; the members were all just read, so the write also counts as a sweep. */
export async function writeTarget(
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
    sweptAt: now,
  };
  try {
    await ctx.ddb.send(new PutCommand(writeTargetRequest(ctx.tables.meta, group, previous, next)));
  } catch (err) {
    if (err instanceof ConditionalCheckFailedException) throw new Conflict();
    throw err;
  }
  if (previous === undefined) await registerGroup(ctx, group, now);
  return next;
}

export function ownedKeys(owned: TopicPartitions[], metadata: Metadata): Set<PartitionKey> {
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

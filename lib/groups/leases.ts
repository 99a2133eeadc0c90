/**
 * Partition ownership leases. Each (group, topic id, partition) has one item
 * — the commit item — holding the committed offset AND the owner: the member
 * id and the member epoch in which it acquired the partition. A partition
 * changes hands only by compare-and-set on that owner, so it is never owned
 * by two members at once, and every commit is a conditional write on the
 * same item: `owner = me AND ownerEpoch <= myEpoch`. A zombie — removed,
 * re-joined, or simply older than the grant — can never move a commit.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { LibContext } from '../context';
import { metaKeys } from '../storage/keys';
import { parsePartitionKey, type PartitionKey } from './assign';

export interface Lease {
  owner?: string;
  ownerEpoch?: number;
  offset?: number;
  metadata?: string;
  topic?: string;
  committedAt?: number;
}

export function leaseKey(group: string, key: PartitionKey) {
  const { topicId, partition } = parsePartitionKey(key);
  return metaKeys.commit(group, topicId, partition);
}

export async function readLeases(ctx: LibContext, group: string, keys: PartitionKey[]): Promise<Map<PartitionKey, Lease>> {
  const leases = new Map<PartitionKey, Lease>();
  for (let i = 0; i < keys.length; i += 100) {
    let pending = keys.slice(i, i + 100).map((k) => leaseKey(group, k));
    for (let attempt = 0; pending.length > 0 && attempt < 8; attempt++) {
      const out = await ctx.ddb.send(
        new BatchGetCommand({ RequestItems: { [ctx.tables.meta]: { Keys: pending, ConsistentRead: true } } }),
      );
      for (const item of out.Responses?.[ctx.tables.meta] ?? []) {
        const sk = item.sk as string; // commit#<topicId>#<p>
        const [, topicId, partition] = sk.split('#');
        leases.set(`${topicId}:${partition}`, item as Lease);
      }
      pending = (out.UnprocessedKeys?.[ctx.tables.meta]?.Keys ?? []) as typeof pending;
    }
  }
  return leases;
}

/** Takes the lease if its owner is still `expectedOwner` (undefined = nobody). */
export async function acquireLease(
  ctx: LibContext,
  group: string,
  key: PartitionKey,
  topicName: string,
  memberId: string,
  epoch: number,
  expectedOwner: string | undefined,
): Promise<boolean> {
  const { partition } = parsePartitionKey(key);
  try {
    await ctx.ddb.send(
      new UpdateCommand({
        TableName: ctx.tables.meta,
        Key: leaseKey(group, key),
        UpdateExpression: 'SET #owner = :m, ownerEpoch = :e, topic = :t, #partition = :p',
        ConditionExpression: expectedOwner === undefined ? 'attribute_not_exists(#owner)' : '#owner = :old',
        ExpressionAttributeNames: { '#owner': 'owner', '#partition': 'partition' },
        ExpressionAttributeValues: {
          ':m': memberId,
          ':e': epoch,
          ':t': topicName,
          ':p': partition,
          ...(expectedOwner === undefined ? {} : { ':old': expectedOwner }),
        },
      }),
    );
    return true;
  } catch (err) {
    if (err instanceof ConditionalCheckFailedException) return false;
    throw err;
  }
}

/** Gives the lease up if `memberId` still holds it. */
export async function releaseLease(ctx: LibContext, group: string, key: PartitionKey, memberId: string): Promise<void> {
  try {
    await ctx.ddb.send(
      new UpdateCommand({
        TableName: ctx.tables.meta,
        Key: leaseKey(group, key),
        UpdateExpression: 'REMOVE #owner, ownerEpoch',
        ConditionExpression: '#owner = :m',
        ExpressionAttributeNames: { '#owner': 'owner' },
        ExpressionAttributeValues: { ':m': memberId },
      }),
    );
  } catch (err) {
    if (!(err instanceof ConditionalCheckFailedException)) throw err;
  }
}

export async function releaseLeases(ctx: LibContext, group: string, keys: PartitionKey[], memberId: string): Promise<void> {
  await Promise.all(keys.map((k) => releaseLease(ctx, group, k, memberId)));
}

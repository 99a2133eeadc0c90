/**
 * Partition ownership leases. Each (group, topic id, partition) has one item
 * — the commit item — holding the committed offset AND the owner: the member
 * id and the member epoch in which it acquired the partition. A partition
 * changes hands only by compare-and-set on that owner, so it is never owned
 * by two members at once, and every commit is a conditional write on the
 * same item: `owner = me AND joinEpoch <= ownerEpoch <= myEpoch`. A zombie —
 * removed, an earlier incarnation of a re-joined member id, or simply older
 * than the grant — can never move a commit (incarnation.ts).
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { BatchGetCommand, UpdateCommand, type UpdateCommandInput } from '@aws-sdk/lib-dynamodb';
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

/**
 * What a lease must still hold for a take to be right (acquire.ts judges it):
 * - free: nobody owns it;
 * - mine: it names the taker's member id at an epoch no higher than the taker's
 *   (a re-join re-taking its own lease; a zombie of an earlier incarnation, whose
 *   epochs are all lower, can never take back what the live incarnation holds);
 * - other: it still names that owner at exactly the epoch seen (a gone member, or
 *   an earlier incarnation's leftover), or nobody; an owner that re-took it since is not robbed.
 */
export type LeaseExpectation = { kind: 'free' } | { kind: 'mine' } | { kind: 'other'; owner: string; epoch: number };

/** The conditional write that takes a lease for `memberId` at `epoch`. */
export function acquireLeaseRequest(
  table: string,
  group: string,
  key: PartitionKey,
  topicName: string,
  memberId: string,
  epoch: number,
  expected: LeaseExpectation,
): UpdateCommandInput {
  const { partition } = parsePartitionKey(key);
  const condition =
    expected.kind === 'free'
      ? { ConditionExpression: 'attribute_not_exists(#owner)', values: {} }
      : expected.kind === 'mine'
        ? { ConditionExpression: '#owner = :m AND ownerEpoch <= :e', values: {} }
        : // Or free by now: taking a gone owner's lease may itself have removed it, which releases its leases.
          { ConditionExpression: '(#owner = :old AND ownerEpoch = :oldEpoch) OR attribute_not_exists(#owner)', values: { ':old': expected.owner, ':oldEpoch': expected.epoch } };
  return {
    TableName: table,
    Key: leaseKey(group, key),
    UpdateExpression: 'SET #owner = :m, ownerEpoch = :e, topic = :t, #partition = :p',
    ConditionExpression: condition.ConditionExpression,
    ExpressionAttributeNames: { '#owner': 'owner', '#partition': 'partition' },
    ExpressionAttributeValues: { ':m': memberId, ':e': epoch, ':t': topicName, ':p': partition, ...condition.values },
  };
}

/** Takes the lease if it still holds what `expected` says; false when it changed meanwhile. */
export async function acquireLease(
  ctx: LibContext,
  group: string,
  key: PartitionKey,
  topicName: string,
  memberId: string,
  epoch: number,
  expected: LeaseExpectation,
): Promise<boolean> {
  try {
    await ctx.ddb.send(new UpdateCommand(acquireLeaseRequest(ctx.tables.meta, group, key, topicName, memberId, epoch, expected)));
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

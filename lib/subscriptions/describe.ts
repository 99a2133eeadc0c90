/**
 * `GET /v1/subscriptions/{name}`: settings, state and, per partition, the
 * committed offset, high watermark, lag and the failing batch's attempts,
 * next attempt time and last error.
 * Behaviour: needs `describe` on the subscription's topic. Never returns the secret.
 * Errors: INVALID_SUBSCRIPTION, SUBSCRIPTION_NOT_FOUND, AUTHORIZATION_FAILED.
 * Cost: 1 GetItem, 1 Query of the retry states, and the group lag
 * (lib/groups/lag.ts: the commit Query, the group item, one partition view per partition).
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { authorize, type Principal } from '../auth/authorize';
import type { LibContext } from '../context';
import { isSamsaError, SamsaError } from '../errors';
import { groupLag } from '../groups/lag';
import type { SubscriptionDescription, SubscriptionPartition } from '../protocol/subscription-types';
import { queryAll } from '../storage/query-all';
import { asSubscription } from './authorizer';
import { decodeRetry, decodeSubscription, retryStatesQuery, subscriptionGroup, subscriptionKeys, type SubscriptionItem } from './items';
import { validateSubscriptionName } from './validate';

export async function describeSubscription(ctx: LibContext, principal: Principal, name: string): Promise<SubscriptionDescription> {
  const item = await readSubscription(ctx, name);
  await authorize(ctx.authorizer, principal, 'describe', { type: 'topic', name: item.topic });
  const [lag, retries] = await Promise.all([
    groupLag(asSubscription(ctx, name), principal, subscriptionGroup(name)).catch((err: unknown) => {
      if (isSamsaError(err) && err.code === 'GROUP_ID_NOT_FOUND') return { partitions: [] };
      throw err;
    }),
    queryAll(ctx.ddb, retryStatesQuery(ctx.tables.meta, name)).then((items) => items.map(decodeRetry)),
  ]);
  const partitions: SubscriptionPartition[] = lag.partitions
    .filter((p) => p.topic === item.topic)
    .map((p) => {
      const retry = retries.find((r) => r.partition === p.partition && r.offset === (p.committedOffset ?? r.offset));
      return {
        partition: p.partition,
        committedOffset: p.committedOffset,
        highWatermark: p.highWatermark,
        lag: p.lag,
        attempts: retry?.attempts ?? 0,
        nextAttemptAt: retry === undefined ? null : new Date(retry.nextAttemptAt).toISOString(),
        lastError: retry?.lastError ?? null,
      };
    });
  return describeItem(item, partitions);
}

/** The description of an item without its secret. */
export function describeItem(item: SubscriptionItem, partitions: SubscriptionPartition[]): SubscriptionDescription {
  return {
    name: item.name,
    topic: item.topic,
    endpoint: item.endpoint,
    deadLetterTopic: item.deadLetterTopic,
    maxRecords: item.maxRecords,
    maxBytes: item.maxBytes,
    lingerMs: item.lingerMs,
    maxAttempts: item.maxAttempts,
    retryBackoffMs: item.retryBackoffMs,
    state: item.state,
    group: subscriptionGroup(item.name),
    createdAt: new Date(item.createdAt).toISOString(),
    createdBy: item.createdBy,
    partitions,
  };
}

export async function readSubscription(ctx: LibContext, name: string): Promise<SubscriptionItem> {
  validateSubscriptionName(name);
  const found = await findSubscription(ctx, name);
  if (found === undefined) throw new SamsaError('SUBSCRIPTION_NOT_FOUND', `Subscription '${name}' does not exist.`);
  return found;
}

export async function findSubscription(ctx: LibContext, name: string): Promise<SubscriptionItem | undefined> {
  const out = await ctx.ddb.send(new GetCommand({ TableName: ctx.tables.meta, Key: subscriptionKeys.subscription(name), ConsistentRead: true }));
  return out.Item === undefined ? undefined : decodeSubscription(out.Item);
}

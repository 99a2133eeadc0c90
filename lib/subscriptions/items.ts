/**
 * Storage of push subscriptions in the meta table: the keys, every request
 * as a pure builder (each condition unit-tested in
 * test/subscriptions/items.test.ts) and typed decoders.
 *
 * | item          | pk                      | sk           | holds |
 * |---------------|-------------------------|--------------|-------|
 * | subscription  | `subscriptions`         | `<name>`     | settings, secret, state, creator, the group member's epoch, the delivery lease (`lu` until, `lid` id) and the last wake-up (`wk`) |
 * | topic pointer | `subtopic#<topicId>`    | `<name>`     | nothing: lets the stream trigger find a topic's subscriptions with one Query |
 * | retry state   | `subscription#<name>`   | `retry#<p>`  | the failing batch's first offset, attempts so far, next attempt time, last error |
 *
 * The registry is one item collection, so listing is one Query; the pointer
 * is keyed by topic id because stream records carry ids, not names.
 */
import type { DeleteCommandInput, PutCommandInput, QueryCommandInput, TransactWriteCommandInput, UpdateCommandInput } from '@aws-sdk/lib-dynamodb';
import { SamsaError } from '../errors';
import type { SubscriptionState } from '../protocol/subscription-types';

export const subscriptionKeys = {
  registryPk: 'subscriptions',
  subscription: (name: string) => ({ pk: 'subscriptions', sk: name }),
  topicPk: (topicId: string) => `subtopic#${topicId}`,
  pointer: (topicId: string, name: string) => ({ pk: `subtopic#${topicId}`, sk: name }),
  statePk: (name: string) => `subscription#${name}`,
  retry: (name: string, partition: number) => ({ pk: `subscription#${name}`, sk: `retry#${partition}` }),
};

export interface SubscriptionItem {
  name: string;
  topic: string;
  topicId: string;
  endpoint: string;
  deadLetterTopic: string;
  secret: string;
  maxRecords: number;
  maxBytes: number;
  lingerMs: number;
  maxAttempts: number;
  retryBackoffMs: number;
  state: SubscriptionState;
  createdAt: number;
  createdBy: string;
  /** The group member's last epoch (0: join on the next delivery). */
  memberEpoch: number;
}

export interface RetryState {
  partition: number;
  /** First offset of the failing batch: the state applies only while the committed offset is here. */
  offset: number;
  attempts: number;
  nextAttemptAt: number;
  lastError: string;
}

/** The group a subscription consumes as, and its one member. */
export const subscriptionGroup = (name: string) => `subscription.${name}`;
export const DELIVERY_MEMBER_ID = 'delivery';

// --- builders ---------------------------------------------------------------

/** Create: the subscription and its topic pointer together, refused if the name is taken. */
export function createRequest(table: string, s: SubscriptionItem): TransactWriteCommandInput {
  return {
    TransactItems: [
      { Put: { TableName: table, Item: { ...subscriptionKeys.subscription(s.name), ...encode(s) }, ConditionExpression: 'attribute_not_exists(pk)' } },
      { Put: { TableName: table, Item: subscriptionKeys.pointer(s.topicId, s.name) } },
    ],
  };
}

/** Delete: both items, only if the subscription is still the one that was read (same topic id). */
export function deleteRequest(table: string, s: Pick<SubscriptionItem, 'name' | 'topicId'>): TransactWriteCommandInput {
  return {
    TransactItems: [
      {
        Delete: {
          TableName: table,
          Key: subscriptionKeys.subscription(s.name),
          ConditionExpression: 'topicId = :id',
          ExpressionAttributeValues: { ':id': s.topicId },
        },
      },
      { Delete: { TableName: table, Key: subscriptionKeys.pointer(s.topicId, s.name) } },
    ],
  };
}

export function setStateRequest(table: string, name: string, state: SubscriptionState): UpdateCommandInput {
  return {
    TableName: table,
    Key: subscriptionKeys.subscription(name),
    UpdateExpression: 'SET #st = :s',
    ConditionExpression: 'attribute_exists(pk)',
    ExpressionAttributeNames: { '#st': 'state' },
    ExpressionAttributeValues: { ':s': state },
    ReturnValues: 'ALL_NEW',
  };
}

/**
 * Claims the delivery lease: one delivery run per subscription at a time, so
 * batches of a partition are never posted concurrently or out of order.
 * Granted when no lease is held or the holder's ran out (it died).
 */
export function claimLeaseRequest(table: string, name: string, leaseId: string, now: number, untilMs: number): UpdateCommandInput {
  return {
    TableName: table,
    Key: subscriptionKeys.subscription(name),
    UpdateExpression: 'SET lu = :until, lid = :id',
    ConditionExpression: 'attribute_exists(pk) AND (attribute_not_exists(lu) OR lu < :now)',
    ExpressionAttributeValues: { ':until': untilMs, ':id': leaseId, ':now': now },
    ReturnValues: 'ALL_NEW',
  };
}

/** A run that found the lease taken leaves a wake-up, so the holder polls once more before it lets go. */
export function wakeRequest(table: string, name: string, now: number): UpdateCommandInput {
  return {
    TableName: table,
    Key: subscriptionKeys.subscription(name),
    UpdateExpression: 'SET wk = :now',
    ConditionExpression: 'attribute_exists(pk)',
    ExpressionAttributeValues: { ':now': now },
  };
}

/**
 * Releases the lease and saves the member epoch, only while this run holds the
 * lease and no wake-up arrived since `polledAt` (the start of its last poll):
 * if one did, the condition fails and the holder polls again.
 */
export function releaseLeaseRequest(table: string, name: string, leaseId: string, polledAt: number, memberEpoch: number): UpdateCommandInput {
  return {
    TableName: table,
    Key: subscriptionKeys.subscription(name),
    UpdateExpression: 'SET me = :e REMOVE lu, lid',
    ConditionExpression: 'lid = :id AND (attribute_not_exists(wk) OR wk < :polled)',
    ExpressionAttributeValues: { ':id': leaseId, ':polled': polledAt, ':e': memberEpoch },
  };
}

export function putRetryRequest(table: string, name: string, r: RetryState): PutCommandInput {
  return {
    TableName: table,
    Item: { ...subscriptionKeys.retry(name, r.partition), o: r.offset, n: r.attempts, na: r.nextAttemptAt, le: r.lastError.slice(0, 1000) },
  };
}

export function deleteRetryRequest(table: string, name: string, partition: number): DeleteCommandInput {
  return { TableName: table, Key: subscriptionKeys.retry(name, partition) };
}

export function retryStatesQuery(table: string, name: string): QueryCommandInput {
  return {
    TableName: table,
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :r)',
    ExpressionAttributeValues: { ':pk': subscriptionKeys.statePk(name), ':r': 'retry#' },
    ConsistentRead: true,
  };
}

export function registryQuery(table: string): QueryCommandInput {
  return { TableName: table, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': subscriptionKeys.registryPk } };
}

export function topicSubscriptionsQuery(table: string, topicId: string): QueryCommandInput {
  return { TableName: table, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': subscriptionKeys.topicPk(topicId) } };
}

// --- encoding and decoders --------------------------------------------------

function encode(s: SubscriptionItem): Record<string, unknown> {
  return {
    topic: s.topic,
    topicId: s.topicId,
    endpoint: s.endpoint,
    dlq: s.deadLetterTopic,
    secret: s.secret,
    mr: s.maxRecords,
    mb: s.maxBytes,
    lg: s.lingerMs,
    ma: s.maxAttempts,
    rb: s.retryBackoffMs,
    state: s.state,
    createdAt: s.createdAt,
    createdBy: s.createdBy,
    me: s.memberEpoch,
  };
}

function str(item: Record<string, unknown>, name: string): string {
  const v = item[name];
  if (typeof v !== 'string') throw corrupt(name);
  return v;
}

function num(item: Record<string, unknown>, name: string): number {
  const v = item[name];
  if (typeof v !== 'number' || !Number.isFinite(v)) throw corrupt(name);
  return v;
}

function corrupt(name: string): SamsaError {
  return new SamsaError('INTERNAL_ERROR', `A stored subscription item has no valid '${name}'.`);
}

export function decodeSubscription(item: Record<string, unknown>): SubscriptionItem {
  const state = str(item, 'state');
  if (state !== 'ACTIVE' && state !== 'PAUSED') throw corrupt('state');
  return {
    name: str(item, 'sk'),
    topic: str(item, 'topic'),
    topicId: str(item, 'topicId'),
    endpoint: str(item, 'endpoint'),
    deadLetterTopic: str(item, 'dlq'),
    secret: str(item, 'secret'),
    maxRecords: num(item, 'mr'),
    maxBytes: num(item, 'mb'),
    lingerMs: num(item, 'lg'),
    maxAttempts: num(item, 'ma'),
    retryBackoffMs: num(item, 'rb'),
    state,
    createdAt: num(item, 'createdAt'),
    createdBy: str(item, 'createdBy'),
    memberEpoch: num(item, 'me'),
  };
}

export function decodeRetry(item: Record<string, unknown>): RetryState {
  const sk = str(item, 'sk');
  const partition = Number(sk.slice('retry#'.length));
  if (!sk.startsWith('retry#') || !Number.isInteger(partition)) throw corrupt('sk');
  return { partition, offset: num(item, 'o'), attempts: num(item, 'n'), nextAttemptAt: num(item, 'na'), lastError: str(item, 'le') };
}

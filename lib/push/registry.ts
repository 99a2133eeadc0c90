/**
 * The WebSocket connection registry, in the meta table (no new table: one
 * more table would be one more thing to provision, back up and grant, for
 * items that live two hours). Pure key and request builders; each condition
 * is unit-tested (test/push/registry.test.ts).
 *
 * | item         | pk                             | sk              | holds |
 * |--------------|--------------------------------|-----------------|-------|
 * | connection   | `push#conn#<connectionId>`     | `conn`          | principal, connectedAt, `subs` (string set of `<topicId>#<p>`), `links` (string set of `<group>#<memberId>#<epoch>`), ttl |
 * | subscription | `push#sub#<topicId>#<p>`       | `<connectionId>`| topic name, ttl |
 *
 * Fan-out is one Query per partition with new records (pk of the
 * subscription rows). TTL = connect time + API Gateway's 2-hour connection
 * lifetime + a margin: a registry row outlives its connection only when
 * `$disconnect` never ran, and then a send finds it gone and deletes it.
 */
import { decodeError } from './decode';

export const CONNECTION_LIFETIME_MS = 2 * 3600 * 1000;
const TTL_MARGIN_MS = 3600 * 1000;

export const pushKeys = {
  connection: (connectionId: string) => ({ pk: `push#conn#${connectionId}`, sk: 'conn' }),
  subscriptionPk: (topicId: string, partition: number) => `push#sub#${topicId}#${partition}`,
  subscription: (topicId: string, partition: number, connectionId: string) => ({
    pk: `push#sub#${topicId}#${partition}`,
    sk: connectionId,
  }),
};

export const registryTtl = (connectedAt: number) => Math.ceil((connectedAt + CONNECTION_LIFETIME_MS + TTL_MARGIN_MS) / 1000);

/** A new connection; a repeated connection id (API Gateway never reuses one) must not overwrite a live registration. */
export function putConnection(table: string, connectionId: string, principal: string, connectedAt: number) {
  return {
    TableName: table,
    Item: { ...pushKeys.connection(connectionId), principal, connectedAt, ttl: registryTtl(connectedAt) },
    ConditionExpression: 'attribute_not_exists(pk)',
  };
}

/** Records subscriptions on the connection item, only while it is registered (a disconnected id must not come back). */
export function addSubscriptions(table: string, connectionId: string, partitionKeys: readonly string[]) {
  return {
    TableName: table,
    Key: pushKeys.connection(connectionId),
    UpdateExpression: 'ADD subs :s',
    ConditionExpression: 'attribute_exists(pk)',
    ExpressionAttributeValues: { ':s': new Set(partitionKeys) },
  };
}

export function removeSubscriptions(table: string, connectionId: string, partitionKeys: readonly string[]) {
  return {
    TableName: table,
    Key: pushKeys.connection(connectionId),
    UpdateExpression: 'DELETE subs :s',
    ConditionExpression: 'attribute_exists(pk)',
    ExpressionAttributeValues: { ':s': new Set(partitionKeys) },
  };
}

/** Links group members (`<group>#<memberId>#<epoch>`), only while the connection is registered. */
export function addLinks(table: string, connectionId: string, links: readonly string[]) {
  return {
    TableName: table,
    Key: pushKeys.connection(connectionId),
    UpdateExpression: 'ADD links :l',
    ConditionExpression: 'attribute_exists(pk)',
    ExpressionAttributeValues: { ':l': new Set(links) },
  };
}

export function removeLinks(table: string, connectionId: string, links: readonly string[]) {
  return {
    TableName: table,
    Key: pushKeys.connection(connectionId),
    UpdateExpression: 'DELETE links :l',
    ConditionExpression: 'attribute_exists(pk)',
    ExpressionAttributeValues: { ':l': new Set(links) },
  };
}

/** Group and member names hold no '#' (lib/groups/validate.ts), so the split is unambiguous. */
export const linkKey = (group: string, memberId: string, epoch: number) => `${group}#${memberId}#${epoch}`;

export function splitLinkKey(key: string): { group: string; memberId: string; epoch: number } | undefined {
  const [group, memberId, epoch, ...rest] = key.split('#');
  const e = Number(epoch);
  if (rest.length > 0 || !group || !memberId || !Number.isSafeInteger(e)) return undefined;
  return { group, memberId, epoch: e };
}

export function putSubscription(table: string, topicId: string, partition: number, connectionId: string, topic: string, connectedAt: number) {
  return { TableName: table, Item: { ...pushKeys.subscription(topicId, partition, connectionId), topic, ttl: registryTtl(connectedAt) } };
}

export function queryPartitionSubscribers(table: string, topicId: string, partition: number) {
  return {
    TableName: table,
    KeyConditionExpression: 'pk = :pk',
    ExpressionAttributeValues: { ':pk': pushKeys.subscriptionPk(topicId, partition) },
  };
}

export interface ConnectionItem {
  connectionId: string;
  principal: string;
  connectedAt: number;
  subs: string[];
  links: string[];
}

export function decodeConnection(connectionId: string, item: Record<string, unknown> | undefined): ConnectionItem | undefined {
  if (item === undefined) return undefined;
  const { principal, connectedAt, subs, links } = item;
  if (typeof principal !== 'string' || typeof connectedAt !== 'number') throw decodeError('connection', item);
  const strings = (set: unknown) => (set instanceof Set ? [...set].filter((s): s is string => typeof s === 'string') : []);
  return { connectionId, principal, connectedAt, subs: strings(subs), links: strings(links) };
}

export interface SubscriberRow {
  connectionId: string;
  topic: string;
}

export function decodeSubscriber(item: Record<string, unknown>): SubscriberRow {
  if (typeof item.sk !== 'string' || typeof item.topic !== 'string') throw decodeError('subscription', item);
  return { connectionId: item.sk, topic: item.topic };
}

/** `<topicId>#<partition>` → parts (the connection item's `subs` entries). */
export function splitPartitionKey(key: string): { topicId: string; partition: number } {
  const at = key.lastIndexOf('#');
  return { topicId: key.slice(0, at), partition: Number(key.slice(at + 1)) };
}

/**
 * What a subscribe or unsubscribe message names, resolved: the connection
 * (registered, with its principal), the topic (id and partition count) after
 * the ACL `read` check, and the partitions.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { authorize } from '../auth/authorize';
import type { LibContext } from '../context';
import { SamsaError } from '../errors';
import { getTopic } from '../topics/topic-item';
import { decodeConnection, type ConnectionItem, pushKeys } from './registry';

export interface SubscriptionTarget {
  connection: ConnectionItem;
  topic: string;
  topicId: string;
  partitions: number[];
}

export async function readConnection(ctx: LibContext, connectionId: string): Promise<ConnectionItem | undefined> {
  const out = await ctx.ddb.send(new GetCommand({ TableName: ctx.tables.meta, Key: pushKeys.connection(connectionId), ConsistentRead: true }));
  return decodeConnection(connectionId, out.Item);
}

export async function resolveTarget(
  ctx: LibContext,
  connectionId: string,
  topic: string,
  partitions: number[] | undefined,
): Promise<SubscriptionTarget> {
  const connection = await readConnection(ctx, connectionId);
  if (connection === undefined) throw new SamsaError('UNAUTHENTICATED', 'This connection is not registered (it ended); reconnect.');
  await authorize(ctx.authorizer, { name: connection.principal }, 'read', { type: 'topic', name: topic });
  const t = await getTopic(ctx, topic);
  const wanted = partitions ?? Array.from({ length: t.partitions }, (_, p) => p);
  const bad = wanted.filter((p) => p >= t.partitions);
  if (bad.length > 0) {
    throw new SamsaError('UNKNOWN_TOPIC_OR_PARTITION', `Topic '${topic}' has partitions 0 to ${t.partitions - 1}; no partition ${bad.join(', ')}.`);
  }
  return { connection, topic, topicId: t.topicId, partitions: wanted };
}

/**
 * Unsubscribes a connection from partitions of a topic (all when none are named).
 *
 * Behaviour: deletes the subscription rows first (fan-out stops at once), then
 * the entries on the connection item. Unsubscribing what was never subscribed
 * is harmless. No ACL check: it only takes away.
 * Errors: UNAUTHENTICATED (connection not registered), UNKNOWN_TOPIC_OR_PARTITION.
 * Cost: 1 GetItem + the topic read + 1 DeleteItem per partition + 1 UpdateItem.
 */
import { DeleteCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { LibContext } from '../context';
import { forEachLimit } from '../for-each-limit';
import { pushKeys, removeSubscriptions } from './registry';
import { readConnection } from './subscription-target';
import { SamsaError } from '../errors';
import { getTopic } from '../topics/topic-item';

export async function unsubscribe(ctx: LibContext, connectionId: string, topic: string, partitions?: number[]): Promise<number[]> {
  const connection = await readConnection(ctx, connectionId);
  if (connection === undefined) throw new SamsaError('UNAUTHENTICATED', 'This connection is not registered (it ended); reconnect.');
  const t = await getTopic(ctx, topic);
  const wanted = partitions ?? Array.from({ length: t.partitions }, (_, p) => p);
  await forEachLimit(wanted, 8, async (p) => {
    await ctx.ddb.send(new DeleteCommand({ TableName: ctx.tables.meta, Key: pushKeys.subscription(t.topicId, p, connectionId) }));
  });
  await ctx.ddb
    .send(new UpdateCommand(removeSubscriptions(ctx.tables.meta, connectionId, wanted.map((p) => `${t.topicId}#${p}`))))
    .catch((err) => {
      // Disconnected meanwhile: disconnect removed everything already.
      if ((err as { name?: string }).name !== 'ConditionalCheckFailedException') throw err;
    });
  return wanted;
}

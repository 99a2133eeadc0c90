/**
 * Subscribes a connection to partitions of a topic (all when none are named).
 *
 * Behaviour: checks ACL `read` on the topic for the principal that opened the
 * connection, then records the partitions on the connection item (so
 * disconnect can find them) before writing one subscription row per
 * partition (what fan-out queries). A connection that ended meanwhile fails
 * the first write, so no row is written for it. Subscribing twice is harmless.
 * Errors: UNAUTHENTICATED (connection not registered), AUTHORIZATION_FAILED,
 * UNKNOWN_TOPIC_OR_PARTITION, INVALID_REQUEST (more than
 * MAX_PUSH_SUBSCRIPTIONS partitions on one connection).
 * Cost: 1 strongly consistent GetItem (connection) + the topic read + 1
 * UpdateItem + 1 PutItem per partition (each 1 WCU).
 */
import { PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { LibContext } from '../context';
import { SamsaError } from '../errors';
import { forEachLimit } from '../for-each-limit';
import { MAX_PUSH_SUBSCRIPTIONS } from '../protocol/push';
import { addSubscriptions, putSubscription } from './registry';
import { resolveTarget } from './subscription-target';

export async function subscribe(ctx: LibContext, connectionId: string, topic: string, partitions?: number[]): Promise<number[]> {
  const target = await resolveTarget(ctx, connectionId, topic, partitions);
  const keys = target.partitions.map((p) => `${target.topicId}#${p}`);
  const total = new Set([...target.connection.subs, ...keys]).size;
  if (total > MAX_PUSH_SUBSCRIPTIONS) {
    throw new SamsaError('INVALID_REQUEST', `A connection may subscribe to at most ${MAX_PUSH_SUBSCRIPTIONS} partitions; this would make ${total}.`);
  }
  try {
    await ctx.ddb.send(new UpdateCommand(addSubscriptions(ctx.tables.meta, connectionId, keys)));
  } catch (err) {
    if ((err as { name?: string }).name === 'ConditionalCheckFailedException') {
      throw new SamsaError('UNAUTHENTICATED', 'This connection is not registered (it ended); reconnect.');
    }
    throw err;
  }
  await forEachLimit(target.partitions, 8, async (p) => {
    await ctx.ddb.send(
      new PutCommand(putSubscription(ctx.tables.meta, target.topicId, p, connectionId, topic, target.connection.connectedAt)),
    );
  });
  return target.partitions;
}

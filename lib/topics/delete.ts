/**
 * Delete topic.
 * Behaviour: deletes the partition counters first, so from then on no writer
 * holding the old id (a strong read just before, or a producer's cached
 * topic) can reserve — reservations are conditional on the counter — then
 * removes the name (conditional on the topic id). The records become
 * unreachable — they are keyed by the old id — and TTL removes them. A topic
 * created later with the same name starts at offset 0 under a new id, whose
 * counters a stale id never reaches. Interrupted between the two steps, the
 * topic is still listed but refuses every produce and fetch
 * (UNKNOWN_TOPIC_OR_PARTITION) until the delete is repeated.
 * Errors: INVALID_TOPIC, UNKNOWN_TOPIC_OR_PARTITION (also for the loser of
 * two concurrent deletes).
 * Cost: 1 strong GetItem, 1 conditional delete, ceil(partitions / 25) BatchWrites.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand } from '@aws-sdk/lib-dynamodb';
import { authorize, type Principal } from '../auth/authorize';
import type { LibContext } from '../context';
import { metaKeys } from '../storage/keys';
import { deleteCounters } from './counters';
import { getTopic, unknownTopic, type Topic } from './topic-item';
import { validateTopicName } from './validate';

export async function deleteTopic(ctx: LibContext, principal: Principal, name: string): Promise<Topic> {
  validateTopicName(name);
  await authorize(ctx.authorizer, principal, 'delete', { type: 'topic', name });
  const topic = await getTopic(ctx, name);
  await deleteCounters(ctx, topic.topicId, 0, topic.partitions);
  try {
    await ctx.ddb.send(
      new DeleteCommand({
        TableName: ctx.tables.meta,
        Key: metaKeys.topic(name),
        ConditionExpression: 'topicId = :id',
        ExpressionAttributeValues: { ':id': topic.topicId },
      }),
    );
  } catch (err) {
    if (err instanceof ConditionalCheckFailedException) throw unknownTopic(name);
    throw err;
  }
  return topic;
}

/**
 * Delete topic.
 * Behaviour: removes the name (conditional on the topic id, so it never
 * deletes a topic re-created concurrently), then the partition counters, so
 * no writer still holding the old id can append. The records become
 * unreachable at once — they are keyed by the old id — and TTL removes them.
 * A topic created later with the same name starts at offset 0.
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
  await deleteCounters(ctx, topic.topicId, 0, topic.partitions);
  return topic;
}

/**
 * Increase partitions (Kafka CreatePartitions: the request names the new total).
 * Behaviour: creates the new partitions' counters (carrying the new version)
 * without overwriting any, then raises the count conditional on the version
 * read, then stamps the new version on the older counters (counters.ts), so
 * once this returns a producer routing by a cached count is refused and
 * routes again by the new one. Keyed records already written stay where they
 * are; new keyed records may map elsewhere, as in Kafka.
 * Errors: INVALID_PARTITIONS (not larger than now, or over the maximum),
 * UNKNOWN_TOPIC_OR_PARTITION, CONCURRENT_MODIFICATION (retriable).
 * Cost: 1 strong GetItem, one conditional put per new partition, 1 update,
 * one small conditional update per earlier partition (the stamp).
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { authorize, type Principal } from '../auth/authorize';
import type { LibContext } from '../context';
import { SamsaError } from '../errors';
import { metaKeys } from '../storage/keys';
import { putMissingCounters, stampCounters } from './counters';
import { concurrentChange, getTopic, type Topic } from './topic-item';
import { validatePartitionCount, validateTopicName } from './validate';

export async function createPartitions(
  ctx: LibContext,
  principal: Principal,
  name: string,
  totalPartitions: number,
): Promise<Topic> {
  validateTopicName(name);
  validatePartitionCount(totalPartitions, ctx.limits);
  await authorize(ctx.authorizer, principal, 'alter', { type: 'topic', name });
  const topic = await getTopic(ctx, name);
  if (totalPartitions <= topic.partitions) {
    throw new SamsaError(
      'INVALID_PARTITIONS',
      `Topic '${name}' has ${topic.partitions} partitions; the new total must be larger (partitions never decrease).`,
      { details: { current: topic.partitions } },
    );
  }
  await putMissingCounters(ctx, topic.topicId, topic.partitions, totalPartitions, topic.version + 1);
  try {
    await ctx.ddb.send(
      new UpdateCommand({
        TableName: ctx.tables.meta,
        Key: metaKeys.topic(name),
        UpdateExpression: 'SET #partitions = :p, #version = :v',
        ConditionExpression: '#version = :old AND topicId = :id',
        ExpressionAttributeNames: { '#partitions': 'partitions', '#version': 'version' },
        ExpressionAttributeValues: { ':p': totalPartitions, ':v': topic.version + 1, ':old': topic.version, ':id': topic.topicId },
      }),
    );
  } catch (err) {
    if (err instanceof ConditionalCheckFailedException) throw concurrentChange(name);
    throw err;
  }
  const updated = { ...topic, partitions: totalPartitions, version: topic.version + 1 };
  // The new partitions' counters were created with the new version.
  await stampCounters(ctx, updated, topic.partitions);
  return updated;
}

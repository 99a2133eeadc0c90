/**
 * The partition a log operation works on, resolved from a topic name: the
 * topic (strongly read, so a re-created topic never gets the old id) and the
 * partition's key in the log table.
 */
import type { LibContext } from '../context';
import { SamsaError } from '../errors';
import { logKeys } from '../storage/keys';
import { getTopicForRead } from '../topics/topic-cache';
import { getTopic, type Topic } from '../topics/topic-item';
import { validateTopicName } from '../topics/validate';

export interface PartitionRef {
  topic: Topic;
  partition: number;
  /** Partition key in the log table. */
  pk: string;
  /** The topic came from the read cache and may be up to its TTL old. */
  cached?: boolean;
}

export function partitionRef(topic: Topic, partition: number): PartitionRef {
  return { topic, partition, pk: logKeys.partitionPk(topic.topicId, partition) };
}

export async function resolvePartition(ctx: LibContext, topicName: string, partition: number): Promise<PartitionRef> {
  validateTopicName(topicName);
  const topic = await getTopic(ctx, topicName);
  checkPartition(topic, partition);
  return partitionRef(topic, partition);
}

/** For read paths: the topic from the read cache when fresh; a partition beyond a cached count is re-checked. */
export async function resolvePartitionForRead(ctx: LibContext, topicName: string, partition: number): Promise<PartitionRef> {
  validateTopicName(topicName);
  const { topic, cached } = await getTopicForRead(ctx, topicName);
  if (cached && partition >= topic.partitions) return forgetAndResolve(ctx, topicName, partition);
  checkPartition(topic, partition);
  return { ...partitionRef(topic, partition), ...(cached ? { cached } : {}) };
}

/** After a cached topic proved stale (its counters are gone): drop it and resolve strongly. */
export async function forgetAndResolve(ctx: LibContext, topicName: string, partition: number): Promise<PartitionRef> {
  ctx.topicCache?.delete(topicName);
  const ref = await resolvePartition(ctx, topicName, partition);
  ctx.topicCache?.set(ref.topic, ctx.clock.now());
  return ref;
}

export function checkPartition(topic: Topic, partition: number): void {
  if (!Number.isSafeInteger(partition) || partition < 0 || partition >= topic.partitions) {
    throw new SamsaError(
      'UNKNOWN_TOPIC_OR_PARTITION',
      `Topic '${topic.name}' has partitions 0..${topic.partitions - 1}; partition ${partition} does not exist.`,
      { details: { partitions: topic.partitions } },
    );
  }
}

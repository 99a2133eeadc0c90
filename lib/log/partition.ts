/**
 * The partition a log operation works on, resolved from a topic name: the
 * topic (strongly read, so a re-created topic never gets the old id) and the
 * partition's key in the log table.
 */
import type { LibContext } from '../context';
import { SamsaError } from '../errors';
import { logKeys } from '../storage/keys';
import { getTopic, type Topic } from '../topics/topic-item';
import { validateTopicName } from '../topics/validate';

export interface PartitionRef {
  topic: Topic;
  partition: number;
  /** Partition key in the log table. */
  pk: string;
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

export function checkPartition(topic: Topic, partition: number): void {
  if (!Number.isSafeInteger(partition) || partition < 0 || partition >= topic.partitions) {
    throw new SamsaError(
      'UNKNOWN_TOPIC_OR_PARTITION',
      `Topic '${topic.name}' has partitions 0..${topic.partitions - 1}; partition ${partition} does not exist.`,
      { details: { partitions: topic.partitions } },
    );
  }
}

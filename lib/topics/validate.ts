/** Checks on topic names and partition numbers, shared by every topic operation. */
import { SamsaError } from '../errors';
import { TOPIC_NAME_PATTERN, type Limits } from '../limits';

export function validateTopicName(name: string): void {
  if (!TOPIC_NAME_PATTERN.test(name) || name === '.' || name === '..') {
    throw new SamsaError(
      'INVALID_TOPIC',
      `Invalid topic name ${JSON.stringify(name.length > 300 ? `${name.slice(0, 300)}…` : name)}: use 1-249 characters from [A-Za-z0-9._-], not '.' or '..'.`,
    );
  }
}

export function validatePartitionCount(partitions: number, limits: Limits): void {
  if (!Number.isSafeInteger(partitions) || partitions < 1 || partitions > limits.maxPartitionsPerTopic) {
    throw new SamsaError(
      'INVALID_PARTITIONS',
      `partitions must be an integer between 1 and ${limits.maxPartitionsPerTopic}; got ${partitions}.`,
      { details: { max: limits.maxPartitionsPerTopic } },
    );
  }
}

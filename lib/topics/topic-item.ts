/**
 * The topic item in the meta table's registry (`pk = topics`, `sk = <name>`)
 * and the reads every topic operation shares.
 */
import { TOPIC_NAME_PATTERN } from '../limits';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { LibContext } from '../context';
import { SamsaError } from '../errors';
import { metaKeys } from '../storage/keys';
import type { ConfigOverrides } from './configs';

export interface Topic {
  name: string;
  /** Immutable UUID minted at create; every data item is keyed by it. */
  topicId: string;
  partitions: number;
  configs: ConfigOverrides;
  createdAt: number;
  /** Bumped by every change, for optimistic concurrency. */
  version: number;
}

export function topicItem(topic: Topic) {
  return { ...metaKeys.topic(topic.name), ...topic };
}

/**
 * Strongly consistent: a stale read after delete + re-create would hand out the old topic id.
 * A name no topic can have is unknown without a read: DynamoDB would refuse a sort key over
 * 1 KB with a ValidationException, which must not become a 500 for a caller's typo.
 */
export async function findTopic(ctx: LibContext, name: string): Promise<Topic | undefined> {
  if (!TOPIC_NAME_PATTERN.test(name)) return undefined;
  const out = await ctx.ddb.send(
    new GetCommand({ TableName: ctx.tables.meta, Key: metaKeys.topic(name), ConsistentRead: true }),
  );
  return out.Item === undefined ? undefined : fromItem(out.Item);
}

export async function getTopic(ctx: LibContext, name: string): Promise<Topic> {
  const topic = await findTopic(ctx, name);
  if (topic === undefined) throw unknownTopic(name);
  return topic;
}

export function unknownTopic(name: string): SamsaError {
  const shown = name.length > 249 ? `${name.slice(0, 40)}… (${name.length} characters)` : name;
  return new SamsaError('UNKNOWN_TOPIC_OR_PARTITION', `Topic '${shown}' does not exist.`);
}

export function concurrentChange(name: string): SamsaError {
  return new SamsaError('CONCURRENT_MODIFICATION', `Topic '${name}' changed while this request ran; retry it.`);
}

export function fromItem(item: Record<string, unknown>): Topic {
  return {
    name: item.name as string,
    topicId: item.topicId as string,
    partitions: item.partitions as number,
    configs: (item.configs ?? {}) as ConfigOverrides,
    createdAt: item.createdAt as number,
    version: item.version as number,
  };
}

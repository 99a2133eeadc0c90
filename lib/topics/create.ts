/**
 * Create topic.
 * Behaviour: mints a new topic id, creates one counter per partition, then
 * makes the topic visible with a conditional put on its name. Offsets of the
 * new topic start at 0; items of an earlier topic with the same name belong
 * to another id and can never show up.
 * Errors: INVALID_TOPIC, INVALID_PARTITIONS, INVALID_CONFIG, POLICY_VIOLATION
 * (maxTopics reached),
 * TOPIC_ALREADY_EXISTS (409; also for the loser of two concurrent creates).
 * Cost: a COUNT Query of the registry, ceil(partitions / 25) BatchWrite calls
 * (1 WRU per counter) + 1 put.
 */
import { randomUUID } from 'node:crypto';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { authorize, type Principal } from '../auth/authorize';
import type { LibContext } from '../context';
import { SamsaError } from '../errors';
import { parseConfigs, type RawConfigs } from './configs';
import { deleteCounters, putFreshCounters } from './counters';
import { metaKeys } from '../storage/keys';
import { topicItem, type Topic } from './topic-item';
import { validatePartitionCount, validateTopicName } from './validate';

export interface CreateTopicInput {
  name: string;
  partitions?: number;
  configs?: RawConfigs;
}

export async function createTopic(ctx: LibContext, principal: Principal, input: CreateTopicInput): Promise<Topic> {
  validateTopicName(input.name);
  const partitions = input.partitions ?? 1;
  validatePartitionCount(partitions, ctx.limits);
  const { set } = parseConfigs(input.configs ?? {}, ctx.limits);
  await authorize(ctx.authorizer, principal, 'create', { type: 'topic', name: input.name });
  await checkTopicCount(ctx);

  const topic: Topic = {
    name: input.name,
    topicId: randomUUID(),
    partitions,
    configs: set,
    createdAt: ctx.clock.now(),
    version: 1,
  };
  await putFreshCounters(ctx, topic.topicId, 0, partitions, topic.version);
  try {
    await ctx.ddb.send(
      new PutCommand({
        TableName: ctx.tables.meta,
        Item: topicItem(topic),
        ConditionExpression: 'attribute_not_exists(pk)',
      }),
    );
  } catch (err) {
    if (!(err instanceof ConditionalCheckFailedException)) throw err;
    await deleteCounters(ctx, topic.topicId, 0, partitions);
    throw new SamsaError('TOPIC_ALREADY_EXISTS', `Topic '${input.name}' already exists.`);
  }
  return topic;
}

async function checkTopicCount(ctx: LibContext): Promise<void> {
  let count = 0;
  let startKey: Record<string, unknown> | undefined;
  do {
    const out = await ctx.ddb.send(
      new QueryCommand({
        TableName: ctx.tables.meta,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': metaKeys.topicRegistryPk },
        Select: 'COUNT',
        ExclusiveStartKey: startKey,
      }),
    );
    count += out.Count ?? 0;
    startKey = out.LastEvaluatedKey;
  } while (startKey !== undefined);
  if (count >= ctx.limits.maxTopics) {
    throw new SamsaError('POLICY_VIOLATION', `This deployment already has ${count} topics; the limit is ${ctx.limits.maxTopics} (maxTopics).`, {
      details: { limit: ctx.limits.maxTopics },
    });
  }
}

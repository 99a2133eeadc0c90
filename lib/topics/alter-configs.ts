/**
 * Alter topic configs (Kafka IncrementalAlterConfigs): each named config is
 * set, or reset to its default when its value is null; others are kept.
 * Errors: INVALID_CONFIG, UNKNOWN_TOPIC_OR_PARTITION, CONCURRENT_MODIFICATION.
 * Cost: 1 strong GetItem, 1 conditional update.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { authorize, type Principal } from '../auth/authorize';
import type { LibContext } from '../context';
import { metaKeys } from '../storage/keys';
import { parseConfigs, type ConfigOverrides, type RawConfigs } from './configs';
import { concurrentChange, getTopic, type Topic } from './topic-item';
import { validateTopicName } from './validate';

export async function alterTopicConfigs(
  ctx: LibContext,
  principal: Principal,
  name: string,
  raw: RawConfigs,
): Promise<Topic> {
  validateTopicName(name);
  const { set, reset } = parseConfigs(raw, ctx.limits);
  await authorize(ctx.authorizer, principal, 'alter', { type: 'topic', name });
  const topic = await getTopic(ctx, name);
  const configs: ConfigOverrides = { ...topic.configs, ...set };
  for (const r of reset) delete configs[r];
  try {
    await ctx.ddb.send(
      new UpdateCommand({
        TableName: ctx.tables.meta,
        Key: metaKeys.topic(name),
        UpdateExpression: 'SET #configs = :c, #version = :v',
        ConditionExpression: '#version = :old AND topicId = :id',
        ExpressionAttributeNames: { '#configs': 'configs', '#version': 'version' },
        ExpressionAttributeValues: { ':c': configs, ':v': topic.version + 1, ':old': topic.version, ':id': topic.topicId },
      }),
    );
  } catch (err) {
    if (err instanceof ConditionalCheckFailedException) throw concurrentChange(name);
    throw err;
  }
  return { ...topic, configs, version: topic.version + 1 };
}

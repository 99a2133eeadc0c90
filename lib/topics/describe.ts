/**
 * Describe topic.
 * Behaviour: the topic's id, partitions and every config with its source.
 * Errors: INVALID_TOPIC, UNKNOWN_TOPIC_OR_PARTITION.
 * Cost: one strongly consistent GetItem (1 RRU).
 */
import { authorize, type Principal } from '../auth/authorize';
import type { LibContext } from '../context';
import type { TopicDescription } from '../protocol/responses';
import { describeConfigs } from './configs';
import { getTopic } from './topic-item';
import { validateTopicName } from './validate';

export type { TopicDescription };

export async function describeTopic(ctx: LibContext, principal: Principal, name: string): Promise<TopicDescription> {
  validateTopicName(name);
  await authorize(ctx.authorizer, principal, 'describe', { type: 'topic', name });
  const topic = await getTopic(ctx, name);
  return {
    name: topic.name,
    topicId: topic.topicId,
    partitions: Array.from({ length: topic.partitions }, (_, partition) => ({ partition })),
    configs: describeConfigs(topic.configs),
    createdAt: new Date(topic.createdAt).toISOString(),
  };
}

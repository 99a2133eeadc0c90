/**
 * List topics.
 * Behaviour: every topic the principal may describe, sorted by name.
 * Errors: none of its own.
 * Cost: one Query page per 1 MB of topic items (0.5 RRU per 4 KB).
 */
import { queryAll } from '../storage/query-all';
import type { Principal } from '../auth/authorize';
import type { LibContext } from '../context';
import { metaKeys } from '../storage/keys';
import { fromItem, type Topic } from './topic-item';

export async function listTopics(ctx: LibContext, principal: Principal): Promise<Topic[]> {
  const items = await queryAll(ctx.ddb, {
    TableName: ctx.tables.meta,
    KeyConditionExpression: 'pk = :pk',
    ExpressionAttributeValues: { ':pk': metaKeys.topicRegistryPk },
  });
  const topics = items.map(fromItem);

  const visible: Topic[] = [];
  for (const topic of topics) {
    if (await ctx.authorizer(principal, 'describe', { type: 'topic', name: topic.name })) visible.push(topic);
  }
  return visible;
}

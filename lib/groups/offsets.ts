/**
 * Committed offsets of a group: `GET /v1/groups/{group}/offsets`.
 * Only commits of topics that still exist under the same id are returned: a
 * deleted and re-created topic starts without the old commits.
 * Cost: one strong Query of the group's commit items, 1 GetItem per topic.
 */
import { queryAll } from '../storage/query-all';
import { authorize, type Principal } from '../auth/authorize';
import type { LibContext } from '../context';
import { metaKeys } from '../storage/keys';
import { findTopic } from '../topics/topic-item';
import { validateGroupName } from './validate';

export interface CommittedOffset {
  topic: string;
  topicId: string;
  partition: number;
  offset: number;
  metadata: string;
  committedAt: number;
  /** The member holding the partition's lease now, if any. */
  owner?: string;
}

export async function committedOffsets(ctx: LibContext, principal: Principal, group: string): Promise<CommittedOffset[]> {
  validateGroupName(group);
  await authorize(ctx.authorizer, principal, 'describe', { type: 'group', name: group });
  return readCommits(ctx, group);
}

export async function readCommits(ctx: LibContext, group: string, includeUncommitted = false): Promise<CommittedOffset[]> {
  const items = await queryAll(ctx.ddb, {
    TableName: ctx.tables.meta,
    KeyConditionExpression: 'pk = :pk AND begins_with(sk, :c)',
    ExpressionAttributeValues: { ':pk': metaKeys.groupPk(group), ':c': 'commit#' },
    ConsistentRead: true,
  });

  const current = new Map<string, string | undefined>();
  for (const name of new Set(items.map((i) => i.topic as string))) current.set(name, (await findTopic(ctx, name))?.topicId);
  const result: CommittedOffset[] = [];
  for (const item of items) {
    const [, topicId, partition] = (item.sk as string).split('#');
    if (current.get(item.topic as string) !== topicId) continue;
    if (typeof item.offset !== 'number' && !includeUncommitted) continue;
    const entry: CommittedOffset = {
      topic: item.topic as string,
      topicId: topicId as string,
      partition: Number(partition),
      offset: typeof item.offset === 'number' ? item.offset : -1,
      metadata: (item.metadata as string | undefined) ?? '',
      committedAt: (item.committedAt as number | undefined) ?? 0,
    };
    if (typeof item.owner === 'string') entry.owner = item.owner;
    result.push(entry);
  }
  return result.sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition);
}

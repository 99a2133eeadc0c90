/**
 * Lag per partition: high watermark − committed offset (the whole retained
 * log when nothing is committed yet, measured from the log start), for every
 * partition with a commit and every partition of the topics the group
 * subscribes to; plus the total.
 * Cost: the commit Query, the group item, and one partition view per partition.
 */
import { authorize, type Principal } from '../auth/authorize';
import type { LibContext } from '../context';
import { SamsaError } from '../errors';
import type { PartitionLag } from '../protocol/responses';
import { partitionRef } from '../log/partition';
import { viewPartition } from '../log/partition-view';
import { findTopic } from '../topics/topic-item';
import { readCommits } from './offsets';
import { loadGroup } from './state';
import { validateGroupName } from './validate';

export type { PartitionLag };

export async function groupLag(ctx: LibContext, principal: Principal, group: string): Promise<{ group: string; partitions: PartitionLag[]; totalLag: number }> {
  validateGroupName(group);
  await authorize(ctx.authorizer, principal, 'describe', { type: 'group', name: group });
  const [{ group: g }, commits] = await Promise.all([loadGroup(ctx, group), readCommits(ctx, group)]);
  if (g === undefined && commits.length === 0) throw new SamsaError('GROUP_ID_NOT_FOUND', `Group '${group}' does not exist.`);
  const names = new Set([...commits.map((c) => c.topic), ...Object.keys(g?.topics ?? {})]);
  const partitions: PartitionLag[] = [];
  for (const name of [...names].sort()) {
    const topic = await findTopic(ctx, name);
    if (topic === undefined) continue;
    const rows = await Promise.all(
      Array.from({ length: topic.partitions }, async (_, partition) => {
        const committed = commits.find((c) => c.topicId === topic.topicId && c.partition === partition)?.offset ?? null;
        const subscribed = g?.topics[name] !== undefined;
        if (committed === null && !subscribed) return undefined;
        const view = await viewPartition(ctx, partitionRef(topic, partition));
        const from = committed === null ? view.logStartOffset : Math.max(committed, view.logStartOffset);
        return { topic: name, partition, committedOffset: committed, logStartOffset: view.logStartOffset, highWatermark: view.stableEnd, lag: Math.max(0, view.stableEnd - from) };
      }),
    );
    for (const r of rows) if (r !== undefined) partitions.push(r);
  }
  return { group, partitions, totalLag: partitions.reduce((sum, p) => sum + p.lag, 0) };
}

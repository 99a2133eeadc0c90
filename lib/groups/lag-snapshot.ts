/**
 * Consumer lag of every group, for metrics (the scheduled lag-metrics
 * function): per group and topic, the records between the committed offset
 * and the log end.
 * Unlike groupLag (lag.ts) it only reads, so it can run with read-only
 * access: the log end is the partition counter's next offset (so batches
 * still being written, or aborted, count as lag until they settle), and the
 * log start is the stored one (retention is applied by readers, not here).
 * Which partitions count is groupLag's rule: every partition with a commit
 * and every partition of a subscribed topic (from the log start when
 * nothing is committed).
 * Not reachable over HTTP; runs as the deployment, so no principal.
 * Cost: 1 registry Query; per group its group item, member and commit
 * Queries; 1 strong GetItem per topic; 1 eventually consistent GetItem
 * (0.5 RRU) per partition, each read once per run however many groups read it.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { LibContext } from '../context';
import { forEachLimit } from '../for-each-limit';
import { logKeys, metaKeys } from '../storage/keys';
import { queryAll } from '../storage/query-all';
import { findTopic, type Topic } from '../topics/topic-item';
import { readCommits } from './offsets';
import { loadGroup } from './state';

export interface TopicLagSample {
  group: string;
  topic: string;
  /** Sum over the topic's counted partitions. */
  lag: number;
  partitions: number;
}

export interface GroupLagSample {
  group: string;
  totalLag: number;
  topics: TopicLagSample[];
}

const CONCURRENCY = 16;

export async function lagSnapshot(ctx: LibContext): Promise<GroupLagSample[]> {
  const registry = await queryAll(ctx.ddb, {
    TableName: ctx.tables.meta,
    KeyConditionExpression: 'pk = :pk',
    ExpressionAttributeValues: { ':pk': metaKeys.groupRegistryPk },
  });
  const topics = new Map<string, Promise<Topic | undefined>>();
  const ends = new Map<string, Promise<{ next: number; logStart: number } | undefined>>();
  const topicOf = (name: string) => memo(topics, name, () => findTopic(ctx, name));
  const endOf = (topic: Topic, partition: number) =>
    memo(ends, logKeys.partitionPk(topic.topicId, partition), () => readLogEnd(ctx, topic, partition));

  const samples: GroupLagSample[] = [];
  await forEachLimit(
    registry.map((item) => item.sk as string),
    CONCURRENCY,
    async (group) => {
      const [{ group: g }, commits] = await Promise.all([loadGroup(ctx, group), readCommits(ctx, group)]);
      const names = [...new Set([...commits.map((c) => c.topic), ...Object.keys(g?.topics ?? {})])].sort();
      const perTopic: TopicLagSample[] = [];
      for (const name of names) {
        const topic = await topicOf(name);
        if (topic === undefined) continue;
        const subscribed = g?.topics[name] !== undefined;
        const counted = Array.from({ length: topic.partitions }, (_, p) => p).filter(
          (p) => subscribed || commits.some((c) => c.topicId === topic.topicId && c.partition === p),
        );
        let lag = 0;
        await forEachLimit(counted, CONCURRENCY, async (partition) => {
          const end = await endOf(topic, partition);
          if (end === undefined) return;
          const committed = commits.find((c) => c.topicId === topic.topicId && c.partition === partition)?.offset;
          lag += Math.max(0, end.next - Math.max(committed ?? end.logStart, end.logStart));
        });
        if (counted.length > 0) perTopic.push({ group, topic: name, lag, partitions: counted.length });
      }
      samples.push({ group, totalLag: perTopic.reduce((sum, t) => sum + t.lag, 0), topics: perTopic });
    },
  );
  return samples.sort((a, b) => a.group.localeCompare(b.group));
}

/** The counter's next offset and stored log start; undefined once the topic is deleted under us. */
async function readLogEnd(ctx: LibContext, topic: Topic, partition: number): Promise<{ next: number; logStart: number } | undefined> {
  const out = await ctx.ddb.send(new GetCommand({ TableName: ctx.tables.log, Key: logKeys.counter(topic.topicId, partition) }));
  if (out.Item === undefined) return undefined;
  return { next: out.Item.next as number, logStart: (out.Item.lo as number | undefined) ?? 0 };
}

function memo<K, V>(cache: Map<K, Promise<V>>, key: K, load: () => Promise<V>): Promise<V> {
  let value = cache.get(key);
  if (value === undefined) cache.set(key, (value = load()));
  return value;
}

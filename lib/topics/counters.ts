/**
 * Partition counter items (log table, `sk = -1`). A topic's counters exist
 * before the topic is visible and are deleted with it: reservations are
 * conditional on the counter existing, so a writer holding a deleted topic's
 * id can never append.
 *
 * Each counter also carries `cv`, the newest topic version whose configs and
 * partition count writers must use: reservations are conditional on
 * `cv <= ` the version of the topic the writer holds (lib/log/counter.ts), so
 * a writer whose cached topic predates a change is refused and re-reads it.
 * A change stamps the new version on every counter after the topic item holds
 * it (stampCounters), never before: a writer refused for a newer `cv` always
 * finds that version (or a later one) when it re-reads the topic. Stamps only
 * grow, so late or concurrent stamps never undo a newer one.
 */
import { BatchWriteCommand, PutCommand, UpdateCommand, type BatchWriteCommandInput } from '@aws-sdk/lib-dynamodb';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import type { LibContext } from '../context';
import { logKeys } from '../storage/keys';
import { forEachLimit } from '../for-each-limit';
import type { Topic } from './topic-item';

export function newCounterItem(topicId: string, partition: number, now: number, topicVersion: number) {
  return { ...logKeys.counter(topicId, partition), seq: 0, next: 0, ls: 0, lo: 0, cur: 0, co: 0, ra: now, cv: topicVersion };
}

/** For a fresh topic id nothing can exist yet, so unconditional batch puts are safe. */
export async function putFreshCounters(ctx: LibContext, topicId: string, from: number, to: number, topicVersion: number): Promise<void> {
  const now = ctx.clock.now();
  const requests = range(from, to).map((p) => ({ PutRequest: { Item: newCounterItem(topicId, p, now, topicVersion) } }));
  await batchWrite(ctx, requests);
}

/**
 * For partitions added to a live topic: a concurrent increase may already
 * have created (and a producer used) a counter, so never overwrite one.
 */
export async function putMissingCounters(ctx: LibContext, topicId: string, from: number, to: number, topicVersion: number): Promise<void> {
  const now = ctx.clock.now();
  await forEachLimit(range(from, to), 16, async (p) => {
    try {
      await ctx.ddb.send(
        new PutCommand({
          TableName: ctx.tables.log,
          Item: newCounterItem(topicId, p, now, topicVersion),
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    } catch (err) {
      if (!(err instanceof ConditionalCheckFailedException)) throw err;
    }
  });
}

/**
 * Stamps `topic.version` as the config version of partitions [0, upTo): call it after the topic
 * item holds that version. A counter already at it (or newer), or gone (topic deleted meanwhile),
 * is left alone.
 */
export async function stampCounters(ctx: LibContext, topic: Topic, upTo = topic.partitions): Promise<void> {
  await forEachLimit(range(0, upTo), 16, async (p) => {
    try {
      await ctx.ddb.send(new UpdateCommand({ TableName: ctx.tables.log, Key: logKeys.counter(topic.topicId, p), ...stampUpdate(topic.version) }));
    } catch (err) {
      if (!(err instanceof ConditionalCheckFailedException)) throw err;
    }
  });
}

/** The stamp: only on an existing counter (an update would create a missing one), and only upwards. */
export function stampUpdate(topicVersion: number) {
  return {
    UpdateExpression: 'SET cv = :v',
    ConditionExpression: 'attribute_exists(pk) AND (attribute_not_exists(cv) OR cv < :v)',
    ExpressionAttributeValues: { ':v': topicVersion },
  };
}

export async function deleteCounters(ctx: LibContext, topicId: string, from: number, to: number): Promise<void> {
  const requests = range(from, to).map((p) => ({ DeleteRequest: { Key: logKeys.counter(topicId, p) } }));
  await batchWrite(ctx, requests);
}

type WriteRequests = NonNullable<BatchWriteCommandInput['RequestItems']>[string];

async function batchWrite(ctx: LibContext, requests: WriteRequests): Promise<void> {
  const chunks: WriteRequests[] = [];
  for (let i = 0; i < requests.length; i += 25) chunks.push(requests.slice(i, i + 25));
  await forEachLimit(chunks, 4, async (chunk) => {
    let pending = chunk;
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt > 0) await sleep(Math.min(1000, 25 * 2 ** attempt));
      if (attempt > 8) throw new Error(`BatchWrite left ${pending.length} items unprocessed`);
      const out = await ctx.ddb.send(new BatchWriteCommand({ RequestItems: { [ctx.tables.log]: pending } }));
      pending = out.UnprocessedItems?.[ctx.tables.log] ?? [];
    }
  });
}

function range(from: number, to: number): number[] {
  return Array.from({ length: Math.max(0, to - from) }, (_, i) => from + i);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

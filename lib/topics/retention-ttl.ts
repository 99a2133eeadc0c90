/**
 * Keeps TTL in step with a raised `retention.ms`.
 *
 * Every log item carries `ttl = append time + retention + margin`, computed
 * with the retention in force when it was written. Raising retention.ms
 * keeps records longer by moving the log start later, but DynamoDB TTL would
 * still delete the items at their old ttl — a reader at the log start would
 * then find settled batches missing (records lost, readers failing with
 * UNAVAILABLE). So after retention.ms is raised (or set to -1), every live
 * item of the topic gets the ttl the new retention requires.
 *
 * Behaviour: per partition, walks the items from the log start seq (strong
 * Query of the log table — batches, manifests, abort markers) and their chunk
 * items, and sets `ttl = :new` on those whose ttl is lower, conditionally on
 * `ttl < :new`, so a ttl is never lowered and concurrent runs cannot undo each
 * other. With retention -1 the ttl is removed. Items below the log start are
 * unreachable already and left to expire. Idempotent: run it again after a
 * failure.
 *
 * lib/topics/alter-configs.ts calls it after the topic item was updated,
 * when the effective retention.ms grew (or became -1), and once more after
 * the reservations open at that moment settled (writers that read the old
 * config). Large topics take one UpdateItem per live item and may outgrow
 * the admin function's timeout (a known limit: such a rewrite belongs in a
 * background job); the call itself is idempotent.
 *
 * Cost: per partition 1 strong GetItem of the counter, a strong Query of the
 * items from the log start (the payload bytes are read: 1 RRU per 4 KB), and
 * 1 WRU per item (and chunk) whose ttl changes.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { LibContext } from '../context';
import { isSamsaError } from '../errors';
import { ttlFor } from '../log/batch-item';
import { readCounter } from '../log/counter';
import { partitionRef, type PartitionRef } from '../log/partition';
import { chunkKeys } from '../storage/keys';
import { queryPages } from '../storage/query-all';
import { effectiveConfig } from './configs';
import type { Topic } from './topic-item';
import { forEachLimit } from '../for-each-limit';

export interface TtlRewrite {
  /** Items (batches, markers, chunks) whose ttl was raised or removed. */
  items: number;
}

export async function extendRetentionTtl(
  ctx: LibContext,
  topic: Topic,
  retentionMs: number = effectiveConfig(topic.configs)['retention.ms'],
): Promise<TtlRewrite> {
  const result: TtlRewrite = { items: 0 };
  const partitions = Array.from({ length: topic.partitions }, (_, p) => p);
  await forEachLimit(partitions, 8, async (p) => {
    result.items += await extendPartition(ctx, partitionRef(topic, p), retentionMs);
  });
  return result;
}

async function extendPartition(ctx: LibContext, ref: PartitionRef, retentionMs: number): Promise<number> {
  let logStartSeq: number;
  try {
    logStartSeq = (await readCounter(ctx, ref)).ls;
  } catch (err) {
    if (isSamsaError(err) && err.code === 'UNKNOWN_TOPIC_OR_PARTITION') return 0; // deleted meanwhile
    throw err;
  }
  let updated = 0;
  const pages = queryPages(ctx.ddb, {
    TableName: ctx.tables.log,
    KeyConditionExpression: 'pk = :pk AND sk >= :from',
    ExpressionAttributeValues: { ':pk': ref.pk, ':from': logStartSeq },
    ProjectionExpression: 'pk, sk, #at, ra, ch, #ttl',
    ExpressionAttributeNames: { '#at': 'at', '#ttl': 'ttl' },
    ConsistentRead: true,
  });
  for await (const page of pages) {
    const writes: { key: { pk: string; sk: number }; ttl: unknown }[] = [];
    for (const item of page) {
      // Batches carry their append time; abort markers only `ra`, which is when their ttl was computed.
      const base = (item.at ?? item.ra) as number;
      const wanted = ttlFor(base, retentionMs);
      const keys = [{ pk: ref.pk, sk: item.sk as number }];
      if (typeof item.ch === 'number') {
        for (let i = 0; i < item.ch; i++) keys.push(chunkKeys.chunk(ref.pk, item.sk as number, i));
      }
      // The manifest's ttl stands for its chunks (written with the same value).
      if (item.ttl === undefined) continue;
      if (wanted !== undefined && (item.ttl as number) >= wanted) continue;
      for (const key of keys) writes.push({ key, ttl: wanted });
    }
    await forEachLimit(writes, 16, async (w) => {
      if (await setTtl(ctx, w.key, w.ttl as number | undefined)) updated++;
    });
  }
  return updated;
}

/** Raises (or with undefined, removes) one item's ttl; never lowers it. False when nothing changed. */
async function setTtl(ctx: LibContext, key: { pk: string; sk: number }, ttl: number | undefined): Promise<boolean> {
  try {
    await ctx.ddb.send(
      new UpdateCommand({
        TableName: ctx.tables.log,
        Key: key,
        ...(ttl === undefined
          ? { UpdateExpression: 'REMOVE #ttl', ConditionExpression: 'attribute_exists(#ttl)' }
          : {
              UpdateExpression: 'SET #ttl = :ttl',
              ConditionExpression: '#ttl < :ttl',
              ExpressionAttributeValues: { ':ttl': ttl },
            }),
        ExpressionAttributeNames: { '#ttl': 'ttl' },
      }),
    );
    return true;
  } catch (err) {
    // Already as long (or forever), or gone (TTL/retention removed it): nothing to do.
    if (err instanceof ConditionalCheckFailedException) return false;
    throw err;
  }
}

/**
 * Reads settled batch items of a partition in seq order, eventually
 * consistent (half the read cost), re-reading strongly any seq the query
 * missed: below the stable seq every seq is settled, so a miss is staleness,
 * never absence.
 */
import { BatchGetCommand, GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { LibContext } from '../context';
import { SamsaError } from '../errors';
import { chunkKeys, MAX_CHUNKS_PER_BATCH } from '../storage/keys';
import type { PartitionRef } from './partition';

export interface RawItem {
  sk: number;
  o: number;
  n?: number;
  ab?: number;
  ra: number;
  mt?: number;
  c?: number;
  r?: Uint8Array;
  ch?: number;
}

/**
 * Calls `visit` for every seq in [fromSeq, toSeq) in order, until it returns
 * false.
 */
export async function readBatches(
  ctx: LibContext,
  ref: PartitionRef,
  fromSeq: number,
  toSeq: number,
  visit: (item: RawItem) => boolean | Promise<boolean>,
  /**
   * Items to ask for in the next page. Every item a Query returns is billed, so callers that stop
   * early size pages from what they still need; the default grows 2, 8, 32, 100.
   */
  nextPageSize: (previous: number) => number = (previous) => Math.min(100, previous * 4),
): Promise<void> {
  let expected = fromSeq;
  let pageItems = 2;
  while (expected < toSeq) {
    const out = await ctx.ddb.send(
      new QueryCommand({
        TableName: ctx.tables.log,
        KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
        ExpressionAttributeValues: { ':pk': ref.pk, ':from': expected, ':to': toSeq - 1 },
        Limit: pageItems,
      }),
    );
    for (const item of (out.Items ?? []) as RawItem[]) {
      while (expected < item.sk) {
        if (!(await visit(await strongItem(ctx, ref, expected++)))) return;
      }
      if (item.sk < expected) continue;
      expected++;
      if (!(await visit(await withChunks(ctx, ref, item)))) return;
    }
    pageItems = Math.max(1, Math.min(100, Math.ceil(nextPageSize(pageItems))));
    if (out.LastEvaluatedKey === undefined) {
      while (expected < toSeq) if (!(await visit(await strongItem(ctx, ref, expected++)))) return;
    }
  }
}

async function strongItem(ctx: LibContext, ref: PartitionRef, seq: number): Promise<RawItem> {
  const out = await ctx.ddb.send(new GetCommand({ TableName: ctx.tables.log, Key: { pk: ref.pk, sk: seq }, ConsistentRead: true }));
  if (out.Item === undefined) {
    // Only TTL can remove a settled item, and retention moved the log start past it before that.
    throw new SamsaError('UNAVAILABLE', `Batch ${seq} of ${ref.topic.name}/${ref.partition} is missing; retry.`);
  }
  return withChunks(ctx, ref, out.Item as RawItem);
}

async function withChunks(ctx: LibContext, ref: PartitionRef, item: RawItem): Promise<RawItem> {
  if (item.ch === undefined || item.r !== undefined) return item;
  const keys = Array.from({ length: item.ch }, (_, i) => chunkKeys.chunk(ref.pk, item.sk, i));
  const parts = new Map<number, Uint8Array>();
  let pending = keys;
  for (let attempt = 0; pending.length > 0; attempt++) {
    if (attempt > 5) throw new SamsaError('UNAVAILABLE', 'Could not read every chunk of a large batch; retry.');
    const out = await ctx.ddb.send(
      new BatchGetCommand({ RequestItems: { [ctx.tables.log]: { Keys: pending, ConsistentRead: true } } }),
    );
    for (const c of out.Responses?.[ctx.tables.log] ?? []) parts.set((c.sk as number) % MAX_CHUNKS_PER_BATCH, c.d as Uint8Array);
    pending = (out.UnprocessedKeys?.[ctx.tables.log]?.Keys ?? []) as typeof keys;
  }
  const total = [...parts.values()].reduce((sum, p) => sum + p.length, 0);
  const payload = new Uint8Array(total);
  let at = 0;
  for (let i = 0; i < item.ch; i++) {
    const part = parts.get(i);
    if (part === undefined) throw new SamsaError('UNAVAILABLE', `Chunk ${i} of batch ${item.sk} is missing; retry.`);
    payload.set(part, at);
    at += part.length;
  }
  return { ...item, r: payload };
}

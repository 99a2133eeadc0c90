/**
 * Reads settled batch items of a partition in seq order, eventually
 * consistent (half the read cost), re-reading strongly any seq the query
 * missed: below the stable seq every seq is settled, so a miss is staleness,
 * never absence.
 * Pages: the caller sizes them (the first from what its request asks, later
 * ones from what the items read so far showed), since a Query bills every
 * item it returns.
 * Chunks of a large batch (batch-item.ts) are not read with it: the visitor
 * gets the manifest and calls payloadOf only when it will use the records.
 * Errors: UNAVAILABLE (a settled item or chunk missing even to a strong read:
 * TTL removed it, which happens only below the log start).
 * Cost: eventually consistent Query pages (0.5 RRU per 4 KB of the page);
 * a seq the page missed, 1 strong GetItem (1 RRU per 4 KB); chunks, an
 * eventually consistent BatchGetItem (0.5 RRU per 4 KB of each chunk), and a
 * strong one only for chunks it missed.
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
  /** The payload, inline; absent on a manifest (see `ch`) and on abort markers. */
  r?: Uint8Array;
  /** Chunk count of a batch stored as chunks: read them with payloadOf. */
  ch?: number;
}

export interface PageSizes {
  /** Items to ask for in the first page. */
  first?: number;
  /** Items to ask for in the next page, given the previous page's size. */
  next?: (previous: number) => number;
}

/** Largest page asked for: the Query limit is in items, and DynamoDB stops a page at 1 MB anyway. */
const MAX_PAGE_ITEMS = 100;

/**
 * Calls `visit` for every seq in [fromSeq, toSeq) in order, until it returns
 * false. Pages default to 2, 8, 32, 100 items.
 */
export async function readBatches(
  ctx: LibContext,
  ref: PartitionRef,
  fromSeq: number,
  toSeq: number,
  visit: (item: RawItem) => boolean | Promise<boolean>,
  pages: PageSizes = {},
): Promise<void> {
  const nextPageSize = pages.next ?? ((previous: number) => previous * 4);
  let expected = fromSeq;
  let pageItems = clampPage(pages.first ?? 2);
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
      if (!(await visit(item))) return;
    }
    pageItems = clampPage(nextPageSize(pageItems));
    if (out.LastEvaluatedKey === undefined) {
      while (expected < toSeq) if (!(await visit(await strongItem(ctx, ref, expected++)))) return;
    }
  }
}

function clampPage(items: number): number {
  return Math.max(1, Math.min(MAX_PAGE_ITEMS, Math.ceil(items)));
}

async function strongItem(ctx: LibContext, ref: PartitionRef, seq: number): Promise<RawItem> {
  const out = await ctx.ddb.send(new GetCommand({ TableName: ctx.tables.log, Key: { pk: ref.pk, sk: seq }, ConsistentRead: true }));
  if (out.Item === undefined) {
    // Only TTL can remove a settled item, and retention moved the log start past it before that.
    throw new SamsaError('UNAVAILABLE', `Batch ${seq} of ${ref.topic.name}/${ref.partition} is missing; retry.`);
  }
  return out.Item as RawItem;
}

/**
 * The payload of a batch item: inline, or assembled from its chunks. Chunks are written before
 * their manifest and never change, so an eventually consistent read returns them whole or not at
 * all; only chunks it missed (a replica behind) are read again strongly.
 */
export async function payloadOf(ctx: LibContext, ref: PartitionRef, item: RawItem): Promise<Uint8Array> {
  if (item.r !== undefined || item.ch === undefined) return item.r ?? new Uint8Array();
  const keys = Array.from({ length: item.ch }, (_, i) => chunkKeys.chunk(ref.pk, item.sk, i));
  const parts = new Map<number, Uint8Array>();
  await readChunks(ctx, keys, false, parts);
  const missed = keys.filter((k) => !parts.has(k.sk % MAX_CHUNKS_PER_BATCH));
  if (missed.length > 0) await readChunks(ctx, missed, true, parts);
  let total = 0;
  for (const part of parts.values()) total += part.length;
  const payload = new Uint8Array(total);
  let at = 0;
  for (let i = 0; i < item.ch; i++) {
    const part = parts.get(i);
    if (part === undefined) throw new SamsaError('UNAVAILABLE', `Chunk ${i} of batch ${item.sk} is missing; retry.`);
    payload.set(part, at);
    at += part.length;
  }
  return payload;
}

/** BatchGetItem of `keys` (retrying what DynamoDB left unprocessed) into `parts`, by chunk index. */
async function readChunks(
  ctx: LibContext,
  keys: { pk: string; sk: number }[],
  consistent: boolean,
  parts: Map<number, Uint8Array>,
): Promise<void> {
  let pending = keys;
  for (let attempt = 0; pending.length > 0; attempt++) {
    if (attempt > 5) throw new SamsaError('UNAVAILABLE', 'Could not read every chunk of a large batch; retry.');
    if (attempt > 0) await new Promise((r) => setTimeout(r, Math.min(500, 20 * 2 ** attempt)));
    const out = await ctx.ddb.send(
      new BatchGetCommand({ RequestItems: { [ctx.tables.log]: { Keys: pending, ConsistentRead: consistent } } }),
    );
    for (const c of out.Responses?.[ctx.tables.log] ?? []) parts.set((c.sk as number) % MAX_CHUNKS_PER_BATCH, c.d as Uint8Array);
    pending = (out.UnprocessedKeys?.[ctx.tables.log]?.Keys ?? []) as typeof keys;
  }
}

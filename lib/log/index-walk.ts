/**
 * Reads the `byOffset` index (sk, o, n, ra, ab, mt per settled seq) and
 * confirms what it misses. The index lags and is eventually consistent, so a
 * seq missing from it is confirmed by a strongly consistent GetItem before
 * anyone acts on its absence (docs/design.md, "Absence is never evidence").
 */
import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { LibContext } from '../context';
import { queryPages } from '../storage/query-all';
import { BY_OFFSET_INDEX } from '../storage/schema';
import type { PartitionRef } from './partition';

export interface SeqEntry {
  seq: number;
  /** Batch: its base offset. Marker: a lower bound of its (unknowable) range start. */
  o: number;
  /** Record count; absent on abort markers. */
  n?: number;
  ra: number;
  aborted: boolean;
  /** Max record timestamp of a batch. */
  mt?: number;
}

/**
 * Index entries with o ≥ fromOffset and seq < uptoSeq, as a map by seq.
 * `enough` stops paging early once the caller has seen what it needs.
 */
export async function indexEntries(
  ctx: LibContext,
  ref: PartitionRef,
  fromOffset: number,
  uptoSeq: number,
  enough: (entries: Map<number, SeqEntry>) => boolean = () => false,
): Promise<Map<number, SeqEntry>> {
  const entries = new Map<number, SeqEntry>();
  const pages = queryPages(ctx.ddb, {
    TableName: ctx.tables.log,
    IndexName: BY_OFFSET_INDEX,
    KeyConditionExpression: 'pk = :pk AND o >= :o',
    ExpressionAttributeValues: { ':pk': ref.pk, ':o': fromOffset },
    Limit: 500,
  });
  for await (const page of pages) {
    for (const item of page) {
      const entry = toEntry(item);
      if (entry.seq < uptoSeq) entries.set(entry.seq, entry);
    }
    if (enough(entries)) break;
  }
  return entries;
}

/** The settled entry with the largest base offset ≤ offset, per the (lagging) index. */
export async function entryAtOrBefore(ctx: LibContext, ref: PartitionRef, offset: number): Promise<SeqEntry | undefined> {
  const out = await ctx.ddb.send(
    new QueryCommand({
      TableName: ctx.tables.log,
      IndexName: BY_OFFSET_INDEX,
      KeyConditionExpression: 'pk = :pk AND o <= :o',
      ExpressionAttributeValues: { ':pk': ref.pk, ':o': offset },
      ScanIndexForward: false,
      Limit: 1,
    }),
  );
  const item = out.Items?.[0];
  return item === undefined ? undefined : toEntry(item);
}

/** Strongly consistent read of one seq; undefined means it is really unsettled (or TTL-deleted). */
export async function confirmEntry(ctx: LibContext, ref: PartitionRef, seq: number): Promise<SeqEntry | undefined> {
  const out = await ctx.ddb.send(
    new GetCommand({
      TableName: ctx.tables.log,
      Key: { pk: ref.pk, sk: seq },
      ConsistentRead: true,
      ProjectionExpression: 'sk, o, n, ra, ab, mt',
    }),
  );
  return out.Item === undefined ? undefined : toEntry(out.Item);
}

export function toEntry(item: Record<string, unknown>): SeqEntry {
  const entry: SeqEntry = { seq: item.sk as number, o: item.o as number, ra: item.ra as number, aborted: item.ab !== undefined };
  if (typeof item.n === 'number') entry.n = item.n;
  if (typeof item.mt === 'number') entry.mt = item.mt;
  return entry;
}

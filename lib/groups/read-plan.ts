/**
 * What a group poll reads: only the assigned partitions that may have new
 * data, each with its share of the budget in whole batches.
 * Behaviour:
 * - The counters of the partitions the poll reads (fetch-assigned.ts: not
 *   those its facts settle), in eventually consistent BatchGetItems (strong
 *   where a read should become a fact). A partition is fetched when its
 *   position differs from its counter's next offset — new records, a
 *   reservation still being written, or a position out of range, which the
 *   fetch judges strongly — or when its counter is missing from the answer
 *   (a replica that has not seen a new topic yet, or a deleted one: the
 *   fetch judges). A partition whose position is its counter's next offset
 *   has nothing to read. A stale replica only delays records to a later
 *   poll: the position of a partition not read stays where it was, so
 *   nothing is skipped.
 * - The record budget goes to the partitions with data in turn, starting
 *   from one that moves on with every poll that used its whole budget (so a
 *   busy partition cannot starve the others), each taking what its counter
 *   says it holds; one
 *   not given all it holds takes whole batches only (the counter's mean
 *   batch size since the log start), so its fetch does not read a batch the
 *   answer would cut short. The byte budget is handed out the same way,
 *   at the partition's mean record size (the counter's `nb` over `next`),
 *   and what the sizes do not claim is split in proportion to the records.
 *   Partitions left without budget wait for the next poll.
 * Errors: none of its own (UNAVAILABLE when DynamoDB keeps leaving keys
 * unprocessed).
 * Cost: 0.5 RRU per partition asked (1 when strong; a counter item is far
 * below 4 KB), in ⌈partitions / 100⌉ calls. planReads is pure.
 */
import { BatchGetCommand, type BatchGetCommandInput } from '@aws-sdk/lib-dynamodb';
import type { LibContext } from '../context';
import { SamsaError } from '../errors';
import { decodeCounter, type CounterState } from '../log/counter';
import { COUNTER_SK } from '../storage/keys';

/** What an eventually consistent read of a counter says: `next` offset, `seq`, log start seq and offset. */
export interface CounterHint {
  next: number;
  seq: number;
  ls: number;
  lo: number;
  /** JSON bytes of every record reserved (lib/log/record-size.ts); absent on counters older than it. */
  nb?: number;
}

export interface Candidate {
  id: string;
  position: number;
  /** Undefined: the counter was not in the answer; the fetch judges. */
  hint: CounterHint | undefined;
}

export interface Share {
  id: string;
  maxRecords: number;
  maxBytes: number;
}

/** The batch read of the counters of these partition keys (log table `pk`s); eventually consistent unless `strong`. */
export function counterHintsRequest(table: string, pks: readonly string[], strong = false): BatchGetCommandInput {
  return {
    RequestItems: {
      [table]: {
        Keys: pks.map((pk) => ({ pk, sk: COUNTER_SK })),
        ...(strong ? { ConsistentRead: true } : {}),
        ProjectionExpression: '#pk, #next, #seq, #ls, #lo, #nb',
        ExpressionAttributeNames: { '#pk': 'pk', '#next': 'next', '#seq': 'seq', '#ls': 'ls', '#lo': 'lo', '#nb': 'nb' },
      },
    },
  };
}

export async function readCounterHints(ctx: LibContext, pks: readonly string[], strong = false): Promise<Map<string, CounterHint>> {
  const hints = new Map<string, CounterHint>();
  const shape = counterHintsRequest(ctx.tables.log, [], strong).RequestItems![ctx.tables.log]!;
  await batchGetCounters(ctx, pks, shape, (item) =>
    hints.set(item.pk as string, {
      next: item.next as number,
      seq: item.seq as number,
      ls: item.ls as number,
      lo: item.lo as number,
      ...(typeof item.nb === 'number' ? { nb: item.nb } : {}),
    }),
  );
  return hints;
}

/** Whole counters, read strongly (1 RRU each), pk → counter; a counter missing from the answer is left out (the fetch judges). */
export async function readCounters(ctx: LibContext, pks: readonly string[]): Promise<Map<string, CounterState>> {
  const counters = new Map<string, CounterState>();
  await batchGetCounters(ctx, pks, { ConsistentRead: true }, (item) => counters.set(item.pk as string, decodeCounter(item)));
  return counters;
}

type KeysAndAttributes = NonNullable<BatchGetCommandInput['RequestItems']>[string];

/** BatchGetItem of the counters of `pks`, 100 a call, retrying what DynamoDB leaves unprocessed. */
async function batchGetCounters(
  ctx: LibContext,
  pks: readonly string[],
  shape: Omit<KeysAndAttributes, 'Keys'>,
  onItem: (item: Record<string, unknown>) => void,
): Promise<void> {
  await Promise.all(
    chunks(pks, 100).map(async (chunk) => {
      let request: BatchGetCommandInput = { RequestItems: { [ctx.tables.log]: { ...shape, Keys: chunk.map((pk) => ({ pk, sk: COUNTER_SK })) } } };
      for (let attempt = 0; ; attempt++) {
        const out = await ctx.ddb.send(new BatchGetCommand(request));
        for (const item of out.Responses?.[ctx.tables.log] ?? []) onItem(item);
        const left = out.UnprocessedKeys?.[ctx.tables.log];
        if (left === undefined || (left.Keys ?? []).length === 0) return;
        if (attempt >= 8) throw new SamsaError('UNAVAILABLE', 'DynamoDB kept the counters of a poll unprocessed; retry.');
        await new Promise((r) => setTimeout(r, Math.min(500, 20 * 2 ** attempt)));
        request = { RequestItems: { [ctx.tables.log]: left } } as BatchGetCommandInput;
      }
    }),
  );
}

/** Which partitions to fetch and with what budget; the rest have nothing new (or wait for the next poll). */
export function planReads(candidates: readonly Candidate[], maxRecords: number, maxBytes: number): Share[] {
  const withData = candidates.filter((c) => c.hint === undefined || c.position !== c.hint.next);
  if (withData.length === 0) return [];
  const start = rotation(withData, maxRecords) % withData.length;
  const ordered = [...withData.slice(start), ...withData.slice(0, start)];
  const fair = Math.max(1, Math.ceil(maxRecords / withData.length));
  const given: { id: string; records: number; bytes: number }[] = [];
  let left = maxRecords;
  let bytesLeft = maxBytes;
  for (const c of ordered) {
    if (left <= 0 || bytesLeft <= 0) break;
    const h = c.hint;
    let records: number;
    // The partition's mean record size, when its counter knows it: the byte budget then goes out in
    // whole batches too, rather than in shares that cut each partition's batch short.
    const perRecord = h?.nb !== undefined && h.next > 0 ? Math.max(1, h.nb / h.next) : undefined;
    if (h === undefined || c.position < h.lo || c.position > h.next) {
      records = Math.min(left, fair); // the fetch judges it (and the poll may reset it): its fair share
    } else {
      const holds = h.next - c.position;
      const batch = h.seq > h.ls ? Math.max(1, Math.round((h.next - h.lo) / (h.seq - h.ls))) : holds;
      const room = perRecord === undefined ? left : Math.min(left, Math.floor(bytesLeft / perRecord));
      const whole = Math.floor(room / batch) * batch;
      records = holds <= room ? holds : whole > 0 ? whole : given.length === 0 ? Math.max(1, room) : 0;
    }
    if (records <= 0) continue;
    const bytes = perRecord === undefined ? 0 : Math.ceil(records * perRecord);
    given.push({ id: c.id, records, bytes });
    left -= records;
    bytesLeft -= bytes;
  }
  // What the sized partitions need is theirs; the rest of the byte budget goes out in proportion to
  // the records (all of it when no counter knows its sizes). Never more than maxBytes in all.
  const sized = given.reduce((n, g) => n + g.bytes, 0);
  const spare = Math.max(0, maxBytes - Math.min(sized, maxBytes));
  const total = given.reduce((n, g) => n + g.records, 0);
  const scale = sized > maxBytes ? maxBytes / sized : 1;
  return given.map((g) => ({ id: g.id, maxRecords: g.records, maxBytes: Math.max(1, Math.floor(g.bytes * scale + (spare * g.records) / total)) }));
}

/**
 * Round robin without state: the start moves on by one each time the positions together moved by a
 * full budget — each poll that used its whole budget — so partitions that wait for budget are next.
 */
function rotation(candidates: readonly Candidate[], maxRecords: number): number {
  const sum = candidates.reduce((n, c) => n + c.position, 0);
  return Math.floor(sum / maxRecords);
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * Activity marks: what lets a group poll tell, in one small read per topic,
 * which of its partitions may have new records — instead of reading every
 * partition's counter on every poll.
 * Behaviour:
 * - Items beside the topic's partitions (log table, pk `<topicId>#act`,
 *   sk = partition ÷ 16), one attribute `p<partition>` per partition: the
 *   reservedAt of the last reservation that marked it. Sixteen partitions
 *   share an item, so a whole topic is a few hundred bytes to Query.
 * - A writer marks its partition when the counter's `mt` (the newest mark
 *   known to have landed) is older than QUIET_MS, or absent: reserve()
 *   starts the mark (counter.ts), so every writer's reservation marks, and it
 *   runs alongside the batch put (no extra sequential round trip); writers
 *   await it before acknowledging (write-batch.ts). A writer that saw its
 *   mark land records it on the counter with its next reservation there
 *   (`SET mt`, no extra write), while the mark is recent. So every
 *   reservation has a landed mark no older than its reservedAt − QUIET_MS:
 *   its own, or one `mt` proves landed. A writer that died before its mark
 *   landed never set `mt` to it, so later writers mark again. A mark only
 *   grows (condition), so a writer with a slower clock cannot hide a newer
 *   one; `mt` may go back (writers record their own marks), which only
 *   means more marks.
 * - Marks are written at most once per QUIET_MS per busy partition and
 *   handler instance, never once per produce; writers of one instance that
 *   reserve while its mark is in flight await that mark rather than race
 *   it (a raced mark fails its condition: a wasted write unit). The item's
 *   TTL is refreshed with each mark.
 * - Readers (lib/groups/caught-up.ts) compare marks against the time they
 *   last saw a partition's counter, strongly, at their position.
 * Errors: a mark that still fails when the batch's deadline passes is
 * given up (the produce still succeeds): idle group members then see the
 * batch when the partition's next mark lands or when their record of the
 * partition expires (caught-up.ts), not at once.
 * Cost: per busy partition and writing instance at most one small
 * UpdateItem per second (≈ 1 WRU); readers: one eventually consistent
 * Query per topic, 0.5 RRU per 4 KB (≈ 240 B per 16 partitions).
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { QueryCommand, UpdateCommand, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import type { LibContext } from '../context';
import { toSamsaError } from '../errors';

/** A partition whose last landed mark is at least this old is marked again by its next writer. */
export const QUIET_MS = 1_000;
/** Partitions per mark item. */
export const MARKS_PER_ITEM = 16;
/** Mark items expire this long after their last mark (readers trust their records of partitions far less long). */
export const MARK_TTL_MS = 7 * 24 * 3_600_000;

export const activityKeys = {
  pk: (topicId: string) => `${topicId}#act`,
  item: (topicId: string, partition: number) => ({ pk: `${topicId}#act`, sk: Math.floor(partition / MARKS_PER_ITEM) }),
};

/** Whether a reservation must mark its partition: the newest mark known to have landed (`mt`) is too old, or unknown. */
export function markDue(reservedAt: number, markedAt: number | undefined): boolean {
  return markedAt === undefined || !(reservedAt - markedAt < QUIET_MS);
}

/** The mark update: only ever forward, so a slower clock never hides a newer mark. */
export function markUpdate(partition: number, at: number) {
  return {
    UpdateExpression: 'SET #p = :t, #ttl = :ttl',
    ConditionExpression: 'attribute_not_exists(#p) OR #p < :t',
    ExpressionAttributeNames: { '#p': `p${partition}`, '#ttl': 'ttl' },
    ExpressionAttributeValues: { ':t': at, ':ttl': Math.ceil((at + MARK_TTL_MS) / 1000) },
  };
}

/** The eventually consistent Query of a topic's marks for partitions `from`..`to`. */
export function marksQuery(table: string, topicId: string, from: number, to: number): QueryCommandInput {
  return {
    TableName: table,
    KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
    ExpressionAttributeValues: { ':pk': activityKeys.pk(topicId), ':from': Math.floor(from / MARKS_PER_ITEM), ':to': Math.floor(to / MARKS_PER_ITEM) },
  };
}

/** Marks this instance saw land, per DynamoDB client (one per handler instance): partition pk → mark. */
const landed = new WeakMap<object, Map<string, number>>();
const MAX_LANDED = 10_000;

/** A mark of this partition that this instance saw land less than QUIET_MS before `now`, to record as the counter's `mt`. */
export function recentLandedMark(ctx: LibContext, partitionPk: string, now: number): number | undefined {
  const at = landed.get(ctx.ddb)?.get(partitionPk);
  return at !== undefined && now - at < QUIET_MS ? at : undefined;
}

function recordLanded(ctx: LibContext, partitionPk: string, at: number): void {
  let marks = landed.get(ctx.ddb);
  if (marks === undefined) landed.set(ctx.ddb, (marks = new Map()));
  if (marks.size >= MAX_LANDED) marks.clear();
  if ((marks.get(partitionPk) ?? -Infinity) < at) marks.set(partitionPk, at);
}

/**
 * Marks the partition (`partitionPk` = `<topicId>#<p>`) at `at`, retrying retriable failures until
 * `deadline`. True once the mark landed (or a newer one stands); this instance's next reservation
 * there records it on the counter.
 */
export async function writeMark(ctx: LibContext, partitionPk: string, at: number, deadline: number): Promise<boolean> {
  // Writers of one instance that reserve together (the local server, the Kafka gateway) share the
  // mark in flight instead of racing their own: a mark at most QUIET_MS older than this reservation
  // covers it, exactly as a landed `mt` does; racing marks would fail their condition and waste a
  // write unit each.
  // Reservations answer out of order, so a shared mark may also be newer than ours: it covers us too.
  const seen = landed.get(ctx.ddb)?.get(partitionPk);
  if (seen !== undefined && at - seen < QUIET_MS) return true;
  let pending = inFlight.get(ctx.ddb);
  if (pending === undefined) inFlight.set(ctx.ddb, (pending = new Map()));
  const shared = pending.get(partitionPk);
  if (shared !== undefined && at - shared.at < QUIET_MS) return shared.done;
  const done = markUntil(ctx, partitionPk, at, deadline).catch(() => false);
  const mine = { at, done };
  pending.set(partitionPk, mine);
  void done.then(() => {
    if (pending.get(partitionPk) === mine) pending.delete(partitionPk);
  });
  return done;
}

/** Marks in flight, per DynamoDB client: partition pk → the mark's time and outcome. */
const inFlight = new WeakMap<object, Map<string, { at: number; done: Promise<boolean> }>>();

async function markUntil(ctx: LibContext, partitionPk: string, at: number, deadline: number): Promise<boolean> {
  const cut = partitionPk.lastIndexOf('#');
  const topicId = partitionPk.slice(0, cut);
  const partition = Number(partitionPk.slice(cut + 1));
  for (let i = 0; ; i++) {
    try {
      await ctx.ddb.send(new UpdateCommand({ TableName: ctx.tables.log, Key: activityKeys.item(topicId, partition), ...markUpdate(partition, at) }));
      break;
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException) return true; // a newer mark stands: it covers us, but its time is not ours to record
      if (!toSamsaError(err).retriable || ctx.clock.now() >= deadline) return false;
      await new Promise((r) => setTimeout(r, Math.min(1_000, 20 * 2 ** i)));
    }
  }
  recordLanded(ctx, partitionPk, at);
  return true;
}

/** partition → its mark, for the partitions asked (absent: never marked, or expired). */
export async function readMarks(ctx: LibContext, topicId: string, partitions: readonly number[]): Promise<Map<number, number>> {
  const marks = new Map<number, number>();
  if (partitions.length === 0) return marks;
  let input: QueryCommandInput = marksQuery(ctx.tables.log, topicId, Math.min(...partitions), Math.max(...partitions));
  for (;;) {
    const out = await ctx.ddb.send(new QueryCommand(input));
    for (const item of out.Items ?? []) {
      for (const [name, value] of Object.entries(item)) {
        if (/^p\d+$/.test(name) && typeof value === 'number') marks.set(Number(name.slice(1)), value);
      }
    }
    if (out.LastEvaluatedKey === undefined) return marks;
    input = { ...input, ExclusiveStartKey: out.LastEvaluatedKey };
  }
}

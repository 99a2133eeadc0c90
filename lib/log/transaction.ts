/**
 * Transactions: `POST /v1/transactions`.
 * Behaviour: the records of one request, for any partitions of any topics,
 * become visible together or not at all, and, with `groupCommit`, a consumer
 * group member's offsets are committed in the same instant or not at all
 * (exactly-once consume-transform-produce, Kafka's sendOffsetsToTransaction
 * without a coordinator). How, with the log's reservations:
 *  1. Route and build every record as produce does (keys by murmur2, keyless
 *     records to one random partition per topic), one batch per partition.
 *  2. Reserve every partition touched (counter ADD, in parallel) and, at the
 *     same time, read the producer's transaction state (idempotent retries)
 *     and the member's live incarnation (group commits).
 *  3. Settle every batch item, every commit and the producer's sequence in
 *     ONE TransactWriteItems, each with the condition of its normal write:
 *     `attribute_not_exists(sk)` on each batch's seq, the fenced commit
 *     `owner = me AND joinEpoch <= ownerEpoch <= epoch` on each offset, the
 *     previous sequence on the producer state (transaction-items.ts).
 *  4. On any failure every reservation is closed with an abort marker, so
 *     readers move on at once: nothing was visible, nothing was committed.
 *     If a reader already aborted one reservation (the writer was too slow),
 *     its seq fails the condition and the whole transaction is cancelled.
 * Readers need nothing new: a batch item appears only when the transaction
 * commits, and every partition's batch with it; until then each partition's
 * stable end waits at the reserved seq (as for any produce in flight).
 * Idempotent retries: with producerId, producerEpoch and a sequence (0, 1, …
 * per epoch), a retry of the last transaction after an unknown outcome gets
 * the same offsets back and writes nothing (the state item remembers where it
 * landed); a retry racing its original loses the state condition, aborts its
 * own reservations and answers the original's offsets.
 * Bounds (DynamoDB's, refused with 400 INVALID_REQUEST, `details.bound`):
 * at most 100 items — one per partition touched, one per offset committed,
 * one for the producer state; at most 3,500,000 payload bytes in all (4 MB
 * of items); each partition's records at most 380,000 bytes after
 * compression (one batch item: chunked batches cannot join a transaction).
 * Errors: INVALID_REQUEST, INVALID_RECORD, RECORD_TOO_LARGE, INVALID_TOPIC,
 * UNKNOWN_TOPIC_OR_PARTITION, AUTHORIZATION_FAILED (write on every topic;
 * read on the group and on every committed topic), UNKNOWN_PRODUCER_ID,
 * INVALID_PRODUCER_EPOCH, OUT_OF_ORDER_SEQUENCE, DUPLICATE_SEQUENCE_MISMATCH,
 * INVALID_GROUP_ID, UNKNOWN_MEMBER_ID, FENCED_MEMBER_EPOCH,
 * STALE_MEMBER_EPOCH (retriable: heartbeat first), RESERVATION_ABORTED and
 * CONCURRENT_MODIFICATION (retriable), REQUEST_TIMED_OUT.
 * Cost: 3 sequential round trips with cached topics: the reservations (1 WRU
 * each, in parallel; beside them 1 strong GetItem of the producer state and
 * of the member when used), then one TransactWriteItems, which DynamoDB bills
 * at twice the units of the same writes: 2 WRU per started KB of each batch
 * item (+ its index entry), 2 per commit item and per KB of producer state.
 * A failed transaction adds an abort marker per partition.
 */
import { createHash, randomInt } from 'node:crypto';
import { authorize, type Principal } from '../auth/authorize';
import type { LibContext } from '../context';
import { SamsaError } from '../errors';
import { validateGroupName, validateMemberId } from '../groups/validate';
import type { TransactionBody, TransactionResponse } from '../protocol/transactions';
import { effectiveConfig } from '../topics/configs';
import { getTopicForRead, refreshTopic } from '../topics/topic-cache';
import { findTopic, unknownTopic, type Topic } from '../topics/topic-item';
import { validateTopicName } from '../topics/validate';
import type { PendingRecord } from './append';
import { encodePayload } from './batch-item';
import { MAX_SEQUENCE } from './idempotence';
import { partitionRef, type PartitionRef } from './partition';
import { prepare } from './produce';
import { checkProducerEpoch } from './producer-id';
import { runTransaction, StaleTopic, type GroupPlan, type PartitionPlan, type ProducerPlan } from './transaction-commit';
import { MAX_PARTITION_PAYLOAD_BYTES, MAX_TRANSACTION_ITEMS, MAX_TRANSACTION_PAYLOAD_BYTES } from './transaction-items';

const MAX_METADATA = 4_096;
/** Strong re-reads of the topics after a reservation found one stale: a cached copy, then one concurrent change. */
const MAX_TOPIC_REREADS = 2;

export async function produceTransaction(ctx: LibContext, principal: Principal, body: TransactionBody): Promise<TransactionResponse> {
  checkShape(ctx, body);
  const names = [...new Set(body.records.map((r) => r.topic))];
  for (const name of names) validateTopicName(name);
  const group = body.groupCommit;
  if (group !== undefined) {
    validateGroupName(group.groupId);
    validateMemberId(group.memberId);
    for (const o of group.offsets) validateTopicName(o.topic);
  }
  for (const name of names) await authorize(ctx.authorizer, principal, 'write', { type: 'topic', name });
  if (group !== undefined) {
    await authorize(ctx.authorizer, principal, 'read', { type: 'group', name: group.groupId });
    for (const name of new Set(group.offsets.map((o) => o.topic))) await authorize(ctx.authorizer, principal, 'read', { type: 'topic', name });
  }
  const producer = producerOf(body);
  if (producer !== undefined) await checkProducerEpoch(ctx, producer.producerId, producer.epoch);

  const groupPlan = group === undefined ? undefined : await planGroup(ctx, group);
  let topics = new Map(await Promise.all(names.map(async (n) => [n, await getTopicForRead(ctx, n)] as const)));
  for (const r of body.records) {
    const held = topics.get(r.topic)!;
    // A partition beyond a cached count may have been added since: read the topic before refusing it.
    if (held.cached && r.partition !== undefined && r.partition >= held.topic.partitions) {
      topics.set(r.topic, { topic: (await refreshTopic(ctx, r.topic)) ?? throwUnknown(r.topic), cached: false });
    }
  }
  for (let rereads = 0; ; rereads++) {
    const partitions = plan(body, topics);
    checkBounds(partitions, groupPlan, producer);
    try {
      return await runTransaction(ctx, { partitions, group: groupPlan, producer, recordCount: body.records.length });
    } catch (err) {
      if (!(err instanceof StaleTopic) || rereads >= MAX_TOPIC_REREADS) throw err instanceof StaleTopic ? err.cause : err;
      // Nothing is left reserved: route and build again by the topics as they are now.
      topics = new Map(
        await Promise.all(names.map(async (n) => [n, { topic: (await refreshTopic(ctx, n)) ?? throwUnknown(n), cached: false }] as const)),
      );
    }
  }
}

function checkShape(ctx: LibContext, body: TransactionBody): void {
  const offsets = body.groupCommit?.offsets.length ?? 0;
  if (body.records.length === 0 && offsets === 0) {
    throw new SamsaError('INVALID_REQUEST', 'A transaction needs at least one record or one offset to commit.');
  }
  if (body.records.length > ctx.limits.maxRecordsPerRequest) {
    throw new SamsaError('INVALID_REQUEST', `A transaction may hold at most ${ctx.limits.maxRecordsPerRequest} records; got ${body.records.length}.`, {
      details: { bound: 'records', limit: ctx.limits.maxRecordsPerRequest, size: body.records.length },
    });
  }
  const seen = new Set<string>();
  for (const [i, o] of (body.groupCommit?.offsets ?? []).entries()) {
    const at = `groupCommit.offsets[${i}]`;
    if (!Number.isSafeInteger(o.partition) || o.partition < 0) throw new SamsaError('INVALID_REQUEST', `${at}.partition must be a partition number.`);
    if (!Number.isSafeInteger(o.offset) || o.offset < 0) throw new SamsaError('INVALID_REQUEST', `${at}.offset must be between 0 and 2^53-1; got ${o.offset}.`);
    if ((o.metadata?.length ?? 0) > MAX_METADATA) throw new SamsaError('INVALID_REQUEST', `${at}.metadata may hold at most ${MAX_METADATA} characters.`);
    const key = `${o.topic}\u0000${o.partition}`;
    if (seen.has(key)) throw new SamsaError('INVALID_REQUEST', `${at} commits ${o.topic}/${o.partition} a second time; one offset per partition.`);
    seen.add(key);
  }
}

/** Routes every record by its topic; one bad record refuses the whole transaction. */
function plan(body: TransactionBody, topics: Map<string, { topic: Topic; cached: boolean }>): PartitionPlan[] {
  const sticky = new Map<string, number>();
  const byPartition = new Map<string, PartitionPlan>();
  body.records.forEach((wire, index) => {
    const { topic, cached } = topics.get(wire.topic)!;
    let s = sticky.get(topic.name);
    if (s === undefined) sticky.set(topic.name, (s = randomInt(topic.partitions)));
    const { partition, record } = prepare(topic, wire, index, s);
    const key = `${topic.name}\u0000${partition}`;
    let p = byPartition.get(key);
    if (p === undefined) {
      const ref: PartitionRef = { ...partitionRef(topic, partition), ...(cached ? { cached } : {}) };
      byPartition.set(key, (p = { ref, entries: [], payloadBytes: 0 }));
    }
    p.entries.push({ index, record });
  });
  return [...byPartition.values()];
}

function checkBounds(partitions: PartitionPlan[], group: GroupPlan | undefined, producer: ProducerPlan | undefined): void {
  const items = partitions.length + (group?.offsets.length ?? 0) + (producer === undefined ? 0 : 1);
  if (items > MAX_TRANSACTION_ITEMS) {
    throw new SamsaError(
      'INVALID_REQUEST',
      `A transaction may touch at most ${MAX_TRANSACTION_ITEMS} items (one per partition written, one per offset committed, one for an idempotent producer); this one needs ${items}.`,
      { details: { bound: 'items', limit: MAX_TRANSACTION_ITEMS, size: items } },
    );
  }
  let total = 0;
  const now = Date.now();
  for (const p of partitions) {
    // The payload as it will be stored (timestamps default to about now; same encoded size).
    const records = p.entries.map((e) => withTimestamp(e.record, now));
    p.payloadBytes = encodePayload(records, effectiveConfig(p.ref.topic.configs)['compression.type']).length;
    if (p.payloadBytes > MAX_PARTITION_PAYLOAD_BYTES) {
      throw new SamsaError(
        'INVALID_REQUEST',
        `The records for '${p.ref.topic.name}' partition ${p.ref.partition} take ${p.payloadBytes} bytes; a transaction allows ${MAX_PARTITION_PAYLOAD_BYTES} per partition (one batch item).`,
        { details: { bound: 'partitionPayloadBytes', limit: MAX_PARTITION_PAYLOAD_BYTES, size: p.payloadBytes } },
      );
    }
    total += p.payloadBytes;
  }
  if (total > MAX_TRANSACTION_PAYLOAD_BYTES) {
    throw new SamsaError('INVALID_REQUEST', `A transaction's records may take at most ${MAX_TRANSACTION_PAYLOAD_BYTES} bytes in all; these take ${total}.`, {
      details: { bound: 'payloadBytes', limit: MAX_TRANSACTION_PAYLOAD_BYTES, size: total },
    });
  }
}

export function withTimestamp(r: PendingRecord, at: number) {
  return { ...r, timestamp: r.timestamp ?? at };
}

async function planGroup(ctx: LibContext, group: NonNullable<TransactionBody['groupCommit']>): Promise<GroupPlan> {
  const topics = new Map<string, Topic>();
  for (const name of new Set(group.offsets.map((o) => o.topic))) {
    // Commits are keyed by topic id: read strongly, as lib/groups/commit.ts does.
    const topic = await findTopic(ctx, name);
    if (topic === undefined) throw unknownTopic(name);
    topics.set(name, topic);
  }
  for (const o of group.offsets) {
    const topic = topics.get(o.topic)!;
    if (o.partition >= topic.partitions) throw new SamsaError('UNKNOWN_TOPIC_OR_PARTITION', `Topic '${o.topic}' partition ${o.partition} does not exist.`);
  }
  return { groupId: group.groupId, memberId: group.memberId, memberEpoch: group.memberEpoch, offsets: group.offsets, topics };
}

function producerOf(body: TransactionBody): ProducerPlan | undefined {
  const { producerId, producerEpoch, sequence } = body;
  if (producerId === undefined) {
    if (producerEpoch !== undefined || sequence !== undefined) throw new SamsaError('INVALID_REQUEST', 'producerEpoch and sequence need a producerId.');
    return undefined;
  }
  if (!/^[0-9]{1,19}$/.test(producerId)) throw new SamsaError('INVALID_REQUEST', 'producerId must be an id issued by POST /v1/producers.');
  if (producerEpoch === undefined || producerEpoch < 0 || producerEpoch > 32_767) {
    throw new SamsaError('INVALID_REQUEST', 'An idempotent transaction needs producerEpoch between 0 and 32767.');
  }
  if (sequence === undefined || sequence < 0 || sequence > MAX_SEQUENCE) {
    throw new SamsaError('INVALID_REQUEST', `An idempotent transaction needs a sequence between 0 and ${MAX_SEQUENCE} (0, 1, 2, … per producer epoch).`);
  }
  return { producerId, epoch: producerEpoch, sequence, hash: contentHash(body) };
}

/** What makes a retry "the same transaction": every record as sent (topic, partition, data, timestamp) and the commits. */
function contentHash(body: TransactionBody): string {
  return createHash('sha256')
    .update(JSON.stringify([body.records, body.groupCommit ?? null]))
    .digest('base64url')
    .slice(0, 22);
}

function throwUnknown(name: string): never {
  throw unknownTopic(name);
}

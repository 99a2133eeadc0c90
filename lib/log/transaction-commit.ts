/**
 * The storage side of a transaction (transaction.ts describes the whole):
 * reserve every partition, read the producer state and the member, settle
 * everything in one TransactWriteItems, and close every reservation with an
 * abort marker when it does not commit.
 * Behaviour on an unknown outcome: a timeout or 5xx is retried with the same
 * ClientRequestToken (DynamoDB answers a repeat of a committed call without
 * writing again, for 10 minutes) until the writers' deadline (the earliest
 * reservation + abortAfterMs − clock skew, before any reader may abort one of
 * its seqs). A cancellation for a conflict or throttling is retried with a
 * new token. Past the deadline every seq gets an abort marker by the normal
 * settle race: a marker that finds this transaction's batch (its nonce) means
 * it committed after all, since all its batches land together or none does.
 * Errors: see transaction.ts. Cost: see transaction.ts.
 */
import { randomUUID } from 'node:crypto';
import { TransactionCanceledException, type CancellationReason } from '@aws-sdk/client-dynamodb';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { buildersOf } from '../builders';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { LibContext } from '../context';
import { isSamsaError, SamsaError, toSamsaError } from '../errors';
import { placeEpoch } from '../groups/incarnation';
import type { OffsetCommit } from '../protocol/requests';
import type { TransactionRecordResult, TransactionResponse } from '../protocol/transactions';
import { metaKeys } from '../storage/keys';
import { effectiveConfig } from '../topics/configs';
import type { Topic } from '../topics/topic-item';
import { abortSeq } from './abort';
import type { PendingRecord } from './append';
import { buildBatch, ttlFor, type BuiltBatch } from './batch-item';
import { writeCheckpoint } from './checkpoints';
import { reserve, TopicChanged, type Reservation } from './counter';
import { InjectedCrash } from './crash-points';
import type { PartitionRef } from './partition';
import {
  batchPut,
  commitUpdate,
  judgeSequence,
  stateClaim,
  transactionStateKey,
  type PartitionMemo,
  type TransactionMemo,
  type TransactionState,
} from './transaction-items';
import { settle } from './write-batch';

export interface PartitionPlan {
  ref: PartitionRef;
  entries: { index: number; record: PendingRecord }[];
  payloadBytes: number;
}

export interface GroupPlan {
  groupId: string;
  memberId: string;
  memberEpoch: number;
  offsets: OffsetCommit[];
  /** Every committed topic, read strongly (commits are keyed by topic id). */
  topics: Map<string, Topic>;
}

export interface ProducerPlan {
  producerId: string;
  epoch: number;
  sequence: number;
  hash: string;
}

/** A reservation was refused because a cached topic is out of date: nothing is left reserved; plan again. */
export class StaleTopic extends Error {
  constructor(override readonly cause: unknown) {
    super('stale topic');
  }
}

interface Run {
  partitions: PartitionPlan[];
  group: GroupPlan | undefined;
  producer: ProducerPlan | undefined;
  recordCount: number;
}

export async function runTransaction(ctx: LibContext, run: Run): Promise<TransactionResponse> {
  const { partitions, group, producer } = run;
  const [taken, state, member] = await Promise.all([
    Promise.allSettled(partitions.map((p) => reserve(ctx, p.ref, p.entries.map((e) => e.record)))),
    producer === undefined ? undefined : readState(ctx, producer.producerId),
    group === undefined ? undefined : readIncarnation(ctx, group.groupId, group.memberId),
  ]);
  const reservations = taken.map((t) => (t.status === 'fulfilled' ? t.value : undefined));
  /** From the transaction call on, its outcome decides what becomes of the reservations. */
  let handedOver = false;
  try {
    const refused = taken.find((t): t is PromiseRejectedResult => t.status === 'rejected');
    if (refused !== undefined) {
      const stale = taken.some((t, i) => t.status === 'rejected' && isStale(t.reason, partitions[i]!.ref));
      throw stale ? new StaleTopic(refused.reason) : refused.reason;
    }
    ctx.crash?.('produce.afterReserve');
    if (producer !== undefined) {
      const verdict = judgeSequence(state, producer.epoch, producer.sequence);
      if (verdict.kind === 'retry') return replay(producer, verdict.memo, run.recordCount);
      if (verdict.kind === 'fenced') {
        throw new SamsaError('INVALID_PRODUCER_EPOCH', `Producer ${producer.producerId} epoch ${producer.epoch} is fenced by epoch ${verdict.epoch}.`);
      }
      if (verdict.kind === 'out-of-order') {
        throw new SamsaError('OUT_OF_ORDER_SEQUENCE', `Producer ${producer.producerId} sent transaction ${producer.sequence}; expected ${verdict.expected}.`, {
          details: { expectedSequence: verdict.expected },
        });
      }
    }
    let joinEpoch = 0;
    if (group !== undefined) {
      if (member === undefined) throw unknownMember(group);
      if (placeEpoch(member, group.memberEpoch) !== 'current') {
        throw new SamsaError(
          'FENCED_MEMBER_EPOCH',
          `Member '${group.memberId}' of group '${group.groupId}' sent epoch ${group.memberEpoch}, outside its live incarnation (epochs ${member.joinEpoch}..${member.epoch}); rejoin with memberEpoch 0.`,
        );
      }
      joinEpoch = member.joinEpoch;
    }

    const nonce = randomUUID();
    const built = partitions.map((p, i) => build(p, reservations[i]!, nonce));
    const memo = memoOf(partitions, reservations as Reservation[], group, producer);
    const now = ctx.clock.now();
    const items = [
      ...built.map((b) => batchPut(ctx.tables.log, b.item)),
      ...(group?.offsets ?? []).map((o) =>
        commitUpdate(ctx.tables.meta, metaKeys.commit(group!.groupId, group!.topics.get(o.topic)!.topicId, o.partition), o, { memberId: group!.memberId, epoch: group!.memberEpoch, joinEpoch }, now),
      ),
      ...(producer === undefined ? [] : [stateClaim(ctx.tables.meta, producer.producerId, state, producer.epoch, memo)]),
    ];
    handedOver = true;
    // The six-hourly checkpoints ride along, as in append.ts; awaited whatever the outcome.
    const checkpoints = Promise.allSettled(partitions.map((p, i) => writeCheckpoint(ctx, p.ref, reservations[i]!, built[i]!.item.ttl)));
    try {
      await commit(ctx, { partitions, reservations: reservations as Reservation[], built, items, nonce, group, producer, joinEpoch });
    } catch (err) {
      if (err instanceof ConcurrentClaim && producer !== undefined) {
        // A concurrent attempt of this very transaction committed first: answer with its offsets.
        const now = await readState(ctx, producer.producerId);
        const verdict = judgeSequence(now, producer.epoch, producer.sequence);
        if (verdict.kind === 'retry') return replay(producer, verdict.memo, run.recordCount);
        throw new SamsaError('CONCURRENT_MODIFICATION', `Producer ${producer.producerId}'s transactions changed concurrently; retry the transaction.`);
      }
      throw err;
    } finally {
      await checkpoints;
    }
    return resultOf(memo, partitions, run.recordCount);
  } catch (err) {
    // A test's injected crash "kills" the process holding its reservations: readers must abort them.
    if (err instanceof InjectedCrash) handedOver = true;
    throw err;
  } finally {
    if (!handedOver) await closeAll(ctx, partitions, reservations);
  }
}

class ConcurrentClaim extends Error {}

interface Commit {
  partitions: PartitionPlan[];
  reservations: Reservation[];
  built: BuiltBatch[];
  items: Record<string, unknown>[];
  nonce: string;
  group: GroupPlan | undefined;
  producer: ProducerPlan | undefined;
  joinEpoch: number;
}

/** One TransactWriteItems until it commits, is refused, or the deadline passes; on refusal every reservation is closed. */
async function commit(ctx: LibContext, c: Commit): Promise<void> {
  const deadline = Math.min(...c.reservations.map((r) => r.reservedAt)) + ctx.limits.abortAfterMs - ctx.limits.maxClockSkewMs;
  let token = randomUUID();
  for (let attempt = 0; ctx.clock.now() < deadline; attempt++) {
    try {
      for (const command of buildersOf(ctx).transactWrite(c.items, token).commands) await ctx.ddb.send(command as never);
      return;
    } catch (err) {
      if (err instanceof TransactionCanceledException) {
        const verdict = await judgeCancellation(ctx, c, err.CancellationReasons ?? []);
        if (verdict === 'committed') return;
        if (verdict !== 'retry') {
          await closeAll(ctx, c.partitions, c.reservations);
          throw verdict;
        }
        token = randomUUID();
      } else if (!toSamsaError(err).retriable) {
        break;
      }
      await new Promise((r) => setTimeout(r, Math.min(1_000, 20 * 2 ** attempt) * (0.5 + Math.random() / 2)));
    }
  }
  // Out of time, or an answer we cannot read: the settle race decides. All the batches land together or none does.
  const outcomes = await Promise.all(
    c.built.map((b, i) =>
      settle(ctx, closingMarker(ctx, c.partitions[i]!.ref, c.reservations[i]!), b.item.w).catch(() => 'unknown' as const),
    ),
  );
  if (outcomes.includes('written')) return;
  throw new SamsaError('REQUEST_TIMED_OUT', 'The transaction did not complete in time and was aborted; nothing of it is visible. Retry it.');
}

/** 'committed', 'retry', or the error to answer (the transaction did not commit). */
async function judgeCancellation(ctx: LibContext, c: Commit, reasons: CancellationReason[]): Promise<'committed' | 'retry' | Error> {
  const nBatches = c.built.length;
  const nCommits = c.group?.offsets.length ?? 0;
  let retry = false;
  for (const [i, reason] of reasons.entries()) {
    if (reason.Code === undefined || reason.Code === 'None') continue;
    if (reason.Code !== 'ConditionalCheckFailed') {
      if (reason.Code === 'TransactionConflict' || reason.Code === 'ThrottlingError' || reason.Code === 'ProvisionedThroughputExceeded') retry = true;
      else return new SamsaError('INTERNAL_ERROR', `The transaction was refused by storage (${reason.Code}: ${reason.Message ?? ''}).`);
      continue;
    }
    const old = reason.Item === undefined ? undefined : unmarshall(reason.Item);
    if (i < nBatches) {
      // Our nonce: an earlier attempt of this call committed (its token expired or a retry used a new one).
      if (old?.w === c.nonce) return 'committed';
      const r = c.reservations[i]!;
      return new SamsaError(
        'RESERVATION_ABORTED',
        `The transaction was not written in time: offsets ${r.baseOffset}..${r.baseOffset + r.count - 1} of '${c.partitions[i]!.ref.topic.name}' partition ${c.partitions[i]!.ref.partition} were aborted by a reader; nothing of it is visible. Retry it.`,
      );
    }
    if (i < nBatches + nCommits) return commitRefusal(ctx, c, c.group!.offsets[i - nBatches]!);
    return new ConcurrentClaim();
  }
  return retry ? 'retry' : new SamsaError('INTERNAL_ERROR', 'The transaction was cancelled without a reason.');
}

/** The answer lib/groups/commit.ts gives for a refused commit of this offset. */
async function commitRefusal(ctx: LibContext, c: Commit, o: OffsetCommit): Promise<SamsaError> {
  const g = c.group!;
  const key = metaKeys.commit(g.groupId, g.topics.get(o.topic)!.topicId, o.partition);
  const lease = (await ctx.ddb.send(new GetCommand({ TableName: ctx.tables.meta, Key: key, ConsistentRead: true, ProjectionExpression: '#owner, ownerEpoch', ExpressionAttributeNames: { '#owner': 'owner' } }))).Item;
  if (lease?.owner === g.memberId && typeof lease.ownerEpoch === 'number' && lease.ownerEpoch >= c.joinEpoch) {
    return new SamsaError(
      'STALE_MEMBER_EPOCH',
      `Member '${g.memberId}' got ${o.topic}/${o.partition} in epoch ${String(lease.ownerEpoch)}; it sent ${g.memberEpoch}. Heartbeat, then retry the transaction.`,
    );
  }
  if ((await readIncarnation(ctx, g.groupId, g.memberId)) === undefined) return unknownMember(g);
  return new SamsaError('FENCED_MEMBER_EPOCH', `Member '${g.memberId}' does not own ${o.topic}/${o.partition}; nothing of the transaction was written.`);
}

function build(p: PartitionPlan, r: Reservation, nonce: string): BuiltBatch {
  const config = effectiveConfig(p.ref.topic.configs);
  const built = buildBatch({
    pk: p.ref.pk,
    seq: r.seq,
    baseOffset: r.baseOffset,
    reservedAt: r.reservedAt,
    appendTime: r.reservedAt,
    records: p.entries.map((e) => ({ ...e.record, timestamp: e.record.timestamp ?? r.reservedAt })),
    compression: config['compression.type'],
    retentionMs: config['retention.ms'],
    nonce,
  });
  // checkBounds measured the payload before reserving; only a batch at the very edge can cross it here.
  if (built.chunks.length > 0) {
    throw new SamsaError('INVALID_REQUEST', `The records for '${p.ref.topic.name}' partition ${p.ref.partition} do not fit one batch item.`, {
      details: { bound: 'partitionPayloadBytes' },
    });
  }
  return built;
}

function memoOf(partitions: PartitionPlan[], reservations: Reservation[], group: GroupPlan | undefined, producer: ProducerPlan | undefined): TransactionMemo {
  const p: PartitionMemo[] = partitions.map((plan, i) => {
    const r = reservations[i]!;
    return { t: plan.ref.topic.name, id: plan.ref.topic.topicId, p: plan.ref.partition, o: r.baseOffset, q: r.seq, ra: r.reservedAt, i: plan.entries.map((e) => e.index) };
  });
  const c = (group?.offsets ?? []).map((o) => ({ topic: o.topic, partition: o.partition, offset: o.offset }));
  return { s: producer?.sequence ?? 0, h: producer?.hash ?? '', p, c };
}

function resultOf(memo: TransactionMemo, partitions: PartitionPlan[] | undefined, count: number): TransactionResponse {
  const records: TransactionRecordResult[] = new Array(count);
  memo.p.forEach((m, pi) => {
    m.i.forEach((index, k) => {
      const given = partitions?.[pi]?.entries[k]?.record.timestamp;
      records[index] = { topic: m.t, partition: m.p, offset: m.o + k, timestamp: given ?? m.ra };
    });
  });
  return { records, committed: memo.c };
}

/** A retry of the producer's last transaction: where it landed, nothing written again. */
function replay(producer: ProducerPlan, memo: TransactionMemo, count: number): TransactionResponse {
  if (memo.h !== producer.hash) {
    throw new SamsaError(
      'DUPLICATE_SEQUENCE_MISMATCH',
      `Transaction ${memo.s} of producer ${producer.producerId} was already committed with different records; a retry must resend the same transaction.`,
    );
  }
  // The stored records keep their explicit timestamps; the rest got the reservation time (memo `ra`).
  return resultOf(memo, undefined, count);
}

function closingMarker(ctx: LibContext, ref: PartitionRef, r: Reservation) {
  const retentionMs = effectiveConfig(ref.topic.configs)['retention.ms'];
  const marker = { pk: ref.pk, sk: r.seq, o: r.baseOffset, ab: 1 as const, ra: ctx.clock.now() };
  const ttl = ttlFor(marker.ra, retentionMs);
  return ttl === undefined ? marker : { ...marker, ttl };
}

/** Closes every reservation taken with an abort marker (and its checkpoint if due), so readers move on at once. Best effort. */
async function closeAll(ctx: LibContext, partitions: PartitionPlan[], reservations: (Reservation | undefined)[]): Promise<void> {
  await Promise.allSettled(
    reservations.map(async (r, i) => {
      if (r === undefined) return;
      const ref = partitions[i]!.ref;
      const retentionMs = effectiveConfig(ref.topic.configs)['retention.ms'];
      await Promise.allSettled([abortSeq(ctx, ref, r.seq, r.baseOffset, retentionMs), writeCheckpoint(ctx, ref, r, ttlFor(r.reservedAt, retentionMs))]);
    }),
  );
}

function isStale(err: unknown, ref: PartitionRef): boolean {
  if (err instanceof TopicChanged) return true;
  return ref.cached === true && isSamsaError(err) && err.code === 'UNKNOWN_TOPIC_OR_PARTITION';
}

async function readState(ctx: LibContext, producerId: string): Promise<TransactionState | undefined> {
  const out = await ctx.ddb.send(new GetCommand({ TableName: ctx.tables.meta, Key: transactionStateKey(producerId), ConsistentRead: true }));
  return out.Item as TransactionState | undefined;
}

/** The member's live incarnation, read strongly (as lib/groups/commit.ts reads it); undefined when not in the group. */
async function readIncarnation(ctx: LibContext, group: string, memberId: string): Promise<{ joinEpoch: number; epoch: number } | undefined> {
  const out = await ctx.ddb.send(
    new GetCommand({ TableName: ctx.tables.meta, Key: metaKeys.member(group, memberId), ConsistentRead: true, ProjectionExpression: 'epoch, joinEpoch' }),
  );
  if (out.Item === undefined) return undefined;
  const num = (v: unknown) => (typeof v === 'number' ? v : 0);
  return { epoch: num(out.Item.epoch), joinEpoch: num(out.Item.joinEpoch) };
}

function unknownMember(g: { groupId: string; memberId: string }): SamsaError {
  return new SamsaError('UNKNOWN_MEMBER_ID', `Member '${g.memberId}' is not in group '${g.groupId}'; rejoin with memberEpoch 0.`);
}

/**
 * Produce: `POST /v1/topics/{topic}/records`.
 * Behaviour: picks each record's partition (explicit; else Kafka's murmur2
 * of the key bytes; else one random partition per request, like Kafka's
 * sticky partitioner), rejects bad records individually, and appends the
 * records of each partition as one batch, partitions in parallel. Returns
 * per record its partition, offset and timestamp, or its error.
 * A conditional append (expectedOffset) is all or nothing: one bad record
 * fails every record of the request and nothing is written.
 * Topic metadata comes from the instance's topic cache (topic-cache.ts; at
 * most its TTL old, 1 s as deployed) and every reservation validates it: the
 * counter of a deleted or re-created topic's old id is gone, and the counter
 * carries the version of the topic's last config or partition change (`cv`,
 * stamped by lib/topics/** once the topic item holds it), which must not be
 * newer than the copy in hand (counter.ts). A refused partition reserved
 * nothing: the topic is read again strongly and its records are routed,
 * checked (max.message.bytes) and built (compression.type, retention.ms →
 * TTL) by the topic as it is. So once a delete, alter-configs or
 * create-partitions has returned, no produce writes by the old topic; only
 * while one is still running (or one that failed before stamping every
 * counter) may a batch be routed and built by a copy up to the cache TTL old.
 * Keyed records map by the partition count the request was routed with, as a
 * Kafka producer maps by the metadata it holds; a partition beyond a cached
 * count is read again before it is refused.
 * Errors per record: RECORD_TOO_LARGE (names limit and size), INVALID_RECORD
 * (bad data, unpaired surrogates, JSON nested past MAX_JSON_NESTING),
 * UNKNOWN_TOPIC_OR_PARTITION; per partition: whatever its append threw.
 * Errors per request: INVALID_TOPIC, UNKNOWN_TOPIC_OR_PARTITION (also when
 * the topic proved deleted and nothing was written), INVALID_REQUEST (too
 * many records; expectedOffset negative or over several partitions; bad
 * idempotence fields), UNKNOWN_PRODUCER_ID and INVALID_PRODUCER_EPOCH (an id
 * or epoch that was not issued, or is fenced).
 * Idempotent producers (producerId, producerEpoch, baseSequences per
 * partition) go through idempotence.ts; plain produce pays nothing for it.
 * Cost: with the topic cached, 2 sequential round trips: per partition
 * touched (in parallel) the counter ADD and the batch put (append.ts). A cold
 * cache adds 1 strong GetItem of the topic (1 RRU, one round trip). A
 * partition refused for a changed topic adds its failed update (≈ 1 WRU), a
 * strong GetItem of the topic and the reservation again. Idempotent: see
 * idempotence.ts; plus 1 strong GetItem of the producer item when this
 * instance has not seen its epoch (producer-id.ts).
 */
import { randomInt } from 'node:crypto';
import { authorize, type Principal } from '../auth/authorize';
import { buildersOf } from '../builders';
import type { LibContext } from '../context';
import { isSamsaError, SamsaError, toSamsaError } from '../errors';
import { checkWellFormed, toBytes, TYPE_IDS, type ProduceBody, type ProduceRecord } from '../protocol/records';
import { effectiveConfig } from '../topics/configs';
import { getTopicForRead, refreshTopic } from '../topics/topic-cache';
import { unknownTopic, type Topic } from '../topics/topic-item';
import { validateTopicName } from '../topics/validate';
import { append, type PendingRecord } from './append';
import { TopicChanged } from './counter';
import { MAX_SEQUENCE, type ProducerBatch } from './idempotence';
import { partitionForKey } from '../protocol/murmur2';
import { checkPartition, partitionRef, type PartitionRef } from './partition';
import { checkProducerEpoch } from './producer-id';

export type RecordResult =
  | { partition: number; offset: number; timestamp: number }
  | { partition?: number; error: { code: string; message: string; retriable: boolean; [detail: string]: unknown } };

export interface ProduceResult {
  records: RecordResult[];
}

const MAX_TIMESTAMP = Number.MAX_SAFE_INTEGER;

/** Strong re-reads of the topic per partition's records after refusals: a cached copy, then one concurrent change. */
const MAX_TOPIC_REREADS = 2;

/** The records of one request bound for one partition, by their index in the request. */
type Routed = Map<number, { index: number; record: PendingRecord }[]>;

export async function produce(ctx: LibContext, principal: Principal, topicName: string, body: ProduceBody): Promise<ProduceResult> {
  validateTopicName(topicName);
  if (body.records.length === 0) throw new SamsaError('INVALID_REQUEST', 'records must hold at least one record.');
  if (body.records.length > ctx.limits.maxRecordsPerRequest) {
    throw new SamsaError(
      'INVALID_REQUEST',
      `A produce request may hold at most ${ctx.limits.maxRecordsPerRequest} records; got ${body.records.length}.`,
      { details: { limit: ctx.limits.maxRecordsPerRequest } },
    );
  }
  // The wire schema refuses these already; lib callers get the same answer. A negative offset can never match: 400, not 412.
  if (body.expectedOffset !== undefined && body.expectedOffset < 0) {
    throw new SamsaError('INVALID_REQUEST', `expectedOffset must be an offset (0 to ${Number.MAX_SAFE_INTEGER}); got ${body.expectedOffset}.`);
  }
  await authorize(ctx.authorizer, principal, 'write', { type: 'topic', name: topicName });
  let { topic, cached } = await getTopicForRead(ctx, topicName);
  if (cached && body.records.some((r) => r.partition !== undefined && r.partition >= topic.partitions)) {
    // A partition beyond a cached count may have been added since: read the topic before refusing it.
    topic = (await refreshTopic(ctx, topicName)) ?? throwUnknown(topicName);
    cached = false;
  }

  const results: RecordResult[] = new Array(body.records.length);
  const byPartition = route(topic, body, body.records.map((_, i) => i), randomInt(topic.partitions), results);
  if (body.expectedOffset !== undefined && byPartition.size > 1) {
    throw new SamsaError('INVALID_REQUEST', 'expectedOffset needs every record of the request in one partition.');
  }
  const producer = producerOf(body);
  if (refuseConditional(body, byPartition, results)) return { records: results };
  if (producer !== undefined && byPartition.size > 0) await checkProducerEpoch(ctx, producer.producerId, producer.epoch);

  const state = { written: 0, gone: false };
  const rereads = new Map<Topic, Promise<Topic | undefined>>();
  /** One strong read per stale copy, shared by every partition refused for it. */
  const reread = (stale: Topic) => {
    let fresh = rereads.get(stale);
    if (fresh === undefined) rereads.set(stale, (fresh = refreshTopic(ctx, topicName)));
    return fresh;
  };

  const write = async (topic: Topic, cached: boolean, partition: number, group: { index: number; record: PendingRecord }[], rereadsLeft: number) => {
    try {
      const ref: PartitionRef = { ...partitionRef(topic, partition), ...(cached ? { cached } : {}) };
      const records = group.map((g) => g.record);
      const { baseOffset, appendTime } =
        producer === undefined
          ? await append(ctx, ref, records, body.expectedOffset === undefined ? {} : { expectedOffset: body.expectedOffset })
          : await buildersOf(ctx).appendIdempotent(ctx, ref, records, producer.batchFor(partition), body.expectedOffset);
      group.forEach((g, i) => {
        results[g.index] = { partition, offset: baseOffset + i, timestamp: g.record.timestamp ?? appendTime };
      });
      state.written += group.length;
    } catch (err) {
      if (rereadsLeft === 0 || !stale(err, cached)) {
        for (const g of group) results[g.index] = errorResult(err, partition);
        return;
      }
      // Nothing was reserved: route, check and build these records again by the topic as it is now.
      const fresh = await reread(topic);
      if (fresh === undefined) {
        state.gone = true;
        for (const g of group) results[g.index] = errorResult(unknownTopic(topicName), undefined);
        return;
      }
      const indices = group.map((g) => g.index);
      const again = route(fresh, body, indices, randomInt(fresh.partitions), results);
      if (body.expectedOffset !== undefined && again.size > 1) {
        const spread = new SamsaError('INVALID_REQUEST', 'expectedOffset needs every record of the request in one partition.');
        for (const i of indices) results[i] = errorResult(spread, undefined);
        return;
      }
      if (refuseConditional(body, again, results)) return;
      await Promise.all([...again].map(([p, g]) => write(fresh, false, p, g, rereadsLeft - 1)));
    }
  };
  await Promise.all([...byPartition].map(([partition, group]) => write(topic, cached, partition, group, MAX_TOPIC_REREADS)));
  // The topic proved deleted before anything was written: answer as a strong read would have.
  if (state.gone && state.written === 0) throw unknownTopic(topicName);
  return { records: results };
}

/** Refused because the topic in hand is out of date: the counter is gone (cached copies only) or has a newer config version. */
function stale(err: unknown, cached: boolean): boolean {
  if (err instanceof TopicChanged) return true;
  return cached && isSamsaError(err) && err.code === 'UNKNOWN_TOPIC_OR_PARTITION';
}

/** Routes and checks the records at `indices` by `topic`; a bad record gets its error in `results`. */
function route(topic: Topic, body: ProduceBody, indices: number[], sticky: number, results: RecordResult[]): Routed {
  const byPartition: Routed = new Map();
  for (const index of indices) {
    const wire = body.records[index] as ProduceRecord;
    try {
      const { partition, record } = prepare(topic, wire, index, sticky);
      let group = byPartition.get(partition);
      if (group === undefined) byPartition.set(partition, (group = []));
      group.push({ index, record });
    } catch (err) {
      results[index] = errorResult(err, wire.partition);
    }
  }
  return byPartition;
}

/**
 * All or nothing: a conditional append whose records are not all valid writes none (the caller
 * decided on the whole request at this offset, so a partial write would be a lie). True when refused.
 */
function refuseConditional(body: ProduceBody, byPartition: Routed, results: RecordResult[]): boolean {
  if (body.expectedOffset === undefined || byPartition.size === 0 || !results.some((r) => r !== undefined && 'error' in r)) return false;
  const bad = results.flatMap((r, i) => (r !== undefined && 'error' in r ? [i] : []));
  const refusal = new SamsaError(
    'INVALID_RECORD',
    `Not written: a conditional append (expectedOffset) is all or nothing, and not every record is valid (invalid: ${bad.map((i) => `records[${i}]`).join(', ')}).`,
    { details: { invalidRecords: bad } },
  );
  for (const [partition, group] of byPartition) for (const g of group) results[g.index] = errorResult(refusal, partition);
  return true;
}

function throwUnknown(name: string): never {
  throw unknownTopic(name);
}

/** Checks the idempotence fields once per request; each partition then needs its base sequence. */
function producerOf(body: ProduceBody): { producerId: string; epoch: number; batchFor(partition: number): ProducerBatch } | undefined {
  const { producerId, producerEpoch, baseSequences } = body;
  if (producerId === undefined) {
    if (producerEpoch !== undefined || baseSequences !== undefined) {
      throw new SamsaError('INVALID_REQUEST', 'producerEpoch and baseSequences need a producerId.');
    }
    return undefined;
  }
  if (!/^[0-9]{1,19}$/.test(producerId)) throw new SamsaError('INVALID_REQUEST', 'producerId must be an id issued by POST /v1/producers.');
  if (producerEpoch === undefined || producerEpoch < 0 || producerEpoch > 32_767) {
    throw new SamsaError('INVALID_REQUEST', 'An idempotent produce needs producerEpoch between 0 and 32767.');
  }
  for (const [p, seq] of Object.entries(baseSequences ?? {})) {
    if (!/^\d{1,10}$/.test(p) || seq < 0 || seq > MAX_SEQUENCE) {
      throw new SamsaError('INVALID_REQUEST', `baseSequences must map partition numbers to sequences 0..${MAX_SEQUENCE}; got ${JSON.stringify(p)}: ${seq}.`);
    }
  }
  return {
    producerId,
    epoch: producerEpoch,
    batchFor(partition) {
      const baseSequence = baseSequences?.[String(partition)];
      if (baseSequence === undefined) {
        throw new SamsaError('INVALID_REQUEST', `An idempotent produce needs baseSequences["${partition}"] for the records sent to partition ${partition}.`);
      }
      return { producerId, epoch: producerEpoch, baseSequence };
    },
  };
}

export function prepare(topic: Topic, wire: ProduceRecord, index: number, sticky: number): { partition: number; record: PendingRecord } {
  const at = `records[${index}]`;
  const key = wire.key == null ? null : toBytes(wire.key, `${at}.key`);
  const value = wire.value == null ? null : toBytes(wire.value, `${at}.value`);
  const headers = (wire.headers ?? []).map((h, i) => {
    // Header names are stored as UTF-8 too (batch-codec.ts would throw on an unpaired surrogate).
    checkWellFormed(h.name, `${at}.headers[${i}].name`);
    return {
      key: h.name,
      value: h.value === null ? null : toBytes(typeof h.value === 'string' ? { type: 'STRING', data: h.value } : h.value, `${at}.headers[${i}]`),
    };
  });
  if (wire.timestamp !== undefined && (wire.timestamp < 0 || wire.timestamp > MAX_TIMESTAMP)) {
    throw new SamsaError('INVALID_RECORD', `${at}.timestamp must be between 0 and ${MAX_TIMESTAMP} (milliseconds since the epoch).`);
  }
  const size = recordSize(key, value, headers);
  const limit = effectiveConfig(topic.configs)['max.message.bytes'];
  if (size > limit) {
    throw new SamsaError('RECORD_TOO_LARGE', `${at} is ${size} bytes; topic '${topic.name}' allows ${limit} (max.message.bytes).`, {
      details: { limit, size },
    });
  }
  let partition: number;
  if (wire.partition !== undefined) {
    checkPartition(topic, wire.partition);
    partition = wire.partition;
  } else {
    partition = key === null ? sticky : partitionForKey(key, topic.partitions);
  }
  return {
    partition,
    record: {
      timestamp: wire.timestamp,
      key,
      value,
      headers,
      keyType: wire.key == null ? 0 : TYPE_IDS[wire.key.type],
      valueType: wire.value == null ? 0 : TYPE_IDS[wire.value.type],
    },
  };
}

/** Kafka counts a record's key, value and headers against max.message.bytes. */
function recordSize(key: Uint8Array | null, value: Uint8Array | null, headers: { key: string; value: Uint8Array | null }[]): number {
  let size = (key?.length ?? 0) + (value?.length ?? 0);
  for (const h of headers) size += Buffer.byteLength(h.key) + (h.value?.length ?? 0);
  return size;
}

function errorResult(err: unknown, partition: number | undefined): RecordResult {
  const e = toSamsaError(err);
  const result: RecordResult = { error: { ...e.details, code: e.code, message: e.message, retriable: e.retriable } };
  if (partition !== undefined) result.partition = partition;
  return result;
}

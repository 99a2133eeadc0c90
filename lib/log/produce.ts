/**
 * Produce: `POST /v1/topics/{topic}/records`.
 * Behaviour: picks each record's partition (explicit; else Kafka's murmur2
 * of the key bytes; else one random partition per request, like Kafka's
 * sticky partitioner), rejects bad records individually, and appends the
 * records of each partition as one batch, partitions in parallel. Returns
 * per record its partition, offset and timestamp, or its error.
 * A conditional append (expectedOffset) is all or nothing: one bad record
 * fails every record of the request and nothing is written.
 * Errors per record: RECORD_TOO_LARGE (names limit and size), INVALID_RECORD
 * (bad data, unpaired surrogates, JSON nested past MAX_JSON_NESTING),
 * UNKNOWN_TOPIC_OR_PARTITION; per partition: whatever its append threw.
 * Errors per request: INVALID_TOPIC, UNKNOWN_TOPIC_OR_PARTITION,
 * INVALID_REQUEST (too many records; expectedOffset negative or over several
 * partitions; bad idempotence fields), UNKNOWN_PRODUCER_ID and
 * INVALID_PRODUCER_EPOCH (an id or epoch that was not issued, or is fenced).
 * Idempotent producers (producerId, producerEpoch, baseSequences per
 * partition) go through idempotence.ts; plain produce pays nothing for it.
 * Cost: per partition touched, see append.ts; plus 1 strong GetItem of the
 * topic. Idempotent: plus 1 strong GetItem of the producer item when this
 * instance has not seen its epoch (producer-id.ts).
 */
import { randomInt } from 'node:crypto';
import { authorize, type Principal } from '../auth/authorize';
import type { LibContext } from '../context';
import { SamsaError, toSamsaError } from '../errors';
import { checkWellFormed, toBytes, TYPE_IDS, type ProduceBody, type ProduceRecord } from '../protocol/records';
import { effectiveConfig } from '../topics/configs';
import { getTopic, type Topic } from '../topics/topic-item';
import { validateTopicName } from '../topics/validate';
import { append, type PendingRecord } from './append';
import { appendIdempotent, MAX_SEQUENCE, type ProducerBatch } from './idempotence';
import { partitionForKey } from '../protocol/murmur2';
import { checkPartition, partitionRef } from './partition';
import { checkProducerEpoch } from './producer-id';

export type RecordResult =
  | { partition: number; offset: number; timestamp: number }
  | { partition?: number; error: { code: string; message: string; retriable: boolean; [detail: string]: unknown } };

export interface ProduceResult {
  records: RecordResult[];
}

const MAX_TIMESTAMP = Number.MAX_SAFE_INTEGER;

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
  const topic = await getTopic(ctx, topicName);

  const results: RecordResult[] = new Array(body.records.length);
  const byPartition = new Map<number, { index: number; record: PendingRecord }[]>();
  const sticky = randomInt(topic.partitions);
  body.records.forEach((wire, index) => {
    try {
      const { partition, record } = prepare(topic, wire, index, sticky);
      let group = byPartition.get(partition);
      if (group === undefined) byPartition.set(partition, (group = []));
      group.push({ index, record });
    } catch (err) {
      results[index] = errorResult(err, wire.partition);
    }
  });

  if (body.expectedOffset !== undefined && byPartition.size > 1) {
    throw new SamsaError('INVALID_REQUEST', 'expectedOffset needs every record of the request in one partition.');
  }
  const producer = producerOf(body);
  if (body.expectedOffset !== undefined && byPartition.size > 0 && results.some((r) => r !== undefined)) {
    // All or nothing: the caller decided on the whole request at this offset, so a partial write would be a lie.
    const bad = results.flatMap((r, i) => (r === undefined ? [] : [i]));
    const refusal = new SamsaError(
      'INVALID_RECORD',
      `Not written: a conditional append (expectedOffset) is all or nothing, and not every record is valid (invalid: ${bad.map((i) => `records[${i}]`).join(', ')}).`,
      { details: { invalidRecords: bad } },
    );
    for (const [partition, group] of byPartition) for (const g of group) results[g.index] = errorResult(refusal, partition);
    return { records: results };
  }
  if (producer !== undefined && byPartition.size > 0) await checkProducerEpoch(ctx, producer.producerId, producer.epoch);

  await Promise.all(
    [...byPartition].map(async ([partition, group]) => {
      try {
        const ref = partitionRef(topic, partition);
        const records = group.map((g) => g.record);
        const { baseOffset, appendTime } =
          // SABOTAGE (checker self-test only): ignoreIdempotence writes retries again.
          producer === undefined || ctx.sabotage?.ignoreIdempotence
            ? await append(ctx, ref, records, body.expectedOffset === undefined ? {} : { expectedOffset: body.expectedOffset })
            : await appendIdempotent(ctx, ref, records, producer.batchFor(partition), body.expectedOffset);
        group.forEach((g, i) => {
          results[g.index] = { partition, offset: baseOffset + i, timestamp: g.record.timestamp ?? appendTime };
        });
      } catch (err) {
        for (const g of group) results[g.index] = errorResult(err, partition);
      }
    }),
  );
  return { records: results };
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

function prepare(topic: Topic, wire: ProduceRecord, index: number, sticky: number): { partition: number; record: PendingRecord } {
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

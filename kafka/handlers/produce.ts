/**
 * Produce (v3+: record batch v2 only) → lib/log/produce.ts, one call per
 * topic with every record's partition set, so each partition is appended as
 * one batch exactly as an HTTP produce would be. Keys, values and header
 * values go in as BINARY data and come back out of either door unchanged;
 * record timestamps are kept (none, i.e. negative, means append time).
 * A partition's records are written all or none: records over the topic's
 * max.message.bytes fail the whole partition before anything is written.
 * acks=0 gets no response, as in Kafka; acks 1 and -1 both mean "stored",
 * since a Samsa append is durable when it returns.
 * Idempotent producers: the producer id, epoch and base sequence of each
 * partition's batch go to lib as producerId, producerEpoch and
 * baseSequences, so a retried batch gets its original offsets back and an
 * out-of-order or fenced one Kafka's error (lib/log/idempotence.ts).
 * Not supported: transactions.
 */
import { produce } from '../../lib/log/produce';
import type { ProduceBody, ProduceRecord } from '../../lib/protocol/records';
import { SamsaError } from '../../lib/errors';
import { effectiveConfig } from '../../lib/topics/configs';
import { getTopicForRead } from '../../lib/topics/topic-cache';
import type { ApiHandler, Gateway, Session } from '../api';
import { KafkaError, kafkaCode, kafkaMessage } from '../errors';
import type { KStruct } from '../protocol/codec';
import { CorruptBatchError, decodeBatches, type KafkaRecord, type RecordBatch } from '../records/batch';
import { UnsupportedCodecError } from '../records/compression';

export const produceApi: ApiHandler = {
  key: 0,
  name: 'Produce',
  min: 3,
  max: 9,
  async handle(g, s, req) {
    const acks = req.acks as number;
    const topics = req.topicData as KStruct[];
    const responses = await Promise.all(
      topics.map(async (t) => ({
        name: t.name,
        partitionResponses: await produceTopic(g, s, t.name, t.partitionData, acks, req.transactionalId),
      })),
    );
    return acks === 0 ? undefined : { responses, throttleTimeMs: 0 };
  },
};

function partitionResult(index: number, errorCode: number, baseOffset = -1, errorMessage: string | null = null): KStruct {
  return { index, errorCode, baseOffset: BigInt(baseOffset), logAppendTimeMs: -1n, logStartOffset: -1n, recordErrors: [], errorMessage };
}

async function produceTopic(g: Gateway, s: Session, topic: string, partitions: KStruct[], acks: number, transactionalId: string | null): Promise<KStruct[]> {
  if (acks !== 0 && acks !== 1 && acks !== -1) return partitions.map((p) => partitionResult(p.index, KafkaError.INVALID_REQUIRED_ACKS));
  if (transactionalId !== null) {
    return partitions.map((p) => partitionResult(p.index, KafkaError.TRANSACTIONAL_ID_AUTHORIZATION_FAILED, -1, 'Samsa has no transactions.'));
  }
  const results = new Map<number, KStruct>();
  const decoded: { index: number; records: KafkaRecord[]; first: RecordBatch }[] = [];
  const maxDecoded = g.lib.limits.maxRequestBytes * 4;
  for (const p of partitions) {
    try {
      const batches = p.records === null ? [] : decodeBatches(p.records, maxDecoded);
      const records = batches.flatMap((b) => b.records);
      if (records.length === 0) results.set(p.index, partitionResult(p.index, KafkaError.NONE));
      else decoded.push({ index: p.index, records, first: batches[0]! });
    } catch (err) {
      const code =
        err instanceof CorruptBatchError ? KafkaError.CORRUPT_MESSAGE
        : err instanceof UnsupportedCodecError ? KafkaError.UNSUPPORTED_COMPRESSION_TYPE
        : err instanceof RangeError ? KafkaError.MESSAGE_TOO_LARGE
        : KafkaError.CORRUPT_MESSAGE;
      results.set(p.index, partitionResult(p.index, code, -1, (err as Error).message));
    }
  }
  if (decoded.length > 0) {
    try {
      await tooLarge(g, topic, decoded, results);
      const body: ProduceRecord[] = [];
      const owners: number[] = [];
      for (const d of decoded) {
        if (results.has(d.index)) continue;
        for (const r of d.records) {
          body.push(toWire(d.index, r));
          owners.push(d.index);
        }
      }
      if (body.length > 0) {
        const out = await produce(g.lib, s.principal, topic, { records: body, ...producerFields(decoded.filter((d) => !results.has(d.index))) });
        out.records.forEach((r, i) => {
          const partition = owners[i]!;
          const seen = results.get(partition);
          if ('error' in r) {
            if (seen === undefined || seen.errorCode === KafkaError.NONE) {
              results.set(partition, partitionResult(partition, kafkaCode(r.error.code), -1, r.error.message));
            }
          } else if (seen === undefined) results.set(partition, partitionResult(partition, KafkaError.NONE, r.offset));
        });
      }
    } catch (err) {
      for (const d of decoded) if (!results.has(d.index)) results.set(d.index, partitionResult(d.index, kafkaCode(err), -1, kafkaMessage(err)));
    }
  }
  return partitions.map((p) => results.get(p.index) ?? partitionResult(p.index, KafkaError.UNKNOWN_SERVER_ERROR));
}

/**
 * lib's idempotence fields when the batches come from an idempotent producer
 * (producer id ≥ 0; one producer per request, as Kafka clients send).
 */
function producerFields(decoded: { index: number; first: RecordBatch }[]): Pick<ProduceBody, 'producerId' | 'producerEpoch' | 'baseSequences'> {
  const first = decoded[0]?.first;
  if (first === undefined || first.producerId < 0n) return {};
  if (decoded.some((d) => d.first.producerId !== first.producerId || d.first.producerEpoch !== first.producerEpoch)) {
    throw new SamsaError('INVALID_REQUEST', 'One produce request may carry the batches of one producer id and epoch only.');
  }
  return {
    producerId: String(first.producerId),
    producerEpoch: first.producerEpoch,
    baseSequences: Object.fromEntries(decoded.map((d) => [String(d.index), d.first.baseSequence])),
  };
}

/** Kafka refuses a whole batch over max.message.bytes; lib would refuse only the records over it. */
async function tooLarge(g: Gateway, topic: string, decoded: { index: number; records: KafkaRecord[] }[], results: Map<number, KStruct>): Promise<void> {
  const { topic: t } = await getTopicForRead(g.lib, topic);
  const limit = effectiveConfig(t.configs)['max.message.bytes'];
  for (const d of decoded) {
    const size = (r: KafkaRecord) =>
      (r.key?.length ?? 0) + (r.value?.length ?? 0) + r.headers.reduce((n, h) => n + Buffer.byteLength(h.key) + (h.value?.length ?? 0), 0);
    const big = d.records.find((r) => size(r) > limit);
    if (big !== undefined) {
      const message = `A record of ${size(big)} bytes is over topic '${topic}' max.message.bytes (${limit}); nothing in this partition was written.`;
      results.set(d.index, partitionResult(d.index, KafkaError.MESSAGE_TOO_LARGE, -1, message));
    }
  }
}

function toWire(partition: number, r: KafkaRecord): ProduceRecord {
  const record: ProduceRecord = {
    partition,
    key: r.key === null ? null : { type: 'BINARY', data: r.key.toString('base64') },
    value: r.value === null ? null : { type: 'BINARY', data: r.value.toString('base64') },
    headers: r.headers.map((h) => ({ name: h.key, value: h.value === null ? null : { type: 'BINARY', data: h.value.toString('base64') } })),
  };
  if (r.timestamp >= 0) record.timestamp = r.timestamp;
  return record;
}

/**
 * KafkaJS's Producer over the SDK's batching producer.
 *
 * - `send` / `sendBatch` resolve once every message is acknowledged (Samsa
 *   acknowledges only durable writes: acks -1 and 1 both mean that), with
 *   KafkaJS's RecordMetadata: one entry per topic-partition written, its
 *   `baseOffset` the lowest offset the call got there.
 * - Partitioning is the SDK's: an explicit partition, else Kafka's murmur2 of
 *   the key bytes (KafkaJS's DefaultPartitioner gives the same partition for
 *   the same bytes), else Kafka's sticky choice for keyless messages where
 *   KafkaJS goes round-robin.
 * - `idempotent: true` is the SDK's idempotent producer (producer id and
 *   sequence numbers: a retried batch is never written twice).
 * - Options Samsa cannot honour throw a KafkaJSNonRetriableError at
 *   `producer()` or `send()`, before anything is sent.
 */
import type { Producer as SamsaProducer, RecordMetadata as SamsaMetadata, Samsa } from '../index';
import { KafkaJSError, KafkaJSNonRetriableError, KafkaJSRequestTimeoutError, toKafkaJSError, unsupported } from './errors';
import { Instrumentation } from './instrumentation';
import type { RoleContext } from './kafka';
import { checkKnownFields, toSamsaRecord } from './messages';
import { startTransaction, type Transaction } from './transaction';
import type { InstrumentationEvent, Logger, Message, ProducerBatch, ProducerConfig, ProducerRecord, RecordMetadata, RemoveInstrumentationEventListener, RequestPayload } from './types';

export const PRODUCER_EVENTS = {
  CONNECT: 'producer.connect',
  DISCONNECT: 'producer.disconnect',
  REQUEST: 'producer.network.request',
  REQUEST_TIMEOUT: 'producer.network.request_timeout',
  REQUEST_QUEUE_SIZE: 'producer.network.request_queue_size',
} as const;

export interface ProducerEventPayloads {
  'producer.connect': null;
  'producer.disconnect': null;
  'producer.network.request': RequestPayload;
  /** Never emitted: the SDK's timeouts reach the caller as KafkaJSRequestTimeoutError. */
  'producer.network.request_timeout': RequestPayload;
  /** Never emitted: there is no request queue per broker. */
  'producer.network.request_queue_size': { broker: string; clientId: string; queueSize: number };
}

const PRODUCER_OPTIONS = ['createPartitioner', 'retry', 'metadataMaxAge', 'allowAutoTopicCreation', 'idempotent', 'transactionalId', 'transactionTimeout', 'maxInFlightRequests'];
const SEND_OPTIONS = ['topic', 'messages', 'acks', 'timeout', 'compression'];
const BATCH_OPTIONS = ['topicMessages', 'acks', 'timeout', 'compression'];
/** CompressionTypes None, GZIP, Snappy, LZ4, ZSTD: accepted; Samsa compresses stored batches by the topic's compression.type. */
const COMPRESSION_CODES = new Set([0, 1, 2, 3, 4]);

export class Producer {
  readonly events = PRODUCER_EVENTS;
  private readonly instrumentation: Instrumentation<ProducerEventPayloads>;
  private readonly samsa: Samsa;
  private readonly log: Logger;
  private readonly idempotent: boolean;
  private readonly retries: number;
  private sdk: SamsaProducer | undefined;
  private disconnecting = false;

  constructor(
    private readonly context: RoleContext,
    private readonly config: ProducerConfig,
    isDefaultPartitioner: (value: unknown) => boolean,
  ) {
    checkKnownFields(config, PRODUCER_OPTIONS, 'kafka.producer()');
    // transactionalId and transactionTimeout are accepted: a transaction is one request (transaction.ts), fenced by the SDK's producer id.
    if (config.createPartitioner !== undefined && !isDefaultPartitioner(config.createPartitioner)) {
      throw unsupported(
        'createPartitioner (other than Partitioners.DefaultPartitioner of this module)',
        'the SDK picks partitions with Kafka\'s murmur2 default partitioner; pass an explicit partition per message instead',
      );
    }
    this.idempotent = config.idempotent === true;
    const retry = { ...context.config.retry, ...config.retry };
    if (this.idempotent && retry.retries !== undefined && retry.retries < 1) {
      throw new KafkaJSNonRetriableError('Idempotent producer must allow retries to protect against transient errors');
    }
    this.log = context.logger.namespace('Producer');
    this.instrumentation = new Instrumentation<ProducerEventPayloads>(PRODUCER_EVENTS, this.log);
    this.samsa = context.client((payload) => this.instrumentation.emit(PRODUCER_EVENTS.REQUEST, payload), {}, config.retry);
    this.retries = context.retriesOf(config.retry);
  }

  async connect(): Promise<void> {
    // Nothing to connect: requests are stateless. A new SDK producer after a disconnect.
    this.sdk ??= this.samsa.producer({
      idempotent: this.idempotent,
      // KafkaJS sends a call's messages at once; records of concurrent sends still share requests.
      lingerMs: 0,
      ...(this.config.metadataMaxAge === undefined ? {} : { metadataMaxAgeMs: this.config.metadataMaxAge }),
      ...(this.config.retry === undefined ? {} : { retry: this.context.sdkRetry(this.config.retry) }),
    });
    this.disconnecting = false;
    this.instrumentation.emit(PRODUCER_EVENTS.CONNECT, null);
  }

  /** Waits for every message sent so far, then stops accepting new ones. */
  async disconnect(): Promise<void> {
    const sdk = this.sdk;
    if (sdk === undefined) return;
    this.disconnecting = true;
    try {
      await sdk.close();
    } finally {
      this.sdk = undefined;
      this.disconnecting = false;
      this.instrumentation.emit(PRODUCER_EVENTS.DISCONNECT, null);
    }
  }

  isIdempotent(): boolean {
    return this.idempotent;
  }

  send(record: ProducerRecord): Promise<RecordMetadata[]> {
    return this.sendAll(record, SEND_OPTIONS, 'producer.send()', () => [{ topic: record.topic, messages: record.messages }]);
  }

  sendBatch(batch: ProducerBatch): Promise<RecordMetadata[]> {
    return this.sendAll(batch, BATCH_OPTIONS, 'producer.sendBatch()', () => batch.topicMessages ?? []);
  }

  /** KafkaJS's transaction: collected, then committed as one atomic request (transaction.ts). */
  async transaction(): Promise<Transaction> {
    const sdk = this.sdk;
    if (sdk === undefined) throw new KafkaJSError('The producer is disconnected');
    return startTransaction(sdk, this.context.groupMembers, { broker: this.context.broker, retries: this.retries });
  }

  on<K extends keyof ProducerEventPayloads>(eventName: K, listener: (event: InstrumentationEvent<ProducerEventPayloads[K]>) => void): RemoveInstrumentationEventListener<K> {
    return this.instrumentation.on(eventName, listener);
  }

  logger(): Logger {
    return this.log;
  }

  private async sendAll(
    request: { acks?: number; timeout?: number; compression?: number },
    known: readonly string[],
    where: string,
    topicMessages: () => { topic: string; messages: Message[] }[],
  ): Promise<RecordMetadata[]> {
    // Everything is checked before the first message is handed to the SDK: a refused call sends nothing.
    checkKnownFields(request, known, where);
    const acks = request.acks ?? -1;
    if (acks === 0) throw unsupported('acks: 0', 'Samsa acknowledges every produce once it is durable; use -1 (or 1, which means the same here)');
    if (acks !== -1 && acks !== 1) throw new KafkaJSNonRetriableError(`Invalid acks ${String(acks)}: -1, 1 or 0.`);
    if (this.idempotent && acks !== -1) throw new KafkaJSNonRetriableError("Not requiring ack for all messages invalidates the idempotent producer's EoS guarantees");
    if (request.compression !== undefined && !COMPRESSION_CODES.has(request.compression)) {
      throw new KafkaJSNonRetriableError(`Invalid compression ${String(request.compression)}: one of CompressionTypes.`);
    }
    if (request.timeout !== undefined && !(Number.isFinite(request.timeout) && request.timeout > 0)) {
      throw new KafkaJSNonRetriableError(`Invalid timeout ${String(request.timeout)}: a positive number of milliseconds.`);
    }
    const groups = topicMessages();
    if (!Array.isArray(groups)) throw new KafkaJSNonRetriableError('Invalid topicMessages: an array of { topic, messages }.');
    const records = groups.flatMap((group, i) => {
      checkKnownFields(group ?? {}, ['topic', 'messages'], `topicMessages[${i}]`);
      if (typeof group?.topic !== 'string' || group.topic === '') throw new KafkaJSNonRetriableError('Invalid topic');
      if (!Array.isArray(group.messages)) throw new KafkaJSNonRetriableError(`Invalid messages array [${String(group.messages)}] for topic "${group.topic}"`);
      return group.messages.map((message, index) => toSamsaRecord(group.topic, message, index));
    });
    const sdk = this.sdk;
    if (this.disconnecting) throw new KafkaJSNonRetriableError("The producer is disconnecting; therefore, it can't safely accept messages anymore");
    if (sdk === undefined) throw new KafkaJSError('The producer is disconnected');

    const all = Promise.all(records.map((r) => sdk.send(r)));
    let results: SamsaMetadata[];
    try {
      results = request.timeout === undefined ? await all : await withTimeout(all, request.timeout, this.context.broker);
    } catch (err) {
      throw toKafkaJSError(err, { broker: this.context.broker, retries: this.retries });
    }
    return summarize(results);
  }
}

/**
 * KafkaJS's `timeout` bounds how long the call waits for acknowledgements;
 * as in Kafka, messages not acknowledged in time may still be written.
 */
function withTimeout<T>(work: Promise<T>, ms: number, broker: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new KafkaJSRequestTimeoutError(`Request timed out after ${ms}ms`, { broker })), ms);
  });
  work.catch(() => undefined);
  return Promise.race([work, expired]).finally(() => clearTimeout(timer));
}

/** One RecordMetadata per topic-partition, in the order first written. */
function summarize(results: SamsaMetadata[]): RecordMetadata[] {
  const byPartition = new Map<string, RecordMetadata & { base: number }>();
  for (const r of results) {
    const k = `${r.topic}\u0000${r.partition}`;
    const seen = byPartition.get(k);
    if (seen === undefined) {
      byPartition.set(k, { topicName: r.topic, partition: r.partition, errorCode: 0, baseOffset: String(r.offset), logAppendTime: '-1', base: r.offset });
    } else if (r.offset < seen.base) {
      seen.base = r.offset;
      seen.baseOffset = String(r.offset);
    }
  }
  return [...byPartition.values()].map(({ base: _base, ...meta }) => meta);
}

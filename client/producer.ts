/**
 * The batching producer.
 *
 * Behaviour:
 *  - `send()` picks the partition on the client: the explicit one, else
 *    Kafka's murmur2 of the key bytes (the server's choice, bit for bit),
 *    else one random partition that keyless records share until its batch
 *    is sealed (Kafka's sticky partitioner). Partition counts come from a
 *    cached describe.
 *  - Records collect in one open batch per partition, sealed after
 *    `lingerMs` or when it reaches `batchBytes` / `batchRecords`. Sealed
 *    batches of one topic travel together in one request, up to
 *    `maxRequestBytes` / `maxRequestRecords`. At most one request per
 *    partition is in flight, so a partition's records land in send order.
 *  - Idempotent (default): one producer id from `POST /v1/producers`; each
 *    partition's batch carries a base sequence (Kafka numbering: the next
 *    batch's base is the previous base plus the records the server accepted).
 *    A retried batch is the same records with the same base sequence, so the
 *    server returns the original offsets instead of writing twice — this
 *    makes lost answers and timeouts safe to retry.
 *  - Retries: a batch whose result is a retriable error, and (idempotent
 *    only) a request that got no answer, with backoff and full jitter up to
 *    `retry.retries`. A batch that fails for good after it may have been
 *    written, or a sequence error, makes the producer take a new epoch
 *    (sequences restart at 0) before it sends anything else, as Kafka does.
 *  - Each record's promise resolves with its partition, offset and timestamp
 *    or rejects with the typed error the server gave for it.
 */
import { partitionForKey } from '../lib/protocol/murmur2';
import { headersToWire, toWire, utf8Length, wireBytes, type DataInput, type HeadersInput } from './data';
import { apiErrorFrom, AuthenticationError, AuthorizationError, recordErrorFrom, SamsaApiError, SamsaError } from './errors';
import { path, retryAfter, type HttpClient, type HttpResponse } from './http';
import { MetadataCache, type TopicMetadata } from './metadata';
import { retryOptions, type RetryOptions } from './retry';
import type { ProducerIdentity, RecordMetadata, TopicDescription } from './types';
import { Transaction, TransactionSequencer } from './transaction';
import { checkFields, invalid } from './validate';

export interface ProducerRecord {
  topic: string;
  /** Records with equal keys go to the same partition (unless `partition` is given). */
  key?: DataInput;
  value: DataInput;
  headers?: HeadersInput;
  partition?: number;
  /** Milliseconds since the epoch (or a Date); the server's append time when omitted. */
  timestamp?: number | Date;
}

/** `value` is required: null is a tombstone, a missing value a mistake (KafkaJS's `messages: [...]`, a typo). */
export const RECORD_FIELDS = { topic: 's!', key: 'a', value: 'a!', headers: 'a', partition: 'i', timestamp: 'T' } satisfies Record<keyof ProducerRecord, string>;
const SEND_HINT = 'For several records, call send() once per record (they are batched into shared requests); value null is a tombstone.';

export interface ProducerOptions {
  /** How long an open batch waits for more records. Default 5 ms. */
  lingerMs?: number;
  /**
   * Seal a partition's batch at this many bytes of records (JSON wire form). Default 360 KiB: the
   * server stores a batch of up to ~380 KB in one item; larger ones become chunks, which cost more to read.
   */
  batchBytes?: number;
  /** Seal a partition's batch at this many records. Default 2,000. */
  batchRecords?: number;
  /** Bytes of one produce request (the server accepts 5 MiB). Default 4 MiB. */
  maxRequestBytes?: number;
  /** Records of one produce request (the server accepts 10,000). Default 10,000. */
  maxRequestRecords?: number;
  /** Producer id and sequence numbers, so retries never duplicate. Default true. */
  idempotent?: boolean;
  /** Retries of failed batches; defaults to the client's retry options. */
  retry?: Partial<RetryOptions>;
  /** How long a topic's partition count is trusted. Default 5 minutes. */
  metadataMaxAgeMs?: number;
}

const PRODUCER_OPTIONS = {
  lingerMs: 'n',
  batchBytes: 'p',
  batchRecords: 'p',
  maxRequestBytes: 'p',
  maxRequestRecords: 'p',
  idempotent: 'b',
  retry: 'o',
  metadataMaxAgeMs: 'n',
} satisfies Record<keyof ProducerOptions, string>;

interface PendingRecord {
  /** The record's wire JSON, serialized once. */
  json: string;
  bytes: number;
  resolve(meta: RecordMetadata): void;
  reject(err: unknown): void;
}

interface Batch {
  topic: string;
  partition: number;
  records: PendingRecord[];
  bytes: number;
  /** When an open batch is sealed even if not full (ms since the epoch). */
  deadline: number;
  /** Assigned at the first attempt and kept for every retry. */
  baseSequence?: number;
}

interface PartitionQueue {
  topic: string;
  partition: number;
  open?: Batch;
  sealed: Batch[];
  inFlight: boolean;
  nextSequence: number;
}

interface TopicState {
  queues: Map<number, PartitionQueue>;
  sticky?: number;
  /** Sends waiting for the partition count, in send order. */
  waiting: { record: EncodedRecord; pending: PendingRecord }[];
  lingerTimer?: ReturnType<typeof setTimeout>;
}

interface EncodedRecord {
  partition?: number;
  keyBytes?: Uint8Array;
  /** The wire record without its partition, serialized. */
  json: string;
}

type BatchOutcome = { retry: false } | { retry: true; error: SamsaError; retryAfterMs: number };

const REQUEST_OVERHEAD_BYTES = 200;

export class Producer {
  private readonly lingerMs: number;
  private readonly batchBytes: number;
  private readonly batchRecords: number;
  private readonly maxRequestBytes: number;
  private readonly maxRequestRecords: number;
  readonly idempotent: boolean;
  private readonly retry: RetryOptions;
  private readonly metadata: MetadataCache;
  private readonly topics = new Map<string, TopicState>();
  /** Settles (never rejects) when each unsettled record settles; flush waits for a snapshot. */
  private readonly unsettled = new Set<Promise<void>>();
  private identity: Promise<ProducerIdentity> | undefined;
  /** Set after an outcome the sequence numbers cannot account for: take a new epoch before sending more. */
  private needsNewEpoch = false;
  private requestsInFlight = 0;
  private flushing = 0;
  private drainScheduled = false;
  private closed = false;
  private sequencer: TransactionSequencer | undefined;

  constructor(
    private readonly http: HttpClient,
    describe: (topic: string) => Promise<TopicDescription>,
    options: ProducerOptions = {},
  ) {
    checkFields(options, PRODUCER_OPTIONS, 'samsa.producer(options)');
    this.lingerMs = options.lingerMs ?? 5;
    this.batchBytes = options.batchBytes ?? 360 * 1024;
    this.batchRecords = options.batchRecords ?? 2_000;
    this.maxRequestBytes = options.maxRequestBytes ?? 4 * 1024 * 1024;
    this.maxRequestRecords = options.maxRequestRecords ?? 10_000;
    this.idempotent = options.idempotent ?? true;
    this.retry = retryOptions(options.retry, http.options.retry);
    this.metadata = new MetadataCache(describe, options.metadataMaxAgeMs ?? 300_000);
  }

  /**
   * Queues one record; resolves once the server acknowledged it. A record
   * with a field the SDK does not know, without `value` (null is a
   * tombstone), or with a key or value it cannot send as given, rejects with
   * INVALID_ARGUMENT and is not queued.
   */
  send(record: ProducerRecord): Promise<RecordMetadata> {
    if (this.closed) return Promise.reject(new SamsaError('CLOSED', 'The producer is closed.'));
    let encoded: EncodedRecord;
    try {
      encoded = encode(record);
    } catch (err) {
      return Promise.reject(err instanceof SamsaError ? err : invalid(`Invalid record in producer.send(record): ${(err as Error).message}.`));
    }
    let pending!: PendingRecord;
    const result = new Promise<RecordMetadata>((resolve, reject) => {
      pending = { json: '', bytes: 0, resolve, reject };
    });
    const settled = result.then(
      () => undefined,
      () => undefined,
    );
    this.unsettled.add(settled);
    void settled.then(() => this.unsettled.delete(settled));

    const state = this.topicState(record.topic);
    const meta = this.metadata.fresh(record.topic);
    if (meta !== undefined && state.waiting.length === 0) {
      this.place(record.topic, state, meta, encoded, pending);
    } else {
      state.waiting.push({ record: encoded, pending });
      if (state.waiting.length === 1) void this.loadMetadata(record.topic, state);
    }
    return result;
  }

  /** Sends every open batch now and waits until all records sent before the call are settled. */
  async flush(): Promise<void> {
    this.flushing++;
    try {
      for (const state of this.topics.values()) {
        clearTimeout(state.lingerTimer);
        state.lingerTimer = undefined;
        for (const queue of state.queues.values()) this.seal(queue, state);
      }
      this.scheduleDrain();
      // Records still waiting for metadata are in the snapshot; while flushing they are sealed as they are placed.
      await Promise.all([...this.unsettled]);
    } finally {
      this.flushing--;
    }
  }

  /**
   * Starts a transaction: records for any topics and partitions, and a group member's offsets,
   * committed as one atomic request (client/transaction.ts). Independent of send()'s batches.
   */
  transaction(): Transaction {
    if (this.closed) throw new SamsaError('CLOSED', 'The producer is closed.');
    this.sequencer ??= new TransactionSequencer(this.http);
    return new Transaction(this.http, this.sequencer);
  }

  /** Flushes, then refuses further sends. */
  async close(): Promise<void> {
    this.closed = true;
    await this.flush();
  }

  private topicState(topic: string): TopicState {
    let state = this.topics.get(topic);
    if (state === undefined) this.topics.set(topic, (state = { queues: new Map(), waiting: [] }));
    return state;
  }

  private async loadMetadata(topic: string, state: TopicState): Promise<void> {
    let meta: TopicMetadata;
    try {
      meta = await this.metadata.load(topic);
    } catch (err) {
      const reason = refusedWrite(err, topic, 'which a producer needs to learn its partitions (a write grant includes describe)');
      for (const { pending } of state.waiting.splice(0)) pending.reject(reason);
      return;
    }
    for (const { record, pending } of state.waiting.splice(0)) this.place(topic, state, meta, record, pending);
  }

  private place(topic: string, state: TopicState, meta: TopicMetadata, record: EncodedRecord, pending: PendingRecord): void {
    let partition = record.partition;
    if (partition === undefined && record.keyBytes !== undefined) partition = partitionForKey(record.keyBytes, meta.partitions);
    if (partition === undefined) partition = state.sticky ??= Math.floor(Math.random() * meta.partitions);
    pending.json = `{"partition":${partition},${record.json.slice(1)}`;
    pending.bytes = utf8Length(pending.json) + 1;

    let queue = state.queues.get(partition);
    if (queue === undefined) {
      queue = { topic, partition, sealed: [], inFlight: false, nextSequence: 0 };
      state.queues.set(partition, queue);
    }
    let batch = queue.open;
    if (batch !== undefined && batch.bytes + pending.bytes > this.batchBytes) {
      this.seal(queue, state);
      batch = undefined;
    }
    if (batch === undefined) {
      batch = { topic, partition, records: [], bytes: 0, deadline: 0 };
      queue.open = batch;
      batch.deadline = Date.now() + this.lingerMs;
      // While flushing there is no linger: the drain after this burst seals it.
      if (this.flushing > 0) this.scheduleDrain();
      else if (state.lingerTimer === undefined) state.lingerTimer = setTimeout(() => this.lingerExpired(state), this.lingerMs);
    }
    batch.records.push(pending);
    batch.bytes += pending.bytes;
    if (batch.bytes >= this.batchBytes || batch.records.length >= this.batchRecords) this.seal(queue, state);
  }

  /**
   * One linger timer per topic, not per batch: batches opened in the same
   * burst expire in the same callback and so share one request.
   */
  private lingerExpired(state: TopicState): void {
    state.lingerTimer = undefined;
    // Timers may fire a millisecond early.
    const now = Date.now() + 1;
    let next = Infinity;
    for (const queue of state.queues.values()) {
      if (queue.open === undefined) continue;
      if (queue.open.deadline <= now) this.seal(queue, state);
      else next = Math.min(next, queue.open.deadline);
    }
    if (next !== Infinity) state.lingerTimer = setTimeout(() => this.lingerExpired(state), next - now + 1);
  }

  private seal(queue: PartitionQueue, state: TopicState): void {
    const batch = queue.open;
    if (batch === undefined) return;
    queue.open = undefined;
    queue.sealed.push(batch);
    // Keyless records move on to another partition once their batch is full or lingered.
    if (state.sticky === queue.partition) state.sticky = undefined;
    this.scheduleDrain();
  }

  /** Seals from one synchronous burst share a request: drain once, after the burst. */
  private scheduleDrain(): void {
    if (this.drainScheduled) return;
    this.drainScheduled = true;
    queueMicrotask(() => {
      this.drainScheduled = false;
      this.drain();
    });
  }

  private drain(): void {
    if (this.flushing > 0) {
      for (const state of this.topics.values()) for (const queue of state.queues.values()) this.seal(queue, state);
    }
    if (this.needsNewEpoch) {
      if (this.requestsInFlight === 0) void this.newEpoch();
      return;
    }
    for (const [topic, state] of this.topics) {
      let request: Batch[] = [];
      let bytes = REQUEST_OVERHEAD_BYTES;
      let records = 0;
      for (const queue of state.queues.values()) {
        if (queue.inFlight || queue.sealed.length === 0) continue;
        let batch = this.takeBatch(queue, this.maxRequestBytes - bytes, this.maxRequestRecords - records, request.length === 0);
        if (batch === undefined) {
          void this.sendRequest(topic, request);
          request = [];
          bytes = REQUEST_OVERHEAD_BYTES;
          records = 0;
          batch = this.takeBatch(queue, this.maxRequestBytes - bytes, this.maxRequestRecords, true)!;
        }
        queue.inFlight = true;
        request.push(batch);
        bytes += batch.bytes;
        records += batch.records.length;
      }
      if (request.length > 0) void this.sendRequest(topic, request);
    }
  }

  /**
   * The partition's next batch to send: its sealed batches merged from the
   * oldest while they fit the room left in the request (the oldest alone
   * when `force`, even if it does not). Merging is safe because sequence
   * numbers are given at the first send; it keeps requests full when a
   * partition's batches piled up behind its request in flight.
   */
  private takeBatch(queue: PartitionQueue, roomBytes: number, roomRecords: number, force: boolean): Batch | undefined {
    const first = queue.sealed[0]!;
    if (!force && (first.bytes > roomBytes || first.records.length > roomRecords)) return undefined;
    queue.sealed.shift();
    const merged: Batch = { ...first, records: [...first.records] };
    for (let next = queue.sealed[0]; next !== undefined; next = queue.sealed[0]) {
      if (merged.bytes + next.bytes > roomBytes || merged.records.length + next.records.length > roomRecords) break;
      queue.sealed.shift();
      merged.records.push(...next.records);
      merged.bytes += next.bytes;
    }
    return merged;
  }

  private async sendRequest(topic: string, batches: Batch[]): Promise<void> {
    this.requestsInFlight++;
    let pending = batches;
    try {
      const identity = this.idempotent ? await this.producerIdentity() : undefined;
      for (let attempt = 0; ; attempt++) {
        const outcomes = await this.attempt(topic, pending, identity);
        const retry: Batch[] = [];
        const failures: SamsaError[] = [];
        let retryAfterMs = 0;
        pending.forEach((batch, i) => {
          const outcome = outcomes[i]!;
          if (!outcome.retry) return this.release(batch);
          retry.push(batch);
          failures.push(outcome.error);
          retryAfterMs = Math.max(retryAfterMs, outcome.retryAfterMs);
        });
        if (retry.length === 0) return;
        if (attempt >= this.retry.retries) {
          // Each may have been written: the sequence numbers no longer tell, so fail() asks for a new epoch.
          retry.forEach((batch, i) => {
            this.fail(batch, failures[i], true);
            this.release(batch);
          });
          return;
        }
        await this.http.backoff(attempt, retryAfterMs, undefined, this.retry);
        pending = retry;
      }
    } catch (err) {
      // No producer id (nothing was sent), or a bug: reject rather than leave promises hanging.
      const reason = refusedWrite(err, topic);
      for (const batch of pending) {
        this.fail(batch, reason, false);
        this.release(batch);
      }
    } finally {
      this.requestsInFlight--;
      this.scheduleDrain();
    }
  }

  /** One produce request for the batches; settles what is final and says per batch whether to retry. */
  private async attempt(topic: string, batches: Batch[], identity: ProducerIdentity | undefined): Promise<BatchOutcome[]> {
    let head = '{';
    if (identity !== undefined) {
      const baseSequences: Record<string, number> = {};
      for (const batch of batches) {
        batch.baseSequence ??= this.queueOf(batch).nextSequence;
        baseSequences[String(batch.partition)] = batch.baseSequence;
      }
      head += `"producerId":${JSON.stringify(identity.producerId)},"producerEpoch":${identity.producerEpoch},"baseSequences":${JSON.stringify(baseSequences)},`;
    }
    const body = `${head}"records":[${batches.flatMap((b) => b.records.map((r) => r.json)).join(',')}]}`;

    let res: HttpResponse;
    try {
      res = await this.http.once({ method: 'POST', path: path`/v1/topics/${topic}/records`, body, idempotent: this.idempotent });
    } catch (err) {
      // No answer; retriable only when idempotent.
      const error = err instanceof SamsaError ? err : new SamsaError('NETWORK_ERROR', String(err), { cause: err });
      return this.wholeRequest(batches, error, 0, true);
    }
    const results: unknown = res.body?.records;
    if (!Array.isArray(results)) {
      // The request failed before any append (a 5xx may hide one), or a gateway answered.
      const error = apiErrorFrom(res.status, res.body, res.requestId, this.idempotent);
      return this.wholeRequest(batches, error, retryAfter(res.headers), res.status >= 500);
    }
    let index = 0;
    const retryAfterMs = retryAfter(res.headers);
    return batches.map((batch) => {
      const slice = results.slice(index, index + batch.records.length) as RecordResult[];
      index += batch.records.length;
      return this.settleBatch(batch, slice, res.requestId, res.status, retryAfterMs);
    });
  }

  private wholeRequest(batches: Batch[], error: SamsaError, retryAfterMs: number, unknownOutcome: boolean): BatchOutcome[] {
    if (error.retriable) return batches.map(() => ({ retry: true, error, retryAfterMs }));
    for (const batch of batches) this.fail(batch, error, unknownOutcome);
    return batches.map(() => ({ retry: false }));
  }

  private settleBatch(batch: Batch, results: RecordResult[], requestId: string | undefined, status: number, retryAfterMs: number): BatchOutcome {
    const errors = results.map((r) => (r !== undefined && 'error' in r ? recordErrorFrom(r.error, requestId, status) : undefined));
    const retriable = errors.find((e) => e?.retriable);
    if (retriable !== undefined || results.length < batch.records.length) {
      return { retry: true, error: retriable ?? new SamsaError('INVALID_RESPONSE', 'The produce answer lacks results.', { retriable: true }), retryAfterMs };
    }
    let accepted = 0;
    batch.records.forEach((record, i) => {
      const error = errors[i];
      const result = results[i] as { partition: number; offset: number; timestamp: number };
      if (error === undefined) {
        accepted++;
        record.resolve({ topic: batch.topic, partition: result.partition, offset: result.offset, timestamp: result.timestamp });
      } else {
        if (SEQUENCE_ERRORS.has(error.code)) this.needsNewEpoch = true;
        record.reject(error);
      }
    });
    const queue = this.queueOf(batch);
    if (batch.baseSequence !== undefined) queue.nextSequence = batch.baseSequence + accepted;
    return { retry: false };
  }

  /** Rejects every record of the batch; `unknownOutcome` when it may have been written anyway. */
  private fail(batch: Batch, err: unknown, unknownOutcome: boolean): void {
    const sequenceError = err instanceof SamsaApiError && SEQUENCE_ERRORS.has(err.code);
    if (this.idempotent && (unknownOutcome || sequenceError)) this.needsNewEpoch = true;
    for (const record of batch.records) record.reject(err);
  }

  /** The partition may send its next batch. */
  private release(batch: Batch): void {
    this.queueOf(batch).inFlight = false;
  }

  private queueOf(batch: Batch): PartitionQueue {
    return this.topics.get(batch.topic)!.queues.get(batch.partition)!;
  }

  private producerIdentity(): Promise<ProducerIdentity> {
    if (this.identity === undefined) {
      const pending = this.http.request<ProducerIdentity>({ method: 'POST', path: '/v1/producers' });
      this.identity = pending;
      pending.catch(() => {
        if (this.identity === pending) this.identity = undefined;
      });
    }
    return this.identity;
  }

  /** Fences our own older epoch and restarts every partition's sequence at 0 (an unknown id gets a new one). */
  private async newEpoch(): Promise<void> {
    this.requestsInFlight++;
    try {
      const current = await this.identity?.catch(() => undefined);
      let next: ProducerIdentity;
      try {
        next = await this.http.request<ProducerIdentity>(
          current === undefined ? { method: 'POST', path: '/v1/producers' } : { method: 'POST', path: '/v1/producers', body: { producerId: current.producerId } },
        );
      } catch (err) {
        if (!(err instanceof SamsaApiError && err.code === 'UNKNOWN_PRODUCER_ID')) throw err;
        next = await this.http.request<ProducerIdentity>({ method: 'POST', path: '/v1/producers' });
      }
      this.identity = Promise.resolve(next);
      for (const state of this.topics.values()) for (const queue of state.queues.values()) queue.nextSequence = 0;
      this.needsNewEpoch = false;
    } catch (err) {
      // Without a usable epoch nothing can be sent safely: fail what waits, then try again on the next send.
      for (const state of this.topics.values()) {
        for (const queue of state.queues.values()) for (const batch of queue.sealed.splice(0)) for (const r of batch.records) r.reject(err);
      }
      this.needsNewEpoch = true;
    } finally {
      this.requestsInFlight--;
      if (!this.needsNewEpoch) this.scheduleDrain();
    }
  }
}

type RecordResult = { partition: number; offset: number; timestamp: number } | { partition?: number; error: Record<string, unknown> };

/** Errors that mean the server's sequence numbers and ours disagree. */
export const SEQUENCE_ERRORS = new Set(['OUT_OF_ORDER_SEQUENCE', 'INVALID_PRODUCER_EPOCH', 'UNKNOWN_PRODUCER_ID', 'DUPLICATE_SEQUENCE_MISMATCH']);

function encode(record: ProducerRecord): EncodedRecord {
  checkFields(record, RECORD_FIELDS, 'producer.send(record)', SEND_HINT);
  const key = toWire(record.key, 'key');
  const wire: Record<string, unknown> = { key, value: toWire(record.value, 'value') };
  const headers = headersToWire(record.headers);
  if (headers !== undefined) wire.headers = headers;
  if (record.timestamp !== undefined) {
    wire.timestamp = record.timestamp instanceof Date ? record.timestamp.getTime() : record.timestamp;
  }
  // Serialized now, so what JSON cannot hold (a BigInt, a cycle) fails this send, not a later batch.
  const encoded: EncodedRecord = { json: JSON.stringify(wire) };
  if (record.partition !== undefined) encoded.partition = record.partition;
  else if (key !== null) encoded.keyBytes = wireBytes(key);
  return encoded;
}

/**
 * A refusal of a request the producer makes on its own (describing a topic for
 * its partition count, getting a producer id) reaches the caller as a refusal
 * to write the topic, which is what they asked for, with the server's reason.
 */
function refusedWrite(err: unknown, topic: string, why?: string): unknown {
  if (!(err instanceof AuthorizationError) || err instanceof AuthenticationError) return err;
  const reason = err.message.replace(/\.$/, '');
  return new AuthorizationError({
    code: err.code,
    status: err.status,
    retriable: err.retriable,
    details: { ...err.details },
    ...(err.requestId === undefined ? {} : { requestId: err.requestId }),
    message: `Not allowed to write topic '${topic}': ${reason}${why === undefined ? '' : `, ${why}`}.`,
  });
}

/**
 * A stateless consumer of one partition: it remembers only its position.
 *
 * Behaviour: fetches from the position with long polls (`maxWaitMs`) and
 * hands out non-empty batches in offset order, either through
 * `for await (const batch of consumer)` or `run({ eachMessage | eachBatch })`.
 * `seek` moves the position (backwards too) and discards any fetch in flight;
 * `pause` stops fetching until `resume` (a batch being handed out by `run`
 * stops at the next message, which is fetched again after resume); `close`
 * ends iteration. With `stopAtEnd` the iteration ends once the position
 * reaches the high watermark. An offset below the log start (retention,
 * delete-records) or above the end throws OffsetOutOfRangeError unless
 * `offsetReset` says where to go instead. Position semantics of `run`: a
 * message counts as consumed when its handler returned; a handler that
 * throws leaves the position at its message.
 * Topic identity: the consumer pins the topic id of the first fetch answer
 * (or the `topicId` option) and sends it with every later fetch, so a topic
 * deleted, or deleted and re-created under the same name, throws
 * UnknownTopicIdError instead of reading on in another log from an offset
 * that meant something else there. Seeks keep the pin.
 * With `notifications` (client/notifications.ts) a caught-up consumer does
 * not long-poll: it waits for a notification that the partition grew, or for
 * `safetyPollMs`, whichever comes first, then fetches without waiting — so a
 * lost notification only delays delivery, and every record still comes from
 * the one fetch path.
 */
import { OffsetOutOfRangeError } from './errors';
import type { Notifications } from './notifications';
import type { ConsumedRecord, FetchResult, OffsetLookup } from './types';
import { checkFields, checkHandlers, describe, invalid } from './validate';

export type OffsetSpec = number | 'earliest' | 'latest';

export interface PartitionConsumerOptions {
  topic: string;
  partition: number;
  /** Where to start: an offset, the log start, or the high watermark (only records produced from now on). */
  offset: OffsetSpec;
  /** Per fetch. Default 500. */
  maxRecords?: number;
  /** Per fetch. Default 1 MiB. */
  maxBytes?: number;
  /** How long a fetch at the end of the log waits for new records. Default 10,000 ms (the server allows 20,000). */
  maxWaitMs?: number;
  /** End the iteration once caught up with the high watermark, instead of waiting for more. Default false. */
  stopAtEnd?: boolean;
  /** Where to go when the position is out of range. Default 'none' (throw OffsetOutOfRangeError). */
  offsetReset?: 'earliest' | 'latest' | 'none';
  /** Return every key and value as BINARY. Default false. */
  binary?: boolean;
  /** Read only this incarnation of the topic (`topicId` from `topics.describe`). Default: the one the first fetch reads. */
  topicId?: string;
  /** Wait on WebSocket notifications (`new Notifications({ url, apiKey })`, client/notifications.ts) instead of long polls. */
  notifications?: Notifications;
  /** With notifications: the longest wait without one before fetching anyway (a lost notification delays delivery at most this long). Default 600,000 ms (10 min). */
  safetyPollMs?: number;
}

const PARTITION_OPTIONS = {
  topic: 's!',
  partition: 'i!',
  offset: 'a!',
  maxRecords: 'p',
  maxBytes: 'p',
  maxWaitMs: 'i',
  stopAtEnd: 'b',
  offsetReset: 'earliest|latest|none',
  binary: 'b',
  topicId: 's',
  notifications: 'a',
  safetyPollMs: 'p',
} satisfies Record<keyof PartitionConsumerOptions, string>;

export interface EachMessagePayload {
  topic: string;
  partition: number;
  message: ConsumedRecord;
}

export interface RunOptions {
  eachMessage?: (payload: EachMessagePayload) => Promise<void> | void;
  eachBatch?: (batch: FetchResult) => Promise<void> | void;
}

export interface FetchRequest {
  topic: string;
  partition: number;
  offset: number;
  maxRecords: number;
  maxBytes: number;
  maxWaitMs: number;
  binary: boolean;
  /** The pinned incarnation; undefined until the first answer named one. */
  topicId: string | undefined;
  signal: AbortSignal;
}

export interface ConsumerTransport {
  fetchRecords(request: FetchRequest): Promise<FetchResult>;
  listOffsets(topic: string, partition: number, at: 'earliest' | 'latest', signal: AbortSignal): Promise<OffsetLookup>;
}

export class PartitionConsumer implements AsyncIterable<FetchResult> {
  readonly topic: string;
  readonly partition: number;
  private target: OffsetSpec;
  private readonly maxRecords: number;
  private readonly maxBytes: number;
  private readonly maxWaitMs: number;
  private readonly stopAtEnd: boolean;
  private readonly offsetReset: 'earliest' | 'latest' | 'none';
  private readonly binary: boolean;
  private pinnedTopicId: string | undefined;
  /** Bumped by seek, pause and close: a fetch started before is discarded. */
  private generation = 0;
  /** Bumped by seek only: run() must not overwrite a position the caller chose. */
  private seeks = 0;
  private inFlight: AbortController | undefined;
  private isPaused = false;
  private closed = false;
  private wake: (() => void) | undefined;
  private running = false;
  private readonly notifications: Notifications | undefined;
  private readonly safetyPollMs: number;
  /** Highest watermark a notification announced. */
  private notifiedHw = -1;
  /** The notification socket reconnected: notifications may have been missed, fetch once now. */
  private recheck = false;
  private notified: (() => void) | undefined;
  private unwatch: (() => void) | undefined;

  constructor(
    private readonly transport: ConsumerTransport,
    options: PartitionConsumerOptions,
  ) {
    checkFields(options, PARTITION_OPTIONS, 'samsa.partitionConsumer(options)');
    this.topic = options.topic;
    this.partition = options.partition;
    this.target = checkOffset(options.offset);
    this.maxRecords = options.maxRecords ?? 500;
    this.maxBytes = options.maxBytes ?? 1024 * 1024;
    this.maxWaitMs = options.maxWaitMs ?? 10_000;
    this.stopAtEnd = options.stopAtEnd ?? false;
    this.offsetReset = options.offsetReset ?? 'none';
    this.binary = options.binary ?? false;
    this.pinnedTopicId = options.topicId;
    this.notifications = options.notifications;
    this.safetyPollMs = options.safetyPollMs ?? 600_000;
  }

  /** The topic id this consumer reads (pinned); undefined until the first fetch answered, unless given. */
  get topicId(): string | undefined {
    return this.pinnedTopicId;
  }

  /** The next offset to consume; undefined until 'earliest' or 'latest' was resolved. */
  get position(): number | undefined {
    return typeof this.target === 'number' ? this.target : undefined;
  }

  get paused(): boolean {
    return this.isPaused;
  }

  seek(offset: OffsetSpec): void {
    this.target = checkOffset(offset);
    this.seeks++;
    this.interrupt();
  }

  pause(): void {
    this.isPaused = true;
    this.interrupt();
  }

  resume(): void {
    this.isPaused = false;
    this.wakeUp();
  }

  /** Ends iteration and `run()`; a fetch in flight is aborted. */
  async close(): Promise<void> {
    this.closed = true;
    this.unwatch?.();
    this.interrupt();
    this.wakeUp();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<FetchResult> {
    for (let batch = await this.nextBatch(); batch !== undefined; batch = await this.nextBatch()) yield batch;
  }

  /**
   * Hands every message (or batch) to the handler until close() or, with
   * `stopAtEnd`, until the position reaches the high watermark, and resolves
   * then: `await consumer.run(…)` waits for the end of consuming, not its
   * start; without stopAtEnd, keep the promise, call close() later, then
   * await it. Rejects with a handler's error (the position stays at its
   * message, or at the first of its batch) or a fetch error such as
   * OffsetOutOfRangeError; and at once, before any fetch, with
   * INVALID_ARGUMENT for handlers other than exactly one of eachMessage and
   * eachBatch, or a consumer already running.
   */
  async run(handlers: RunOptions): Promise<void> {
    checkHandlers(handlers, 'consumer.run(handlers)');
    if (this.running) throw invalid('This consumer is already running.');
    this.running = true;
    try {
      for (let batch = await this.nextBatch(); batch !== undefined; batch = await this.nextBatch()) {
        const seeks = this.seeks;
        if (handlers.eachBatch !== undefined) {
          try {
            await handlers.eachBatch(batch);
          } catch (err) {
            if (this.seeks === seeks) this.target = batch.records[0]!.offset;
            throw err;
          }
          continue;
        }
        for (const message of batch.records) {
          if (this.closed || this.seeks !== seeks) break;
          if (this.isPaused) {
            // Hand out the rest after resume, by fetching it again.
            this.target = message.offset;
            break;
          }
          try {
            await handlers.eachMessage!({ topic: this.topic, partition: this.partition, message });
          } catch (err) {
            if (this.seeks === seeks) this.target = message.offset;
            throw err;
          }
        }
      }
    } finally {
      this.running = false;
    }
  }

  /** The next non-empty batch; undefined once closed or, with stopAtEnd, caught up. */
  private async nextBatch(): Promise<FetchResult | undefined> {
    for (;;) {
      if (this.closed) return undefined;
      if (this.isPaused) {
        await new Promise<void>((resolve) => (this.wake = resolve));
        continue;
      }
      this.startWatching();
      const generation = this.generation;
      const controller = new AbortController();
      this.inFlight = controller;
      let result: FetchResult;
      try {
        const offset = await this.resolvePosition(controller.signal);
        if (generation !== this.generation) continue;
        this.target = offset;
        result = await this.transport.fetchRecords({
          topic: this.topic,
          partition: this.partition,
          offset,
          maxRecords: this.maxRecords,
          maxBytes: this.maxBytes,
          // The socket down (or not yet open): a long poll, as without notifications, not a wait for the safety poll.
          maxWaitMs: this.stopAtEnd || this.notifications?.connected === true ? 0 : this.maxWaitMs,
          binary: this.binary,
          topicId: this.pinnedTopicId,
          signal: controller.signal,
        });
      } catch (err) {
        if (generation !== this.generation) continue;
        if (err instanceof OffsetOutOfRangeError && this.offsetReset !== 'none') {
          this.target = this.offsetReset;
          continue;
        }
        throw err;
      } finally {
        if (this.inFlight === controller) this.inFlight = undefined;
      }
      // Pinned even when the answer is discarded below: it came from the topic as it was before any later re-create.
      this.pinnedTopicId ??= result.topicId;
      if (generation !== this.generation) continue;
      this.target = result.nextOffset;
      if (result.records.length > 0) return result;
      if (this.stopAtEnd && result.nextOffset >= result.highWatermark) return undefined;
      if (!this.stopAtEnd && this.notifications?.connected === true && result.nextOffset >= result.highWatermark) {
        await this.waitForNews(result.nextOffset);
      }
    }
  }

  /** Until a notification says the partition grew past `offset`, the safety poll is due, or seek/pause/close. */
  private async waitForNews(offset: number): Promise<void> {
    if (this.notifiedHw > offset || this.recheck) {
      this.recheck = false;
      return;
    }
    const controller = new AbortController();
    this.inFlight = controller;
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.notified = undefined;
        controller.signal.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, this.safetyPollMs);
      this.notified = () => {
        if (this.notifiedHw > offset || this.recheck) {
          this.recheck = false;
          done();
        }
      };
      controller.signal.addEventListener('abort', done);
    });
    if (this.inFlight === controller) this.inFlight = undefined;
  }

  /** Watches the partition from the first fetch on, so a notification during a fetch is not missed. */
  private startWatching(): void {
    if (this.notifications === undefined || this.unwatch !== undefined || this.stopAtEnd) return;
    const unwatch = this.notifications.watch(this.topic, this.partition, (hw) => {
      if (hw === undefined) this.recheck = true;
      else this.notifiedHw = Math.max(this.notifiedHw, hw);
      this.notified?.();
    });
    // The socket closed: stop waiting for notifications that cannot come, and long-poll until it is back.
    const offState = this.notifications.onStateChange(() => {
      this.recheck = true;
      this.notified?.();
    });
    this.unwatch = () => {
      unwatch();
      offState();
    };
  }

  private async resolvePosition(signal: AbortSignal): Promise<number> {
    if (typeof this.target === 'number') return this.target;
    const found = await this.transport.listOffsets(this.topic, this.partition, this.target, signal);
    return found.offset ?? found.highWatermark;
  }

  private interrupt(): void {
    this.generation++;
    this.inFlight?.abort();
  }

  private wakeUp(): void {
    const wake = this.wake;
    this.wake = undefined;
    wake?.();
  }
}

function checkOffset(offset: OffsetSpec): OffsetSpec {
  if (offset === 'earliest' || offset === 'latest') return offset;
  if (!Number.isSafeInteger(offset) || offset < 0) throw invalid(`Invalid offset: a non-negative integer, 'earliest' or 'latest'; got ${describe(offset)}.`);
  return offset;
}

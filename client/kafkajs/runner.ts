/**
 * One run of a KafkaJS consumer: an SDK group member (autoCommit off) whose
 * polls are cut into per-partition batches and handed to `eachMessage` or
 * `eachBatch`, with KafkaJS's offset bookkeeping on top.
 *
 * - Resolved offsets: a message is resolved when `eachMessage` returned, or
 *   by `resolveOffset` (and, with eachBatchAutoResolve, at the end of
 *   `eachBatch`). The next fetch of a partition starts at its resolved
 *   offset, so what was handed out but not resolved comes again (KafkaJS).
 * - Commits (autoCommit): the resolved offsets after every batch, within
 *   one when `autoCommitInterval` or `autoCommitThreshold` is reached, for
 *   partitions being revoked before they are released, on a handler error,
 *   and on stop — always before the member leaves. The server fences them: a
 *   member that lost a partition never moves its offset.
 * - A handler error: what was resolved is committed, the partition goes back
 *   to the failed message, and the poll's other batches are fetched again;
 *   after a backoff the same messages come again. After `retry.retries`
 *   consecutive failures (or at once for a non-retriable error) the run
 *   crashes: it commits, leaves the group and reports to the consumer, which
 *   emits CRASH and restarts unless the error says not to.
 */
import type { ConsumedRecord, GroupConsumer, Samsa, TopicPartitions } from '../index';
import type { RunnerEvents } from './consumer-events';
import { toKafkaJSError, type KafkaJSError } from './errors';
import { Backoff, failureOutcome, type HandlerRetry } from './handler-failures';
import { kafkaBatch, offsetOf, toKafkaMessage } from './messages';
import { HighWatermarks, key, OffsetBook, split } from './offsets';
import type { ConsumerRunConfig, Logger, OffsetsByTopicPartition, TopicPartitionOffsetAndMetadata } from './types';

export interface RunnerOptions {
  samsa: Samsa;
  groupId: string;
  memberId: string;
  topics: string[];
  offsetReset: 'earliest' | 'latest';
  sessionTimeoutMs: number;
  rebalanceTimeoutMs: number;
  maxWaitMs: number | undefined;
  maxBytes: number | undefined;
  retry: HandlerRetry;
  run: ConsumerRunConfig;
  logger: Logger;
  /** Partitions paused on the consumer (a topic entry without partitions pauses all of it). */
  isPaused(topic: string, partition: number): boolean;
  /** The consumer's pause/resume, for the `pause()` of handler payloads. */
  pause(targets: { topic: string; partitions: number[] }[]): void;
  resume(targets: { topic: string; partitions: number[] }[]): void;
  events: RunnerEvents;
  /** The run ended on its own (it already left the group). */
  crashed(error: KafkaJSError): void;
}

export class Runner {
  readonly sdk: GroupConsumer;
  memberEpoch = 0;
  /** Assigned and not being revoked: deliverable. */
  private owned = new Set<string>();
  /** Still held on the server (owned plus being revoked): resolvable and committable. */
  private readonly held = new Set<string>();
  private readonly offsets = new OffsetBook();
  /** Bumped per partition by a seek, so a batch being handed out knows it is stale. */
  private readonly seeks = new Map<string, number>();
  private readonly pendingSeeks = new Map<string, number>();
  /** Partitions paused in the SDK (so resume only touches those). */
  private readonly sdkPaused = new Set<string>();
  private readonly autoCommit: boolean;
  private running = true;
  private dispatching = false;
  private failures = 0;
  private crash: KafkaJSError | undefined;
  private stopping = false;
  private readonly startedAt = Date.now();
  private joinedResolve: (() => void) | undefined;
  private readonly backoff = new Backoff();
  private readonly highWatermarks: HighWatermarks;
  readonly done: Promise<void>;

  constructor(private readonly options: RunnerOptions) {
    this.autoCommit = options.run.autoCommit ?? true;
    this.highWatermarks = new HighWatermarks(options.samsa);
    this.sdk = options.samsa.consumer({
      groupId: options.groupId,
      memberId: options.memberId,
      topics: options.topics,
      offsetReset: options.offsetReset,
      autoCommit: false,
      sessionTimeoutMs: options.sessionTimeoutMs,
      rebalanceTimeoutMs: options.rebalanceTimeoutMs,
      ...(options.maxWaitMs === undefined ? {} : { maxWaitMs: options.maxWaitMs }),
      ...(options.maxBytes === undefined ? {} : { maxBytes: options.maxBytes }),
      onMembership: ({ memberEpoch, assignment }) => this.membership(memberEpoch, assignment),
      onAssigned: (partitions) => this.assigned(partitions),
      onRevoked: (partitions) => this.revoked(partitions),
      onLost: (partitions) => this.release(partitions),
    });
    const joined = new Promise<void>((resolve) => (this.joinedResolve = resolve));
    this.done = this.sdk.run({ eachBatch: ({ records }) => this.dispatch(records) }).then(
      () => {
        if (this.crash !== undefined) options.crashed(this.crash);
      },
      (err: unknown) => {
        if (!this.stopping) options.crashed(toKafkaJSError(err, { resource: 'group' }));
        else options.logger.error(`Error while leaving the group: ${err instanceof Error ? err.message : String(err)}`, { groupId: options.groupId });
      },
    );
    this.started = Promise.race([joined, this.done]);
  }

  /** Settles once the member joined (or the run ended first). */
  readonly started: Promise<void>;

  /** Stops delivering after the message in hand, commits (autoCommit) and leaves the group. */
  async stop(): Promise<void> {
    if (!this.stopping) {
      this.stopping = true;
      this.running = false;
      this.backoff.wake();
      // Queued before the leave that close() starts, so the commit lands while the member still owns its partitions.
      const commit = this.autoCommit && !this.dispatching ? this.commitDue() : undefined;
      await this.sdk.close();
      await commit;
    }
    await this.done;
  }

  seek(topic: string, partition: number, offset: number): void {
    const k = key(topic, partition);
    if (this.held.has(k)) this.applySeek(k, offset);
    else this.pendingSeeks.set(k, offset);
  }

  async commitOffsets(offsets: TopicPartitionOffsetAndMetadata[]): Promise<void> {
    const list = offsets.map(({ topic, partition, offset, metadata }) => ({ topic, partition, offset: offsetOf(offset, 'offset'), ...(typeof metadata === 'string' ? { metadata } : {}) }));
    try {
      await this.sdk.commit(list);
    } catch (err) {
      throw toKafkaJSError(err, { resource: 'group' });
    }
    this.offsets.markCommitted(list, false);
    this.options.events.committed(this.memberEpoch, list);
  }

  /** Brings the SDK's paused partitions in line with the consumer's pause state (paused: not fetched, the batch in hand stops). */
  syncPaused(): void {
    for (const { topic, partitions } of this.sdk.assignment()) {
      for (const partition of partitions) {
        const k = key(topic, partition);
        const want = this.options.isPaused(topic, partition);
        if (want === this.sdkPaused.has(k)) continue;
        if (want) this.sdkPaused.add(k);
        else this.sdkPaused.delete(k);
        (want ? this.sdk.pause : this.sdk.resume).call(this.sdk, [{ topic, partitions: [partition] }]);
      }
    }
  }

  uncommittedOffsets(): OffsetsByTopicPartition {
    return this.offsets.uncommitted();
  }

  /** KafkaJS's commitOffsetsIfNecessary: commits when the interval or threshold is reached (never without one). */
  async commitIfNecessary(): Promise<void> {
    if (this.offsets.commitDue(this.options.run.autoCommitInterval, this.options.run.autoCommitThreshold)) await this.commitDue();
  }

  private membership(memberEpoch: number, assignment: TopicPartitions[]): void {
    const wasJoined = this.memberEpoch > 0;
    this.memberEpoch = memberEpoch;
    this.owned = new Set(assignment.flatMap((tp) => tp.partitions.map((p) => key(tp.topic, p))));
    for (const k of this.owned) this.held.add(k);
    this.options.events.joined(memberEpoch, assignment, Date.now() - this.startedAt);
    if (!wasJoined && memberEpoch > 0) this.joinedResolve?.();
  }

  private assigned(partitions: TopicPartitions[]): void {
    this.syncPaused();
    for (const { topic, partitions: list } of partitions) {
      for (const partition of list) {
        const offset = this.pendingSeeks.get(key(topic, partition));
        if (offset !== undefined) this.applySeek(key(topic, partition), offset);
      }
    }
  }

  private async revoked(partitions: TopicPartitions[]): Promise<void> {
    this.options.events.rebalancing();
    const keys = new Set(partitions.flatMap((tp) => tp.partitions.map((p) => key(tp.topic, p))));
    // Still held: their finished work is committed before they are released.
    if (this.autoCommit) await this.commitDue(keys);
    this.release(partitions);
  }

  private release(partitions: TopicPartitions[]): void {
    for (const { topic, partitions: list } of partitions) {
      for (const partition of list) {
        const k = key(topic, partition);
        this.held.delete(k);
        this.owned.delete(k);
        this.sdkPaused.delete(k);
        this.offsets.drop(k);
      }
    }
  }

  /**
   * KafkaJS commits a seek's offset at once (autoCommit) and delivers from it
   * next; a batch of that partition being handed out becomes stale.
   */
  private applySeek(k: string, offset: number): void {
    const { topic, partition } = split(k);
    this.pendingSeeks.delete(k);
    this.seeks.set(k, (this.seeks.get(k) ?? 0) + 1);
    this.sdk.seek(topic, partition, offset);
    this.offsets.reposition(k, offset);
    // Not awaited: this may run inside the SDK's exchange (an assignment answer), which a commit would wait for.
    if (this.autoCommit) void this.commitDue(new Set([k]));
  }

  /** Ignored for a partition no longer held, or seeked since the batch began (the seek chose its offset). */
  private resolve(k: string, next: number, seeksAtStart: number): void {
    if (!this.held.has(k) || (this.seeks.get(k) ?? 0) !== seeksAtStart) return;
    this.offsets.resolve(k, next);
  }

  /** Commits resolved offsets not committed yet. Failures are logged: they stay due, and a fenced member's partitions are gone anyway. */
  private async commitDue(only?: Set<string>): Promise<void> {
    const due = this.offsets.due(only);
    if (due.length === 0) return;
    try {
      await this.sdk.commit(due);
    } catch (err) {
      this.options.logger.warn(`Could not commit offsets: ${err instanceof Error ? err.message : String(err)}`, { groupId: this.options.groupId });
      return;
    }
    this.offsets.markCommitted(due, true);
    this.options.events.committed(this.memberEpoch, due);
  }

  private async dispatch(records: ConsumedRecord[]): Promise<void> {
    if (!this.running) return;
    this.dispatching = true;
    try {
      const batches = new Map<string, ConsumedRecord[]>();
      for (const r of records) {
        const k = key(r.topic, r.partition);
        let list = batches.get(k);
        if (list === undefined) batches.set(k, (list = []));
        list.push(r);
      }
      let failure: { error: unknown } | undefined;
      const queue = [...batches];
      const worker = async (): Promise<void> => {
        for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
          const [k, list] = next;
          // After a failure the rest of this poll is fetched again, from where each partition stands.
          if (failure !== undefined || !this.running) this.rewind(k, list[0]!.offset, this.seeks.get(k) ?? 0);
          else await this.processBatch(k, list).catch((error: unknown) => void (failure ??= { error }));
        }
      };
      const concurrency = Math.max(1, Math.floor(this.options.run.partitionsConsumedConcurrently ?? 1));
      await Promise.all(Array.from({ length: Math.min(concurrency, queue.length) }, worker));
      if (this.autoCommit) await this.commitDue();
      if (failure === undefined) this.failures = 0;
      else await this.handlerFailed(failure.error);
    } finally {
      this.dispatching = false;
    }
  }

  private async processBatch(k: string, records: ConsumedRecord[]): Promise<void> {
    const { topic, partition } = split(k);
    const seeksAtStart = this.seeks.get(k) ?? 0;
    const stale = () => !this.owned.has(k) || (this.seeks.get(k) ?? 0) !== seeksAtStart;
    const first = records[0]!.offset;
    const last = records[records.length - 1]!.offset;
    if (stale() || this.options.isPaused(topic, partition)) return this.rewind(k, first, seeksAtStart);
    const highWatermark = Math.max(last + 1, this.options.run.eachBatch === undefined ? 0 : this.highWatermarks.of(topic, partition));
    const started = Date.now();
    const info = { topic, partition, highWatermark, first, last, size: records.length, durationMs: 0 };
    this.options.events.batch('start', info);
    const pause = () => {
      this.options.pause([{ topic, partitions: [partition] }]);
      return () => this.options.resume([{ topic, partitions: [partition] }]);
    };
    try {
      const { eachMessage, eachBatch } = this.options.run;
      if (eachMessage !== undefined) {
        for (const record of records) {
          if (!this.running || stale() || this.options.isPaused(topic, partition)) break;
          await eachMessage({ topic, partition, message: toKafkaMessage(record), heartbeat: async () => undefined, pause });
          this.resolve(k, record.offset + 1, seeksAtStart);
          if (this.autoCommit) await this.commitIfNecessary();
        }
      } else if (eachBatch !== undefined) {
        await eachBatch({
          batch: kafkaBatch(topic, partition, records.map(toKafkaMessage), highWatermark),
          resolveOffset: (offset) => this.resolve(k, offsetOf(offset, 'offset') + 1, seeksAtStart),
          // The SDK heartbeats in the background while handlers run.
          heartbeat: async () => undefined,
          pause,
          commitOffsetsIfNecessary: async (offsets) => {
            if (offsets === undefined) return this.commitIfNecessary();
            await this.commitOffsets(offsets.topics.flatMap((t) => t.partitions.map((p) => ({ topic: t.topic, partition: p.partition, offset: p.offset }))));
          },
          uncommittedOffsets: () => this.uncommittedOffsets(),
          isRunning: () => this.running,
          isStale: stale,
        });
        if ((this.options.run.eachBatchAutoResolve ?? true) && this.held.has(k)) this.resolve(k, last + 1, seeksAtStart);
      }
    } finally {
      // Whatever was handed out and not resolved is fetched again (unless a seek chose the position).
      this.rewind(k, this.offsets.resolvedOf(k) ?? first, seeksAtStart, last + 1);
      this.options.events.batch('end', { ...info, durationMs: Date.now() - started });
    }
  }

  /** Fetch the partition from `offset` next, unless a seek since `seeksAtStart` decided, or it was all consumed. */
  private rewind(k: string, offset: number, seeksAtStart: number, end = Infinity): void {
    if (!this.held.has(k) || (this.seeks.get(k) ?? 0) !== seeksAtStart || offset >= end) return;
    const { topic, partition } = split(k);
    this.sdk.seek(topic, partition, Math.max(offset, this.offsets.resolvedOf(k) ?? offset));
  }

  /** See handler-failures.ts: back off and fetch again, or crash (the run loop ends after this handler returns; the SDK then leaves). */
  private async handlerFailed(error: unknown): Promise<void> {
    const handler = this.options.run.eachMessage !== undefined ? 'eachMessage' : 'eachBatch';
    this.options.logger.error(`Error when calling ${handler}: ${error instanceof Error ? error.message : String(error)}`, { groupId: this.options.groupId, retryCount: this.failures });
    const outcome = failureOutcome(error, this.failures, this.options.retry);
    if ('crash' in outcome) {
      this.crash = outcome.crash;
      this.running = false;
      void this.sdk.close();
      return;
    }
    this.failures++;
    await this.backoff.wait(outcome.delayMs);
  }
}

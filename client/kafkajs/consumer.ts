/**
 * KafkaJS's Consumer over an SDK group member (see runner.ts for delivery,
 * offsets and errors).
 *
 * - `subscribe` collects topics (a RegExp matches the topics existing now,
 *   as in KafkaJS; a named topic must exist). `fromBeginning: true` is
 *   offsetReset 'earliest' for partitions without a commit; one consumer's
 *   subscriptions must agree on it (Samsa has one reset policy per member).
 * - `run` resolves once the member joined the group and its first
 *   partitions' positions are fixed, so messages produced after it resolves
 *   are delivered even without fromBeginning. It does not wait for the
 *   consumer to stop.
 * - `stop` / `disconnect` finish the message in hand, commit and leave the
 *   group (its partitions move to the other members at once).
 * - A crashed run (see runner.ts) emits STOP, DISCONNECT and CRASH; unless
 *   the error is not retriable or `retry.restartOnFailure` says no, the
 *   consumer re-joins after a backoff, as a new member.
 */
import type { GroupMetadata } from '../index';
import type { Samsa } from '../index';
import { describeGroup } from './groups';
import { KafkaJSNonRetriableError, toKafkaJSError, unsupported, type KafkaJSError } from './errors';
import { Instrumentation } from './instrumentation';
import type { RoleContext } from './kafka';
import { checkKnownFields, offsetOf } from './messages';
import { Runner } from './runner';
import type { ConsumerConfig, ConsumerRunConfig, ConsumerSubscribeTopic, ConsumerSubscribeTopics, GroupDescription, InstrumentationEvent, Logger, RemoveInstrumentationEventListener, TopicPartitionOffset, TopicPartitionOffsetAndMetadata, TopicPartitions } from './types';
import { CONSUMER_EVENTS, consumerObserver, eventsFor, type ConsumerEventPayloads } from './consumer-events';

export { CONSUMER_EVENTS, type ConsumerEventPayloads };

const CONSUMER_OPTIONS = [
  'groupId', 'partitionAssigners', 'metadataMaxAge', 'sessionTimeout', 'rebalanceTimeout', 'heartbeatInterval', 'maxBytesPerPartition',
  'minBytes', 'maxBytes', 'maxWaitTimeInMs', 'retry', 'allowAutoTopicCreation', 'maxInFlightRequests', 'readUncommitted', 'rackId',
];
const RUN_OPTIONS = ['autoCommit', 'autoCommitInterval', 'autoCommitThreshold', 'eachBatchAutoResolve', 'partitionsConsumedConcurrently', 'eachBatch', 'eachMessage'];

/** KafkaJS's pause bookkeeping: a whole topic, or partitions, with resumed exceptions to a paused topic. */
class PauseState {
  private readonly topics = new Map<string, { all: boolean; paused: Set<number>; resumed: Set<number> }>();

  change(targets: { topic: string; partitions?: number[] }[], pause: boolean): void {
    for (const { topic, partitions } of targets) {
      const state = this.topics.get(topic) ?? { all: false, paused: new Set<number>(), resumed: new Set<number>() };
      this.topics.set(topic, state);
      if (partitions === undefined) {
        state.paused.clear();
        state.resumed.clear();
        state.all = pause;
      } else if (pause) {
        for (const p of partitions) state.paused.add(p), state.resumed.delete(p);
        state.all = false;
      } else {
        for (const p of partitions) {
          state.paused.delete(p);
          if (state.all) state.resumed.add(p);
        }
      }
    }
  }

  isPaused(topic: string, partition: number): boolean {
    const state = this.topics.get(topic);
    return state !== undefined && ((state.all && !state.resumed.has(partition)) || state.paused.has(partition));
  }
}

export class Consumer {
  readonly events = CONSUMER_EVENTS;
  private readonly instrumentation: Instrumentation<ConsumerEventPayloads>;
  private readonly samsa: Samsa;
  private readonly log: Logger;
  private readonly groupId: string;
  private readonly subscriptions = new Map<string, boolean>();
  private readonly pauses = new PauseState();
  private runConfig: ConsumerRunConfig | undefined;
  private runner: Runner | undefined;
  private restartTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly context: RoleContext,
    private readonly config: ConsumerConfig,
  ) {
    if (typeof config !== 'object' || config === null) throw new KafkaJSNonRetriableError('Consumer groupId must be a non-empty string.');
    checkKnownFields(config, CONSUMER_OPTIONS, 'kafka.consumer()');
    if (typeof config.groupId !== 'string' || config.groupId === '') throw new KafkaJSNonRetriableError('Consumer groupId must be a non-empty string.');
    if (config.partitionAssigners !== undefined) throw unsupported('partitionAssigners', 'Samsa assigns partitions on the server (sticky and even, as Kafka\'s KIP-848 protocol)');
    // readUncommitted is accepted and changes nothing: no reader ever sees a record of an uncommitted or aborted transaction.
    const sessionTimeout = config.sessionTimeout ?? 30_000;
    const heartbeatInterval = config.heartbeatInterval ?? 3_000;
    if (heartbeatInterval >= sessionTimeout) {
      throw new KafkaJSNonRetriableError(`Consumer heartbeatInterval (${heartbeatInterval}) must be lower than sessionTimeout (${sessionTimeout}). It is recommended to set heartbeatInterval to approximately a third of the sessionTimeout.`);
    }
    this.groupId = config.groupId;
    this.log = context.logger.namespace('Consumer');
    this.instrumentation = new Instrumentation<ConsumerEventPayloads>(CONSUMER_EVENTS, this.log);
    const memberEpoch = () => this.runner?.memberEpoch ?? 0;
    this.samsa = context.client(
      (payload) => this.instrumentation.emit(CONSUMER_EVENTS.REQUEST, payload),
      consumerObserver(this.instrumentation, this.groupId, () => this.runner?.sdk.memberId ?? '', memberEpoch),
      config.retry,
    );
  }

  async connect(): Promise<void> {
    this.instrumentation.emit(CONSUMER_EVENTS.CONNECT, null);
  }

  async disconnect(): Promise<void> {
    await this.stop();
    this.instrumentation.emit(CONSUMER_EVENTS.DISCONNECT, null);
  }

  async subscribe(subscription: ConsumerSubscribeTopics | ConsumerSubscribeTopic): Promise<void> {
    if (this.runner !== undefined) throw new KafkaJSNonRetriableError('Cannot subscribe to topic while consumer is running');
    checkKnownFields(subscription, ['topic', 'topics', 'fromBeginning'], 'consumer.subscribe()');
    const { topic, topics, fromBeginning = false } = subscription as { topic?: string | RegExp; topics?: (string | RegExp)[]; fromBeginning?: boolean };
    if (topic === undefined && topics === undefined) throw new KafkaJSNonRetriableError('Missing required argument "topics"');
    if (topics !== undefined && !Array.isArray(topics)) throw new KafkaJSNonRetriableError('Argument "topics" must be an array');
    const wanted = topics ?? [topic!];
    for (const t of wanted) {
      if (typeof t !== 'string' && !(t instanceof RegExp)) throw new KafkaJSNonRetriableError(`Invalid topic ${String(t)} (${typeof t}), the topic name has to be a String or a RegExp`);
    }
    try {
      const existing = wanted.some((t) => t instanceof RegExp) ? (await this.samsa.topics.list()).map((t) => t.name) : [];
      const names = wanted.flatMap((t) => (t instanceof RegExp ? existing.filter((name) => t.test(name)) : [t]));
      // Samsa never creates topics on use: a missing one fails here rather than silently delivering nothing.
      await Promise.all(wanted.filter((t): t is string => typeof t === 'string').map((t) => this.samsa.topics.describe(t)));
      for (const name of names) this.subscriptions.set(name, fromBeginning);
    } catch (err) {
      throw this.error(err);
    }
  }

  /** Starts consuming; resolves once the member joined (KafkaJS: once the consumer is running). */
  async run(config: ConsumerRunConfig = {}): Promise<void> {
    checkKnownFields(config, RUN_OPTIONS, 'consumer.run()');
    if (this.runner !== undefined || this.runConfig !== undefined) {
      this.log.warn('consumer#run was called, but the consumer is already running', { groupId: this.groupId });
      return;
    }
    if ((config.eachMessage === undefined) === (config.eachBatch === undefined)) throw new KafkaJSNonRetriableError('consumer.run() needs exactly one of eachMessage and eachBatch.');
    if (this.subscriptions.size === 0) throw new KafkaJSNonRetriableError('Subscribe to at least one topic before consumer.run().');
    const resets = new Set(this.subscriptions.values());
    if (resets.size > 1) throw unsupported('subscriptions that differ in fromBeginning', 'a Samsa group member has one offset reset policy; subscribe all topics with the same fromBeginning');
    this.runConfig = config;
    await this.start();
  }

  async stop(): Promise<void> {
    clearTimeout(this.restartTimer);
    this.restartTimer = undefined;
    this.runConfig = undefined;
    const runner = this.runner;
    if (runner === undefined) return;
    this.runner = undefined;
    await runner.stop();
    this.instrumentation.emit(CONSUMER_EVENTS.STOP, null);
  }

  async commitOffsets(topicPartitions: TopicPartitionOffsetAndMetadata[]): Promise<void> {
    for (const { topic, partition, offset, metadata } of topicPartitions) {
      if (!topic) throw new KafkaJSNonRetriableError(`Invalid topic ${String(topic)}`);
      if (!Number.isInteger(partition)) throw new KafkaJSNonRetriableError(`Invalid partition, expected a number received ${String(partition)}`);
      if (offsetOf(offset, 'offset') < 0) throw new KafkaJSNonRetriableError('Offset must not be a negative number');
      if (metadata !== undefined && metadata !== null && typeof metadata !== 'string') throw new KafkaJSNonRetriableError(`Invalid offset metadata, expected string or null, received ${String(metadata)}`);
    }
    await this.running('commitOffsets').commitOffsets(topicPartitions);
  }

  /** Delivers from `offset` next ('-2' earliest, '-1' latest); with autoCommit the offset is committed too, as KafkaJS does. */
  seek({ topic, partition, offset }: TopicPartitionOffset): void {
    if (!topic) throw new KafkaJSNonRetriableError(`Invalid topic ${String(topic)}`);
    if (!Number.isInteger(partition)) throw new KafkaJSNonRetriableError(`Invalid partition, expected a number received ${String(partition)}`);
    const at = offsetOf(offset, 'offset');
    if (at < -2) throw new KafkaJSNonRetriableError('Offset must not be a negative number');
    const runner = this.running('seek');
    if (at >= 0) return runner.seek(topic, partition, at);
    // The special offsets resolve to a number first (a crash-free background lookup, like KafkaJS's lazy seek).
    void this.samsa.listOffsets(topic, partition, at === -2 ? 'earliest' : 'latest').then(
      (found) => this.runner === runner && runner.seek(topic, partition, found.offset ?? found.highWatermark),
      (err: unknown) => this.log.error(`Could not seek ${topic}/${partition} to ${offset}: ${err instanceof Error ? err.message : String(err)}`),
    );
  }

  async describeGroup(): Promise<GroupDescription> {
    try {
      return await describeGroup(this.samsa, this.groupId);
    } catch (err) {
      throw this.error(err);
    }
  }

  pause(topicPartitions: { topic: string; partitions?: number[] }[]): void {
    this.changePauses(topicPartitions, true);
  }

  resume(topicPartitions: { topic: string; partitions?: number[] }[]): void {
    this.changePauses(topicPartitions, false);
  }

  /** Group, member id and epoch while running: what transaction.sendOffsets({ consumer }) commits as (not in KafkaJS). */
  groupMetadata(): GroupMetadata | undefined {
    const runner = this.runner;
    return runner === undefined ? undefined : runner.sdk.groupMetadata();
  }

  /** The assigned partitions that are paused. */
  paused(): TopicPartitions[] {
    const runner = this.runner;
    if (runner === undefined) return [];
    return runner.sdk
      .assignment()
      .map(({ topic, partitions }) => ({ topic, partitions: partitions.filter((p) => this.pauses.isPaused(topic, p)) }))
      .filter((tp) => tp.partitions.length > 0);
  }

  on<K extends keyof ConsumerEventPayloads>(eventName: K, listener: (event: InstrumentationEvent<ConsumerEventPayloads[K]>) => void): RemoveInstrumentationEventListener<K> {
    return this.instrumentation.on(eventName, listener);
  }

  logger(): Logger {
    return this.log;
  }

  private changePauses(targets: { topic: string; partitions?: number[] }[], pause: boolean): void {
    for (const target of targets) {
      if (!target?.topic) throw new KafkaJSNonRetriableError(`Invalid topic ${String(target?.topic ?? target)}`);
      if (target.partitions !== undefined && (!Array.isArray(target.partitions) || !target.partitions.every(Number.isInteger))) {
        throw new KafkaJSNonRetriableError(`Array of valid partitions required to ${pause ? 'pause' : 'resume'} specific partitions instead of ${String(target.partitions)}`);
      }
    }
    const runner = this.running(pause ? 'pause' : 'resume');
    this.pauses.change(targets, pause);
    runner.syncPaused();
  }

  private running(what: string): Runner {
    if (this.runner === undefined) throw new KafkaJSNonRetriableError(`Consumer group was not initialized, consumer#run must be called first (${what})`);
    return this.runner;
  }

  private async start(): Promise<void> {
    const config = this.runConfig;
    if (config === undefined) return;
    const retry = { ...this.context.config.retry, ...this.config.retry };
    const runner: Runner = new Runner({
      samsa: this.samsa,
      groupId: this.groupId,
      memberId: memberIdFor(this.context.clientId),
      topics: [...this.subscriptions.keys()],
      offsetReset: [...this.subscriptions.values()][0] === true ? 'earliest' : 'latest',
      sessionTimeoutMs: this.config.sessionTimeout ?? 30_000,
      rebalanceTimeoutMs: this.config.rebalanceTimeout ?? 60_000,
      maxWaitMs: this.config.maxWaitTimeInMs,
      maxBytes: this.config.maxBytes,
      retry: { retries: retry.retries ?? 5, initialRetryTime: retry.initialRetryTime ?? 300, maxRetryTime: retry.maxRetryTime ?? 30_000, multiplier: retry.multiplier ?? 2 },
      run: config,
      logger: this.log,
      isPaused: (topic, partition) => this.pauses.isPaused(topic, partition),
      pause: (targets) => this.pause(targets),
      resume: (targets) => this.resume(targets),
      events: eventsFor(this.instrumentation, this.groupId, () => runner.sdk.memberId),
      crashed: (error) => void this.crashed(runner, error),
    });
    this.runner = runner;
    this.context.groupMembers.byGroup.set(this.groupId, () => this.groupMetadata());
    await runner.started;
  }

  /** KafkaJS's onCrash: the run already left the group; tell, then restart unless the error says not to. */
  private async crashed(runner: Runner, error: KafkaJSError): Promise<void> {
    if (this.runner !== runner) return;
    this.runner = undefined;
    this.log.error(`Crash: ${error.name}: ${error.message}`, { groupId: this.groupId });
    this.instrumentation.emit(CONSUMER_EVENTS.STOP, null);
    this.instrumentation.emit(CONSUMER_EVENTS.DISCONNECT, null);
    let root: Error = error;
    while (root.cause instanceof Error) root = root.cause;
    const retriable = error.name === 'KafkaJSNumberOfRetriesExceeded' || (root as { retriable?: unknown }).retriable === true;
    const restartOnFailure = this.config.retry?.restartOnFailure ?? this.context.config.retry?.restartOnFailure;
    const restart = retriable && this.runConfig !== undefined && (restartOnFailure === undefined || (await restartOnFailure(error).catch(() => true)));
    this.instrumentation.emit(CONSUMER_EVENTS.CRASH, { error, groupId: this.groupId, restart });
    if (!restart) {
      // Stopped for good: a later run() starts afresh.
      this.runConfig = undefined;
      return;
    }
    const retryTime = (error as { retryTime?: number }).retryTime || this.config.retry?.initialRetryTime || 300;
    this.log.error(`Restarting the consumer in ${retryTime}ms`, { groupId: this.groupId });
    this.restartTimer = setTimeout(() => void this.start().catch((err: unknown) => this.log.error(`Restart failed: ${String(err)}`)), retryTime);
  }

  private error(err: unknown): KafkaJSError {
    return toKafkaJSError(err, { broker: this.context.broker, resource: 'group', retries: this.context.retriesOf(this.config.retry) });
  }
}

/** KafkaJS member ids are `${clientId}-${uuid}`; Samsa's allow 64 of [A-Za-z0-9._:-]. */
function memberIdFor(clientId: string): string {
  const prefix = clientId.replace(/[^A-Za-z0-9._:-]/g, '_').slice(0, 27);
  return `${prefix === '' ? 'kafkajs' : prefix}-${globalThis.crypto.randomUUID()}`;
}

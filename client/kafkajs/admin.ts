/**
 * KafkaJS's Admin over the SDK's topic, offset and group calls.
 *
 * Samsa is one endpoint with no brokers or replicas: metadata shows a single
 * node 0 that leads every partition; `replicationFactor` is accepted (DynamoDB
 * replicates every write across three zones) but replica placement is not.
 * Offsets of a group can only be set while it has no live members, as in
 * KafkaJS. ACLs, configs and reassignments throw: Samsa's ACLs and configs
 * have their own shapes (the native SDK's `acls` and `topics.alterConfigs`).
 */
import { NotFoundError, type Samsa } from '../index';
import { describeGroup } from './groups';
import { KafkaJSDeleteGroupsError, KafkaJSNonRetriableError, toKafkaJSError, unsupported, type DeleteGroupsResult, KafkaJSProtocolError } from './errors';
import { Instrumentation } from './instrumentation';
import type { RoleContext } from './kafka';
import { checkKnownFields, offsetOf } from './messages';
import type {
  AdminConfig, FetchOffsetsPartition, GroupDescriptions, GroupOverview, InstrumentationEvent, ITopicConfig, ITopicMetadata,
  ITopicPartitionConfig, Logger, PartitionMetadata, RemoveInstrumentationEventListener, RequestPayload, SeekEntry,
} from './types';

export const ADMIN_EVENTS = {
  CONNECT: 'admin.connect',
  DISCONNECT: 'admin.disconnect',
  REQUEST: 'admin.network.request',
  REQUEST_TIMEOUT: 'admin.network.request_timeout',
  REQUEST_QUEUE_SIZE: 'admin.network.request_queue_size',
} as const;

export interface AdminEventPayloads {
  'admin.connect': null;
  'admin.disconnect': null;
  'admin.network.request': RequestPayload;
  /** Never emitted (timeouts reach the caller as errors). */
  'admin.network.request_timeout': RequestPayload;
  /** Never emitted (no request queue). */
  'admin.network.request_queue_size': { broker: string; clientId: string; queueSize: number };
}

const partitionMetadata = (partitionId: number): PartitionMetadata => ({ partitionErrorCode: 0, partitionId, leader: 0, replicas: [0], isr: [0], offlineReplicas: [] });
const notSupported = (what: string, why: string) => (..._args: unknown[]): Promise<never> => Promise.reject(unsupported(what, why));

export class Admin {
  readonly events = ADMIN_EVENTS;
  private readonly instrumentation: Instrumentation<AdminEventPayloads>;
  private readonly samsa: Samsa;
  private readonly log: Logger;
  private readonly retries: number;

  constructor(
    private readonly context: RoleContext,
    config: AdminConfig,
  ) {
    checkKnownFields(config, ['retry'], 'kafka.admin()');
    this.log = context.logger.namespace('Admin');
    this.instrumentation = new Instrumentation<AdminEventPayloads>(ADMIN_EVENTS, this.log);
    this.samsa = context.client((payload) => this.instrumentation.emit(ADMIN_EVENTS.REQUEST, payload), {}, config.retry);
    this.retries = context.retriesOf(config.retry);
  }

  async connect(): Promise<void> {
    this.instrumentation.emit(ADMIN_EVENTS.CONNECT, null);
  }

  async disconnect(): Promise<void> {
    this.instrumentation.emit(ADMIN_EVENTS.DISCONNECT, null);
  }

  async listTopics(): Promise<string[]> {
    return this.call(async () => (await this.samsa.topics.list()).map((t) => t.name));
  }

  /** True when every topic was created; false when some already existed (the others are created), as KafkaJS. */
  async createTopics(options: { validateOnly?: boolean; waitForLeaders?: boolean; timeout?: number; topics: ITopicConfig[] }): Promise<boolean> {
    checkKnownFields(options, ['validateOnly', 'waitForLeaders', 'timeout', 'topics'], 'admin.createTopics()');
    if (options.validateOnly === true) throw unsupported('createTopics validateOnly', 'Samsa validates when it creates');
    if (!Array.isArray(options.topics)) throw new KafkaJSNonRetriableError(`Invalid topics array ${String(options.topics)}`);
    if (new Set(options.topics.map((t) => t.topic)).size < options.topics.length) throw new KafkaJSNonRetriableError('Invalid topics array, it cannot have multiple entries for the same topic');
    for (const t of options.topics) {
      checkKnownFields(t, ['topic', 'numPartitions', 'replicationFactor', 'replicaAssignment', 'configEntries'], `topic "${t.topic}"`);
      if (typeof t.topic !== 'string') throw new KafkaJSNonRetriableError('Invalid topics array, the topic names have to be a valid string');
      if (t.replicaAssignment !== undefined && t.replicaAssignment.length > 0) throw unsupported('replicaAssignment', 'Samsa has no brokers to place replicas on');
    }
    return this.call(async () => {
      const results = await Promise.allSettled(
        options.topics.map((t) =>
          this.samsa.topics.create({
            name: t.topic,
            ...(t.numPartitions === undefined || t.numPartitions === -1 ? {} : { partitions: t.numPartitions }),
            ...(t.configEntries === undefined ? {} : { configs: Object.fromEntries(t.configEntries.map((c) => [c.name, c.value])) }),
          }),
        ),
      );
      const failed = results.flatMap((r) => (r.status === 'rejected' ? [r.reason as unknown] : []));
      const existed = failed.filter((e) => (e as { code?: unknown }).code === 'TOPIC_ALREADY_EXISTS');
      if (failed.length > existed.length) throw failed.find((e) => !existed.includes(e));
      return failed.length === 0;
    });
  }

  async deleteTopics(options: { topics: string[]; timeout?: number }): Promise<void> {
    checkKnownFields(options, ['topics', 'timeout'], 'admin.deleteTopics()');
    if (!Array.isArray(options.topics)) throw new KafkaJSNonRetriableError(`Invalid topics array ${String(options.topics)}`);
    return this.call(async () => void (await Promise.all(options.topics.map((t) => this.samsa.topics.delete(t)))));
  }

  async createPartitions(options: { validateOnly?: boolean; timeout?: number; topicPartitions: ITopicPartitionConfig[] }): Promise<boolean> {
    checkKnownFields(options, ['validateOnly', 'timeout', 'topicPartitions'], 'admin.createPartitions()');
    if (options.validateOnly === true) throw unsupported('createPartitions validateOnly', 'Samsa validates when it creates');
    if (!Array.isArray(options.topicPartitions) || options.topicPartitions.length === 0) throw new KafkaJSNonRetriableError('Empty topic partitions array');
    if (options.topicPartitions.some((t) => t.assignments !== undefined)) throw unsupported('createPartitions assignments', 'Samsa has no brokers to place replicas on');
    return this.call(async () => {
      await Promise.all(options.topicPartitions.map((t) => this.samsa.topics.createPartitions(t.topic, t.count)));
      return true;
    });
  }

  async fetchTopicMetadata(options: { topics: string[] } = { topics: [] }): Promise<{ topics: ITopicMetadata[] }> {
    return this.call(async () => {
      const names = options.topics.length > 0 ? options.topics : (await this.samsa.topics.list()).map((t) => t.name);
      const described = await Promise.all(names.map((name) => this.samsa.topics.describe(name)));
      return { topics: described.map((d) => ({ name: d.name, partitions: d.partitions.map((p) => partitionMetadata(p.partition)) })) };
    });
  }

  async fetchTopicOffsets(topic: string): Promise<(SeekEntry & { high: string; low: string })[]> {
    if (!topic || typeof topic !== 'string') throw new KafkaJSNonRetriableError(`Invalid topic ${String(topic)}`);
    return this.call(async () =>
      (await this.samsa.topicOffsets(topic)).map((p) => ({ partition: p.partition, offset: String(p.highWatermark), high: String(p.highWatermark), low: String(p.logStartOffset) })),
    );
  }

  /** Per partition, the first offset with a timestamp ≥ `timestamp`, else the high watermark (also without a timestamp). */
  async fetchTopicOffsetsByTimestamp(topic: string, timestamp?: number): Promise<SeekEntry[]> {
    if (!topic || typeof topic !== 'string') throw new KafkaJSNonRetriableError(`Invalid topic ${String(topic)}`);
    return this.call(async () => {
      const partitions = (await this.samsa.topics.describe(topic)).partitions;
      return Promise.all(
        partitions.map(async ({ partition }) => {
          const found = await this.samsa.listOffsets(topic, partition, timestamp === undefined ? 'latest' : timestamp);
          return { partition, offset: String(found.offset ?? found.highWatermark) };
        }),
      );
    });
  }

  /** Committed offsets ('-1' where none); without topics, every topic the group committed. `resolveOffsets` commits the high watermark for '-1'. */
  async fetchOffsets(options: { groupId: string; topics?: string[]; resolveOffsets?: boolean }): Promise<{ topic: string; partitions: FetchOffsetsPartition[] }[]> {
    checkKnownFields(options, ['groupId', 'topics', 'resolveOffsets'], 'admin.fetchOffsets()');
    if (!options.groupId) throw new KafkaJSNonRetriableError(`Invalid groupId ${String(options.groupId)}`);
    return this.call(async () => {
      const committed = await this.samsa.groups.offsets(options.groupId).catch((err: unknown) => (err instanceof NotFoundError && err.code === 'GROUP_ID_NOT_FOUND' ? [] : Promise.reject(err)));
      const topics = options.topics !== undefined && options.topics.length > 0 ? options.topics : [...new Set(committed.map((c) => c.topic))];
      return Promise.all(
        topics.map(async (topic) => {
          const partitions = (await this.samsa.topics.describe(topic)).partitions.map(({ partition }) => {
            const c = committed.find((o) => o.topic === topic && o.partition === partition);
            return { partition, offset: c === undefined ? '-1' : String(c.offset), metadata: c?.metadata ? c.metadata : null };
          });
          const unset = partitions.filter((p) => p.offset === '-1').map((p) => p.partition);
          if (options.resolveOffsets === true && unset.length > 0) {
            const reset = await this.samsa.groups.resetOffsets(options.groupId, { topic, partitions: unset, to: 'latest' });
            for (const r of reset) partitions.find((p) => p.partition === r.partition)!.offset = String(r.offset);
          }
          return { topic, partitions };
        }),
      );
    });
  }

  /** The group must have no live members. '-2' is earliest, '-1' latest. */
  async setOffsets(options: { groupId: string; topic: string; partitions: SeekEntry[] }): Promise<void> {
    checkKnownFields(options, ['groupId', 'topic', 'partitions'], 'admin.setOffsets()');
    if (!options.groupId) throw new KafkaJSNonRetriableError(`Invalid groupId ${String(options.groupId)}`);
    if (!options.topic) throw new KafkaJSNonRetriableError(`Invalid topic ${String(options.topic)}`);
    if (!Array.isArray(options.partitions) || options.partitions.length === 0) throw new KafkaJSNonRetriableError('Invalid partitions');
    const targets = options.partitions.map(({ partition, offset }) => ({ partition, offset: offsetOf(offset, 'offset') }));
    return this.call(async () => {
      // One reset per distinct target, for the partitions that share it.
      const byTarget = new Map<number, number[]>();
      for (const { partition, offset } of targets) byTarget.set(offset, [...(byTarget.get(offset) ?? []), partition]);
      for (const [offset, partitions] of byTarget) {
        const to = offset === -2 ? 'earliest' : offset === -1 ? 'latest' : { offset };
        await this.samsa.groups.resetOffsets(options.groupId, { topic: options.topic, partitions, to });
      }
    }, 'group');
  }

  async resetOffsets(options: { groupId: string; topic: string; earliest?: boolean }): Promise<void> {
    checkKnownFields(options, ['groupId', 'topic', 'earliest'], 'admin.resetOffsets()');
    if (!options.groupId) throw new KafkaJSNonRetriableError(`Invalid groupId ${String(options.groupId)}`);
    if (!options.topic) throw new KafkaJSNonRetriableError(`Invalid topic ${String(options.topic)}`);
    return this.call(async () => void (await this.samsa.groups.resetOffsets(options.groupId, { topic: options.topic, to: options.earliest === true ? 'earliest' : 'latest' })), 'group');
  }

  async listGroups(): Promise<{ groups: GroupOverview[] }> {
    return this.call(async () => ({ groups: (await this.samsa.groups.list()).map((g) => ({ groupId: g.group, protocolType: 'consumer' })) }), 'group');
  }

  async describeGroups(groupIds: string[]): Promise<GroupDescriptions> {
    return this.call(async () => ({ groups: await Promise.all(groupIds.map((id) => describeGroup(this.samsa, id))) }), 'group');
  }

  /** Deletes each group (they must have no live members); any failure throws KafkaJSDeleteGroupsError listing every group's outcome. */
  async deleteGroups(groupIds: string[]): Promise<DeleteGroupsResult[]> {
    const results = await Promise.all(
      groupIds.map(async (groupId): Promise<DeleteGroupsResult> => {
        try {
          await this.samsa.groups.delete(groupId);
          return { groupId, errorCode: 0 };
        } catch (err) {
          const error = toKafkaJSError(err, { resource: 'group' });
          if (!(error instanceof KafkaJSProtocolError)) throw error;
          return { groupId, errorCode: error.code, error };
        }
      }),
    );
    if (results.some((r) => r.error !== undefined)) throw new KafkaJSDeleteGroupsError('Error in DeleteGroups', results);
    return results;
  }

  /** Moves each partition's log start to `offset` ('-1': the high watermark), as Kafka's DeleteRecords. */
  async deleteTopicRecords(options: { topic: string; partitions: SeekEntry[] }): Promise<void> {
    checkKnownFields(options, ['topic', 'partitions'], 'admin.deleteTopicRecords()');
    return this.call(async () => {
      const ends = new Map((await this.samsa.topicOffsets(options.topic)).map((p) => [p.partition, p.highWatermark]));
      await Promise.all(
        options.partitions.map(({ partition, offset }) => {
          const before = offsetOf(offset, 'offset');
          return this.samsa.deleteRecords(options.topic, partition, before === -1 ? (ends.get(partition) ?? 0) : before);
        }),
      );
    });
  }

  async describeCluster(): Promise<{ brokers: { nodeId: number; host: string; port: number }[]; controller: number | null; clusterId: string }> {
    const [host, port] = [this.context.broker.slice(0, this.context.broker.lastIndexOf(':')), Number(this.context.broker.slice(this.context.broker.lastIndexOf(':') + 1))];
    return { brokers: [{ nodeId: 0, host, port }], controller: 0, clusterId: 'samsa' };
  }

  readonly describeConfigs = notSupported('admin.describeConfigs()', "Samsa's topic configs are read with the native SDK's topics.describe()");
  readonly alterConfigs = notSupported('admin.alterConfigs()', "Samsa's topic configs are set with the native SDK's topics.alterConfigs()");
  readonly describeAcls = notSupported('admin.describeAcls()', "Samsa's ACLs have their own model: use the native SDK's acls.list()");
  readonly createAcls = notSupported('admin.createAcls()', "Samsa's ACLs have their own model: use the native SDK's acls.create()");
  readonly deleteAcls = notSupported('admin.deleteAcls()', "Samsa's ACLs have their own model: use the native SDK's acls.delete()");
  readonly alterPartitionReassignments = notSupported('admin.alterPartitionReassignments()', 'Samsa has no brokers or replicas to move');
  readonly listPartitionReassignments = notSupported('admin.listPartitionReassignments()', 'Samsa has no brokers or replicas to move');

  on<K extends keyof AdminEventPayloads>(eventName: K, listener: (event: InstrumentationEvent<AdminEventPayloads[K]>) => void): RemoveInstrumentationEventListener<K> {
    return this.instrumentation.on(eventName, listener);
  }

  logger(): Logger {
    return this.log;
  }

  private async call<T>(fn: () => Promise<T>, resource: 'topic' | 'group' = 'topic'): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      throw toKafkaJSError(err, { broker: this.context.broker, resource, retries: this.retries });
    }
  }
}

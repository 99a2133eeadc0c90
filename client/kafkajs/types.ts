/**
 * The facade's public types, in KafkaJS 2.2's shapes and names.
 *
 * Declared here rather than imported from 'kafkajs': the facade has no
 * dependency on that package, not even for types. test/client/kafkajs-types.ts
 * keeps them honest by assigning the facade to KafkaJS's own published types.
 * Only the type imports from 'node:*' below (KafkaJS users are on Node).
 */
import type { Buffer } from 'node:buffer';
import type { Socket } from 'node:net';
import type { ConnectionOptions } from 'node:tls';

// The admin's shapes live in admin-types.ts; everything is exported from here.
export type * from './admin-types';

// ---- configuration -------------------------------------------------------

export type BrokersFunction = () => string[] | Promise<string[]>;

export type SASLOptions =
  | { mechanism: 'plain'; username: string; password: string }
  | { mechanism: 'scram-sha-256' | 'scram-sha-512'; username: string; password: string }
  | { mechanism: 'aws'; authorizationIdentity: string; accessKeyId: string; secretAccessKey: string; sessionToken?: string }
  | { mechanism: 'oauthbearer'; oauthBearerProvider: () => Promise<{ value: string }> };

/** A custom SASL mechanism (KafkaJS's `Mechanism`); never supported here. */
export interface Mechanism {
  mechanism: string;
  authenticationProvider: (args: never) => { authenticate: () => Promise<void> };
}

export interface RetryOptions {
  maxRetryTime?: number;
  initialRetryTime?: number;
  factor?: number;
  multiplier?: number;
  retries?: number;
  restartOnFailure?: (e: Error) => Promise<boolean>;
}

/** Samsa's own connection settings; take precedence over `brokers` and `sasl`. */
export interface SamsaConnectionOptions {
  /** Base URL of the Samsa API, e.g. `https://abc.execute-api.eu-west-1.amazonaws.com`. */
  url?: string;
  /** A Samsa API key (`samsa_…`), sent as `Authorization: Bearer …`. */
  apiKey?: string;
  /** Called before every request, e.g. to add a fresh `authorization` header (JWT mode). */
  headers?: () => Record<string, string> | Promise<Record<string, string>>;
  /** Defaults to the global fetch. */
  fetch?: typeof globalThis.fetch;
}

export interface KafkaConfig {
  /** The first entry is the Samsa URL: `https://host[:port]`, `http://host:port`, or `host:port` (http, https with `ssl`). */
  brokers?: string[] | BrokersFunction;
  ssl?: ConnectionOptions | boolean;
  sasl?: SASLOptions | Mechanism;
  clientId?: string;
  connectionTimeout?: number;
  authenticationTimeout?: number;
  reauthenticationThreshold?: number;
  requestTimeout?: number;
  enforceRequestTimeout?: boolean;
  retry?: RetryOptions;
  socketFactory?: (args: { host: string; port: number; ssl: ConnectionOptions; onConnect: () => void }) => Socket;
  logLevel?: number;
  logCreator?: logCreator;
  samsa?: SamsaConnectionOptions;
}

export interface PartitionMetadata {
  partitionErrorCode: number;
  partitionId: number;
  leader: number;
  replicas: number[];
  isr: number[];
  offlineReplicas?: number[];
}

export interface PartitionerArgs {
  topic: string;
  partitionMetadata: PartitionMetadata[];
  message: Message;
}

export type ICustomPartitioner = () => (args: PartitionerArgs) => number;

export interface ProducerConfig {
  createPartitioner?: ICustomPartitioner;
  retry?: RetryOptions;
  metadataMaxAge?: number;
  allowAutoTopicCreation?: boolean;
  idempotent?: boolean;
  transactionalId?: string;
  transactionTimeout?: number;
  maxInFlightRequests?: number;
}

/** KafkaJS's `PartitionAssigner`; never supported here (the server assigns). */
export type PartitionAssigner = (config: never) => unknown;

export interface ConsumerConfig {
  groupId: string;
  partitionAssigners?: PartitionAssigner[];
  metadataMaxAge?: number;
  sessionTimeout?: number;
  rebalanceTimeout?: number;
  heartbeatInterval?: number;
  maxBytesPerPartition?: number;
  minBytes?: number;
  maxBytes?: number;
  maxWaitTimeInMs?: number;
  retry?: RetryOptions & { restartOnFailure?: (err: Error) => Promise<boolean> };
  allowAutoTopicCreation?: boolean;
  maxInFlightRequests?: number;
  readUncommitted?: boolean;
  rackId?: string;
}

export interface AdminConfig {
  retry?: RetryOptions;
}

// ---- messages ---------------------------------------------------------------

export interface IHeaders {
  [key: string]: Buffer | string | (Buffer | string)[] | undefined;
}

export interface Message {
  key?: Buffer | string | null;
  value: Buffer | string | null;
  partition?: number;
  headers?: IHeaders;
  timestamp?: string;
}

export interface ProducerRecord {
  topic: string;
  messages: Message[];
  acks?: number;
  timeout?: number;
  compression?: number;
}

export interface TopicMessages {
  topic: string;
  messages: Message[];
}

export interface ProducerBatch {
  acks?: number;
  timeout?: number;
  compression?: number;
  topicMessages?: TopicMessages[];
}

/** One per topic-partition a send wrote to, as KafkaJS returns from produce v3+. */
export interface RecordMetadata {
  topicName: string;
  partition: number;
  errorCode: number;
  offset?: string;
  timestamp?: string;
  baseOffset?: string;
  logAppendTime?: string;
  logStartOffset?: string;
}

/** A consumed record (KafkaJS's `RecordBatchEntry`): Buffers, string offsets and timestamps. */
export interface KafkaMessage {
  key: Buffer | null;
  value: Buffer | null;
  timestamp: string;
  attributes: number;
  offset: string;
  headers: IHeaders;
  size?: never;
}

// ---- offsets ----------------------------------------------------------------

export interface PartitionOffset {
  partition: number;
  offset: string;
}
export type SeekEntry = PartitionOffset;
export interface TopicOffsets {
  topic: string;
  partitions: PartitionOffset[];
}
export interface Offsets {
  topics: TopicOffsets[];
}
export type OffsetsByTopicPartition = Offsets;
export type TopicPartitions = { topic: string; partitions: number[] };
export type TopicPartitionOffset = { topic: string; partition: number; offset: string };
export type TopicPartitionOffsetAndMetadata = TopicPartitionOffset & { metadata?: string | null };
export type FetchOffsetsPartition = PartitionOffset & { metadata: string | null };

// ---- consumer run -------------------------------------------------------------

export interface Batch {
  topic: string;
  partition: number;
  highWatermark: string;
  messages: KafkaMessage[];
  isEmpty(): boolean;
  firstOffset(): string | null;
  lastOffset(): string;
  offsetLag(): string;
  offsetLagLow(): string;
}

export interface EachMessagePayload {
  topic: string;
  partition: number;
  message: KafkaMessage;
  heartbeat(): Promise<void>;
  pause(): () => void;
}

export interface EachBatchPayload {
  batch: Batch;
  resolveOffset(offset: string): void;
  heartbeat(): Promise<void>;
  pause(): () => void;
  commitOffsetsIfNecessary(offsets?: Offsets): Promise<void>;
  uncommittedOffsets(): OffsetsByTopicPartition;
  isRunning(): boolean;
  isStale(): boolean;
}

export type EachMessageHandler = (payload: EachMessagePayload) => Promise<void>;
export type EachBatchHandler = (payload: EachBatchPayload) => Promise<void>;

export interface ConsumerRunConfig {
  autoCommit?: boolean;
  autoCommitInterval?: number | null;
  autoCommitThreshold?: number | null;
  eachBatchAutoResolve?: boolean;
  partitionsConsumedConcurrently?: number;
  eachBatch?: EachBatchHandler;
  eachMessage?: EachMessageHandler;
}

export type ConsumerSubscribeTopic = { topic: string | RegExp; fromBeginning?: boolean };
export type ConsumerSubscribeTopics = { topics: (string | RegExp)[]; fromBeginning?: boolean };

// ---- logging and instrumentation ----------------------------------------------

export interface LoggerEntryContent {
  readonly timestamp: string;
  readonly message: string;
  [key: string]: unknown;
}

export interface LogEntry {
  namespace: string;
  level: number;
  label: string;
  log: LoggerEntryContent;
}

export type logCreator = (logLevel: number) => (entry: LogEntry) => void;

export interface Logger {
  info: (message: string, extra?: object) => void;
  error: (message: string, extra?: object) => void;
  warn: (message: string, extra?: object) => void;
  debug: (message: string, extra?: object) => void;
  namespace: (namespace: string, logLevel?: number) => Logger;
  setLogLevel: (logLevel: number) => void;
}

export interface InstrumentationEvent<T> {
  id: string;
  type: string;
  timestamp: number;
  payload: T;
}

export type RemoveInstrumentationEventListener<T> = () => void;

export interface RequestPayload {
  apiKey: number;
  apiName: string;
  apiVersion: number;
  broker: string;
  clientId: string;
  correlationId: number;
  createdAt: number;
  duration: number;
  pendingDuration: number;
  sentAt: number;
  size: number;
}

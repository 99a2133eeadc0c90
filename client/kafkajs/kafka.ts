/**
 * `new Kafka(config)`: where KafkaJS connects to brokers, the facade talks to
 * one Samsa HTTP API.
 *
 * - URL: `samsa.url`, else `brokers[0]`: `http(s)://host[:port]` as is, a
 *   bare `host:port` is http (https with `ssl: true`). Other brokers are not
 *   used (Samsa is one endpoint); a brokers function is refused.
 * - Credentials: `samsa.apiKey` / `samsa.headers`, else SASL PLAIN whose
 *   password is a Samsa API key (sent as `Authorization: Bearer …`; the
 *   username is not sent: the key names the principal), or OAUTHBEARER whose
 *   token is sent as the bearer (JWT mode). Other mechanisms are refused.
 * - `requestTimeout` is the SDK's per-attempt timeout; `retry` maps onto the
 *   SDK's backoff (retries, initialRetryTime → first cap, maxRetryTime → cap).
 * Each producer, consumer and admin gets its own SDK client, whose fetch
 * reports its requests as that role's instrumentation events.
 */
import type { GroupMembers } from './transaction';
import { partitionForKey, Samsa, type RetryOptions as SdkRetryOptions } from '../index';
import { Admin } from './admin';
import { Consumer } from './consumer';
import { KafkaJSNonRetriableError, unsupported } from './errors';
import { createLogger, instrumentedFetch, type RequestObserver } from './instrumentation';
import { checkKnownFields } from './messages';
import { Producer } from './producer';
import type { AdminConfig, ConsumerConfig, ICustomPartitioner, KafkaConfig, Logger, PartitionAssigner, PartitionerArgs, ProducerConfig, RequestPayload, RetryOptions } from './types';

const KAFKA_OPTIONS = [
  'brokers', 'ssl', 'sasl', 'clientId', 'connectionTimeout', 'authenticationTimeout', 'reauthenticationThreshold',
  'requestTimeout', 'enforceRequestTimeout', 'retry', 'socketFactory', 'logLevel', 'logCreator', 'samsa',
];
const RETRY_OPTIONS = ['maxRetryTime', 'initialRetryTime', 'factor', 'multiplier', 'retries', 'restartOnFailure'];

/** What a producer, consumer or admin needs from the Kafka instance. */
export interface RoleContext {
  config: KafkaConfig;
  clientId: string;
  /** host:port of the Samsa URL, where KafkaJS names a broker. */
  broker: string;
  logger: Logger;
  /** An SDK client whose requests are reported to `emitRequest` and `observer`. */
  client(emitRequest: (payload: RequestPayload) => void, observer?: RequestObserver, retry?: RetryOptions): Samsa;
  sdkRetry(retry: RetryOptions | undefined): Partial<SdkRetryOptions>;
  /** How many times the SDK retries a retriable error with these options. */
  retriesOf(retry: RetryOptions | undefined): number;
  /** Running consumers by group, for transaction.sendOffsets({ consumerGroupId }) (transaction.ts). */
  groupMembers: GroupMembers;
}

export class Kafka {
  private readonly context: RoleContext;
  private readonly rootLogger: Logger;

  constructor(config: KafkaConfig) {
    if (typeof config !== 'object' || config === null) throw new KafkaJSNonRetriableError('new Kafka() needs a config object.');
    checkKnownFields(config, KAFKA_OPTIONS, 'new Kafka()');
    if (config.samsa !== undefined) checkKnownFields(config.samsa, ['url', 'apiKey', 'headers', 'fetch'], 'the samsa option');
    if (config.retry !== undefined) checkKnownFields(config.retry, RETRY_OPTIONS, 'retry');
    if (config.socketFactory !== undefined) throw unsupported('socketFactory', 'Samsa is reached over HTTP with the platform fetch; pass samsa.fetch to control connections');
    const url = samsaUrl(config);
    const credentials = credentialsOf(config);
    this.rootLogger = createLogger(config.logLevel, config.logCreator);
    const clientId = config.clientId ?? 'kafkajs';
    const parsed = new URL(url);
    const broker = `${parsed.hostname}:${parsed.port === '' ? (parsed.protocol === 'https:' ? '443' : '80') : parsed.port}`;
    const baseFetch = config.samsa?.fetch ?? ((input: RequestInfo | URL, init?: RequestInit) => globalThis.fetch(input, init));
    const sdkRetry = (retry: RetryOptions | undefined): Partial<SdkRetryOptions> => {
      const merged = { ...config.retry, ...retry };
      return {
        ...(merged.retries === undefined ? {} : { retries: merged.retries }),
        ...(merged.initialRetryTime === undefined ? {} : { initialDelayMs: merged.initialRetryTime }),
        ...(merged.maxRetryTime === undefined ? {} : { maxDelayMs: merged.maxRetryTime }),
      };
    };
    this.context = {
      config,
      clientId,
      broker,
      logger: this.rootLogger,
      sdkRetry,
      retriesOf: (retry) => sdkRetry(retry).retries ?? 5,
      groupMembers: { byGroup: new Map() },
      client: (emitRequest, observer, retry) =>
        new Samsa({
          url,
          ...credentials,
          timeoutMs: config.requestTimeout ?? 30_000,
          retry: sdkRetry(retry),
          fetch: instrumentedFetch(baseFetch, emitRequest, { broker, clientId }, observer),
        }),
    };
  }

  producer(config: ProducerConfig = {}): Producer {
    return new Producer(this.context, config, (value) => value === Partitioners.DefaultPartitioner);
  }

  consumer(config: ConsumerConfig): Consumer {
    return new Consumer(this.context, config);
  }

  admin(config: AdminConfig = {}): Admin {
    return new Admin(this.context, config);
  }

  logger(): Logger {
    return this.rootLogger;
  }
}

function samsaUrl(config: KafkaConfig): string {
  const explicit = config.samsa?.url;
  let url: string;
  if (explicit !== undefined) {
    url = explicit;
  } else {
    if (typeof config.brokers === 'function') throw unsupported('brokers as a function', 'the Samsa URL is fixed for the client; pass it as brokers[0] or samsa.url');
    const first = config.brokers?.[0];
    if (typeof first !== 'string' || first === '') throw new KafkaJSNonRetriableError('Failed to connect: brokers must be a non-empty array whose first entry is the Samsa URL (or pass samsa.url).');
    url = /^[a-z][a-z0-9+.-]*:\/\//i.test(first) ? first : `${useTls(config) ? 'https' : 'http'}://${first}`;
  }
  if (!/^https?:\/\//i.test(url)) throw new KafkaJSNonRetriableError(`The Samsa URL must be http(s)://host[:port]; got ${JSON.stringify(url)}.`);
  if (/^http:\/\//i.test(url) && config.ssl !== undefined && config.ssl !== false) {
    throw new KafkaJSNonRetriableError(`ssl is set but the Samsa URL ${JSON.stringify(url)} is plain http: use https://.`);
  }
  try {
    new URL(url);
  } catch {
    throw new KafkaJSNonRetriableError(`Invalid Samsa URL ${JSON.stringify(url)}.`);
  }
  return url;
}

/** `ssl: true` (or `{}`) means https; TLS options cannot be passed through the platform fetch. */
function useTls(config: KafkaConfig): boolean {
  const ssl = config.ssl;
  if (ssl === undefined || ssl === false) return false;
  if (ssl === true) return true;
  if (typeof ssl === 'object' && Object.keys(ssl).length > 0) {
    throw unsupported(`ssl options (${Object.keys(ssl).join(', ')})`, 'TLS is the platform fetch\'s (its trust store); pass samsa.fetch with your own TLS settings');
  }
  return true;
}

function credentialsOf(config: KafkaConfig): { apiKey?: string; headers?: () => Record<string, string> | Promise<Record<string, string>> } {
  if (config.samsa?.apiKey !== undefined || config.samsa?.headers !== undefined) {
    return {
      ...(config.samsa.apiKey === undefined ? {} : { apiKey: config.samsa.apiKey }),
      ...(config.samsa.headers === undefined ? {} : { headers: config.samsa.headers }),
    };
  }
  const sasl = config.sasl;
  if (sasl === undefined) return {};
  if ('authenticationProvider' in sasl) throw unsupported(`custom SASL mechanism '${sasl.mechanism}'`, 'use PLAIN with a Samsa API key as the password, or OAUTHBEARER');
  const mechanism = String(sasl.mechanism).toLowerCase();
  if (sasl.mechanism === 'plain' || mechanism === 'plain') {
    const { password } = sasl as { password?: unknown };
    if (typeof password !== 'string' || password === '') throw new KafkaJSNonRetriableError('SASL PLAIN: the password (a Samsa API key) is required.');
    return { apiKey: password };
  }
  if (sasl.mechanism === 'oauthbearer') {
    const provider = sasl.oauthBearerProvider;
    if (typeof provider !== 'function') throw new KafkaJSNonRetriableError('SASL OAUTHBEARER: oauthBearerProvider is required.');
    // Asked before every request (cache in the provider if it is costly), sent as the bearer token.
    return { headers: async () => ({ authorization: `Bearer ${(await provider()).value}` }) };
  }
  throw unsupported(`SASL mechanism '${sasl.mechanism}'`, 'Samsa authenticates HTTP requests with a bearer token: use PLAIN with a Samsa API key as the password, or OAUTHBEARER');
}

/**
 * KafkaJS's partitioners. `DefaultPartitioner` (also `JavaCompatiblePartitioner`)
 * is what the producer does anyway, so passing it is accepted; it is a real
 * partitioner too (murmur2 of the key bytes; round-robin without a key), for
 * code that calls it directly. `LegacyPartitioner` hashed differently and is
 * refused.
 */
const defaultPartitioner: ICustomPartitioner = () => {
  let counter = Math.floor(Math.random() * 0x7fffffff);
  return ({ partitionMetadata, message }: PartitionerArgs) => {
    if (message.partition !== undefined && message.partition !== null) return message.partition;
    if (message.key !== undefined && message.key !== null) {
      const bytes = typeof message.key === 'string' ? new TextEncoder().encode(message.key) : message.key;
      return partitionForKey(bytes, partitionMetadata.length);
    }
    const available = partitionMetadata.filter((p) => p.leader >= 0);
    const pool = available.length > 0 ? available : partitionMetadata;
    counter = (counter + 1) & 0x7fffffff;
    return pool[counter % pool.length]!.partitionId;
  };
};

const legacyPartitioner: ICustomPartitioner = () => {
  throw unsupported('Partitioners.LegacyPartitioner', 'it hashes keys unlike Kafka; keyed messages go where DefaultPartitioner puts them');
};

export const Partitioners: { DefaultPartitioner: ICustomPartitioner; LegacyPartitioner: ICustomPartitioner; JavaCompatiblePartitioner: ICustomPartitioner } = {
  DefaultPartitioner: defaultPartitioner,
  LegacyPartitioner: legacyPartitioner,
  JavaCompatiblePartitioner: defaultPartitioner,
};

/** Exported so imports keep working; passing any assigner to consumer() is refused (the server assigns). */
export const PartitionAssigners: { roundRobin: PartitionAssigner } = {
  roundRobin: () => {
    throw unsupported('PartitionAssigners.roundRobin', 'Samsa assigns partitions on the server');
  },
};

/** KafkaJS's codes; any is accepted by send(), and Samsa compresses stored batches by the topic's compression.type. */
export const CompressionTypes = { None: 0, GZIP: 1, Snappy: 2, LZ4: 3, ZSTD: 4 } as const;
export type CompressionTypes = (typeof CompressionTypes)[keyof typeof CompressionTypes];

/** Registering codecs (`CompressionCodecs[CompressionTypes.Snappy] = …`) is accepted and has no effect: nothing is compressed on the client. */
export const CompressionCodecs: Record<number, () => unknown> = {};

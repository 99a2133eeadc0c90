/**
 * KafkaJS's error classes, and how Samsa's errors become them.
 *
 * Code written against KafkaJS branches on `instanceof`, `name`, `type` and
 * `retriable`, so those are kept: a server error is a KafkaJSProtocolError
 * whose `type` and `code` are the Kafka protocol's for the nearest Kafka error
 * (UNKNOWN_TOPIC_OR_PARTITION, TOPIC_ALREADY_EXISTS, …) and whose `retriable`
 * is the Samsa server's flag; `cause` is the SDK's error, with Samsa's own
 * `code`, `status`, `requestId` and details. A retriable error the SDK already
 * retried to its limit surfaces, as in KafkaJS, as
 * KafkaJSNumberOfRetriesExceeded with the protocol error as its cause.
 */
import { OffsetOutOfRangeError, SamsaApiError, SamsaError, SamsaNetworkError, SamsaTimeoutError } from '../errors';

export class KafkaJSError extends Error {
  readonly retriable: boolean;
  readonly helpUrl?: string;
  override readonly cause?: Error;

  constructor(e: Error | string, options: { retriable?: boolean; cause?: Error } = {}) {
    super(typeof e === 'string' ? e : e.message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'KafkaJSError';
    this.retriable = options.retriable ?? true;
    if (options.cause !== undefined) this.cause = options.cause;
  }
}

export class KafkaJSNonRetriableError extends KafkaJSError {
  constructor(e: Error | string, options: { cause?: Error } = {}) {
    super(e, { ...options, retriable: false });
    this.name = 'KafkaJSNonRetriableError';
  }
}

export class KafkaJSProtocolError extends KafkaJSError {
  /** Kafka's numeric error code (-1 UNKNOWN_SERVER_ERROR when Kafka has no counterpart). */
  readonly code: number;
  /** Kafka's error name, e.g. 'UNKNOWN_TOPIC_OR_PARTITION'. */
  readonly type: string;

  constructor(e: Error | string | { message: string; type: string; code: number; retriable: boolean }, options: { retriable?: boolean; cause?: Error } = {}) {
    const described = typeof e === 'object' && 'type' in e ? e : undefined;
    super(described?.message ?? (e as Error | string), { retriable: options.retriable ?? described?.retriable ?? false, ...(options.cause === undefined ? {} : { cause: options.cause }) });
    this.name = 'KafkaJSProtocolError';
    this.type = described?.type ?? 'UNKNOWN_SERVER_ERROR';
    this.code = described?.code ?? -1;
  }
}

export class KafkaJSOffsetOutOfRange extends KafkaJSProtocolError {
  readonly topic: string;
  readonly partition: number;

  constructor(e: ConstructorParameters<typeof KafkaJSProtocolError>[0], metadata: { topic: string; partition: number; cause?: Error }) {
    super(e, metadata.cause === undefined ? {} : { cause: metadata.cause });
    this.name = 'KafkaJSOffsetOutOfRange';
    this.topic = metadata.topic;
    this.partition = metadata.partition;
  }
}

export class KafkaJSNumberOfRetriesExceeded extends KafkaJSNonRetriableError {
  readonly retryCount: number;
  readonly retryTime: number;
  declare readonly stack: string;

  constructor(e: Error, metadata: { retryCount: number; retryTime: number }) {
    super(e, { cause: e });
    this.name = 'KafkaJSNumberOfRetriesExceeded';
    this.stack = `${this.name}\n  Caused by: ${e.stack ?? e.message}`;
    this.retryCount = metadata.retryCount;
    this.retryTime = metadata.retryTime;
  }
}

export class KafkaJSConnectionError extends KafkaJSError {
  readonly broker: string;
  readonly code?: string;

  constructor(e: Error | string, metadata: { broker?: string; code?: string; retriable?: boolean; cause?: Error } = {}) {
    super(e, { retriable: metadata.retriable ?? true, ...(metadata.cause === undefined ? {} : { cause: metadata.cause }) });
    this.name = 'KafkaJSConnectionError';
    this.broker = metadata.broker ?? '';
    if (metadata.code !== undefined) this.code = metadata.code;
  }
}

export class KafkaJSRequestTimeoutError extends KafkaJSError {
  readonly broker: string;
  readonly correlationId: number;
  readonly createdAt: number;
  readonly sentAt: number;
  readonly pendingDuration: number;

  constructor(e: Error | string, metadata: { broker?: string; retriable?: boolean; cause?: Error } = {}) {
    super(e, { retriable: metadata.retriable ?? true, ...(metadata.cause === undefined ? {} : { cause: metadata.cause }) });
    this.name = 'KafkaJSRequestTimeoutError';
    this.broker = metadata.broker ?? '';
    this.correlationId = -1;
    this.createdAt = Date.now();
    this.sentAt = this.createdAt;
    this.pendingDuration = 0;
  }
}

export class KafkaJSSASLAuthenticationError extends KafkaJSNonRetriableError {
  constructor(e: Error | string, options: { cause?: Error } = {}) {
    super(e, options);
    this.name = 'KafkaJSSASLAuthenticationError';
  }
}

export interface DeleteGroupsResult {
  groupId: string;
  errorCode?: number;
  error?: KafkaJSProtocolError;
}

export class KafkaJSDeleteGroupsError extends KafkaJSError {
  readonly groups: DeleteGroupsResult[];

  constructor(e: Error | string, groups: DeleteGroupsResult[] = []) {
    super(e);
    this.name = 'KafkaJSDeleteGroupsError';
    this.groups = groups;
  }
}

/** The facade's refusal of an option or call Samsa cannot honour; thrown before anything is sent. */
export function unsupported(what: string, why: string): KafkaJSNonRetriableError {
  return new KafkaJSNonRetriableError(`${what} is not supported by Samsa's KafkaJS facade: ${why} (see docs/kafkajs.md).`);
}

/**
 * Samsa code → Kafka protocol error (type, code). Codes without a Kafka
 * counterpart keep Samsa's name as `type` with code -1.
 */
const KAFKA_ERRORS: Record<string, readonly [string, number]> = {
  INVALID_REQUEST: ['INVALID_REQUEST', 42],
  INVALID_JSON: ['INVALID_REQUEST', 42],
  UNSUPPORTED_MEDIA_TYPE: ['INVALID_REQUEST', 42],
  ROUTE_NOT_FOUND: ['UNSUPPORTED_VERSION', 35],
  METHOD_NOT_ALLOWED: ['UNSUPPORTED_VERSION', 35],
  PAYLOAD_TOO_LARGE: ['RECORD_LIST_TOO_LARGE', 18],
  RECORD_TOO_LARGE: ['MESSAGE_TOO_LARGE', 10],
  INVALID_RECORD: ['INVALID_RECORD', 87],
  INVALID_TOPIC: ['INVALID_TOPIC_EXCEPTION', 17],
  INVALID_PARTITIONS: ['INVALID_PARTITIONS', 37],
  INVALID_CONFIG: ['INVALID_CONFIG', 40],
  POLICY_VIOLATION: ['POLICY_VIOLATION', 44],
  TOPIC_ALREADY_EXISTS: ['TOPIC_ALREADY_EXISTS', 36],
  UNKNOWN_TOPIC_OR_PARTITION: ['UNKNOWN_TOPIC_OR_PARTITION', 3],
  UNKNOWN_TOPIC_ID: ['UNKNOWN_TOPIC_ID', 100],
  OFFSET_OUT_OF_RANGE: ['OFFSET_OUT_OF_RANGE', 1],
  UNKNOWN_PRODUCER_ID: ['UNKNOWN_PRODUCER_ID', 59],
  INVALID_PRODUCER_EPOCH: ['INVALID_PRODUCER_EPOCH', 47],
  OUT_OF_ORDER_SEQUENCE: ['OUT_OF_ORDER_SEQUENCE_NUMBER', 45],
  DUPLICATE_SEQUENCE_MISMATCH: ['DUPLICATE_SEQUENCE_NUMBER', 46],
  INVALID_GROUP_ID: ['INVALID_GROUP_ID', 24],
  UNKNOWN_MEMBER_ID: ['UNKNOWN_MEMBER_ID', 25],
  FENCED_MEMBER_EPOCH: ['FENCED_MEMBER_EPOCH', 110],
  STALE_MEMBER_EPOCH: ['STALE_MEMBER_EPOCH', 113],
  GROUP_NOT_EMPTY: ['NON_EMPTY_GROUP', 68],
  GROUP_ID_NOT_FOUND: ['GROUP_ID_NOT_FOUND', 69],
  GROUP_MAX_SIZE_REACHED: ['GROUP_MAX_SIZE_REACHED', 81],
  UNAUTHENTICATED: ['SASL_AUTHENTICATION_FAILED', 58],
  THROTTLED: ['THROTTLING_QUOTA_EXCEEDED', 89],
  QUOTA_EXCEEDED: ['THROTTLING_QUOTA_EXCEEDED', 89],
  REQUEST_TIMED_OUT: ['REQUEST_TIMED_OUT', 7],
  UNAVAILABLE: ['LEADER_NOT_AVAILABLE', 5],
  INTERNAL_ERROR: ['UNKNOWN_SERVER_ERROR', -1],
};

export interface ErrorContext {
  /** What an AUTHORIZATION_FAILED was about: Kafka names topic and group refusals apart. */
  resource?: 'topic' | 'group' | 'cluster';
  /** For OFFSET_OUT_OF_RANGE. */
  topic?: string;
  partition?: number;
  /** host:port, for connection errors. */
  broker?: string;
  /** How many retries the SDK made before giving up on a retriable error. */
  retries?: number;
}

/** The KafkaJS error for anything the SDK (or the facade) threw; KafkaJS errors pass through. */
export function toKafkaJSError(err: unknown, context: ErrorContext = {}): KafkaJSError {
  if (err instanceof KafkaJSError) return err;
  const error = toSingleError(err, context);
  // The SDK retries exactly the errors marked retriable: one that still is had its retries used up.
  if (error.retriable && err instanceof SamsaError && context.retries !== undefined && context.retries > 0) {
    return new KafkaJSNumberOfRetriesExceeded(error, { retryCount: context.retries, retryTime: 0 });
  }
  return error;
}

function toSingleError(err: unknown, context: ErrorContext): KafkaJSError {
  if (err instanceof SamsaApiError) {
    const [type, code] =
      err.code === 'AUTHORIZATION_FAILED'
        ? context.resource === 'group'
          ? (['GROUP_AUTHORIZATION_FAILED', 30] as const)
          : context.resource === 'cluster'
            ? (['CLUSTER_AUTHORIZATION_FAILED', 31] as const)
            : (['TOPIC_AUTHORIZATION_FAILED', 29] as const)
        : (KAFKA_ERRORS[err.code] ?? [err.code, -1]);
    const described = { message: err.message, type, code, retriable: err.retriable };
    if (err.code === 'UNAUTHENTICATED') return new KafkaJSSASLAuthenticationError(err.message, { cause: err });
    if (err instanceof OffsetOutOfRangeError) {
      return new KafkaJSOffsetOutOfRange(described, { topic: context.topic ?? '', partition: context.partition ?? -1, cause: err });
    }
    return new KafkaJSProtocolError(described, { cause: err });
  }
  if (err instanceof SamsaTimeoutError) return new KafkaJSRequestTimeoutError(err.message, { broker: context.broker, retriable: err.retriable, cause: err });
  if (err instanceof SamsaNetworkError) {
    return new KafkaJSConnectionError(err.message, { broker: context.broker, code: err.code, retriable: err.retriable, cause: err });
  }
  if (err instanceof SamsaError) {
    // Client-side refusals (bad arguments, a closed producer): never worth retrying.
    return err.retriable ? new KafkaJSError(err.message, { retriable: true, cause: err }) : new KafkaJSNonRetriableError(err.message, { cause: err });
  }
  if (err instanceof Error) return new KafkaJSError(err, { retriable: false, cause: err });
  return new KafkaJSNonRetriableError(String(err));
}

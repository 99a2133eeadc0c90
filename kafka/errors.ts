/**
 * Kafka's error codes (org.apache.kafka.common.protocol.Errors) for the ones
 * the gateway answers with, and the translation of Samsa's error codes into
 * them. AUTHORIZATION_FAILED needs the resource it was about, so callers pass
 * which kind of resource they were touching.
 */
import { toSamsaError, type ErrorCode } from '../lib/errors';

export const KafkaError = {
  UNKNOWN_SERVER_ERROR: -1,
  NONE: 0,
  OFFSET_OUT_OF_RANGE: 1,
  CORRUPT_MESSAGE: 2,
  UNKNOWN_TOPIC_OR_PARTITION: 3,
  REQUEST_TIMED_OUT: 7,
  MESSAGE_TOO_LARGE: 10,
  COORDINATOR_NOT_AVAILABLE: 15,
  INVALID_TOPIC_EXCEPTION: 17,
  INVALID_REQUIRED_ACKS: 21,
  ILLEGAL_GENERATION: 22,
  INCONSISTENT_GROUP_PROTOCOL: 23,
  INVALID_GROUP_ID: 24,
  UNKNOWN_MEMBER_ID: 25,
  INVALID_SESSION_TIMEOUT: 26,
  REBALANCE_IN_PROGRESS: 27,
  TOPIC_AUTHORIZATION_FAILED: 29,
  GROUP_AUTHORIZATION_FAILED: 30,
  CLUSTER_AUTHORIZATION_FAILED: 31,
  INVALID_TIMESTAMP: 32,
  UNSUPPORTED_SASL_MECHANISM: 33,
  ILLEGAL_SASL_STATE: 34,
  UNSUPPORTED_VERSION: 35,
  TOPIC_ALREADY_EXISTS: 36,
  INVALID_PARTITIONS: 37,
  INVALID_REPLICATION_FACTOR: 38,
  INVALID_REPLICA_ASSIGNMENT: 39,
  INVALID_CONFIG: 40,
  INVALID_REQUEST: 42,
  UNSUPPORTED_FOR_MESSAGE_FORMAT: 43,
  POLICY_VIOLATION: 44,
  OUT_OF_ORDER_SEQUENCE_NUMBER: 45,
  DUPLICATE_SEQUENCE_NUMBER: 46,
  INVALID_PRODUCER_EPOCH: 47,
  TRANSACTIONAL_ID_AUTHORIZATION_FAILED: 53,
  SASL_AUTHENTICATION_FAILED: 58,
  UNKNOWN_PRODUCER_ID: 59,
  NON_EMPTY_GROUP: 68,
  GROUP_ID_NOT_FOUND: 69,
  UNSUPPORTED_COMPRESSION_TYPE: 76,
  GROUP_MAX_SIZE_REACHED: 81,
  INVALID_RECORD: 87,
  THROTTLING_QUOTA_EXCEEDED: 89,
  UNKNOWN_TOPIC_ID: 100,
} as const;

export type ResourceKind = 'topic' | 'group' | 'cluster';

const FROM_SAMSA: Partial<Record<ErrorCode, number>> = {
  INVALID_REQUEST: KafkaError.INVALID_REQUEST,
  INVALID_TOPIC: KafkaError.INVALID_TOPIC_EXCEPTION,
  INVALID_PARTITIONS: KafkaError.INVALID_PARTITIONS,
  INVALID_CONFIG: KafkaError.INVALID_CONFIG,
  TOPIC_ALREADY_EXISTS: KafkaError.TOPIC_ALREADY_EXISTS,
  UNKNOWN_TOPIC_OR_PARTITION: KafkaError.UNKNOWN_TOPIC_OR_PARTITION,
  UNKNOWN_TOPIC_ID: KafkaError.UNKNOWN_TOPIC_ID,
  POLICY_VIOLATION: KafkaError.POLICY_VIOLATION,
  RECORD_TOO_LARGE: KafkaError.MESSAGE_TOO_LARGE,
  INVALID_RECORD: KafkaError.INVALID_RECORD,
  OFFSET_OUT_OF_RANGE: KafkaError.OFFSET_OUT_OF_RANGE,
  UNKNOWN_PRODUCER_ID: KafkaError.UNKNOWN_PRODUCER_ID,
  INVALID_PRODUCER_EPOCH: KafkaError.INVALID_PRODUCER_EPOCH,
  OUT_OF_ORDER_SEQUENCE: KafkaError.OUT_OF_ORDER_SEQUENCE_NUMBER,
  DUPLICATE_SEQUENCE_MISMATCH: KafkaError.DUPLICATE_SEQUENCE_NUMBER,
  // A writer's reservation was closed under it: the client retries, as after a leader change.
  RESERVATION_ABORTED: KafkaError.REQUEST_TIMED_OUT,
  INVALID_GROUP_ID: KafkaError.INVALID_GROUP_ID,
  UNKNOWN_MEMBER_ID: KafkaError.UNKNOWN_MEMBER_ID,
  // Classic clients know generations, not member epochs: an ended one is an illegal generation,
  // one that is merely behind means "rejoin to catch up".
  FENCED_MEMBER_EPOCH: KafkaError.ILLEGAL_GENERATION,
  STALE_MEMBER_EPOCH: KafkaError.REBALANCE_IN_PROGRESS,
  GROUP_NOT_EMPTY: KafkaError.NON_EMPTY_GROUP,
  GROUP_ID_NOT_FOUND: KafkaError.GROUP_ID_NOT_FOUND,
  GROUP_MAX_SIZE_REACHED: KafkaError.GROUP_MAX_SIZE_REACHED,
  UNAUTHENTICATED: KafkaError.SASL_AUTHENTICATION_FAILED,
  QUOTA_EXCEEDED: KafkaError.THROTTLING_QUOTA_EXCEEDED,
  THROTTLED: KafkaError.REQUEST_TIMED_OUT,
  UNAVAILABLE: KafkaError.REQUEST_TIMED_OUT,
  REQUEST_TIMED_OUT: KafkaError.REQUEST_TIMED_OUT,
  CONCURRENT_MODIFICATION: KafkaError.REQUEST_TIMED_OUT,
};

const AUTHZ: Record<ResourceKind, number> = {
  topic: KafkaError.TOPIC_AUTHORIZATION_FAILED,
  group: KafkaError.GROUP_AUTHORIZATION_FAILED,
  cluster: KafkaError.CLUSTER_AUTHORIZATION_FAILED,
};

/** The Kafka error code for a Samsa error code (or anything thrown). */
export function kafkaCode(err: unknown, resource: ResourceKind = 'topic'): number {
  const code = typeof err === 'string' ? (err as ErrorCode) : toSamsaError(err).code;
  if (code === 'AUTHORIZATION_FAILED') return AUTHZ[resource];
  return FROM_SAMSA[code] ?? KafkaError.UNKNOWN_SERVER_ERROR;
}

/** The error message to send beside the code (the versions that carry one), from anything thrown. */
export function kafkaMessage(err: unknown): string {
  return toSamsaError(err).message;
}

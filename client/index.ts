/**
 * The Samsa SDK. Zero runtime dependencies: only the platform's fetch,
 * AbortController, TextEncoder and btoa/atob (Node 20+, browsers, Lambda,
 * Deno, Bun).
 *
 *   const samsa = new Samsa({ url: 'http://127.0.0.1:4000', apiKey: 'samsa_…' });
 *   const producer = samsa.producer();
 *   await producer.send({ topic: 'orders', key: 'customer-7', value: { json: { total: 42 } } });
 *   const consumer = samsa.consumer({ groupId: 'billing', topics: ['orders'] });
 *   await consumer.run({ eachMessage: async ({ message }) => { … } }); // resolves after close(), committed and left
 *
 * Every call checks its arguments before sending anything: a field it does
 * not know, a missing one (a record without `value`) or one of the wrong kind
 * throws, or rejects with, SamsaError INVALID_ARGUMENT (client/validate.ts).
 */
export { Samsa, type SamsaOptions, type FetchOptions } from './samsa';
export { Topics, type CreateTopicOptions } from './topics';
export { Subscriptions, type CreateSubscriptionOptions, type CreatedSubscription, type SubscriptionDescription, type SubscriptionPartition } from './subscriptions';
export {
  ApiKeys,
  Acls,
  type Acl,
  type AclBindingInput,
  type AclFilter,
  type AclOperation,
  type AclPatternType,
  type AclPermission,
  type AclResourceType,
  type ApiKeyView,
  type CreateApiKeyOptions,
  type IssuedApiKey,
} from './auth';
export { Producer, type ProducerOptions, type ProducerRecord } from './producer';
export { Notifications, type NotificationsOptions, type PartitionWatcher, type WebSocketConstructor, type WebSocketLike } from './notifications';
export { Transaction, type GroupMetadata, type TransactionOffset, type TransactionResult } from './transaction';
export {
  GroupConsumer,
  type GroupConsumerOptions,
  type GroupBatch,
  type GroupRunOptions,
  type GroupEachMessagePayload,
} from './group-consumer';
export {
  Groups,
  type GroupListing,
  type GroupDescription,
  type GroupMemberDescription,
  type GroupLag,
  type PartitionLag,
  type CommittedOffset,
  type ResetTarget,
  type TopicPartitions,
} from './groups';
export {
  PartitionConsumer,
  type PartitionConsumerOptions,
  type OffsetSpec,
  type RunOptions,
  type EachMessagePayload,
} from './partition-consumer';
export {
  asBytes,
  asText,
  type Data,
  type DataInput,
  type DataType,
  type Header,
  type HeadersInput,
  type HeaderValueInput,
  type WireData,
} from './data';
export {
  SamsaError,
  SamsaApiError,
  SamsaNetworkError,
  SamsaTimeoutError,
  InvalidRequestError,
  AuthorizationError,
  AuthenticationError,
  NotFoundError,
  UnknownTopicIdError,
  ConflictError,
  OffsetMismatchError,
  OffsetOutOfRangeError,
  ThrottledError,
  UnavailableError,
  InternalServerError,
  type ErrorCode,
  type KnownErrorCode,
  type ClientErrorCode,
} from './errors';
/** Kafka's key hash and keyed partition choice (what the producer uses): which partition a key's bytes go to. */
export { murmur2, partitionForKey } from '../lib/protocol/murmur2';
export type { RetryOptions } from './retry';
export type { HeadersHook } from './http';
export type {
  ConfigValues,
  ConsumedRecord,
  FetchResult,
  OffsetLookup,
  PartitionOffsets,
  ProducerIdentity,
  RecordMetadata,
  TopicConfig,
  TopicDescription,
  TopicListing,
} from './types';

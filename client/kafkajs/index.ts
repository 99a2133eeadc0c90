/**
 * A KafkaJS-compatible client over Samsa: code written against KafkaJS 2.2
 * moves by changing its import from 'kafkajs' to this module (and pointing
 * `brokers` at the Samsa URL). Zero runtime dependencies beyond Node's
 * Buffer. What is supported, and what throws, is in docs/kafkajs.md.
 *
 *   import { Kafka } from '@samsa/client/kafkajs';
 *   const kafka = new Kafka({ clientId: 'my-app', brokers: ['samsa.example.com:443'], ssl: true,
 *     sasl: { mechanism: 'plain', username: 'my-app', password: process.env.SAMSA_API_KEY! } });
 */
export { Kafka, Partitioners, PartitionAssigners, CompressionTypes, CompressionCodecs, type RoleContext } from './kafka';
export { Producer, PRODUCER_EVENTS, type ProducerEventPayloads } from './producer';
export { Consumer, CONSUMER_EVENTS, type ConsumerEventPayloads } from './consumer';
export { Admin, ADMIN_EVENTS, type AdminEventPayloads } from './admin';
export { logLevel } from './instrumentation';
export {
  KafkaJSError,
  KafkaJSNonRetriableError,
  KafkaJSProtocolError,
  KafkaJSOffsetOutOfRange,
  KafkaJSNumberOfRetriesExceeded,
  KafkaJSConnectionError,
  KafkaJSRequestTimeoutError,
  KafkaJSSASLAuthenticationError,
  KafkaJSDeleteGroupsError,
  type DeleteGroupsResult,
} from './errors';
export type * from './types';

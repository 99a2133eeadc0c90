/**
 * Compile-time check of the KafkaJS facade against KafkaJS 2.2.4's own
 * published type definitions (the `kafkajs` devDependency, used here for its
 * types only). `npx tsc --noEmit -p .` compiles this file (tsconfig includes
 * test/); nothing runs it. Each assignment fails to compile if the facade's
 * shape drifts from KafkaJS's.
 *
 * The facade's Kafka, Producer, Consumer and Admin are assignable to KafkaJS's
 * types as a whole: every method exists (those Samsa cannot honour reject with
 * KafkaJSNonRetriableError at run time: the admin's
 * configs, ACLs and reassignments). The payloads handed to handlers are
 * checked the other way round: a handler typed with KafkaJS's payload types
 * must be accepted by the facade's run().
 */
import type * as K from 'kafkajs';
import * as F from '../../client/kafkajs';

declare const kafkajsConfig: K.KafkaConfig;
declare const kafkajsProducerConfig: K.ProducerConfig;
declare const kafkajsConsumerConfig: K.ConsumerConfig;
declare const kafkajsRecord: K.ProducerRecord;
declare const kafkajsBatch: K.ProducerBatch;
declare const kafkajsRunConfig: K.ConsumerRunConfig;
declare const kafkajsEachMessage: K.EachMessageHandler;
declare const kafkajsEachBatch: K.EachBatchHandler;
declare const kafkajsTopicConfig: K.ITopicConfig;

// Configs written for KafkaJS are accepted as they are.
const kafka = new F.Kafka(kafkajsConfig);
export const asKafka: K.Kafka = kafka;
export const producer: K.Producer = kafka.producer(kafkajsProducerConfig);
export const consumer: K.Consumer = kafka.consumer(kafkajsConsumerConfig);
export const admin: K.Admin = kafka.admin();
export const logger: K.Logger = kafka.logger();

// Requests and handlers written for KafkaJS are accepted as they are.
export const sent: Promise<K.RecordMetadata[]> = producer.send(kafkajsRecord);
export const sentBatch: Promise<K.RecordMetadata[]> = kafka.producer().sendBatch(kafkajsBatch);
export const facadeSent: Promise<K.RecordMetadata[]> = kafka.producer().send(kafkajsRecord);
export const ran: Promise<void> = kafka.consumer({ groupId: 'g' }).run(kafkajsRunConfig);
export const ranMessages: Promise<void> = kafka.consumer({ groupId: 'g' }).run({ eachMessage: kafkajsEachMessage });
export const ranBatches: Promise<void> = kafka.consumer({ groupId: 'g' }).run({ eachBatch: kafkajsEachBatch });
export const created: Promise<boolean> = kafka.admin().createTopics({ topics: [kafkajsTopicConfig] });

// What the facade hands out is what KafkaJS hands out.
export const payloads = kafka.consumer({ groupId: 'g' }).run({
  eachMessage: async (payload) => {
    const p: K.EachMessagePayload = payload;
    const m: K.KafkaMessage = payload.message;
    const value: Buffer | null = payload.message.value;
    const offset: string = payload.message.offset;
    void [p, m, value, offset];
  },
});
export const batches = kafka.consumer({ groupId: 'g' }).run({
  eachBatch: async (payload) => {
    const p: K.EachBatchPayload = payload;
    const b: K.Batch = payload.batch;
    void [p, b];
  },
});

// Instrumentation: KafkaJS's event names and listener types.
export const removeJoin: K.RemoveInstrumentationEventListener<'consumer.group_join'> = consumer.on(consumer.events.GROUP_JOIN, (e: K.ConsumerGroupJoinEvent) => void e);
export const removeCrash = kafka.consumer({ groupId: 'g' }).on('consumer.crash', (e: K.ConsumerCrashEvent) => void e.payload.restart);
export const removeCommit = kafka.consumer({ groupId: 'g' }).on('consumer.commit_offsets', (e: K.ConsumerCommitOffsetsEvent) => void e.payload.topics);
export const consumerEvents: K.ConsumerEvents = F.CONSUMER_EVENTS;
export const producerEvents: K.ProducerEvents = F.PRODUCER_EVENTS;
export const adminEvents: K.AdminEvents = F.ADMIN_EVENTS;

// Errors: the facade's classes are KafkaJS's shapes.
export const errors: [K.KafkaJSError, K.KafkaJSNonRetriableError, K.KafkaJSProtocolError, K.KafkaJSNumberOfRetriesExceeded, K.KafkaJSConnectionError, K.KafkaJSOffsetOutOfRange, K.KafkaJSRequestTimeoutError] = [
  new F.KafkaJSError('e'),
  new F.KafkaJSNonRetriableError('e'),
  new F.KafkaJSProtocolError({ message: 'm', type: 'UNKNOWN_TOPIC_OR_PARTITION', code: 3, retriable: false }),
  new F.KafkaJSNumberOfRetriesExceeded(new Error('e'), { retryCount: 5, retryTime: 100 }),
  new F.KafkaJSConnectionError('e'),
  new F.KafkaJSOffsetOutOfRange('e', { topic: 't', partition: 0 }),
  new F.KafkaJSRequestTimeoutError('e'),
];

// Module-level values KafkaJS code imports.
export const partitioners: typeof K.Partitioners = F.Partitioners;
export const level: K.logLevel = F.logLevel.ERROR as K.logLevel;
export const codec: K.CompressionTypes = F.CompressionTypes.GZIP as K.CompressionTypes;
export const withCompression: Promise<K.RecordMetadata[]> = producer.send({ topic: 't', messages: [], compression: (0 as K.CompressionTypes) });

// A strict nodenext CommonJS consumer (the require condition's .d.cts declarations): type-checked, never run.
import { Samsa, asBytes, type GroupEachMessagePayload, type ProducerRecord } from '@samsa/client';
import { Kafka, type KafkaMessage } from '@samsa/client/kafkajs';

export async function sdk(url: string): Promise<number> {
  const samsa = new Samsa({ url });
  const record: ProducerRecord = { topic: 'orders', value: new Uint8Array([1, 2, 3]), headers: { source: 'cts' } };
  const { offset } = await samsa.producer().send(record);
  const consumer = samsa.consumer({ groupId: 'g', topics: ['orders'] });
  await consumer.run({ eachMessage: ({ message }: GroupEachMessagePayload) => void asBytes(message.value) });
  // @ts-expect-error: offsets are numbers in the native SDK.
  const wrong: string = offset;
  return wrong.length;
}

export function kafkajs(): (message: KafkaMessage) => string {
  new Kafka({ brokers: ['127.0.0.1:4000'], samsa: { url: 'http://127.0.0.1:4000', apiKey: 'samsa_…' } });
  return (message) => message.offset;
}

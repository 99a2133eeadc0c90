// A strict nodenext ESM consumer of the published SDK and its KafkaJS facade: type-checked, never run.
import { asText, NotFoundError, Samsa, SamsaApiError, type ConsumedRecord, type FetchResult, type GroupConsumer, type RecordMetadata } from '@samsa/client';
import { Kafka, KafkaJSError, logLevel, type Consumer, type EachMessagePayload, type RecordMetadata as KafkaRecordMetadata } from '@samsa/client/kafkajs';

export async function sdk(): Promise<string[]> {
  const samsa = new Samsa({ url: 'http://127.0.0.1:4000', apiKey: 'samsa_…', timeoutMs: 10_000, retry: { retries: 2 } });
  await samsa.topics.create({ name: 'orders', partitions: 3 });
  const producer = samsa.producer({ lingerMs: 5 });
  const sent: RecordMetadata = await producer.send({ topic: 'orders', key: 'customer-7', value: { json: { total: 42 } } });
  await producer.close();
  const fetched: FetchResult = await samsa.fetchRecords({ topic: 'orders', partition: sent.partition, offset: sent.offset });
  const texts = fetched.records.map((record: ConsumedRecord) => asText(record.value) ?? '');
  const consumer: GroupConsumer = samsa.consumer({ groupId: 'billing', topics: ['orders'], offsetReset: 'earliest' });
  await consumer.run({ eachMessage: async ({ message }) => void texts.push(`${message.partition}/${message.offset}`) });
  try {
    await samsa.topics.describe('missing');
  } catch (err) {
    if (err instanceof NotFoundError) texts.push(err.code);
    else if (err instanceof SamsaApiError) texts.push(String(err.status));
  }
  // @ts-expect-error: the declarations are real types, not any: an unknown option is an error.
  new Samsa({ url: 'http://127.0.0.1:4000', apiKeyy: 'typo' });
  return texts;
}

export async function kafkajs(): Promise<void> {
  const kafka = new Kafka({ clientId: 'billing', brokers: ['127.0.0.1:4000'], sasl: { mechanism: 'plain', username: 'billing', password: 'samsa_…' }, logLevel: logLevel.WARN });
  const producer = kafka.producer();
  await producer.connect();
  const sent: KafkaRecordMetadata[] = await producer.send({ topic: 'orders', messages: [{ key: Buffer.from('k'), value: 'v' }] });
  const offset: string | undefined = sent[0]?.baseOffset;
  const consumer: Consumer = kafka.consumer({ groupId: 'billing' });
  await consumer.subscribe({ topic: 'orders', fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }: EachMessagePayload) => {
      const value: Buffer | null = message.value;
      void [value, offset];
    },
  });
  const error: Error = new KafkaJSError('x');
  // @ts-expect-error: KafkaJS offsets are strings.
  const wrong: number = sent[0]!.baseOffset;
  void [error, wrong];
}

/**
 * KafkaJS 2.2.4 (a client nobody here wrote) against the gateway with only
 * the bootstrap address: producer → group consumer, HTTP ↔ Kafka interop
 * with keys, values, headers, timestamps and offsets intact, Kafka's
 * default partitioner agreeing with Samsa's, and the Kafka group and its
 * commits visible through the HTTP API.
 */
import { CompressionTypes, ConfigResourceTypes, Kafka, logLevel, type EachMessagePayload } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { partitionForKey } from '../../lib/protocol/murmur2';
import { uniqueName } from '../support/stack';
import { createKafkaStack, createTopic, type KafkaStack } from './gateway';

let k: KafkaStack;
let kafka: Kafka;

beforeAll(async () => {
  k = await createKafkaStack();
  kafka = new Kafka({ clientId: 'samsa-test', brokers: [k.bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 3, initialRetryTime: 100 } });
});
afterAll(async () => {
  await k?.close();
});

/** Runs a group consumer until `count` messages arrived (or `timeoutMs`), then disconnects it. */
async function consume(topic: string, group: string, count: number, timeoutMs = 20_000): Promise<EachMessagePayload[]> {
  const consumer = kafka.consumer({ groupId: group, sessionTimeout: 10_000, heartbeatInterval: 500, maxWaitTimeInMs: 200 });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const got: EachMessagePayload[] = [];
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`got ${got.length} of ${count} messages`)), timeoutMs);
      void consumer.run({
        eachMessage: async (payload) => {
          got.push(payload);
          if (got.length >= count) {
            clearTimeout(timer);
            resolve();
          }
        },
      });
    });
  } finally {
    await consumer.disconnect();
  }
  return got;
}

describe('KafkaJS', () => {
  it('produces and consumes every message through a consumer group, whose commits the HTTP API shows', async () => {
    const topic = uniqueName();
    const group = uniqueName('group');
    await createTopic(k.stack, topic, 3);
    const producer = kafka.producer();
    await producer.connect();
    const messages = Array.from({ length: 30 }, (_, i) => ({ key: `k${i}`, value: `v${i}` }));
    await producer.send({ topic, messages: messages.slice(0, 15) });
    await producer.send({ topic, acks: 1, messages: messages.slice(15) });
    await producer.disconnect();

    const got = await consume(topic, group, 30);
    expect(got.map((m) => m.message.value!.toString()).sort()).toEqual(messages.map((m) => m.value).sort());
    for (const m of got) expect(m.partition).toBe(partitionForKey(m.message.key!, 3));

    const offsets = await k.stack.call('GET', `/v1/groups/${group}/offsets`);
    const committed = Object.fromEntries(offsets.body.offsets.map((o: { partition: number; offset: number }) => [o.partition, o.offset]));
    const perPartition = [0, 1, 2].map((p) => got.filter((m) => m.partition === p).length);
    expect([0, 1, 2].map((p) => committed[p] ?? 0)).toEqual(perPartition);
  });

  it('produces gzip-compressed batches (the codec KafkaJS ships; kcat covers snappy, lz4 and zstd) that read back in order', async () => {
    const topic = uniqueName();
    await createTopic(k.stack, topic, 1);
    const producer = kafka.producer();
    await producer.connect();
    const values = Array.from({ length: 40 }, (_, i) => `gzip ${i} ${'y'.repeat(i * 10)}`);
    await producer.send({ topic, compression: CompressionTypes.GZIP, messages: values.map((value) => ({ value })) });
    await producer.disconnect();
    const got = await consume(topic, uniqueName('group'), 40);
    expect(got.map((m) => [m.message.offset, m.message.value!.toString()])).toEqual(values.map((v, i) => [String(i), v]));
  });

  it('consumes what HTTP produced with key, value, headers, timestamp and offset intact', async () => {
    const topic = uniqueName();
    await createTopic(k.stack, topic, 1);
    const res = await k.stack.call('POST', `/v1/topics/${topic}/records`, {
      records: [
        { key: { type: 'STRING', data: 'order-1' }, value: { type: 'JSON', data: { total: 12 } }, headers: [{ name: 'trace', value: 'abc' }], timestamp: 1_700_000_000_000 },
        { key: null, value: { type: 'BINARY', data: Buffer.from([0, 255, 1]).toString('base64') }, timestamp: 1_700_000_000_001 },
      ],
    });
    expect(res.status).toBe(200);
    const got = await consume(topic, uniqueName('group'), 2);
    const [a, b] = got.map((m) => m.message);
    expect(a!.offset).toBe('0');
    expect(a!.key!.toString()).toBe('order-1');
    expect(JSON.parse(a!.value!.toString())).toEqual({ total: 12 });
    expect(a!.headers!.trace!.toString()).toBe('abc');
    expect(a!.timestamp).toBe('1700000000000');
    expect(b!.offset).toBe('1');
    expect(b!.key).toBeNull();
    expect([...b!.value!]).toEqual([0, 255, 1]);
    expect(b!.timestamp).toBe('1700000000001');
  });

  it('produces what HTTP fetches with key, value, headers, timestamp and offset intact, on the partition Samsa picks for the key', async () => {
    const topic = uniqueName();
    await createTopic(k.stack, topic, 4);
    const producer = kafka.producer();
    await producer.connect();
    const [sent] = await producer.send({
      topic,
      messages: [{ key: 'customer-42', value: Buffer.from([1, 2, 3]), headers: { h: 'x', b: Buffer.from([255]) }, timestamp: '1700000000123' }],
    });
    await producer.disconnect();
    const partition = partitionForKey(Buffer.from('customer-42'), 4);
    expect(sent!.partition).toBe(partition);
    const fetched = await k.stack.call('GET', `/v1/topics/${topic}/partitions/${partition}/records?offset=0`);
    expect(fetched.body.records).toEqual([
      {
        offset: 0,
        timestamp: 1_700_000_000_123,
        key: { type: 'BINARY', data: Buffer.from('customer-42').toString('base64') },
        value: { type: 'BINARY', data: Buffer.from([1, 2, 3]).toString('base64') },
        headers: [
          { name: 'h', value: { type: 'STRING', data: 'x' } },
          { name: 'b', value: { type: 'BINARY', data: Buffer.from([255]).toString('base64') } },
        ],
      },
    ]);
    // The same key through HTTP lands on the same partition.
    const viaHttp = await k.stack.call('POST', `/v1/topics/${topic}/records`, { records: [{ key: { type: 'STRING', data: 'customer-42' }, value: null }] });
    expect(viaHttp.body.records[0].partition).toBe(partition);
  });
});

describe('KafkaJS admin', () => {
  it('creates and deletes topics that the HTTP API sees', async () => {
    const topic = uniqueName();
    const admin = kafka.admin();
    await admin.connect();
    try {
      expect(await admin.createTopics({ topics: [{ topic, numPartitions: 3, configEntries: [{ name: 'retention.ms', value: '3600000' }] }] })).toBe(true);
      const described = await k.stack.call('GET', `/v1/topics/${topic}`);
      expect(described.body.partitions).toHaveLength(3);
      expect(described.body.configs).toContainEqual({ name: 'retention.ms', value: '3600000', source: 'topic' });
      expect(await admin.listTopics()).toContain(topic);
      expect(await admin.createTopics({ topics: [{ topic, numPartitions: 1 }] })).toBe(false);
      await expect(admin.createTopics({ topics: [{ topic: uniqueName(), configEntries: [{ name: 'cleanup.policy', value: 'compact' }] }] })).rejects.toThrow();
      await admin.deleteTopics({ topics: [topic] });
      expect((await k.stack.call('GET', `/v1/topics/${topic}`)).status).toBe(404);
    } finally {
      await admin.disconnect();
    }
  });

  it('adds partitions, describes and alters configs, and deletes records', async () => {
    const topic = uniqueName();
    await createTopic(k.stack, topic, 1);
    const admin = kafka.admin();
    await admin.connect();
    try {
      await admin.createPartitions({ topicPartitions: [{ topic, count: 3 }] });
      expect((await k.stack.call('GET', `/v1/topics/${topic}`)).body.partitions).toHaveLength(3);

      await admin.alterConfigs({ validateOnly: false, resources: [{ type: ConfigResourceTypes.TOPIC, name: topic, configEntries: [{ name: 'max.message.bytes', value: '2048' }] }] });
      const described = await admin.describeConfigs({ includeSynonyms: false, resources: [{ type: ConfigResourceTypes.TOPIC, name: topic }] });
      const entries = Object.fromEntries(described.resources[0]!.configEntries.map((e) => [e.configName, e]));
      expect(entries['max.message.bytes']).toMatchObject({ configValue: '2048', isDefault: false });
      expect(entries['retention.ms']).toMatchObject({ isDefault: true });

      const producer = kafka.producer();
      await producer.connect();
      await producer.send({ topic, messages: Array.from({ length: 5 }, (_, i) => ({ value: `v${i}`, partition: 0 })) });
      await producer.disconnect();
      await admin.deleteTopicRecords({ topic, partitions: [{ partition: 0, offset: '3' }] });
      const offsets = await admin.fetchTopicOffsets(topic);
      expect(offsets.find((o) => o.partition === 0)).toMatchObject({ low: '3', high: '5' });
    } finally {
      await admin.disconnect();
    }
  });

  it('lists, describes and deletes a group that a KafkaJS consumer made', async () => {
    const topic = uniqueName();
    const group = uniqueName('group');
    await createTopic(k.stack, topic, 2);
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic, messages: [{ key: 'a', value: '1' }] });
    await producer.disconnect();
    await consume(topic, group, 1);
    const admin = kafka.admin();
    await admin.connect();
    try {
      expect((await admin.listGroups()).groups).toContainEqual({ groupId: group, protocolType: 'consumer' });
      const { groups } = await admin.describeGroups([group]);
      expect(groups[0]).toMatchObject({ groupId: group, state: 'Empty', members: [] });
      expect(await admin.fetchOffsets({ groupId: group, topics: [topic] })).toHaveLength(1);
      await admin.deleteGroups([group]);
      expect((await k.stack.call('GET', `/v1/groups/${group}`)).status).toBe(404);
    } finally {
      await admin.disconnect();
    }
  });
});

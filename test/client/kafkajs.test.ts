/**
 * The KafkaJS facade against a real local Samsa: KafkaJS's documented
 * producer, consumer (eachMessage and eachBatch) and admin examples with only
 * the import changed (and `brokers` pointing at Samsa), Buffers and string
 * offsets intact, keyed partitioning equal to the real KafkaJS
 * DefaultPartitioner, a group of two facade consumers, events, errors, and
 * every unsupported option refused before anything is sent.
 */
import { randomBytes } from 'node:crypto';
import { build } from 'esbuild';
import { AssignerProtocol, Partitioners as KafkaJSPartitioners } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  Kafka,
  KafkaJSError,
  KafkaJSNonRetriableError,
  KafkaJSNumberOfRetriesExceeded,
  KafkaJSConnectionError,
  KafkaJSProtocolError,
  KafkaJSSASLAuthenticationError,
  Partitioners,
  PartitionAssigners,
  type Consumer,
  type KafkaMessage,
} from '../../client/kafkajs';
import { closedPort, countingFetch, startTestServer, uniqueTopic, type TestServer } from './server';

let server: TestServer;
let kafka: Kafka;
beforeAll(async () => {
  server = await startTestServer();
  // Quiet: the failure tests below log errors on purpose (logLevel.NOTHING).
  kafka = new Kafka({ clientId: 'my-app', brokers: [server.url], logLevel: 0 });
});
afterAll(() => server.close());

async function until(condition: () => boolean, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** The partition the real KafkaJS DefaultPartitioner picks for a key. */
function kafkajsPartition(topic: string, key: Buffer | string, partitions: number): number {
  const partitionMetadata = Array.from({ length: partitions }, (_, partitionId) => ({ partitionId, leader: 0, partitionErrorCode: 0, replicas: [0], isr: [0] }));
  return KafkaJSPartitioners.DefaultPartitioner()({ topic, partitionMetadata, message: { key, value: null } });
}

async function createTopic(partitions: number): Promise<string> {
  const topic = uniqueTopic('kjs');
  const admin = kafka.admin();
  await admin.connect();
  expect(await admin.createTopics({ topics: [{ topic, numPartitions: partitions }] })).toBe(true);
  await admin.disconnect();
  return topic;
}

describe('KafkaJS facade: documented examples', () => {
  it('producer and eachMessage consumer (Getting Started, Producing): every message arrives with Buffers, headers and string offsets, keys on the DefaultPartitioner\'s partitions', async () => {
    const topic = await createTopic(3);
    // --- KafkaJS docs, "Producing Messages" ---
    const producer = kafka.producer();
    await producer.connect();
    const sent = await producer.send({
      topic,
      messages: [
        { key: 'key1', value: 'hello world' },
        { key: 'key2', value: 'hey hey!' },
        { key: 'key1', value: 'hello world', headers: { 'correlation-id': '2bfb68bb-893a-423b-a7fa-7b568cad5b67', 'system-id': 'my-system' } },
        { value: 'Hello KafkaJS user!' },
      ],
    });
    await producer.disconnect();
    // One RecordMetadata per topic-partition written, offsets as strings.
    expect(sent.length).toBeGreaterThanOrEqual(1);
    for (const meta of sent) {
      expect(meta).toMatchObject({ topicName: topic, errorCode: 0, logAppendTime: '-1' });
      expect(meta.baseOffset).toMatch(/^\d+$/);
    }
    expect(sent.map((m) => m.partition)).toContain(kafkajsPartition(topic, 'key1', 3));

    // --- KafkaJS docs, "Getting Started" consumer ---
    const received: { topic: string; partition: number; message: KafkaMessage }[] = [];
    const consumer = kafka.consumer({ groupId: uniqueTopic('test-group') });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ topic, partition, message }) => {
        received.push({ topic, partition, message });
      },
    });
    await until(() => received.length === 4);
    await consumer.disconnect();

    const byValue = new Map(received.map((r) => [`${r.message.value!.toString()}|${r.message.key?.toString() ?? ''}|${Object.keys(r.message.headers).length}`, r]));
    const withHeaders = byValue.get('hello world|key1|2')!;
    expect(Buffer.isBuffer(withHeaders.message.headers['correlation-id'])).toBe(true);
    expect(String(withHeaders.message.headers['correlation-id'])).toBe('2bfb68bb-893a-423b-a7fa-7b568cad5b67');
    expect(String(withHeaders.message.headers['system-id'])).toBe('my-system');
    expect(byValue.get('Hello KafkaJS user!||0')!.message.key).toBeNull();
    for (const { topic: t, partition, message } of received) {
      expect(t).toBe(topic);
      expect(Buffer.isBuffer(message.value)).toBe(true);
      expect(message.offset).toMatch(/^\d+$/);
      expect(message.timestamp).toMatch(/^\d{13}$/);
      if (message.key !== null) {
        expect(Buffer.isBuffer(message.key)).toBe(true);
        expect(partition).toBe(kafkajsPartition(topic, message.key, 3));
      }
    }
  });

  it('eachBatch (Consuming, "eachBatch"): per-partition batches with resolveOffset, heartbeat, isRunning and isStale; committed to the end', async () => {
    const topic = await createTopic(2);
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic, messages: Array.from({ length: 40 }, (_, i) => ({ key: `k${i}`, value: `v${i}`, headers: { i: String(i) } })) });
    await producer.disconnect();

    const groupId = uniqueTopic('batch-group');
    const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 500 });
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    const seen: string[] = [];
    const batches: { partition: number; highWatermark: string; firstOffset: string | null; lastOffset: string; offsetLag: string }[] = [];
    await consumer.run({
      eachBatchAutoResolve: true,
      eachBatch: async ({ batch, resolveOffset, heartbeat, isRunning, isStale }) => {
        batches.push({ partition: batch.partition, highWatermark: batch.highWatermark, firstOffset: batch.firstOffset(), lastOffset: batch.lastOffset(), offsetLag: batch.offsetLag() });
        for (const message of batch.messages) {
          if (!isRunning() || isStale()) break;
          seen.push(`${batch.topic}/${batch.partition}/${message.offset}:${message.key!.toString()}=${message.value!.toString()};i=${String(message.headers.i)}`);
          resolveOffset(message.offset);
          await heartbeat();
        }
      },
    });
    await until(() => seen.length === 40);
    await consumer.disconnect();

    expect(new Set(seen).size).toBe(40);
    for (const line of seen) {
      const [, partition, key, value, i] = /^[^/]+\/(\d+)\/\d+:(k\d+)=(v\d+);i=(\d+)$/.exec(line)!;
      expect(value).toBe(`v${key!.slice(1)}`);
      expect(i).toBe(key!.slice(1));
      expect(Number(partition)).toBe(kafkajsPartition(topic, key!, 2));
    }
    for (const b of batches) {
      expect(Number(b.lastOffset)).toBeGreaterThanOrEqual(Number(b.firstOffset));
      expect(Number(b.highWatermark)).toBeGreaterThan(Number(b.lastOffset));
      expect(b.offsetLag).toMatch(/^\d+$/);
    }
    // Everything was committed before the member left.
    const admin = kafka.admin();
    const offsets = await admin.fetchOffsets({ groupId, topics: [topic] });
    const ends = await admin.fetchTopicOffsets(topic);
    expect(offsets).toEqual([{ topic, partitions: ends.map((e) => ({ partition: e.partition, offset: e.high, metadata: null })) }]);
  });

  it('admin (Admin Client): createTopics, listTopics, fetchTopicMetadata, fetchTopicOffsets, by timestamp, createPartitions, deleteTopics', async () => {
    const admin = kafka.admin();
    await admin.connect();
    const topic = uniqueTopic('admin');
    expect(await admin.createTopics({ waitForLeaders: true, topics: [{ topic, numPartitions: 2, replicationFactor: 3, configEntries: [{ name: 'retention.ms', value: '86400000' }] }] })).toBe(true);
    // Already there: false, as KafkaJS.
    expect(await admin.createTopics({ topics: [{ topic }] })).toBe(false);
    expect(await admin.listTopics()).toContain(topic);
    expect(await admin.fetchTopicMetadata({ topics: [topic] })).toEqual({
      topics: [{ name: topic, partitions: [0, 1].map((partitionId) => ({ partitionErrorCode: 0, partitionId, leader: 0, replicas: [0], isr: [0], offlineReplicas: [] })) }],
    });
    const producer = kafka.producer();
    await producer.connect();
    const before = Date.now();
    await producer.send({ topic, messages: [{ value: 'a', partition: 0 }, { value: 'b', partition: 0 }, { value: 'c', partition: 1, timestamp: String(before + 60_000) }] });
    await producer.disconnect();
    expect(await admin.fetchTopicOffsets(topic)).toEqual([
      { partition: 0, offset: '2', high: '2', low: '0' },
      { partition: 1, offset: '1', high: '1', low: '0' },
    ]);
    expect(await admin.fetchTopicOffsetsByTimestamp(topic, before + 30_000)).toEqual([
      { partition: 0, offset: '2' },
      { partition: 1, offset: '0' },
    ]);
    expect(await admin.createPartitions({ topicPartitions: [{ topic, count: 3 }] })).toBe(true);
    expect((await admin.fetchTopicMetadata({ topics: [topic] })).topics[0]!.partitions).toHaveLength(3);
    await admin.deleteTopics({ topics: [topic] });
    expect(await admin.listTopics()).not.toContain(topic);
    await admin.disconnect();
  });
});

describe('KafkaJS facade: bytes and partitioning', () => {
  it('Buffer keys, values and headers come back byte for byte; null values and repeated headers survive; keys land where KafkaJS puts them', async () => {
    const topic = await createTopic(5);
    const messages = Array.from({ length: 60 }, (_, i) => ({
      // Unique keys: the empty Buffer once, other Buffers led by their index (and a byte >= 0x80).
      key: i === 0 ? Buffer.alloc(0) : i % 3 === 0 ? Buffer.concat([Buffer.from([i, 0xff]), randomBytes(i % 11)]) : `clé-${i}-✓`,
      value: i % 10 === 0 ? null : randomBytes(1 + ((i * 37) % 300)),
      headers: { bin: randomBytes(8), text: `h${i}`, multi: [Buffer.from('x'), 'y'] },
    }));
    const producer = kafka.producer({ idempotent: true });
    await producer.connect();
    const meta = await producer.send({ topic, messages });
    await producer.disconnect();
    expect(new Set(meta.map((m) => m.partition))).toEqual(new Set(messages.map((m) => kafkajsPartition(topic, m.key, 5))));

    const got: { partition: number; message: KafkaMessage }[] = [];
    const consumer = kafka.consumer({ groupId: uniqueTopic('bytes'), maxWaitTimeInMs: 500 });
    await consumer.subscribe({ topics: [topic], fromBeginning: true });
    await consumer.run({ eachMessage: async ({ partition, message }) => void got.push({ partition, message }) });
    await until(() => got.length === 60);
    await consumer.disconnect();

    for (const sentMessage of messages) {
      const key = Buffer.from(sentMessage.key);
      const match = got.filter((g) => g.message.key!.equals(key));
      expect(match).toHaveLength(1);
      const { partition, message } = match[0]!;
      expect(partition).toBe(kafkajsPartition(topic, sentMessage.key, 5));
      if (sentMessage.value === null) expect(message.value).toBeNull();
      else expect(message.value!.equals(sentMessage.value)).toBe(true);
      expect((message.headers.bin as Buffer).equals(sentMessage.headers.bin)).toBe(true);
      expect(String(message.headers.text)).toBe(sentMessage.headers.text);
      expect((message.headers.multi as Buffer[]).map(String)).toEqual(['x', 'y']);
    }
  });

  it('the facade\'s Partitioners.DefaultPartitioner equals KafkaJS\'s for string and Buffer keys of every tail length', () => {
    const mine = Partitioners.DefaultPartitioner();
    for (let i = 0; i < 500; i++) {
      const key = i % 2 === 0 ? randomBytes(i % 23) : `key-${i}-${'é'.repeat(i % 5)}`;
      const partitions = 1 + (i % 17);
      const partitionMetadata = Array.from({ length: partitions }, (_, partitionId) => ({ partitionId, leader: 0, partitionErrorCode: 0, replicas: [0], isr: [0] }));
      expect(mine({ topic: 't', partitionMetadata, message: { key, value: null } })).toBe(kafkajsPartition('t', key, partitions));
    }
  });
});

describe('KafkaJS facade: consumer groups', () => {
  it('two facade consumers share the partitions; no record is lost; both leave with everything committed', async () => {
    const topic = await createTopic(4);
    const groupId = uniqueTopic('shared');
    const seen: Record<string, Set<string>> = { a: new Set(), b: new Set() };
    const consumers: Consumer[] = [];
    const assigned: Record<string, number> = { a: 0, b: 0 };
    for (const name of ['a', 'b']) {
      const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 500 });
      consumer.on(consumer.events.GROUP_JOIN, (event) => {
        const assignment = (event.payload as { memberAssignment: Record<string, number[]> }).memberAssignment;
        assigned[name] = Object.values(assignment).reduce((n, partitions) => n + partitions.length, 0);
      });
      await consumer.subscribe({ topic, fromBeginning: true });
      await consumer.run({ eachMessage: async ({ partition, message }) => void seen[name]!.add(`${partition}/${message.offset}/${message.value!.toString()}`) });
      consumers.push(consumer);
    }
    // run() resolved: both are members. Records produced from now on reach one of them; wait for the
    // rebalance to give each its share first, so that "both saw records" does not race the rebalance.
    await until(() => assigned.a! > 0 && assigned.b! > 0);
    const producer = kafka.producer();
    await producer.connect();
    for (let round = 0; round < 4; round++) {
      await producer.send({ topic, messages: Array.from({ length: 100 }, (_, i) => ({ key: `customer-${i % 37}`, value: String(round * 100 + i) })) });
    }
    await producer.disconnect();
    await until(() => new Set([...seen.a!, ...seen.b!].map((s) => s.split('/')[2])).size === 400);
    await Promise.all(consumers.map((c) => c.disconnect()));

    const values = [...seen.a!, ...seen.b!].map((s) => Number(s.split('/')[2]));
    expect(new Set(values)).toEqual(new Set(Array.from({ length: 400 }, (_, i) => i)));
    expect(seen.a!.size).toBeGreaterThan(0);
    expect(seen.b!.size).toBeGreaterThan(0);
    const admin = kafka.admin();
    const committed = (await admin.fetchOffsets({ groupId, topics: [topic] }))[0]!.partitions;
    const ends = await admin.fetchTopicOffsets(topic);
    expect(committed.map((p) => p.offset)).toEqual(ends.map((e) => e.high));
    expect((await admin.describeGroups([groupId])).groups[0]).toMatchObject({ groupId, state: 'Empty', members: [] });
  }, 60_000);

  it('run() resolves once running, without fromBeginning: messages produced after it are delivered; events tell the story', async () => {
    const topic = await createTopic(2);
    const groupId = uniqueTopic('events');
    const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 300 });
    const events: string[] = [];
    let assignment: Record<string, number[]> = {};
    let committedTopics: unknown;
    for (const name of ['CONNECT', 'GROUP_JOIN', 'FETCH_START', 'FETCH', 'START_BATCH_PROCESS', 'END_BATCH_PROCESS', 'COMMIT_OFFSETS', 'STOP', 'DISCONNECT'] as const) {
      consumer.on(consumer.events[name], (event) => {
        events.push(name);
        if (name === 'GROUP_JOIN') assignment = (event.payload as { memberAssignment: Record<string, number[]> }).memberAssignment;
        if (name === 'COMMIT_OFFSETS') committedTopics = (event.payload as { topics: unknown }).topics;
      });
    }
    await consumer.connect();
    await consumer.subscribe({ topic });
    const got: string[] = [];
    const running = consumer.run({ eachMessage: async ({ message }) => void got.push(message.value!.toString()) });
    await running;
    expect(assignment).toEqual({ [topic]: [0, 1] });
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic, messages: [{ value: 'after-run', partition: 1 }] });
    await producer.disconnect();
    await until(() => got.length === 1);
    await until(() => events.includes('COMMIT_OFFSETS'));
    expect(committedTopics).toEqual([{ topic, partitions: [{ partition: 1, offset: '1' }] }]);
    await consumer.disconnect();
    expect(got).toEqual(['after-run']);
    for (const name of ['CONNECT', 'GROUP_JOIN', 'FETCH_START', 'FETCH', 'START_BATCH_PROCESS', 'END_BATCH_PROCESS', 'COMMIT_OFFSETS', 'STOP', 'DISCONNECT']) expect(events).toContain(name);
    expect(events.indexOf('CONNECT')).toBeLessThan(events.indexOf('GROUP_JOIN'));
    expect(events.indexOf('STOP')).toBeLessThan(events.indexOf('DISCONNECT'));
    expect((await kafka.admin().describeGroups([groupId])).groups[0]!.state).toBe('Empty');
  });

  it('describeGroups encodes members in Kafka\'s ConsumerProtocol (KafkaJS\'s AssignerProtocol decodes them)', async () => {
    const topic = await createTopic(3);
    const groupId = uniqueTopic('describe');
    const consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 300 });
    await consumer.subscribe({ topic });
    await consumer.run({ eachMessage: async () => undefined });
    const { groups } = await kafka.admin().describeGroups([groupId]);
    const described = await consumer.describeGroup();
    await consumer.disconnect();
    expect(groups[0]!.members).toHaveLength(1);
    const member = groups[0]!.members[0]!;
    expect(member.clientId).toBe('my-app');
    expect(member.memberId.startsWith('my-app-')).toBe(true);
    expect(AssignerProtocol.MemberAssignment.decode(member.memberAssignment)).toEqual({ version: 0, assignment: { [topic]: [0, 1, 2] }, userData: Buffer.alloc(0) });
    expect(AssignerProtocol.MemberMetadata.decode(member.memberMetadata)).toEqual({ version: 0, topics: [topic], userData: Buffer.alloc(0) });
    expect(described.members.map((m) => m.memberId)).toEqual([member.memberId]);
    expect((await kafka.admin().listGroups()).groups).toContainEqual({ groupId, protocolType: 'consumer' });
    expect((await kafka.admin().describeGroups([uniqueTopic('none')])).groups[0]!.state).toBe('Dead');
  });

  it('a failing eachMessage is retried from the failed message (nothing lost, nothing skipped); a TypeError crashes without restart', async () => {
    const topic = await createTopic(1);
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic, messages: Array.from({ length: 6 }, (_, i) => ({ value: String(i) })) });
    await producer.disconnect();
    const consumer = kafka.consumer({ groupId: uniqueTopic('retry'), maxWaitTimeInMs: 300, retry: { initialRetryTime: 50, retries: 5 } });
    await consumer.subscribe({ topic, fromBeginning: true });
    const handled: string[] = [];
    let failures = 0;
    await consumer.run({
      eachMessage: async ({ message }) => {
        if (message.value!.toString() === '3' && failures < 2) {
          failures++;
          throw new Error('transient');
        }
        handled.push(message.value!.toString());
      },
    });
    await until(() => handled.length === 6);
    await consumer.disconnect();
    expect(handled).toEqual(['0', '1', '2', '3', '4', '5']);
    expect(failures).toBe(2);

    const crashing = kafka.consumer({ groupId: uniqueTopic('crash'), maxWaitTimeInMs: 300 });
    const crashes: { error: Error; restart: boolean }[] = [];
    crashing.on(crashing.events.CRASH, (e) => void crashes.push(e.payload));
    await crashing.subscribe({ topic, fromBeginning: true });
    await crashing.run({
      eachMessage: async () => {
        throw new TypeError('bug');
      },
    });
    await until(() => crashes.length === 1);
    expect(crashes[0]!.restart).toBe(false);
    expect(crashes[0]!.error).toBeInstanceOf(KafkaJSNonRetriableError);
    // Stopped for good: run() may start it again.
    const again: string[] = [];
    await crashing.run({ eachMessage: async ({ message }) => void again.push(message.value!.toString()) });
    await until(() => again.length === 6);
    await crashing.disconnect();
  });

  it('eachBatch without auto-resolve: what was not resolved is delivered again; seek and pause/resume', async () => {
    const topic = await createTopic(1);
    const producer = kafka.producer();
    await producer.connect();
    await producer.send({ topic, messages: Array.from({ length: 10 }, (_, i) => ({ value: String(i) })) });
    await producer.disconnect();

    const consumer = kafka.consumer({ groupId: uniqueTopic('partial'), maxWaitTimeInMs: 300 });
    await consumer.subscribe({ topic, fromBeginning: true });
    const deliveries: string[][] = [];
    await consumer.run({
      eachBatchAutoResolve: false,
      eachBatch: async ({ batch, resolveOffset }) => {
        deliveries.push(batch.messages.map((m) => m.offset));
        // Only the first message of each batch is resolved: the rest comes again.
        resolveOffset(batch.messages[0]!.offset);
      },
    });
    await until(() => deliveries.some((d) => d[0] === '9'));
    expect(deliveries[0]![0]).toBe('0');
    for (let i = 1; i < deliveries.length; i++) expect(deliveries[i]![0]).toBe(String(Number(deliveries[i - 1]![0]) + 1));

    // seek: delivery goes back to offset 2 (eachBatch keeps resolving one at a time from there).
    const seekFrom = deliveries.length;
    consumer.seek({ topic, partition: 0, offset: '2' });
    await until(() => deliveries.slice(seekFrom).some((d) => d[0] === '9'));
    expect(deliveries.slice(seekFrom).find((d) => d[0] === '2')).toBeDefined();

    // pause: nothing more is delivered until resume.
    consumer.pause([{ topic }]);
    expect(consumer.paused()).toEqual([{ topic, partitions: [0] }]);
    consumer.seek({ topic, partition: 0, offset: '5' });
    await new Promise((r) => setTimeout(r, 800));
    const whilePaused = deliveries.length;
    await new Promise((r) => setTimeout(r, 800));
    expect(deliveries.length).toBe(whilePaused);
    consumer.resume([{ topic }]);
    await until(() => deliveries.length > whilePaused);
    expect(deliveries[whilePaused]![0]).toBe('5');
    await consumer.disconnect();
  });
});

describe('KafkaJS facade: connection, errors and unsupported options', () => {
  it('SASL PLAIN with a Samsa API key as the password authenticates; a wrong key is KafkaJSSASLAuthenticationError; host:port means http', async () => {
    const secured = await startTestServer({}, { auth: { mode: 'api-keys' } });
    try {
      const hostPort = secured.url.replace(/^http:\/\//, '');
      const ok = new Kafka({ clientId: 'auth', brokers: [hostPort], sasl: { mechanism: 'plain', username: 'admin', password: secured.adminKey! } });
      const topic = uniqueTopic('auth');
      expect(await ok.admin().createTopics({ topics: [{ topic }] })).toBe(true);
      const explicit = new Kafka({ brokers: [], samsa: { url: secured.url, apiKey: secured.adminKey! } });
      expect(await explicit.admin().listTopics()).toContain(topic);
      const wrong = new Kafka({ brokers: [hostPort], sasl: { mechanism: 'plain', username: 'admin', password: 'samsa_wrong' } });
      const error = await wrong.admin().listTopics().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(KafkaJSSASLAuthenticationError);
      expect((error as KafkaJSError).retriable).toBe(false);
    } finally {
      await secured.close();
    }
  });

  it('server errors are KafkaJSProtocolErrors with Kafka types and Samsa\'s retriable flag; no server is a KafkaJSConnectionError after the retries', async () => {
    const producer = kafka.producer();
    await producer.connect();
    const missing = await producer.send({ topic: uniqueTopic('missing'), messages: [{ value: 'x' }] }).catch((e: unknown) => e);
    await producer.disconnect();
    expect(missing).toBeInstanceOf(KafkaJSProtocolError);
    expect(missing).toMatchObject({ name: 'KafkaJSProtocolError', type: 'UNKNOWN_TOPIC_OR_PARTITION', code: 3, retriable: false });
    const subscribeMissing = await kafka.consumer({ groupId: 'g' }).subscribe({ topic: uniqueTopic('missing') }).catch((e: unknown) => e);
    expect(subscribeMissing).toMatchObject({ type: 'UNKNOWN_TOPIC_OR_PARTITION' });
    expect(await kafka.producer().send({ topic: 't', messages: [] }).catch((e: unknown) => e)).toMatchObject({ name: 'KafkaJSError', message: 'The producer is disconnected', retriable: true });

    const down = new Kafka({ brokers: [`127.0.0.1:${await closedPort()}`], retry: { retries: 1, initialRetryTime: 10 } });
    const unreachable = await down.admin().listTopics().catch((e: unknown) => e);
    expect(unreachable).toBeInstanceOf(KafkaJSNumberOfRetriesExceeded);
    expect((unreachable as KafkaJSNumberOfRetriesExceeded).cause).toBeInstanceOf(KafkaJSConnectionError);
    expect(((unreachable as KafkaJSNumberOfRetriesExceeded).cause as KafkaJSConnectionError).retriable).toBe(true);
  });

  it('every unsupported option throws KafkaJSNonRetriableError naming it, before anything is sent', async () => {
    const counting = countingFetch();
    const k = new Kafka({ brokers: [server.url], samsa: { fetch: counting.fetch } });
    const refused = async (fn: () => unknown, name: RegExp) => {
      let error: unknown;
      try {
        await fn();
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(KafkaJSNonRetriableError);
      expect((error as Error).message).toMatch(name);
    };
    await refused(() => new Kafka({ brokers: [server.url], socketFactory: () => undefined as never }), /socketFactory/);
    await refused(() => new Kafka({ brokers: [server.url], sasl: { mechanism: 'scram-sha-256', username: 'u', password: 'p' } }), /scram-sha-256/);
    await refused(() => new Kafka({ brokers: () => [server.url] }), /brokers as a function/);
    await refused(() => new Kafka({ brokers: [server.url.replace('http://', '')], ssl: { ca: ['x'] } }), /ssl options \(ca\)/);
    await refused(() => new Kafka({ brokers: [server.url], retry: { retries: 1 }, logLevl: 1 } as never), /Unknown option "logLevl"/);
    await refused(() => k.producer({ createPartitioner: KafkaJSPartitioners.DefaultPartitioner }), /createPartitioner/);
    await refused(() => k.producer({ createPartitioner: Partitioners.LegacyPartitioner }), /createPartitioner/);
    expect(() => k.producer({ createPartitioner: Partitioners.DefaultPartitioner })).not.toThrow();
    const producer = k.producer({ idempotent: true });
    await producer.connect();
    await refused(() => producer.send({ topic: 't', messages: [{ value: 'x' }], acks: 0 }), /acks: 0/);
    await refused(() => producer.send({ topic: 't', messages: [{ value: 'x' }], acks: 1 }), /idempotent/);
    await refused(() => producer.send({ topic: 't', messages: [{ value: 'x' }, { value: 'y', offset: '3' } as never] }), /Unknown field "offset" in message 1/);
    await refused(() => producer.send({ topic: 't', messages: [{ value: 42 } as never] }), /a Buffer, a string or null; got number/);
    await refused(() => producer.send({ topic: 't', messages: [{ key: 'k' } as never] }), /without value/);
    await refused(() => producer.sendBatch({ topicMessages: [{ topic: 't', messages: [{ value: 'x', headers: { h: 1 } } as never] }] }), /header "h"/);
    await producer.disconnect();
    await refused(() => k.consumer({ groupId: 'g', partitionAssigners: [PartitionAssigners.roundRobin] }), /partitionAssigners/);
    await refused(() => k.consumer({ groupId: 'g', sessionTimeout: 3000, heartbeatInterval: 3000 }), /heartbeatInterval/);
    await refused(() => k.consumer({ groupId: 'g' }).run({ eachMessage: async () => undefined, autoCommitEvery: 1 } as never), /Unknown option "autoCommitEvery"/);
    await refused(() => k.consumer({ groupId: 'g' }).seek({ topic: 't', partition: 0, offset: '1' }), /consumer#run must be called first/);
    await refused(() => k.admin().createTopics({ topics: [{ topic: 't', replicaAssignment: [{ partition: 0, replicas: [1] }] }] }), /replicaAssignment/);
    await refused(() => k.admin().createTopics({ validateOnly: true, topics: [{ topic: 't' }] }), /validateOnly/);
    await refused(() => k.admin().describeConfigs({ resources: [], includeSynonyms: false }), /describeConfigs/);
    await refused(() => k.admin().createPartitions({ topicPartitions: [{ topic: 't', count: 2, assignments: [[0]] }] }), /assignments/);
    expect(counting.calls).toEqual([]);
  });

  it('a consumer whose subscriptions disagree on fromBeginning is refused at run(), before joining', async () => {
    const a = await createTopic(1);
    const b = await createTopic(1);
    const counting = countingFetch();
    const consumer = new Kafka({ brokers: [server.url], samsa: { fetch: counting.fetch } }).consumer({ groupId: uniqueTopic('mixed') });
    await consumer.subscribe({ topic: a, fromBeginning: true });
    await consumer.subscribe({ topic: b });
    const error = await consumer.run({ eachMessage: async () => undefined }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KafkaJSNonRetriableError);
    expect((error as Error).message).toMatch(/fromBeginning/);
    expect(counting.calls.filter((c) => c.path.includes('/groups/'))).toEqual([]);
  });
});

describe('KafkaJS facade: bundle', () => {
  it('has no runtime dependency: only the SDK, the dependency-free wire contract, and node:buffer', async () => {
    const out = await build({ entryPoints: ['client/kafkajs/index.ts'], bundle: true, write: false, format: 'esm', platform: 'node', metafile: true, logLevel: 'silent' });
    const inputs = Object.keys(out.metafile.inputs);
    // A zod schema file of lib/protocol would bring node_modules/zod inputs along.
    expect(inputs.filter((file) => !file.startsWith('client/') && !file.startsWith('lib/protocol/'))).toEqual([]);
    expect(inputs).toContain('client/kafkajs/runner.ts');
    const imports = Object.values(out.metafile.outputs).flatMap((o) => o.imports.map((i) => i.path));
    expect([...new Set(imports)]).toEqual(['node:buffer']);
  });
});

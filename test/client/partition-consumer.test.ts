import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asText, NotFoundError, OffsetOutOfRangeError, Samsa, UnknownTopicIdError, type ConsumedRecord } from '../../client';
import type { LocalServer } from '../../local/server';
import { startTestServer, uniqueTopic } from './server';

let server: LocalServer;
let samsa: Samsa;
beforeAll(async () => {
  server = await startTestServer();
  samsa = new Samsa({ url: server.url });
});
afterAll(() => server.close());

async function topicWith(count: number): Promise<string> {
  const name = uniqueTopic();
  await samsa.topics.create({ name, partitions: 2 });
  const producer = samsa.producer();
  await Promise.all(Array.from({ length: count }, (_, i) => producer.send({ topic: name, partition: 1, value: `v${i}` })));
  await producer.close();
  return name;
}

const values = (records: ConsumedRecord[]) => records.map((r) => asText(r.value));
const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => `v${from + i}`);

describe('SDK partition consumer', () => {
  it('reads every record in order in batches, then stops at the end', async () => {
    const name = await topicWith(25);
    const consumer = samsa.partitionConsumer({ topic: name, partition: 1, offset: 'earliest', maxRecords: 10, stopAtEnd: true });
    const batches = [];
    for await (const batch of consumer) batches.push(batch);
    expect(batches.map((b) => b.records.length)).toEqual([10, 10, 5]);
    expect(values(batches.flatMap((b) => b.records))).toEqual(range(0, 25));
    expect(batches[0]!.records[0]).toMatchObject({ topic: name, partition: 1, offset: 0 });
    expect(consumer.position).toBe(25);
  });

  it('runs eachMessage and seeks backwards on purpose', async () => {
    const name = await topicWith(10);
    const consumer = samsa.partitionConsumer({ topic: name, partition: 1, offset: 0, maxRecords: 4, stopAtEnd: true });
    const seen: string[] = [];
    let rewound = false;
    await consumer.run({
      eachMessage: ({ message }) => {
        seen.push(asText(message.value)!);
        if (message.offset === 6 && !rewound) {
          rewound = true;
          consumer.seek(2);
        }
      },
    });
    expect(seen).toEqual([...range(0, 7), ...range(2, 10)]);
  });

  it('leaves the position at a message whose handler threw', async () => {
    const name = await topicWith(5);
    const consumer = samsa.partitionConsumer({ topic: name, partition: 1, offset: 'earliest', stopAtEnd: true });
    const failing = consumer.run({
      eachMessage: ({ message }) => {
        if (message.offset === 3) throw new Error('boom');
      },
    });
    await expect(failing).rejects.toThrow('boom');
    expect(consumer.position).toBe(3);
    const rest: string[] = [];
    await consumer.run({ eachMessage: ({ message }) => void rest.push(asText(message.value)!) });
    expect(rest).toEqual(range(3, 5));
  });

  it('long-polls for new records and delivers nothing while paused', async () => {
    const name = await topicWith(0);
    const consumer = samsa.partitionConsumer({ topic: name, partition: 1, offset: 'latest', maxWaitMs: 5_000 });
    const seen: string[] = [];
    const running = consumer.run({
      eachMessage: async ({ message }) => {
        seen.push(asText(message.value)!);
        if (message.offset === 0) consumer.pause();
        if (message.offset === 2) await consumer.close();
      },
    });
    const producer = samsa.producer({ lingerMs: 0 });
    await producer.send({ topic: name, partition: 1, value: 'v0' });
    await until(() => seen.length === 1);
    expect(consumer.paused).toBe(true);
    await producer.send({ topic: name, partition: 1, value: 'v1' });
    await producer.send({ topic: name, partition: 1, value: 'v2' });
    await new Promise((r) => setTimeout(r, 300));
    expect(seen).toEqual(['v0']);
    consumer.resume();
    await running;
    await producer.close();
    expect(seen).toEqual(['v0', 'v1', 'v2']);
  });

  it('starts at the high watermark with latest, and close ends a waiting long poll at once', async () => {
    const name = await topicWith(3);
    const consumer = samsa.partitionConsumer({ topic: name, partition: 1, offset: 'latest', maxWaitMs: 20_000 });
    const iterating = (async () => {
      const got = [];
      for await (const batch of consumer) got.push(batch);
      return got;
    })();
    await until(() => consumer.position === 3);
    const started = Date.now();
    await consumer.close();
    expect(await iterating).toEqual([]);
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it('throws OffsetOutOfRangeError, or resets when offsetReset says so', async () => {
    const name = await topicWith(3);
    const strict = samsa.partitionConsumer({ topic: name, partition: 1, offset: 50, stopAtEnd: true });
    await expect(strict.run({ eachMessage: () => {} })).rejects.toBeInstanceOf(OffsetOutOfRangeError);

    const lenient = samsa.partitionConsumer({ topic: name, partition: 1, offset: 50, offsetReset: 'earliest', stopAtEnd: true });
    const seen: string[] = [];
    await lenient.run({ eachBatch: (batch) => void seen.push(...values(batch.records).map(String)) });
    expect(seen).toEqual(range(0, 3));
  });
});

describe('SDK partition consumer and topic ids', () => {
  /** Deletes the topic and creates it again under the same name, with `count` records in partition 1. */
  async function recreate(name: string, count: number): Promise<string> {
    await samsa.topics.delete(name);
    const { topicId } = await samsa.topics.create({ name, partitions: 2 });
    const producer = samsa.producer();
    await Promise.all(Array.from({ length: count }, (_, i) => producer.send({ topic: name, partition: 1, value: `new${i}` })));
    await producer.close();
    return topicId;
  }

  it('pins the topic id of its first fetch and reports it on every batch', async () => {
    const name = await topicWith(4);
    const { topicId } = await samsa.topics.describe(name);
    const consumer = samsa.partitionConsumer({ topic: name, partition: 1, offset: 'earliest', maxRecords: 2, stopAtEnd: true });
    expect(consumer.topicId).toBeUndefined();
    const ids = [];
    for await (const batch of consumer) ids.push(batch.topicId);
    expect(ids).toEqual([topicId, topicId]);
    expect(consumer.topicId).toBe(topicId);
  });

  it('throws UnknownTopicIdError instead of reading on into a re-created topic of the same name', async () => {
    const name = await topicWith(3);
    const consumer = samsa.partitionConsumer({ topic: name, partition: 1, offset: 'earliest', maxWaitMs: 100 });
    const batches = consumer[Symbol.asyncIterator]();
    const first = await batches.next();
    expect(values(first.value!.records)).toEqual(range(0, 3));
    const oldId = consumer.topicId;
    // The new topic has records at offsets 3 and 4, exactly where the consumer stands: without the pin it would hand them out.
    const newId = await recreate(name, 5);
    expect(newId).not.toBe(oldId);
    const err = await batches.next().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnknownTopicIdError);
    expect(err).toBeInstanceOf(NotFoundError);
    expect(err).toMatchObject({ code: 'UNKNOWN_TOPIC_ID', status: 404, retriable: false, topicId: oldId });
    // Asked again, it still refuses: the pin does not move to the new incarnation.
    await expect(consumer.run({ eachMessage: () => {} })).rejects.toBeInstanceOf(UnknownTopicIdError);
    expect(consumer.position).toBe(3);
    expect(consumer.topicId).toBe(oldId);
  });

  it('takes the pin from the topicId option, e.g. from an earlier describe', async () => {
    const name = await topicWith(2);
    const { topicId: oldId } = await samsa.topics.describe(name);
    await recreate(name, 2);
    const seen: string[] = [];
    const consumer = samsa.partitionConsumer({ topic: name, partition: 1, offset: 0, topicId: oldId, stopAtEnd: true });
    await expect(consumer.run({ eachMessage: ({ message }) => void seen.push(asText(message.value)!) })).rejects.toBeInstanceOf(UnknownTopicIdError);
    expect(seen).toEqual([]);
  });

  it('fetchRecords with a topicId reads that incarnation and refuses another', async () => {
    const name = await topicWith(1);
    const { topicId: oldId } = await samsa.topics.describe(name);
    expect((await samsa.fetchRecords({ topic: name, partition: 1, offset: 0, topicId: oldId })).topicId).toBe(oldId);
    const newId = await recreate(name, 1);
    await expect(samsa.fetchRecords({ topic: name, partition: 1, offset: 0, topicId: oldId })).rejects.toBeInstanceOf(UnknownTopicIdError);
    const fresh = await samsa.fetchRecords({ topic: name, partition: 1, offset: 0, topicId: newId });
    expect(values(fresh.records)).toEqual(['new0']);
  });
});

async function until(condition: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 10));
  }
}

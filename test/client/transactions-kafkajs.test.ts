/**
 * The KafkaJS facade's transactions: producer.transaction() with send,
 * sendOffsets, commit and abort, as a KafkaJS consume-transform-produce
 * loop writes them (only the import differs).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asText, Samsa } from '../../client';
import { Kafka } from '../../client/kafkajs';
import { startTestServer, uniqueTopic, type TestServer } from './server';

let server: TestServer;
let samsa: Samsa;
beforeAll(async () => {
  server = await startTestServer();
  samsa = new Samsa({ url: server.url });
});
afterAll(() => server.close());

async function texts(topic: string): Promise<string[]> {
  const { offset } = await samsa.listOffsets(topic, 0, 'earliest');
  const out = await samsa.fetchRecords({ topic, partition: 0, offset: offset ?? 0, maxRecords: 100 });
  return out.records.map((r) => asText(r.value) ?? '');
}

describe('KafkaJS facade transactions', () => {
  it('runs an exactly-once consume-transform-produce loop: outputs and offsets committed together', async () => {
    const input = uniqueTopic();
    const output = uniqueTopic();
    await samsa.topics.create({ name: input, partitions: 1 });
    await samsa.topics.create({ name: output, partitions: 1 });
    const source = samsa.producer();
    await Promise.all(['a', 'b', 'c'].map((v) => source.send({ topic: input, partition: 0, value: v })));
    await source.close();

    const kafka = new Kafka({ clientId: 'eos', brokers: [server.url], logLevel: 0 });
    const groupId = uniqueTopic('eos');
    const producer = kafka.producer({ transactionalId: 'eos-1', idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    const consumer = kafka.consumer({ groupId, readUncommitted: false });
    await consumer.connect();
    await consumer.subscribe({ topic: input, fromBeginning: true });
    let done!: () => void;
    const allDone = new Promise<void>((r) => (done = r));
    let seen = 0;
    await consumer.run({
      autoCommit: false,
      eachMessage: async ({ topic, partition, message }) => {
        const txn = await producer.transaction();
        expect(await txn.send({ topic: output, messages: [{ value: `${String(message.value)}!` }] })).toEqual([]);
        await txn.sendOffsets({ consumerGroupId: groupId, topics: [{ topic, partitions: [{ partition, offset: String(Number(message.offset) + 1) }] }] });
        await txn.commit();
        expect(txn.isActive()).toBe(false);
        if (++seen === 3) done();
      },
    });
    await allDone;
    await consumer.disconnect();
    expect(await texts(output)).toEqual(['a!', 'b!', 'c!']);
    expect((await samsa.groups.offsets(groupId)).map((o) => o.offset)).toEqual([3]);

    // abort(): nothing was sent, nothing is written.
    const txn = await producer.transaction();
    await txn.send({ topic: output, messages: [{ value: 'aborted' }] });
    await txn.abort();
    await expect(txn.commit()).rejects.toThrow(/not active/);
    // Without a running consumer of the group there is no member epoch to fence the commit by.
    const orphan = await producer.transaction();
    await expect(orphan.sendOffsets({ consumerGroupId: uniqueTopic('none'), topics: [] })).rejects.toThrow(/running consumer/);
    await producer.disconnect();
    expect(await texts(output)).toEqual(['a!', 'b!', 'c!']);
  });
});

/**
 * The shapes the SDK's argument checks accept still go through, against a
 * real server: every kind of key, value, header and timestamp a record may
 * have (a consumed record produced again included), known options left
 * undefined, and both consumers' run() resolving at the end with stopAtEnd.
 * (Refusals: invalid-arguments.test.ts.)
 */
import { Buffer } from 'node:buffer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asText, Samsa, type ConsumedRecord, type ProducerRecord } from '../../client';
import { retryOptions } from '../../client/retry';
import type { LocalServer } from '../../local/server';
import { countingFetch, startTestServer, uniqueTopic } from './server';

let server: LocalServer;
let samsa: Samsa;
beforeAll(async () => {
  server = await startTestServer();
  samsa = new Samsa({ url: server.url, apiKey: undefined, headers: undefined, retry: { retries: 2, maxDelayMs: undefined } });
});
afterAll(() => server.close());

async function topic(partitions = 1): Promise<string> {
  const name = uniqueTopic('args');
  await samsa.topics.create({ name, partitions, configs: undefined });
  return name;
}

const records = async (name: string) => (await samsa.fetchRecords({ topic: name, partition: 0, offset: 0, maxWaitMs: undefined })).records;

describe('valid SDK calls', () => {
  it("retry options left undefined keep the defaults, or the client's for a producer", () => {
    expect(retryOptions({ retries: undefined, maxDelayMs: 50 })).toEqual({ retries: 5, initialDelayMs: 100, maxDelayMs: 50 });
    expect(retryOptions({ initialDelayMs: undefined }, { retries: 1, initialDelayMs: 2, maxDelayMs: 3 })).toEqual({ retries: 1, initialDelayMs: 2, maxDelayMs: 3 });
  });

  it('sends every kind of key, value, header and timestamp, and a tombstone', async () => {
    const name = await topic();
    const producer = samsa.producer({ lingerMs: 0, retry: { retries: 1 }, batchBytes: undefined });
    const at = new Date('2024-05-01T00:00:00Z');
    const nullPrototype = Object.assign(Object.create(null) as Record<string, unknown>, { topic: name, value: 'no prototype' });
    const sent: ProducerRecord[] = [
      { topic: name, key: 'k', value: 'text', timestamp: at },
      { topic: name, key: Buffer.from('bk'), value: Buffer.from([0, 1, 255]), timestamp: 1_700_000_000_000 },
      { topic: name, key: new Uint8Array([7]), value: { json: { total: 42, items: [1, null] } }, headers: { trace: 'abc', raw: Buffer.from([0xff]), none: null } },
      { topic: name, key: { json: 0 }, value: { type: 'STRING', data: 'wire' }, headers: [{ name: 'dup', value: 'a' }, { name: 'dup', value: null }] },
      { topic: name, key: 'gone', value: null, partition: 0, timestamp: undefined },
      { topic: name, value: { json: null } },
      nullPrototype as unknown as ProducerRecord,
    ];
    const results = await Promise.all(sent.map((r) => producer.send(r)));
    await producer.close();
    expect(results.map((r) => r.offset)).toEqual([0, 1, 2, 3, 4, 5, 6]);

    const got = await records(name);
    expect(got.map((r) => r.value)).toEqual([
      { type: 'STRING', data: 'text' },
      { type: 'BINARY', data: new Uint8Array([0, 1, 255]) },
      { type: 'JSON', data: { total: 42, items: [1, null] } },
      { type: 'STRING', data: 'wire' },
      null,
      { type: 'JSON', data: null },
      { type: 'STRING', data: 'no prototype' },
    ]);
    expect(got.map((r) => asText(r.key))).toEqual(['k', 'bk', '\u0007', '0', 'gone', null, null]);
    expect(got[0]!.timestamp).toBe(at.getTime());
    expect(got[1]!.timestamp).toBe(1_700_000_000_000);
    expect(got[2]!.headers).toEqual([
      { name: 'trace', value: { type: 'STRING', data: 'abc' } },
      { name: 'raw', value: { type: 'BINARY', data: new Uint8Array([0xff]) } },
      { name: 'none', value: null },
    ]);
    expect(got[3]!.headers).toEqual([
      { name: 'dup', value: { type: 'STRING', data: 'a' } },
      { name: 'dup', value: null },
    ]);
  });

  it('produces consumed records again as they are (BINARY data comes back as a Uint8Array)', async () => {
    const from = await topic();
    const to = await topic();
    const producer = samsa.producer();
    await producer.send({ topic: from, key: Buffer.from([1, 2]), value: Buffer.from([3, 4]) });
    await producer.send({ topic: from, key: 'k', value: { json: { a: [1] } } });
    const original = await records(from);
    await Promise.all(original.map((r: ConsumedRecord) => producer.send({ topic: to, key: r.key, value: r.value })));
    await producer.close();
    const copied = await records(to);
    expect(copied.map((r) => [r.key, r.value])).toEqual(original.map((r) => [r.key, r.value]));
  });

  it('a refused send leaves the records around it alone', async () => {
    const name = await topic();
    const { fetch, calls } = countingFetch();
    const producer = new Samsa({ url: server.url, fetch }).producer({ lingerMs: 20 });
    const first = producer.send({ topic: name, value: 'one' });
    const refused = producer.send({ topic: name, messages: [{ value: 'lost' }] } as never).catch((e: unknown) => e);
    const second = producer.send({ topic: name, value: 'two' });
    expect(await refused).toMatchObject({ code: 'INVALID_ARGUMENT' });
    expect([(await first).offset, (await second).offset]).toEqual([0, 1]);
    await producer.close();
    expect(calls.filter((c) => c.method === 'POST' && c.path.endsWith('/records'))).toHaveLength(1);
    expect((await records(name)).map((r) => asText(r.value))).toEqual(['one', 'two']);
  });

  it("group and partition consumers take their options and handlers, and run() resolves at the end with stopAtEnd", async () => {
    const name = await topic(2);
    const producer = samsa.producer();
    await Promise.all(['a', 'b', 'c', 'd'].map((value, i) => producer.send({ topic: name, value, partition: i % 2 })));
    await producer.close();

    const groupId = uniqueTopic('group');
    const consumer = samsa.consumer({ groupId, topics: [name], memberId: undefined, offsetReset: 'earliest', stopAtEnd: true, maxWaitMs: 300, onAssigned: undefined });
    const seen: string[] = [];
    await consumer.run({ eachMessage: ({ message }) => void seen.push(asText(message.value)!), eachBatch: undefined });
    expect(seen.sort()).toEqual(['a', 'b', 'c', 'd']);
    // Resolved after the final commit and the leave.
    expect((await samsa.groups.describe(groupId)).state).toBe('Empty');
    expect((await samsa.groups.lag(groupId)).totalLag).toBe(0);

    expect(await samsa.groups.resetOffsets(groupId, { topic: name, partitions: [1], to: { offset: 1 } })).toEqual([{ topic: name, partition: 1, offset: 1 }]);
    expect((await samsa.groups.resetOffsets(groupId, { topic: name, to: { timestamp: 0 } })).map((o) => o.offset)).toEqual([0, 0]);

    const reader = samsa.partitionConsumer({ topic: name, partition: 1, offset: 'earliest', stopAtEnd: true, offsetReset: 'none', topicId: undefined });
    const read: string[] = [];
    await reader.run({ eachBatch: (batch) => void read.push(...batch.records.map((r) => asText(r.value)!)) });
    expect(read).toEqual(['b', 'd']);
  });
});

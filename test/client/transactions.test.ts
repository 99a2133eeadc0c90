/**
 * The SDK's transactions: producer.transaction() collects records and a
 * group member's offsets and commits them as one request; a lost answer is
 * retried without writing twice; a fenced member's transaction writes nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asText, Samsa, SamsaApiError, SamsaError } from '../../client';
import type { LocalServer } from '../../local/server';
import { countingFetch, startTestServer, uniqueTopic } from './server';

let server: LocalServer;
let samsa: Samsa;
beforeAll(async () => {
  server = await startTestServer();
  samsa = new Samsa({ url: server.url });
});
afterAll(() => server.close());

async function topic(partitions = 1): Promise<string> {
  const name = uniqueTopic();
  await samsa.topics.create({ name, partitions });
  return name;
}

async function texts(name: string, partition: number): Promise<string[]> {
  const earliest = await samsa.listOffsets(name, partition, 'earliest');
  const out = await samsa.fetchRecords({ topic: name, partition, offset: earliest.offset ?? 0, maxRecords: 1000 });
  return out.records.map((r) => asText(r.value) ?? '');
}

describe('SDK transactions', () => {
  it('commits records for several topics and partitions in one request, in send order', async () => {
    const a = await topic(2);
    const b = await topic(1);
    const { fetch, calls } = countingFetch();
    const producer = new Samsa({ url: server.url, fetch }).producer();
    const txn = producer.transaction();
    txn.send({ topic: a, partition: 0, value: 'a0' });
    txn.send({ topic: b, key: 'k', value: 'b' });
    txn.send({ topic: a, partition: 1, value: 'a1' });
    const result = await txn.commit();
    expect(result.records.map((r) => [r.topic, r.partition, r.offset])).toEqual([
      [a, 0, 0],
      [b, 0, 0],
      [a, 1, 0],
    ]);
    expect(calls.filter((c) => c.path === '/v1/transactions')).toHaveLength(1);
    expect(await texts(a, 0)).toEqual(['a0']);
    expect(await texts(b, 0)).toEqual(['b']);
    // A committed transaction takes nothing more.
    expect(() => txn.send({ topic: a, value: 'late' })).toThrow(SamsaError);
    await producer.close();
  });

  it('sends nothing for an aborted transaction', async () => {
    const a = await topic(1);
    const { fetch, calls } = countingFetch();
    const producer = new Samsa({ url: server.url, fetch }).producer();
    const txn = producer.transaction();
    txn.send({ topic: a, value: 'never' });
    txn.abort();
    await expect(txn.commit()).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    expect(calls.filter((c) => c.path === '/v1/transactions')).toHaveLength(0);
    expect(await texts(a, 0)).toEqual([]);
  });

  it('retries a commit whose answer was lost and writes it once', async () => {
    const a = await topic(2);
    let lost = false;
    const { fetch } = countingFetch(async (call, response) => {
      if (call.path === '/v1/transactions' && !lost) {
        lost = true;
        throw new TypeError('fetch failed'); // the server committed; the answer never came back
      }
      return response;
    });
    const producer = new Samsa({ url: server.url, fetch }).producer();
    const first = producer.transaction();
    first.send({ topic: a, partition: 0, value: 'x' });
    first.send({ topic: a, partition: 1, value: 'y' });
    const result = await first.commit();
    expect(lost).toBe(true);
    expect(result.records.map((r) => r.offset)).toEqual([0, 0]);
    const second = producer.transaction();
    second.send({ topic: a, partition: 0, value: 'z' });
    await second.commit();
    expect(await texts(a, 0)).toEqual(['x', 'z']);
    expect(await texts(a, 1)).toEqual(['y']);
  });

  it('consume-transform-produce: outputs and the consumer group commit land together; a fenced member writes nothing', async () => {
    const input = await topic(1);
    const output = await topic(1);
    const groupId = uniqueTopic('g');
    const source = samsa.producer();
    for (const v of ['1', '2', '3']) await source.send({ topic: input, value: v });
    await source.close();

    const consumer = samsa.consumer({ groupId, topics: [input], autoCommit: false, offsetReset: 'earliest', stopAtEnd: true });
    const producer = samsa.producer();
    for await (const batch of consumer) {
      const txn = producer.transaction();
      for (const r of batch.records) txn.send({ topic: output, value: `${asText(r.value)}x2` });
      const last = batch.records[batch.records.length - 1]!;
      txn.sendOffsets(consumer.groupMetadata(), [{ topic: last.topic, partition: last.partition, offset: last.offset + 1 }]);
      await txn.commit();
    }
    const member = consumer.groupMetadata();
    await consumer.close();
    expect(await texts(output, 0)).toEqual(['1x2', '2x2', '3x2']);
    const offsets = await samsa.groups.offsets(groupId);
    expect(offsets.map((o) => o.offset)).toEqual([3]);

    // The member has left: its epoch is fenced, and the transaction writes nothing at all.
    const zombie = producer.transaction();
    zombie.send({ topic: output, value: 'zombie' });
    zombie.sendOffsets(member, [{ topic: input, partition: 0, offset: 1 }]);
    const err = await zombie.commit().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SamsaApiError);
    expect(['UNKNOWN_MEMBER_ID', 'FENCED_MEMBER_EPOCH']).toContain((err as SamsaApiError).code);
    expect(await texts(output, 0)).toEqual(['1x2', '2x2', '3x2']);
    expect((await samsa.groups.offsets(groupId)).map((o) => o.offset)).toEqual([3]);
    await producer.close();
  });
});

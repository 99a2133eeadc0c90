import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConflictError, InvalidRequestError, NotFoundError, OffsetOutOfRangeError, Samsa, SamsaNetworkError } from '../../client';
import type { LocalServer } from '../../local/server';
import { closedPort, startTestServer, uniqueTopic } from './server';

let server: LocalServer;
let samsa: Samsa;
beforeAll(async () => {
  server = await startTestServer();
  samsa = new Samsa({ url: server.url });
});
afterAll(() => server.close());

describe('SDK admin', () => {
  it('creates, lists, describes, alters, grows and deletes a topic', async () => {
    const name = uniqueTopic();
    const created = await samsa.topics.create({ name, partitions: 2, configs: { 'retention.ms': 60_000 } });
    expect(created.name).toBe(name);
    expect(created.partitions).toEqual([{ partition: 0 }, { partition: 1 }]);
    expect(created.configs).toContainEqual({ name: 'retention.ms', value: '60000', source: 'topic' });

    expect((await samsa.topics.list()).find((t) => t.name === name)).toMatchObject({ name, partitions: 2, topicId: created.topicId });
    expect((await samsa.topics.describe(name)).topicId).toBe(created.topicId);

    const altered = await samsa.topics.alterConfigs(name, { 'retention.ms': null, 'compression.type': 'gzip' });
    expect(altered.configs).toContainEqual({ name: 'compression.type', value: 'gzip', source: 'topic' });
    expect(altered.configs.find((c) => c.name === 'retention.ms')?.source).toBe('default');

    expect((await samsa.topics.createPartitions(name, 4)).partitions).toHaveLength(4);

    await samsa.topics.delete(name);
    await expect(samsa.topics.describe(name)).rejects.toBeInstanceOf(NotFoundError);
  });

  it('reads offsets and deletes records', async () => {
    const name = uniqueTopic();
    await samsa.topics.create({ name, partitions: 2 });
    const producer = samsa.producer();
    await Promise.all(['a', 'b', 'c'].map((value) => producer.send({ topic: name, partition: 1, value })));
    await producer.close();

    expect(await samsa.topicOffsets(name)).toEqual([
      { partition: 0, logStartOffset: 0, highWatermark: 0 },
      { partition: 1, logStartOffset: 0, highWatermark: 3 },
    ]);
    expect(await samsa.listOffsets(name, 1, 'latest')).toMatchObject({ offset: 3, highWatermark: 3 });
    expect((await samsa.listOffsets(name, 1, 'earliest')).offset).toBe(0);
    expect((await samsa.listOffsets(name, 1, Date.now() + 60_000)).offset).toBeNull();

    expect(await samsa.deleteRecords(name, 1, 2)).toEqual({ logStartOffset: 2 });
    expect((await samsa.listOffsets(name, 1, 'earliest')).offset).toBe(2);
    const err = await samsa.fetchRecords({ topic: name, partition: 1, offset: 0 }).catch((e) => e);
    expect(err).toBeInstanceOf(OffsetOutOfRangeError);
    expect(err).toMatchObject({ logStartOffset: 2, highWatermark: 3, status: 416, retriable: false });
  });

  it('throws typed errors that carry the server code, status and request id', async () => {
    const name = uniqueTopic();
    await samsa.topics.create({ name });
    const exists = await samsa.topics.create({ name }).catch((e) => e);
    expect(exists).toBeInstanceOf(ConflictError);
    expect(exists).toMatchObject({ code: 'TOPIC_ALREADY_EXISTS', status: 409, retriable: false });
    expect(exists.requestId).toMatch(/^[0-9a-f-]{36}$/);

    await expect(samsa.topics.create({ name: 'bad name!' })).rejects.toMatchObject({ code: 'INVALID_TOPIC', status: 400 });
    await expect(samsa.topics.create({ name: 'bad name!' })).rejects.toBeInstanceOf(InvalidRequestError);
    await expect(samsa.topicOffsets(uniqueTopic('missing'))).rejects.toMatchObject({ code: 'UNKNOWN_TOPIC_OR_PARTITION', status: 404 });
  });

  it('serves health, naming the local WebSocket endpoint, and the OpenAPI document', async () => {
    const pushUrl = `${server.url.replace(/^http/, 'ws')}/v1/ws`;
    expect(await samsa.health()).toEqual({ status: 'ok', pushUrl });
    expect(await samsa.notificationsUrl()).toBe(pushUrl);
    expect((await samsa.openapi()).openapi).toMatch(/^3\.1/);
  });

  it('reports an unreachable server as a network error', async () => {
    const down = new Samsa({ url: `http://127.0.0.1:${await closedPort()}`, retry: { retries: 1, initialDelayMs: 1 } });
    const err = await down.topics.list().catch((e) => e);
    expect(err).toBeInstanceOf(SamsaNetworkError);
    expect(err.message).toMatch(/ECONNREFUSED/);
  });
});

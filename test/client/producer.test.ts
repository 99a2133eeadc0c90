import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asText, InvalidRequestError, NotFoundError, Samsa, SamsaError, SamsaNetworkError, type RecordMetadata } from '../../client';
import type { LocalServer } from '../../local/server';
import { countingFetch, startTestServer, uniqueTopic } from './server';

let server: LocalServer;
let samsa: Samsa;
beforeAll(async () => {
  server = await startTestServer();
  samsa = new Samsa({ url: server.url });
});
afterAll(() => server.close());

async function topic(partitions = 1, configs?: Record<string, string>): Promise<string> {
  const name = uniqueTopic();
  await samsa.topics.create({ name, partitions, ...(configs === undefined ? {} : { configs }) });
  return name;
}

async function readAll(name: string, partition: number) {
  const out = await samsa.fetchRecords({ topic: name, partition, offset: 0, maxRecords: 10_000 });
  return out.records;
}

const lostAnswer = () => Promise.reject(new TypeError('fetch failed'));
const produceCalls = (calls: { method: string; path: string }[]) => calls.filter((c) => c.method === 'POST' && c.path.endsWith('/records'));

describe('SDK producer', () => {
  it('batches many sends into few requests and keeps each partition in send order', async () => {
    const name = await topic(4);
    const { fetch, calls } = countingFetch();
    const producer = new Samsa({ url: server.url, fetch }).producer({ lingerMs: 20 });
    const sent = Array.from({ length: 1000 }, (_, i) => producer.send({ topic: name, key: `k${i % 10}`, value: `v${i}` }));
    const results = await Promise.all(sent);
    await producer.close();

    expect(produceCalls(calls).length).toBeLessThanOrEqual(2);
    expect(calls.filter((c) => c.path === '/v1/producers')).toHaveLength(1);
    expect(calls.filter((c) => c.method === 'GET' && c.path === `/v1/topics/${name}`)).toHaveLength(1);

    for (let partition = 0; partition < 4; partition++) {
      const log = await readAll(name, partition);
      const expected = results.map((r, i) => ({ r, i })).filter(({ r }) => r.partition === partition);
      expect(log.map((r) => asText(r.value))).toEqual(expected.map(({ i }) => `v${i}`));
      expect(log.map((r) => r.offset)).toEqual(expected.map(({ r }) => r.offset));
    }
  });

  it('puts keyed records on the partition the server (and Kafka) would choose', async () => {
    const name = await topic(7);
    const keys = Array.from({ length: 50 }, (_, i) => `customer-${i * 37}`);
    const producer = samsa.producer();
    const ours = await Promise.all(keys.map((key) => producer.send({ topic: name, key, value: 'x' })));
    const binaryKey = await producer.send({ topic: name, key: new Uint8Array([1, 2, 3, 250]), value: 'x' });
    const jsonKey = await producer.send({ topic: name, key: { json: { id: 7, tags: ['a'] } }, value: 'x' });
    await producer.close();

    const res = await fetch(`${server.url}/v1/topics/${name}/records`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        records: [
          ...keys.map((data) => ({ key: { type: 'STRING', data }, value: { type: 'STRING', data: 'y' } })),
          { key: { type: 'BINARY', data: 'AQID+g==' }, value: null },
          { key: { type: 'JSON', data: { id: 7, tags: ['a'] } }, value: null },
        ],
      }),
    });
    const server_ = (await res.json()) as { records: RecordMetadata[] };
    expect(server_.records.map((r) => r.partition)).toEqual([...ours, binaryKey, jsonKey].map((r) => r.partition));
    expect(new Set(ours.map((r) => r.partition)).size).toBeGreaterThan(3);
  });

  it('sends a burst of keyless records to one sticky partition', async () => {
    const name = await topic(8);
    const producer = samsa.producer();
    const results = await Promise.all(Array.from({ length: 30 }, (_, i) => producer.send({ topic: name, value: `v${i}` })));
    await producer.close();
    expect(new Set(results.map((r) => r.partition)).size).toBe(1);
  });

  it('round-trips string, binary and JSON values, headers and timestamps', async () => {
    const name = await topic();
    const producer = samsa.producer();
    const ts = new Date('2025-01-02T03:04:05Z');
    await Promise.all([
      producer.send({ topic: name, value: 'text', headers: { trace: 'abc', raw: new Uint8Array([0xff, 0x00]), nothing: null }, timestamp: ts }),
      producer.send({ topic: name, key: new Uint8Array([0, 1, 2]), value: new Uint8Array([9, 8, 7]) }),
      producer.send({ topic: name, value: { json: { total: 42, items: [1, 2] } } }),
      producer.send({ topic: name, value: null }),
      producer.send({ topic: name, value: { type: 'STRING', data: 'explicit' } }),
    ]);
    await producer.close();
    const [text, binary, json, tombstone, explicit] = await readAll(name, 0);
    expect(text).toMatchObject({ timestamp: ts.getTime(), key: null, value: { type: 'STRING', data: 'text' } });
    expect(text!.headers).toEqual([
      { name: 'trace', value: { type: 'STRING', data: 'abc' } },
      { name: 'raw', value: { type: 'BINARY', data: new Uint8Array([0xff, 0x00]) } },
      { name: 'nothing', value: null },
    ]);
    expect(binary).toMatchObject({ key: { type: 'BINARY', data: new Uint8Array([0, 1, 2]) }, value: { type: 'BINARY', data: new Uint8Array([9, 8, 7]) } });
    expect(json!.value).toEqual({ type: 'JSON', data: { total: 42, items: [1, 2] } });
    expect(tombstone!.value).toBeNull();
    expect(explicit!.value).toEqual({ type: 'STRING', data: 'explicit' });
  });

  it('retries a batch whose answer was lost and gets the original offsets, storing nothing twice', async () => {
    const name = await topic(2);
    let dropped = 0;
    const { fetch, calls } = countingFetch((call, response) =>
      call.path.endsWith('/records') && dropped++ === 0 ? lostAnswer() : response,
    );
    const producer = new Samsa({ url: server.url, fetch, retry: { initialDelayMs: 1 } }).producer();
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => producer.send({ topic: name, key: `k${i}`, value: `v${i}` })));
    await producer.close();

    expect(produceCalls(calls)).toHaveLength(2);
    const logs = [...(await readAll(name, 0)), ...(await readAll(name, 1))];
    expect(logs).toHaveLength(20);
    expect(new Set(logs.map((r) => asText(r.value))).size).toBe(20);
    for (const r of results) expect(r.offset).toBeLessThan(20);
  });

  it('does not retry a lost answer when idempotence is off', async () => {
    const name = await topic();
    let dropped = 0;
    const { fetch, calls } = countingFetch((call, response) => (call.path.endsWith('/records') && dropped++ === 0 ? lostAnswer() : response));
    const producer = new Samsa({ url: server.url, fetch }).producer({ idempotent: false });
    const err = await producer.send({ topic: name, value: 'once' }).catch((e) => e);
    await producer.close();
    expect(err).toBeInstanceOf(SamsaNetworkError);
    expect(produceCalls(calls)).toHaveLength(1);
    expect(calls.some((c) => c.path === '/v1/producers')).toBe(false);
    expect(await readAll(name, 0)).toHaveLength(1);
  });

  it('retries a retriable error answer and never a non-retriable one', async () => {
    const name = await topic(1, { 'max.message.bytes': '100' });
    let answered = 0;
    const { fetch, calls } = countingFetch((call, response) =>
      call.path.endsWith('/records') && answered++ === 0
        ? Response.json({ error: { code: 'THROTTLED', message: 'slow down', retriable: true, requestId: 'x' } }, { status: 429 })
        : response,
    );
    const producer = new Samsa({ url: server.url, fetch, retry: { initialDelayMs: 1 } }).producer();
    const [small, big, after] = await Promise.allSettled([
      producer.send({ topic: name, value: 'small' }),
      producer.send({ topic: name, value: 'x'.repeat(500) }),
      producer.send({ topic: name, value: 'after' }),
    ]);
    expect(small).toMatchObject({ status: 'fulfilled', value: { offset: 0 } });
    expect(after).toMatchObject({ status: 'fulfilled', value: { offset: 1 } });
    expect(big.status).toBe('rejected');
    const err = (big as PromiseRejectedResult).reason;
    expect(err).toBeInstanceOf(InvalidRequestError);
    expect(err).toMatchObject({ code: 'RECORD_TOO_LARGE', status: 413, retriable: false, details: { limit: 100 } });
    // The first answer was the injected 429; the retry settled everything; nothing was sent again for the big record.
    expect(produceCalls(calls)).toHaveLength(2);

    // Sequence numbers count only accepted records, so the producer goes on without an epoch change.
    // The retry was a duplicate (the server had written the first try): the offsets it reserved while
    // reading the producer state were closed at once and stay an aborted range readers skip.
    const later = await producer.send({ topic: name, value: 'later' });
    await producer.close();
    expect(calls.filter((c) => c.path === '/v1/producers')).toHaveLength(1);
    const read = await samsa.fetchRecords({ topic: name, partition: 0, offset: 0, maxRecords: 10_000 });
    expect(read.records.map((r) => [r.offset, asText(r.value)])).toEqual([[0, 'small'], [1, 'after'], [later.offset, 'later']]);
    expect(read.abortedRanges).toEqual(later.offset > 2 ? [{ from: 2, to: later.offset }] : []);
  });

  it('takes a new epoch after a batch failed with an unknown outcome, then produces again', async () => {
    const name = await topic();
    const { fetch, calls } = countingFetch((call, response) => (call.path.endsWith('/records') && call.index <= 4 ? lostAnswer() : response));
    const producer = new Samsa({ url: server.url, fetch, retry: { retries: 1, initialDelayMs: 1 } }).producer();
    const lost = await producer.send({ topic: name, value: 'maybe' }).catch((e) => e);
    expect(lost).toBeInstanceOf(SamsaNetworkError);
    const next = await producer.send({ topic: name, value: 'next' });
    await producer.close();
    expect(calls.filter((c) => c.path === '/v1/producers')).toHaveLength(2);
    const log = (await readAll(name, 0)).map((r) => asText(r.value));
    expect(log).toEqual(['maybe', 'next']);
    // Offsets reserved by retries that proved duplicates are aborted ranges, never records.
    expect(next.offset).toBeGreaterThanOrEqual(1);
  });

  it('rejects sends to an unknown topic, invalid arguments, and sends after close', async () => {
    const producer = samsa.producer();
    await expect(producer.send({ topic: uniqueTopic('missing'), value: 'x' })).rejects.toBeInstanceOf(NotFoundError);
    await expect(producer.send({ topic: 'x', value: 42 as never })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await producer.close();
    const closed = await producer.send({ topic: 'x', value: 'x' }).catch((e) => e);
    expect(closed).toBeInstanceOf(SamsaError);
    expect(closed.code).toBe('CLOSED');
  });

  it('flush sends open batches at once instead of waiting out the linger', async () => {
    const name = await topic();
    const producer = samsa.producer({ lingerMs: 60_000 });
    const pending = producer.send({ topic: name, value: 'now' });
    const started = Date.now();
    await producer.flush();
    expect(Date.now() - started).toBeLessThan(5_000);
    await expect(pending).resolves.toMatchObject({ offset: 0 });
    await producer.close();
  });
});

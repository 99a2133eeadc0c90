/**
 * Push delivery against the local stack (DynamoDB Local, real HTTP to a local
 * receiver): order, signatures, retries with persisted attempts, the
 * dead-letter topic, pause/resume and a crash between the 2xx and the commit.
 * Delivery runs are called directly here (what the stream trigger and the
 * scheduled wake-ups call); the wake-up scheduler only records its calls.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ANONYMOUS } from '../../lib/auth/authorize';
import { fetchRecords } from '../../lib/log/fetch';
import { DEAD_LETTER_HEADERS, SIGNATURE_HEADER } from '../../lib/protocol/subscription-types';
import { createSubscription } from '../../lib/subscriptions/create';
import { deliver, retryDelay } from '../../lib/subscriptions/deliver';
import { describeSubscription } from '../../lib/subscriptions/describe';
import { setSubscriptionState } from '../../lib/subscriptions/pause';
import { fetchTransport, type DeliveryPorts, type WebhookTransport } from '../../lib/subscriptions/ports';
import { verify } from '../../lib/subscriptions/signature';
import { createTestStack, uniqueName, type TestStack } from '../support/stack';
import { Receiver } from './receiver';

let stack: TestStack;
const receiver = new Receiver();
let url: string;
const wakes: { name: string; at: number }[] = [];
const ports: DeliveryPorts = { transport: fetchTransport, scheduler: { wakeAt: async (name, at) => void wakes.push({ name, at }) } };
const run = (name: string, p: DeliveryPorts = ports) => deliver(stack.lib, p, name, { deadline: Date.now() + 10_000 });

beforeAll(async () => {
  stack = await createTestStack();
  url = await receiver.start();
});
afterAll(() => receiver.stop());

async function setup(partitions: number, extra: { maxAttempts?: number; maxRecords?: number; retryBackoffMs?: number } = {}) {
  const topic = uniqueName();
  const dlq = uniqueName('dlq');
  for (const name of [topic, dlq]) expect((await stack.call('POST', '/v1/topics', { name, partitions })).status).toBe(201);
  const name = uniqueName('sub');
  const created = await createSubscription(stack.lib, ANONYMOUS, { name, topic, endpoint: url, deadLetterTopic: dlq, retryBackoffMs: 100, ...extra });
  return { topic, dlq, name, secret: created.secret };
}

async function produce(topic: string, values: string[], partition?: number) {
  const records = values.map((v) => ({ value: { type: 'STRING', data: v }, ...(partition === undefined ? {} : { partition }) }));
  const res = await stack.call('POST', `/v1/topics/${topic}/records`, { records });
  expect(res.status).toBe(200);
}

const forSub = (name: string) => receiver.received.filter((r) => r.json.subscription === name);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('push delivery', () => {
  it('delivers records produced after the create, per partition in order, signed with the secret', async () => {
    const { topic, name, secret } = await setup(2);
    await produce(topic, ['a0', 'a1', 'a2'], 0);
    await produce(topic, ['b0', 'b1'], 1);
    await produce(topic, ['a3'], 0);
    const report = await run(name);
    expect(report).toMatchObject({ outcome: 'delivered', delivered: 6, failures: 0 });
    const got = forSub(name);
    for (const r of got) {
      expect(verify(secret, r.body, String(r.headers[SIGNATURE_HEADER]), Math.floor(Date.now() / 1000))).toBe(true);
      expect(verify('whsec_wrong-secret-value', r.body, String(r.headers[SIGNATURE_HEADER]), Math.floor(Date.now() / 1000))).toBe(false);
    }
    const values = (p: number) => got.filter((r) => r.json.partition === p).flatMap((r) => r.json.records.map((x) => [x.offset, x.value?.data]));
    expect(values(0)).toEqual([[0, 'a0'], [1, 'a1'], [2, 'a2'], [3, 'a3']]);
    expect(values(1)).toEqual([[0, 'b0'], [1, 'b1']]);
    // Committed: a second run posts nothing.
    expect(await run(name)).toMatchObject({ delivered: 0 });
    expect(forSub(name)).toHaveLength(got.length);
    const d = await describeSubscription(stack.lib, ANONYMOUS, name);
    expect(d.partitions.map((p) => [p.partition, p.committedOffset, p.lag])).toEqual([[0, 4, 0], [1, 2, 0]]);
  });

  it('retries a receiver that answers 500 twice, keeps the attempt count across runs, then delivers', async () => {
    const { topic, name } = await setup(1, { retryBackoffMs: 500 });
    await produce(topic, ['x']);
    receiver.script = [500, 500];
    expect(await run(name)).toMatchObject({ delivered: 0, failures: 1 });
    let d = await describeSubscription(stack.lib, ANONYMOUS, name);
    expect(d.partitions[0]).toMatchObject({ committedOffset: 0, attempts: 1, lastError: 'HTTP 500' });
    expect(wakes.filter((w) => w.name === name)).toHaveLength(1);
    // Before the backoff is over, a run does not post.
    expect(await run(name)).toMatchObject({ delivered: 0, failures: 0 });
    await sleep(retryDelay(500, 1) + 20);
    expect(await run(name)).toMatchObject({ delivered: 0, failures: 1 });
    d = await describeSubscription(stack.lib, ANONYMOUS, name);
    expect(d.partitions[0]).toMatchObject({ attempts: 2 });
    await sleep(retryDelay(500, 2) + 20);
    expect(await run(name)).toMatchObject({ delivered: 1 });
    d = await describeSubscription(stack.lib, ANONYMOUS, name);
    expect(d.partitions[0]).toMatchObject({ committedOffset: 1, attempts: 0, lastError: null });
    expect(forSub(name)).toHaveLength(3);
  });

  it('dead-letters a batch after maxAttempts with the documented headers, and moves on', async () => {
    const { topic, dlq, name } = await setup(1, { maxAttempts: 2 });
    await produce(topic, ['bad1', 'bad2']);
    receiver.script = [503, 503];
    expect(await run(name)).toMatchObject({ failures: 1 });
    await sleep(retryDelay(100, 1) + 20);
    expect(await run(name)).toMatchObject({ deadLettered: 2 });
    const out = await fetchRecords(stack.lib, ANONYMOUS, { topic: dlq, partition: 0, offset: 0, maxRecords: 10, maxBytes: 1_000_000, maxWaitMs: 0 });
    expect(out.records.map((r) => Buffer.from(r.value!).toString())).toEqual(['bad1', 'bad2']);
    const headers = Object.fromEntries(out.records[1]!.headers.map((h) => [h.key, Buffer.from(h.value!).toString()]));
    expect(headers).toEqual({
      [DEAD_LETTER_HEADERS.error]: 'HTTP 503',
      [DEAD_LETTER_HEADERS.attempts]: '2',
      [DEAD_LETTER_HEADERS.subscription]: name,
      [DEAD_LETTER_HEADERS.topic]: topic,
      [DEAD_LETTER_HEADERS.partition]: '0',
      [DEAD_LETTER_HEADERS.offset]: '1',
    });
    // The subscription moved on: the next record is delivered.
    await produce(topic, ['good']);
    expect(await run(name)).toMatchObject({ delivered: 1 });
    expect(forSub(name).at(-1)!.json.records.map((r) => r.offset)).toEqual([2]);
  });

  it('a run out of time with records left hands over to a wake-up at once, so a backlog never waits for the next produce', async () => {
    const { topic, name } = await setup(1, { maxRecords: 2 });
    await produce(topic, ['b0', 'b1', 'b2', 'b3', 'b4']);
    const before = wakes.length;
    // A run whose time is up before its first round (a backlog bigger than one run's budget, in short).
    const t0 = Date.now();
    await deliver(stack.lib, ports, name, { deadline: t0 });
    expect(forSub(name)).toEqual([]);
    expect(wakes.slice(before)).toEqual([{ name, at: expect.any(Number) }]);
    expect(wakes.at(-1)!.at).toBeLessThanOrEqual(Date.now());
    // The wake-up's run finds the lease free and delivers everything.
    expect((await run(name)).delivered).toBe(5);
    expect(forSub(name).flatMap((r) => r.json.records.map((x) => x.value?.data))).toEqual(['b0', 'b1', 'b2', 'b3', 'b4']);
  });

  it('pause stops delivery; resume continues from the committed offset', async () => {
    const { topic, name } = await setup(1);
    await produce(topic, ['p0']);
    expect(await run(name)).toMatchObject({ delivered: 1 });
    await setSubscriptionState(stack.lib, ANONYMOUS, name, 'PAUSED');
    await produce(topic, ['p1', 'p2']);
    expect(await run(name)).toMatchObject({ outcome: 'paused', delivered: 0 });
    await setSubscriptionState(stack.lib, ANONYMOUS, name, 'ACTIVE');
    expect(await run(name)).toMatchObject({ delivered: 2 });
    expect(forSub(name).flatMap((r) => r.json.records.map((x) => x.offset))).toEqual([0, 1, 2]);
  });

  it('a transport that fails after the receiver got the batch counts an attempt and redelivers it', async () => {
    const { topic, name } = await setup(1);
    await produce(topic, ['c0', 'c1']);
    // The transport delivers, then the run dies before it can commit.
    const crashing: WebhookTransport = {
      async post(req) {
        await fetchTransport.post(req);
        throw Object.assign(new Error('process crashed'), { name: 'Crash' });
      },
    };
    // A crash of the transport is, to the run, a failed attempt; so is a real crash (the lease then runs out).
    await run(name, { ...ports, transport: crashing });
    await sleep(retryDelay(100, 1) + 20);
    expect(await run(name)).toMatchObject({ delivered: 2 });
    const offsets = forSub(name).map((r) => r.json.records.map((x) => x.offset));
    expect(offsets).toEqual([[0, 1], [0, 1]]);
    const d = await describeSubscription(stack.lib, ANONYMOUS, name);
    expect(d.partitions[0]).toMatchObject({ committedOffset: 2, lag: 0 });
  });

  it('a run that dies after the 2xx, before its commit lands, redelivers on the next run and loses nothing', async () => {
    const { topic, name } = await setup(1);
    await produce(topic, ['k0', 'k1']);
    // The commit's UpdateItem fails as if the process died there: the receiver already answered 200.
    const real = stack.lib.ddb;
    const dying = {
      ...stack.lib,
      ddb: {
        send: (cmd: { input: { Key?: { sk?: unknown }; UpdateExpression?: string } }) => {
          const commit = String(cmd.input.Key?.sk).startsWith('commit#') && String(cmd.input.UpdateExpression).startsWith('SET #offset = :o');
          if (commit) return Promise.reject(new Error('process died'));
          return real.send(cmd as never);
        },
      } as unknown as typeof real,
    };
    await expect(deliver(dying, ports, name, { deadline: Date.now() + 10_000 })).rejects.toThrow(/commit refused/);
    expect(forSub(name).map((r) => r.json.records.map((x) => x.offset))).toEqual([[0, 1]]);
    expect((await describeSubscription(stack.lib, ANONYMOUS, name)).partitions[0]).toMatchObject({ committedOffset: 0, attempts: 0 });
    expect(await run(name)).toMatchObject({ delivered: 2, failures: 0 });
    expect(forSub(name).map((r) => r.json.records.map((x) => x.offset))).toEqual([[0, 1], [0, 1]]);
    expect((await describeSubscription(stack.lib, ANONYMOUS, name)).partitions[0]).toMatchObject({ committedOffset: 2, lag: 0 });
  });

  it('one run at a time: a concurrent run leaves a wake-up and the holder delivers what it brought', async () => {
    const { topic, name } = await setup(1);
    await produce(topic, ['w0']);
    const [a, b] = await Promise.all([run(name), run(name)]);
    expect([a.outcome, b.outcome].sort()).toEqual(['busy', 'delivered']);
    expect(a.delivered + b.delivered).toBe(1);
  });
});

/**
 * End to end on the local stack, as `npm start` runs it: produce over HTTP →
 * DynamoDB Local's stream (local/streams.ts) → the delivery handler
 * (local/subscriptions.ts, the same the Lambda runs) → a local webhook; a
 * failing receiver is retried by a scheduled wake-up, not by the next produce.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lagSnapshot } from '../../lib/groups/lag-snapshot';
import { localCredentials } from '../../lib/storage/client';
import { subscriptionGroup } from '../../lib/subscriptions/items';
import { verify } from '../../lib/subscriptions/signature';
import { SIGNATURE_HEADER } from '../../lib/protocol/subscription-types';
import { startStreamConsumers, type StreamConsumers } from '../../local/streams';
import { localDelivery, type LocalDelivery } from '../../local/subscriptions';
import { createTestStack, uniqueName, type TestStack } from '../support/stack';
import { Receiver } from './receiver';

let stack: TestStack;
let consumers: StreamConsumers;
let delivery: LocalDelivery;
const receiver = new Receiver();
let url: string;

beforeAll(async () => {
  stack = await createTestStack();
  url = await receiver.start();
  delivery = localDelivery(stack.lib);
  // As npm start wires it (local/start.ts): resume starts a delivery run.
  stack.deps.wakeSubscription = (name) => delivery.wake(name);
  consumers = await startStreamConsumers({ endpoint: stack.endpoint, tableName: stack.tables.log, credentials: localCredentials() }, [delivery.handler]);
});
afterAll(async () => {
  await consumers?.stop();
  delivery?.stop();
  await receiver.stop();
});

async function until(check: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 25));
  }
}

async function setup(partitions: number) {
  const topic = uniqueName();
  const dlq = uniqueName('dlq');
  for (const name of [topic, dlq]) expect((await stack.call('POST', '/v1/topics', { name, partitions })).status).toBe(201);
  const name = uniqueName('sub');
  const res = await stack.call('POST', '/v1/subscriptions', { name, topic, endpoint: url, deadLetterTopic: dlq, retryBackoffMs: 200 });
  expect(res.status).toBe(201);
  return { topic, name, secret: res.body.secret as string };
}

const str = (s: string) => ({ type: 'STRING', data: s });
const forSub = (name: string) => receiver.received.filter((r) => r.json.subscription === name);

describe('stream-triggered delivery', () => {
  it('posts each produce to the webhook, signed, in order per partition', async () => {
    const { topic, name, secret } = await setup(2);
    for (let i = 0; i < 5; i++) {
      const res = await stack.call('POST', `/v1/topics/${topic}/records`, { records: [{ partition: i % 2, value: str(`v${i}`) }] });
      expect(res.status).toBe(200);
    }
    const count = () => forSub(name).reduce((n, r) => n + r.json.records.length, 0);
    await until(() => count() >= 5);
    const seen = (p: number) => forSub(name).filter((r) => r.json.partition === p).flatMap((r) => r.json.records.map((x) => x.value?.data));
    expect(seen(0)).toEqual(['v0', 'v2', 'v4']);
    expect(seen(1)).toEqual(['v1', 'v3']);
    for (const r of forSub(name)) expect(verify(secret, r.body, String(r.headers[SIGNATURE_HEADER]), Math.floor(Date.now() / 1000))).toBe(true);
    // Its consumer group is one the lag publisher reports (ConsumerLag, group subscription.<name>).
    const lag = (await lagSnapshot(stack.lib)).find((s) => s.group === subscriptionGroup(name));
    expect(lag?.topics.map((t) => t.topic)).toEqual([topic]);
  });

  it('delivers what was produced while paused as soon as it is resumed, without another produce', async () => {
    const { topic, name } = await setup(1);
    expect((await stack.call('POST', `/v1/subscriptions/${name}/pause`)).body.state).toBe('PAUSED');
    for (const v of ['p1', 'p2']) expect((await stack.call('POST', `/v1/topics/${topic}/records`, { records: [{ value: str(v) }] })).status).toBe(200);
    // The stream ran delivery for those produces; paused, it posted nothing.
    await new Promise((r) => setTimeout(r, 1_500));
    expect(forSub(name)).toEqual([]);
    expect((await stack.call('POST', `/v1/subscriptions/${name}/resume`)).body.state).toBe('ACTIVE');
    await until(() => forSub(name).reduce((n, r) => n + r.json.records.length, 0) >= 2);
    expect(forSub(name).flatMap((r) => r.json.records.map((x) => x.value?.data))).toEqual(['p1', 'p2']);
  });

  it('retries a failing receiver on a scheduled wake-up, without another produce', async () => {
    const { topic, name } = await setup(1);
    receiver.script = [500];
    expect((await stack.call('POST', `/v1/topics/${topic}/records`, { records: [{ value: str('retry-me') }] })).status).toBe(200);
    await until(() => forSub(name).length >= 2);
    expect(forSub(name).map((r) => r.json.records[0]!.offset)).toEqual([0, 0]);
    // The commit follows the 2xx.
    let d = await stack.call('GET', `/v1/subscriptions/${name}`);
    for (let i = 0; i < 100 && d.body.partitions[0].committedOffset !== 1; i++) {
      await new Promise((r) => setTimeout(r, 25));
      d = await stack.call('GET', `/v1/subscriptions/${name}`);
    }
    expect(d.body.partitions[0]).toMatchObject({ committedOffset: 1, attempts: 0, lastError: null });
  });
});

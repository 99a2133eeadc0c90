/**
 * The SDK's partition consumer waiting on WebSocket notifications, on the
 * local stack (HTTP API + ws endpoint + fan-out from DynamoDB Local's stream):
 * prompt delivery, a dropped notification recovered by the safety poll, and a
 * reconnect after the server closed the socket.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { Notifications, Samsa, type WebSocketConstructor } from '../../client';
import type { LocalServer } from '../../local/server';
import { startPushStack, type PushStack } from '../support/push-stack';
import { uniqueName, type TestStack } from '../support/stack';

let stack: TestStack;
let server: LocalServer;
let push: PushStack;
let samsa: Samsa;
let notifications: Notifications;

beforeAll(async () => {
  push = await startPushStack();
  ({ stack, server } = push);
  samsa = new Samsa({ url: server.url });
  notifications = new Notifications({
    url: push.wsUrl,
    WebSocket: WebSocket as unknown as WebSocketConstructor,
    minBackoffMs: 50,
  });
});
afterAll(async () => {
  notifications?.close();
  await push?.close();
});

async function consumerOn(safetyPollMs: number) {
  const topic = uniqueName();
  await samsa.topics.create({ name: topic, partitions: 1 });
  const consumer = samsa.partitionConsumer({ topic, partition: 0, offset: 'latest', notifications, safetyPollMs });
  const it = consumer[Symbol.asyncIterator]();
  const first = it.next();
  // Caught up and subscribed: the consumer now waits on a notification.
  const start = Date.now();
  while (!(await subscribed(topic)) && Date.now() - start < 5000) await new Promise((r) => setTimeout(r, 20));
  return { topic, consumer, first };
}

async function subscribed(topic: string): Promise<boolean> {
  const id = await samsa.topics.describe(topic).then((d) => d.topicId);
  const { QueryCommand } = await import('@aws-sdk/lib-dynamodb');
  const out = await stack.lib.ddb.send(
    new QueryCommand({ TableName: stack.tables.meta, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': `push#sub#${id}#0` } }),
  );
  return (out.Items ?? []).length > 0;
}

const produce = (topic: string, value: string) => samsa.producer().send({ topic, partition: 0, value });

describe('partition consumer on notifications', () => {
  it('gets a record produced while it waits, without a long poll, well before its safety poll', async () => {
    const { topic, consumer, first } = await consumerOn(20_000);
    const t0 = Date.now();
    await produce(topic, 'a');
    const batch = await first;
    expect(batch.value?.records.map((r: { offset: number }) => r.offset)).toEqual([0]);
    expect(Date.now() - t0).toBeLessThan(5000);
    await consumer.close();
  });

  it('recovers a lost notification with the safety poll', async () => {
    const { topic, consumer, first } = await consumerOn(1500);
    push.drop = true;
    const before = push.sends;
    await produce(topic, 'a');
    const batch = await first;
    push.drop = false;
    expect(push.sends).toBe(before);
    expect(batch.value?.records).toHaveLength(1);
    await consumer.close();
  });

  it('reconnects after the server closes the socket, subscribes again and is notified', async () => {
    const { topic, consumer, first } = await consumerOn(20_000);
    const opened = notifications.connections;
    for (const ws of server.push.connections.values()) ws.close(1001, 'Going away');
    const start = Date.now();
    while (notifications.connections === opened && Date.now() - start < 5000) await new Promise((r) => setTimeout(r, 20));
    expect(notifications.connections).toBe(opened + 1);
    while (!(await subscribed(topic)) && Date.now() - start < 5000) await new Promise((r) => setTimeout(r, 20));
    const t0 = Date.now();
    await produce(topic, 'a');
    expect((await first).value?.records).toHaveLength(1);
    expect(Date.now() - t0).toBeLessThan(5000);
    await consumer.close();
  });
});

/**
 * WebSocket notifications end to end on the local stack: the `ws` endpoint
 * (local/websocket.ts) calling the same handlers as API Gateway, and the
 * fan-out driven by DynamoDB Local's own stream (local/streams.ts).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { fanOutHandler } from '../../functions/push/handlers';
import { storeApiKey } from '../../lib/auth/keys';
import { pushKeys } from '../../lib/push/registry';
import { connect } from '../../lib/push/connect';
import { fanOut } from '../../lib/push/fan-out';
import { subscribe } from '../../lib/push/subscribe';
import type { PushServerMessage } from '../../lib/protocol/push';
import { localCredentials } from '../../lib/storage/client';
import { startStreamConsumers, type StreamConsumers } from '../../local/streams';
import { attachWebSocket, WEBSOCKET_PATH, type LocalWebSocket } from '../../local/websocket';
import { createTestStack, uniqueName, type TestStack } from '../support/stack';

const str = (data: string) => ({ type: 'STRING', data });
let stack: TestStack;
let server: Server;
let socket: LocalWebSocket;
let consumers: StreamConsumers;
let url: string;
let adminKey: string;
let aliceKey: string;
let topic: string;
let secret: string;

beforeAll(async () => {
  stack = await createTestStack({ auth: { mode: 'api-keys', cacheMs: 0 } });
  adminKey = (await storeApiKey(stack.lib, { principal: 'admin' }, 'test')).apiKey;
  aliceKey = (await storeApiKey(stack.lib, { principal: 'alice' }, 'test')).apiKey;
  topic = uniqueName();
  secret = uniqueName();
  for (const name of [topic, secret]) expect((await admin('POST', '/v1/topics', { name, partitions: 2 })).status).toBe(201);
  expect((await admin('POST', '/v1/acls', { principal: 'alice', resourceType: 'topic', resourceName: topic, operation: 'read' })).status).toBe(201);
  server = createServer();
  socket = attachWebSocket(server, stack.deps);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}${WEBSOCKET_PATH}`;
  consumers = await startStreamConsumers({ endpoint: stack.endpoint, tableName: stack.tables.log, credentials: localCredentials() }, [
    fanOutHandler(stack.deps, socket.send),
  ]);
});
afterAll(async () => {
  await consumers?.stop();
  await socket?.close();
  server?.close();
});

function admin(method: string, path: string, body?: unknown) {
  return stack.call(method, path, body, { authorization: `Bearer ${adminKey}` });
}

/** Opens a socket; resolves with it and a queue of parsed server messages. */
function open(key: string | undefined): Promise<{ ws: WebSocket; next: () => Promise<PushServerMessage> }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, key === undefined ? {} : { headers: { authorization: `Bearer ${key}` } });
    const inbox: PushServerMessage[] = [];
    const waiters: ((m: PushServerMessage) => void)[] = [];
    ws.on('message', (data) => {
      const m = JSON.parse(data.toString()) as PushServerMessage;
      const w = waiters.shift();
      if (w) w(m);
      else inbox.push(m);
    });
    const next = () =>
      new Promise<PushServerMessage>((res, rej) => {
        const m = inbox.shift();
        if (m) return res(m);
        const t = setTimeout(() => rej(new Error('no message within 5 s')), 5000);
        waiters.push((x) => (clearTimeout(t), res(x)));
      });
    ws.on('open', () => resolve({ ws, next }));
    ws.on('unexpected-response', (_req, res) => reject(Object.assign(new Error('refused'), { status: res.statusCode })));
    ws.on('error', reject);
  });
}

describe('WebSocket notifications', () => {
  it('refuse to connect without a valid key', async () => {
    await expect(open('samsa_not-a-key')).rejects.toMatchObject({ status: 401 });
    await expect(open(undefined)).rejects.toMatchObject({ status: 401 });
  });

  it('refuse a subscription without ACL read, and a malformed message, with an error message', async () => {
    const { ws, next } = await open(aliceKey);
    ws.send(JSON.stringify({ action: 'subscribe', topic: secret, id: 'a' }));
    expect(await next()).toMatchObject({ type: 'error', code: 'AUTHORIZATION_FAILED', id: 'a' });
    ws.send('{"action":"subscribe"}');
    expect(await next()).toMatchObject({ type: 'error', code: 'INVALID_REQUEST' });
    ws.send(JSON.stringify({ action: 'subscribe', topic, partitions: [9] }));
    expect(await next()).toMatchObject({ type: 'error', code: 'UNKNOWN_TOPIC_OR_PARTITION' });
    ws.send(JSON.stringify({ action: 'ping', id: 'p' }));
    expect(await next()).toEqual({ type: 'pong', id: 'p' });
    ws.close();
  });

  it('notify a subscriber of a produce with the new high watermark, then forget it when it disconnects', async () => {
    const { ws, next } = await open(aliceKey);
    ws.send(JSON.stringify({ action: 'subscribe', topic, partitions: [1] }));
    expect(await next()).toEqual({ type: 'subscribed', topic, partitions: [1] });
    const connectionId = [...socket.connections.keys()].find((id) => socket.connections.get(id)?.readyState === WebSocket.OPEN);
    expect(connectionId).toBeDefined();
    await admin('POST', `/v1/topics/${topic}/records`, { records: [{ partition: 1, value: str('a') }, { partition: 1, value: str('b') }] });
    expect(await next()).toEqual({ type: 'notify', topic, partition: 1, highWatermark: 2 });

    ws.close();
    const topicId = (await admin('GET', `/v1/topics/${topic}`)).body.topicId as string;
    const row = () =>
      Promise.all([
        stack.lib.ddb.send(new GetCommand({ TableName: stack.tables.meta, Key: pushKeys.connection(connectionId!) })),
        stack.lib.ddb.send(new GetCommand({ TableName: stack.tables.meta, Key: pushKeys.subscription(topicId, 1, connectionId!) })),
      ]).then(([c, s]) => c.Item ?? s.Item);
    const start = Date.now();
    while ((await row()) !== undefined && Date.now() - start < 5000) await new Promise((r) => setTimeout(r, 50));
    expect(await row()).toBeUndefined();
  });

  it('fan-out removes a connection the send port reports gone, so it is not sent to again', async () => {
    await connect(stack.lib, 'gone-1', { name: 'alice' });
    await subscribe(stack.lib, 'gone-1', topic, [0]);
    const topicId = (await admin('GET', `/v1/topics/${topic}`)).body.topicId as string;
    const sent: string[] = [];
    const first = await fanOut(stack.lib, [{ topicId, partition: 0, highWatermark: 1 }], async (id) => (sent.push(id), 'gone'));
    expect(first).toEqual({ sent: 0, gone: 1, failed: 0 });
    const again = await fanOut(stack.lib, [{ topicId, partition: 0, highWatermark: 2 }], async (id) => (sent.push(id), 'sent'));
    expect(again.sent).toBe(0);
    expect(sent).toEqual(['gone-1']);
    const item = await stack.lib.ddb.send(new GetCommand({ TableName: stack.tables.meta, Key: pushKeys.connection('gone-1') }));
    expect(item.Item).toBeUndefined();
  });
});

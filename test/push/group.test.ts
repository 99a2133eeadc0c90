/**
 * Group members on notifications, on the local stack (HTTP API + ws endpoint
 * + fan-out from DynamoDB Local's stream): the SDK group consumer is woken by
 * a notification, recovers a lost one by its safety poll (its heartbeat while
 * linked), a linked member leaves at once when its socket ends, and fencing
 * of ended incarnations is untouched by links.
 */
import { GetCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { Notifications, Samsa, type ConsumedRecord, type WebSocketConstructor } from '../../client';
import type { PushServerMessage } from '../../lib/protocol/push';
import { metaKeys } from '../../lib/storage/keys';
import type { LocalServer } from '../../local/server';
import { startPushStack, type PushStack } from '../support/push-stack';
import { uniqueName, type TestStack } from '../support/stack';

let stack: TestStack;
let server: LocalServer;
let push: PushStack;
let samsa: Samsa;
let wsUrl: string;
/** HTTP requests to group poll and heartbeat routes. */
let groupRequests = 0;

beforeAll(async () => {
  push = await startPushStack();
  ({ stack, server } = push);
  const counting: typeof fetch = (input, init) => {
    if (/\/v1\/groups\/[^/]+\/(poll|heartbeat)$/.test(String(input))) groupRequests++;
    return fetch(input, init);
  };
  samsa = new Samsa({ url: server.url, fetch: counting });
  wsUrl = push.wsUrl;
});
afterAll(async () => {
  await push?.close();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until(condition: () => boolean | Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await sleep(20);
  }
}

const notificationsClient = () => new Notifications({ url: wsUrl, WebSocket: WebSocket as unknown as WebSocketConstructor, minBackoffMs: 50 });

const member = (group: string, memberId: string) =>
  stack.lib.ddb.send(new GetCommand({ TableName: stack.tables.meta, Key: metaKeys.member(group, memberId), ConsistentRead: true })).then((o) => o.Item);

async function linkedConnections(group: string, memberId: string): Promise<number> {
  const out = await stack.lib.ddb.send(new ScanCommand({ TableName: stack.tables.meta, ConsistentRead: true }));
  return (out.Items ?? []).filter((i) => i.links instanceof Set && [...i.links].some((l) => String(l).startsWith(`${group}#${memberId}#`))).length;
}

/** A consumer that is linked and past its rebalance window: it now waits on notifications. */
async function quietMember(connectedSessionTimeoutMs: number) {
  const topic = uniqueName();
  const groupId = uniqueName();
  await samsa.topics.create({ name: topic, partitions: 1 });
  const notifications = notificationsClient();
  const got: ConsumedRecord[] = [];
  const consumer = samsa.consumer({ groupId, topics: [topic], notifications, connectedSessionTimeoutMs, rebalanceTimeoutMs: 1_000, maxWaitMs: 500 });
  const run = consumer.run({ eachMessage: ({ message }) => void got.push(message) });
  await until(() => consumer.assignment().length === 1);
  await until(() => notifications.linked(groupId, consumer.memberId));
  await sleep(1_800); // past the rebalance window: the next poll asks for the connected session timeout
  await until(async () => (await member(groupId, consumer.memberId))?.sessionTimeoutMs === connectedSessionTimeoutMs);
  return { topic, groupId, consumer, run, got, notifications };
}

describe('group consumer on notifications', () => {
  it('is woken by a notification well before its safety poll, and polls no more than that while idle', async () => {
    const m = await quietMember(60_000); // a poll every 20 s while linked
    const before = groupRequests;
    await sleep(1_500);
    expect(groupRequests - before).toBeLessThanOrEqual(1); // no long polls while waiting
    const t0 = Date.now();
    await samsa.producer().send({ topic: m.topic, partition: 0, value: 'a' });
    await until(() => m.got.length === 1, 5_000);
    expect(Date.now() - t0).toBeLessThan(5_000);
    await m.consumer.close();
    await m.run;
    m.notifications.close();
  });

  it('recovers a lost notification with its safety poll', async () => {
    const m = await quietMember(6_000); // a poll every 2 s while linked
    push.drop = true;
    const before = push.sends;
    try {
      await samsa.producer().send({ topic: m.topic, partition: 0, value: 'a' });
      await until(() => m.got.length === 1, 6_000);
      expect(push.sends).toBe(before); // nothing was sent: the safety poll found it
    } finally {
      push.drop = false;
    }
    await m.consumer.close();
    await m.run;
    m.notifications.close();
  });

  it('leaves the group at once when its socket ends, and re-joins as a new incarnation', async () => {
    const m = await quietMember(600_000);
    const old = (await member(m.groupId, m.consumer.memberId))!;
    // The server ends every connection (as API Gateway after 2 h, or a dropped network).
    const t0 = Date.now();
    for (const ws of server.push.connections.values()) ws.close(1001, 'Going away');
    await until(async () => {
      const now = await member(m.groupId, m.consumer.memberId);
      return now === undefined || now.joinEpoch > old.epoch;
    }, 5_000);
    const removedAfter = Date.now() - t0;
    expect(removedAfter).toBeLessThan(5_000); // not its 10-minute session timeout
    // The SDK re-joins (a new incarnation, above the old one's epochs) and links again.
    await until(async () => ((await member(m.groupId, m.consumer.memberId))?.joinEpoch ?? 0) > old.epoch);
    await until(() => m.notifications.linked(m.groupId, m.consumer.memberId));
    await m.consumer.close();
    await m.run;
    m.notifications.close();
  });
});

describe('links and fencing (raw protocol)', () => {
  async function heartbeat(group: string, body: Record<string, unknown>) {
    const res = await fetch(`${server.url}/v1/groups/${group}/heartbeat`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as { memberEpoch?: number; error?: { code: string } } };
  }
  async function socket() {
    const ws = new WebSocket(wsUrl);
    const inbox: PushServerMessage[] = [];
    ws.on('message', (d) => inbox.push(JSON.parse(String(d)) as PushServerMessage));
    await new Promise((r) => ws.once('open', r));
    const ask = async (message: Record<string, unknown>) => {
      const id = Math.random().toString(36).slice(2);
      ws.send(JSON.stringify({ ...message, id }));
      await until(() => inbox.some((m) => 'id' in m && m.id === id));
      return inbox.find((m) => 'id' in m && m.id === id)!;
    };
    return { ws, ask };
  }

  it('refuses a link of an ended incarnation, and an old link never removes the new incarnation', async () => {
    const topic = uniqueName();
    const group = uniqueName();
    await samsa.topics.create({ name: topic, partitions: 1 });
    const joined = await heartbeat(group, { memberId: 'm1', memberEpoch: 0, topics: [topic] });
    const e1 = joined.body.memberEpoch!;
    const a = await socket();
    expect(await a.ask({ action: 'link', group, memberId: 'm1', memberEpoch: e1 })).toMatchObject({ type: 'linked' });
    expect(await linkedConnections(group, 'm1')).toBe(1);

    // The member leaves and joins again: a new incarnation, epochs above e1.
    await heartbeat(group, { memberId: 'm1', memberEpoch: -1 });
    const rejoined = await heartbeat(group, { memberId: 'm1', memberEpoch: 0, topics: [topic] });
    const e2 = rejoined.body.memberEpoch!;
    expect(e2).toBeGreaterThan(e1);
    // The old incarnation is still refused everywhere: heartbeats and links.
    expect((await heartbeat(group, { memberId: 'm1', memberEpoch: e1, topics: [topic] })).body.error?.code).toBe('FENCED_MEMBER_EPOCH');
    const b = await socket();
    expect(await b.ask({ action: 'link', group, memberId: 'm1', memberEpoch: e1 })).toMatchObject({ type: 'error', code: 'FENCED_MEMBER_EPOCH' });
    expect(await b.ask({ action: 'link', group, memberId: 'nobody', memberEpoch: 1 })).toMatchObject({ type: 'error', code: 'UNKNOWN_MEMBER_ID' });
    expect(await b.ask({ action: 'link', group: 'bad/name', memberId: 'm1', memberEpoch: 1 })).toMatchObject({ type: 'error', code: 'INVALID_GROUP_ID' });

    // The old connection (linked to e1) ends: the new incarnation stays.
    a.ws.close();
    await sleep(500);
    expect((await member(group, 'm1'))?.epoch).toBe(e2);
    expect((await heartbeat(group, { memberId: 'm1', memberEpoch: e2, topics: [topic] })).status).toBe(200);

    // Linked with its own epoch, its connection's end removes it at once; an unlinked one would stay.
    expect(await b.ask({ action: 'link', group, memberId: 'm1', memberEpoch: e2 })).toMatchObject({ type: 'linked' });
    expect(await b.ask({ action: 'unlink', group, memberId: 'm1' })).toMatchObject({ type: 'unlinked' });
    expect(await b.ask({ action: 'link', group, memberId: 'm1', memberEpoch: e2 })).toMatchObject({ type: 'linked' });
    b.ws.close();
    await until(async () => (await member(group, 'm1')) === undefined, 5_000);
    expect((await heartbeat(group, { memberId: 'm1', memberEpoch: e2, topics: [topic] })).body.error?.code).toBe('UNKNOWN_MEMBER_ID');
  });

  it('an unlinked connection ends without touching the member', async () => {
    const topic = uniqueName();
    const group = uniqueName();
    await samsa.topics.create({ name: topic, partitions: 1 });
    const e = (await heartbeat(group, { memberId: 'm', memberEpoch: 0, topics: [topic] })).body.memberEpoch!;
    const c = await socket();
    await c.ask({ action: 'link', group, memberId: 'm', memberEpoch: e });
    await c.ask({ action: 'unlink', group, memberId: 'm' });
    c.ws.close();
    await sleep(500);
    expect((await member(group, 'm'))?.epoch).toBe(e);
  });
});

describe('connection rotation', () => {
  it('replaces the socket before its lifetime ends without making a linked member leave', async () => {
    const topic = uniqueName();
    const group = uniqueName();
    await samsa.topics.create({ name: topic, partitions: 1 });
    const res = await fetch(`${server.url}/v1/groups/${group}/heartbeat`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ memberId: 'r', memberEpoch: 0, topics: [topic] }),
    });
    const epoch = ((await res.json()) as { memberEpoch: number }).memberEpoch;
    const n = new Notifications({ url: wsUrl, WebSocket: WebSocket as unknown as WebSocketConstructor, rotateAfterMs: 1_500 });
    await until(() => n.connected);
    expect(await n.link(group, 'r', epoch)).toBe(true);
    await until(() => n.connections >= 2 && n.linked(group, 'r'), 5_000);
    await sleep(500); // the old socket unlinked and closed; its $disconnect ran
    expect((await member(group, 'r'))?.epoch).toBe(epoch);
    expect(await linkedConnections(group, 'r')).toBe(1);
    n.close();
    await until(async () => (await member(group, 'r')) === undefined, 5_000);
  });
});

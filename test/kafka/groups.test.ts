/**
 * Classic-protocol consumer groups on Samsa's server-side assignment: KafkaJS
 * members that join and leave rebalance through REBALANCE_IN_PROGRESS and
 * rejoins, every record reaches some member, and the HTTP API sees them.
 */
import { Kafka, logLevel, type Consumer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startKafkaGateway } from '../../kafka/server';
import { uniqueName } from '../support/stack';
import { createKafkaStack, createTopic, type KafkaStack } from './gateway';

let k: KafkaStack;

beforeAll(async () => {
  k = await createKafkaStack();
});

/**
 * One Kafka instance per member, as separate processes would have: KafkaJS shares committed
 * offsets between the consumers of one instance, and a member joining clears another's.
 */
function client(): Kafka {
  return new Kafka({ clientId: 'group-test', brokers: [k.bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 5, initialRetryTime: 100 } });
}
afterAll(async () => {
  await k?.close();
});

async function until(what: string, check: () => boolean | Promise<boolean>, timeoutMs = 25_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('consumer groups over the classic protocol', () => {
  it('rebalances as three members join and two leave, losing no record', async () => {
    const topic = uniqueName();
    const group = uniqueName('group');
    await createTopic(k.stack, topic, 4);
    const producer = client().producer();
    await producer.connect();
    const send = (batch: string) =>
      producer.send({ topic, messages: Array.from({ length: 20 }, (_, i) => ({ key: `${batch}${i}`, value: `${batch}${i}` })) });
    const seen = new Map<string, Set<string>>();
    const assigned = new Map<string, number>();
    const start = async (name: string): Promise<Consumer> => {
      const c = client().consumer({ groupId: group, sessionTimeout: 10_000, heartbeatInterval: 300, maxWaitTimeInMs: 200 });
      seen.set(name, new Set());
      c.on(c.events.GROUP_JOIN, (e) => assigned.set(name, Object.values(e.payload.memberAssignment).flat().length));
      await c.connect();
      await c.subscribe({ topic, fromBeginning: true });
      await c.run({ eachMessage: async ({ message }) => void seen.get(name)!.add(message.value!.toString()) });
      return c;
    };
    const all = () => new Set([...seen.values()].flatMap((s) => [...s]));
    const has = (batch: string, where: Set<string>) => Array.from({ length: 20 }, (_, i) => `${batch}${i}`).every((v) => where.has(v));

    const c1 = await start('c1');
    await send('a');
    await until('c1 to read batch a', () => has('a', all()));

    const holding = (...names: string[]) => names.every((n) => (assigned.get(n) ?? 0) > 0) && names.reduce((sum, n) => sum + assigned.get(n)!, 0) === 4;
    const c2 = await start('c2');
    await until('both members to hold partitions', () => holding('c1', 'c2'));
    const described = await k.stack.call('GET', `/v1/groups/${group}`);
    expect(described.status).toBe(200);
    expect(JSON.stringify(described.body)).toContain('group-test-');
    await send('b');
    await until('batch b', () => has('b', all()));

    const c3 = await start('c3');
    await until('three members to share the partitions', () => holding('c1', 'c2', 'c3'));
    await send('c');
    await until('batch c', () => has('c', all()));

    await c1.disconnect();
    await c3.disconnect();
    await until('c2 to take every partition', () => assigned.get('c2') === 4);
    await send('d');
    await until('c2 to read batch d', () => has('d', seen.get('c2')!));
    await c2.disconnect();
    await producer.disconnect();
    expect(all().size).toBe(80);
  }, 60_000);

  it('keeps a member consuming across a gateway restart: it rejoins under its member id', async () => {
    const topic = uniqueName();
    const group = uniqueName('group');
    await createTopic(k.stack, topic, 2);
    const producer = client().producer();
    await producer.connect();
    const seen = new Set<string>();
    const memberIds = new Set<string>();
    const c = client().consumer({ groupId: group, sessionTimeout: 10_000, heartbeatInterval: 300, maxWaitTimeInMs: 200, retry: { retries: 10, initialRetryTime: 100 } });
    let joins = 0;
    c.on(c.events.GROUP_JOIN, (e) => {
      joins++;
      memberIds.add(e.payload.memberId);
    });
    await c.connect();
    await c.subscribe({ topic, fromBeginning: true });
    await c.run({ eachMessage: async ({ message }) => void seen.add(message.value!.toString()) });
    await producer.send({ topic, messages: [{ key: 'a', value: 'before' }] });
    await until('the first record', () => seen.has('before'));

    const port = k.gateway.port;
    await k.gateway.close();
    k.gateway = await startKafkaGateway(k.stack.lib, { port });
    await producer.send({ topic, messages: [{ key: 'b', value: 'after' }] });
    await until('the record sent after the restart', () => seen.has('after'));
    await c.disconnect();
    await producer.disconnect();
    expect(memberIds.size).toBe(1);
    expect(joins).toBeGreaterThanOrEqual(2);
  }, 40_000);
});

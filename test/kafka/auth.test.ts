/**
 * SASL/PLAIN with Samsa API keys: the key is the password, the connection
 * then acts as the key's principal, and ACLs and quotas apply to it as over
 * HTTP.
 */
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storeApiKey } from '../../lib/auth/keys';
import { PrincipalQuota } from '../../lib/auth/quota';
import { systemClock } from '../../lib/context';
import { uniqueName } from '../support/stack';
import { call, createKafkaStack, createTopic, kcat, openSocket, type KafkaStack } from './gateway';

let k: KafkaStack;
let adminKey: string;
let otherKey: string;

beforeAll(async () => {
  k = await createKafkaStack({ auth: true });
  adminKey = (await storeApiKey(k.stack.lib, { principal: 'admin' }, 'test')).apiKey;
  otherKey = (await storeApiKey(k.stack.lib, { principal: 'other' }, 'test')).apiKey;
});
afterAll(async () => {
  await k?.close();
});

function client(password: string): Kafka {
  return new Kafka({
    clientId: 'auth-test',
    brokers: [k.bootstrap],
    sasl: { mechanism: 'plain', username: 'whoever', password },
    logLevel: logLevel.NOTHING,
    retry: { retries: 0 },
    connectionTimeout: 3_000,
  });
}

describe('SASL/PLAIN with API keys', () => {
  it('lets a valid key produce and consume (KafkaJS produces, kcat consumes)', async () => {
    const topic = uniqueName();
    await createTopic(k.stack, topic, 1, { authorization: `Bearer ${adminKey}` });
    const producer = client(adminKey).producer();
    await producer.connect();
    await producer.send({ topic, messages: [{ key: 'a', value: 'secret' }] });
    await producer.disconnect();
    const sasl = ['-X', 'security.protocol=SASL_PLAINTEXT', '-X', 'sasl.mechanisms=PLAIN', '-X', 'sasl.username=admin', '-X', `sasl.password=${adminKey}`];
    const out = await kcat(['-b', k.bootstrap, ...sasl, '-C', '-t', topic, '-e', '-f', '%k=%s\\n']);
    expect(out).toBe('a=secret\n');
  });

  it('refuses a wrong key', async () => {
    const admin = client(`${adminKey.slice(0, -4)}AAAA`).admin();
    await expect(admin.connect()).rejects.toThrow(/Authentication failed/);
  });

  it('closes a connection that skips SASL', async () => {
    await expect(kcat(['-b', k.bootstrap, '-L', '-m', '2'], undefined, 10_000)).rejects.toThrow();
  });

  it('applies ACLs to the key principal: without grants it may not even see the topic', async () => {
    const topic = uniqueName();
    await createTopic(k.stack, topic, 1, { authorization: `Bearer ${adminKey}` });
    const producer = client(otherKey).producer();
    await producer.connect();
    await expect(producer.send({ topic, messages: [{ value: 'x' }] })).rejects.toMatchObject({ cause: { type: 'TOPIC_AUTHORIZATION_FAILED' } });
    await producer.disconnect();
  });
});

describe('quotas', () => {
  it("throttles a principal over its request quota: the answer carries the throttle time and the connection waits it out", async () => {
    const limited = await createKafkaStack({ quota: new PrincipalQuota({ ratePerSecond: 5, burst: 2 }, systemClock) });
    const socket = await openSocket(limited.gateway.port);
    try {
      const throttles: number[] = [];
      const started = Date.now();
      for (let i = 1; i <= 4; i++) throttles.push((await call(socket, 'Metadata', 3, 4, { topics: [], allowAutoTopicCreation: false }, i)).throttleTimeMs);
      expect(throttles.slice(0, 2)).toEqual([0, 0]);
      expect(throttles[2]).toBeGreaterThan(0);
      expect(Date.now() - started).toBeGreaterThanOrEqual(throttles[2]! - 20);
    } finally {
      socket.destroy();
      await limited.close();
    }
  });
});

/**
 * ACLs apply to a Kafka principal (the SASL/PLAIN key's) exactly as to the
 * same principal over HTTP: a grant of write alone lets it produce but not
 * fetch, read alone lets it fetch but not produce, and a group needs its own
 * read grant. Each refusal is Kafka's resource-specific error code, and the
 * HTTP API refuses the same principal the same thing.
 */
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { storeApiKey } from '../../lib/auth/keys';
import { uniqueName } from '../support/stack';
import { call, createKafkaStack, createTopic, fetchBody, kcat, produceBody, saslSocket, type KafkaStack } from './gateway';

let k: KafkaStack;
let adminKey: string;
let topic: string;

beforeAll(async () => {
  k = await createKafkaStack({ auth: true });
  adminKey = (await storeApiKey(k.stack.lib, { principal: 'admin' }, 'test')).apiKey;
  topic = uniqueName();
  await createTopic(k.stack, topic, 1, bearer(adminKey));
});
afterAll(async () => {
  await k?.close();
});

function bearer(key: string): Record<string, string> {
  return { authorization: `Bearer ${key}` };
}

/** A key for `principal` holding `operation` on `resource` (allow, literal). */
async function keyWith(principal: string, grants: { resourceType: string; resourceName: string; operation: string }[]): Promise<string> {
  for (const g of grants) {
    const res = await k.stack.call('POST', '/v1/acls', { principal, patternType: 'literal', permission: 'allow', ...g }, bearer(adminKey));
    expect(res.status, JSON.stringify(res.body)).toBe(201);
  }
  return (await storeApiKey(k.stack.lib, { principal }, 'test')).apiKey;
}

describe('ACLs on Kafka principals', () => {
  it('write without read: produces over Kafka, but Fetch is TOPIC_AUTHORIZATION_FAILED, as HTTP refuses its fetch', async () => {
    const key = await keyWith('kwriter', [{ resourceType: 'topic', resourceName: topic, operation: 'write' }]);
    const producer = new Kafka({ brokers: [k.bootstrap], sasl: { mechanism: 'plain', username: 'x', password: key }, logLevel: logLevel.NOTHING }).producer();
    await producer.connect();
    const [sent] = await producer.send({ topic, messages: [{ value: 'from the writer' }] });
    await producer.disconnect();
    expect(sent!.errorCode).toBe(0);

    const socket = await saslSocket(k.gateway.port, key);
    try {
      const fetched = await call(socket, 'Fetch', 1, 12, fetchBody(topic, 0, 0), 3);
      expect(fetched.responses[0].partitions[0].errorCode).toBe(29); // TOPIC_AUTHORIZATION_FAILED
      expect(fetched.responses[0].partitions[0].records.length).toBe(0);
    } finally {
      socket.destroy();
    }
    const http = await k.stack.call('GET', `/v1/topics/${topic}/partitions/0/records?offset=0`, undefined, bearer(key));
    expect([http.status, http.body.error.code]).toEqual([403, 'AUTHORIZATION_FAILED']);
  });

  it('read without write: fetches over Kafka, but Produce is TOPIC_AUTHORIZATION_FAILED and nothing is written, as over HTTP', async () => {
    const key = await keyWith('kreader', [{ resourceType: 'topic', resourceName: topic, operation: 'read' }]);
    const before = await k.stack.call('GET', `/v1/topics/${topic}/partitions/0/records?offset=0`, undefined, bearer(adminKey));
    const socket = await saslSocket(k.gateway.port, key);
    try {
      const fetched = await call(socket, 'Fetch', 1, 12, fetchBody(topic, 0, 0), 3);
      expect(fetched.responses[0].partitions[0].errorCode).toBe(0);
      expect(fetched.responses[0].partitions[0].highWatermark).toBe(BigInt(before.body.records.length));
      const produced = await call(socket, 'Produce', 0, 7, produceBody(topic, 0, ['not allowed']), 4);
      expect(produced.responses[0].partitionResponses[0].errorCode).toBe(29);
    } finally {
      socket.destroy();
    }
    const http = await k.stack.call('POST', `/v1/topics/${topic}/records`, { records: [{ value: { type: 'STRING', data: 'no' } }] }, bearer(key));
    expect(http.status).toBe(403);
    const after = await k.stack.call('GET', `/v1/topics/${topic}/partitions/0/records?offset=0`, undefined, bearer(adminKey));
    expect(after.body.records).toEqual(before.body.records);
  });

  it('a group needs its own read grant: JoinGroup is GROUP_AUTHORIZATION_FAILED without it, and kcat -G consumes with it', async () => {
    const group = uniqueName('group');
    const key = await keyWith('kconsumer', [{ resourceType: 'topic', resourceName: topic, operation: 'read' }]);
    const socket = await saslSocket(k.gateway.port, key);
    try {
      const subscription = Buffer.concat([Buffer.from([0, 0, 0, 0, 0, 1, 0, topic.length]), Buffer.from(topic), Buffer.from([0, 0, 0, 0])]);
      const joined = await call(
        socket,
        'JoinGroup',
        11,
        5,
        { groupId: group, sessionTimeoutMs: 10_000, rebalanceTimeoutMs: 10_000, memberId: '', groupInstanceId: null, protocolType: 'consumer', protocols: [{ name: 'range', metadata: subscription }] },
        3,
      );
      expect(joined.errorCode).toBe(30); // GROUP_AUTHORIZATION_FAILED
    } finally {
      socket.destroy();
    }
    const http = await k.stack.call('GET', `/v1/groups/${group}/offsets`, undefined, bearer(key));
    expect(http.status).toBe(403);

    await keyWith('kconsumer', [{ resourceType: 'group', resourceName: group, operation: 'read' }]);
    const sasl = ['-X', 'security.protocol=SASL_PLAINTEXT', '-X', 'sasl.mechanisms=PLAIN', '-X', 'sasl.username=u', '-X', `sasl.password=${key}`];
    const out = await kcat(['-b', k.bootstrap, ...sasl, '-G', group, '-X', 'auto.offset.reset=earliest', '-c', '1', '-f', '%s\n', topic], undefined, 30_000);
    expect(out).toBe('from the writer\n');
  });
});

/**
 * kcat (librdkafka) against the gateway: metadata, produce and consume with
 * keys and headers, every codec, group consumption, the partitioner against
 * the HTTP API's, HTTP ↔ kcat interop, and each acks setting.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { partitionForKey } from '../../lib/protocol/murmur2';
import { uniqueName } from '../support/stack';
import { createKafkaStack, createTopic, kcat, type KafkaStack } from './gateway';

let k: KafkaStack;

beforeAll(async () => {
  k = await createKafkaStack();
});
afterAll(async () => {
  await k?.close();
});

describe('kcat', () => {
  it('lists metadata (-L)', async () => {
    const topic = uniqueName();
    await createTopic(k.stack, topic, 3);
    const out = await kcat(['-b', k.bootstrap, '-L', '-t', topic, '-J']);
    const meta = JSON.parse(out);
    expect(meta.brokers).toEqual([{ id: 0, name: k.bootstrap }]);
    expect(meta.topics).toHaveLength(1);
    expect(meta.topics[0].topic).toBe(topic);
    expect(meta.topics[0].partitions.map((p: any) => p.partition)).toEqual([0, 1, 2]);
    expect(meta.topics[0].partitions.every((p: any) => p.leader === 0)).toBe(true);
  });

  it('produces (-P) and consumes (-C) with keys and headers', async () => {
    const topic = uniqueName();
    await createTopic(k.stack, topic, 1);
    const lines = Array.from({ length: 5 }, (_, i) => `key${i}\tvalue ${i}`).join('\n') + '\n';
    await kcat(['-b', k.bootstrap, '-P', '-t', topic, '-p', '0', '-K', '\t', '-H', 'h1=one', '-H', 'h2=two'], lines);
    const out = await kcat(['-b', k.bootstrap, '-C', '-t', topic, '-p', '0', '-o', 'beginning', '-e', '-J']);
    const got = out.trim().split('\n').map((l) => JSON.parse(l));
    expect(got.map((m: any) => [m.offset, m.key, m.payload])).toEqual(Array.from({ length: 5 }, (_, i) => [i, `key${i}`, `value ${i}`]));
    expect(got[0].headers).toEqual(['h1', 'one', 'h2', 'two']);
  });

  it.each(['gzip', 'snappy', 'lz4', 'zstd'])('produces %s-compressed batches', async (codec) => {
    const topic = uniqueName();
    await createTopic(k.stack, topic, 1);
    const lines = Array.from({ length: 50 }, (_, i) => `${codec} record ${i} ${'x'.repeat(i)}`);
    await kcat(['-b', k.bootstrap, '-P', '-t', topic, '-z', codec, '-X', 'linger.ms=50'], lines.join('\n') + '\n');
    const out = await kcat(['-b', k.bootstrap, '-C', '-t', topic, '-o', 'beginning', '-e', '-f', '%o %s\n']);
    expect(out.trim().split('\n')).toEqual(lines.map((l, i) => `${i} ${l}`));
  });

  it('consumes as a group (-G) and commits where the HTTP API sees it', async () => {
    const topic = uniqueName();
    const group = uniqueName('group');
    await createTopic(k.stack, topic, 2);
    const lines = Array.from({ length: 10 }, (_, i) => `k${i}:v${i}`);
    await kcat(['-b', k.bootstrap, '-P', '-t', topic, '-K', ':'], lines.join('\n') + '\n');
    const out = await kcat(['-b', k.bootstrap, '-G', group, '-X', 'auto.offset.reset=earliest', '-c', '10', '-f', '%k:%s\n', topic], undefined, 30_000);
    expect(out.trim().split('\n').sort()).toEqual([...lines].sort());
    const offsets = await k.stack.call('GET', `/v1/groups/${group}/offsets`);
    const total = offsets.body.offsets.reduce((n: number, o: { offset: number }) => n + o.offset, 0);
    expect(total).toBe(10);
  });

  it("picks Samsa's partition for a key with librdkafka's murmur2 partitioner (Kafka's default)", async () => {
    const topic = uniqueName();
    await createTopic(k.stack, topic, 5);
    const keys = Array.from({ length: 20 }, (_, i) => `user-${i}`);
    await kcat(['-b', k.bootstrap, '-P', '-t', topic, '-K', ':', '-X', 'partitioner=murmur2_random'], keys.map((key) => `${key}:v`).join('\n') + '\n');
    const out = await kcat(['-b', k.bootstrap, '-C', '-t', topic, '-o', 'beginning', '-e', '-f', '%k %p\n']);
    const placed = out.trim().split('\n').map((l) => l.split(' '));
    expect(placed).toHaveLength(20);
    for (const [key, partition] of placed) expect(Number(partition)).toBe(partitionForKey(Buffer.from(key!), 5));
    // The HTTP API puts the same keys on the same partitions.
    const http = await k.stack.call('POST', `/v1/topics/${topic}/records`, { records: keys.map((key) => ({ key: { type: 'STRING', data: key }, value: null })) });
    expect(http.status).toBe(200);
    const byKey = new Map(placed.map(([key, p]) => [key, Number(p)]));
    expect(http.body.records.map((r: { partition: number }) => r.partition)).toEqual(keys.map((key) => byKey.get(key)));
  });

  it('consumes what HTTP produced with key, value, headers, timestamp and offset intact, and HTTP reads what kcat produced', async () => {
    const topic = uniqueName();
    await createTopic(k.stack, topic, 1);
    await k.stack.call('POST', `/v1/topics/${topic}/records`, {
      records: [
        { key: { type: 'STRING', data: 'k1' }, value: { type: 'STRING', data: 'over http' }, headers: [{ name: 'trace', value: 'abc' }], timestamp: 1_700_000_000_000 },
        { key: null, value: { type: 'JSON', data: { n: 1 } }, timestamp: 1_700_000_000_005 },
      ],
    });
    const out = await kcat(['-b', k.bootstrap, '-C', '-t', topic, '-o', 'beginning', '-e', '-J']);
    const got = out.trim().split('\n').map((l) => JSON.parse(l));
    expect(got.map((m: any) => [m.offset, m.key, m.payload, m.ts, m.headers ?? null])).toEqual([
      [0, 'k1', 'over http', 1_700_000_000_000, ['trace', 'abc']],
      [1, null, '{"n":1}', 1_700_000_000_005, null],
    ]);

    await kcat(['-b', k.bootstrap, '-P', '-t', topic, '-K', ':', '-H', 'via=kcat'], 'k2:over kafka\n');
    const fetched = await k.stack.call('GET', `/v1/topics/${topic}/partitions/0/records?offset=2`);
    expect(fetched.body.records).toHaveLength(1);
    const [r] = fetched.body.records;
    expect(r.offset).toBe(2);
    expect(Buffer.from(r.key.data, 'base64').toString()).toBe('k2');
    expect(Buffer.from(r.value.data, 'base64').toString()).toBe('over kafka');
    expect(r.headers).toEqual([{ name: 'via', value: { type: 'STRING', data: 'kcat' } }]);
    expect(Math.abs(r.timestamp - Date.now())).toBeLessThan(60_000);
  });

  it.each(['1', 'all'])('produces with acks=%s and stores the records in order', async (acks) => {
    const topic = uniqueName();
    await createTopic(k.stack, topic, 1);
    // kcat exits non-zero when a delivery fails, so a wrong ack would fail here; the read-back checks what was stored.
    await kcat(['-b', k.bootstrap, '-P', '-t', topic, '-X', `acks=${acks}`], 'a\nb\n');
    const out = await kcat(['-b', k.bootstrap, '-C', '-t', topic, '-o', 'beginning', '-e', '-f', '%o %s\n']);
    expect(out).toBe('0 a\n1 b\n');
  });

  it('produces with acks=0 (no response) and waits in a multi-partition fetch until data arrives', async () => {
    const topic = uniqueName();
    await createTopic(k.stack, topic, 3);
    const consumer = kcat(['-b', k.bootstrap, '-C', '-t', topic, '-o', 'beginning', '-c', '3', '-f', '%s\n', '-X', 'fetch.wait.max.ms=1000']);
    await new Promise((r) => setTimeout(r, 1500));
    await kcat(['-b', k.bootstrap, '-P', '-t', topic, '-X', 'acks=0'], 'x\ny\nz\n');
    expect((await consumer).trim().split('\n').sort()).toEqual(['x', 'y', 'z']);
  });
});

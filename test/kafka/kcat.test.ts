/** kcat (librdkafka) against the gateway: metadata, produce and consume with keys and headers. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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
});

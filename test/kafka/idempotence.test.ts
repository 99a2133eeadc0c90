/**
 * Idempotent producers: InitProducerId issues Samsa producer ids, a retried
 * batch gets its original offsets back instead of being written twice, and
 * a KafkaJS idempotent producer keeps producing across a gateway restart.
 */
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KStruct } from '../../kafka/protocol/codec';
import { encodeBatch } from '../../kafka/records/batch';
import { startKafkaGateway } from '../../kafka/server';
import { uniqueName } from '../support/stack';
import { call, createKafkaStack, createTopic, openSocket, type KafkaStack } from './gateway';

let k: KafkaStack;

beforeAll(async () => {
  k = await createKafkaStack();
});
afterAll(async () => {
  await k?.close();
});

describe('idempotent producers', () => {
  it('answers a retried batch with its original offsets and writes it once', async () => {
    const topic = uniqueName();
    await createTopic(k.stack, topic, 1);
    const socket = await openSocket(k.gateway.port);
    try {
      const init = await call(socket, 'InitProducerId', 22, 1, { transactionalId: null, transactionTimeoutMs: 60_000 }, 1);
      expect(init.errorCode).toBe(0);
      const producer = { id: init.producerId as bigint, epoch: init.producerEpoch as number };
      const batch = (seq: number, values: string[]) =>
        encodeBatch(
          values.map((v, i) => ({ offset: i, timestamp: 1_700_000_000_000, key: null, value: Buffer.from(v), headers: [] })),
          0,
          values.length - 1,
          { ...producer, baseSequence: seq },
        );
      const produce = (records: Buffer, correlationId: number) =>
        call(socket, 'Produce', 0, 7, { transactionalId: null, acks: -1, timeoutMs: 5_000, topicData: [{ name: topic, partitionData: [{ index: 0, records }] }] }, correlationId);
      const first = await produce(batch(0, ['a', 'b']), 2);
      const retry = await produce(batch(0, ['a', 'b']), 3);
      const next = await produce(batch(2, ['c']), 4);
      const gap = await produce(batch(9, ['z']), 5);
      const part = (r: KStruct) => r.responses[0].partitionResponses[0];
      expect([part(first).errorCode, part(first).baseOffset]).toEqual([0, 0n]);
      expect([part(retry).errorCode, part(retry).baseOffset]).toEqual([0, 0n]);
      expect(part(next).errorCode).toBe(0);
      expect(part(gap).errorCode).toBe(45); // OUT_OF_ORDER_SEQUENCE_NUMBER
      const fetched = await k.stack.call('GET', `/v1/topics/${topic}/partitions/0/records?offset=0`);
      expect(fetched.body.records.map((r: { value: { data: string } }) => Buffer.from(r.value.data, 'base64').toString())).toEqual(['a', 'b', 'c']);
    } finally {
      socket.destroy();
    }
  });

  it('answers a retry re-stamped with new timestamps (as KafkaJS encodes each attempt) with DUPLICATE_SEQUENCE_NUMBER and stores the batch once', async () => {
    const topic = uniqueName();
    await createTopic(k.stack, topic, 1);
    const socket = await openSocket(k.gateway.port);
    try {
      const init = await call(socket, 'InitProducerId', 22, 1, { transactionalId: null, transactionTimeoutMs: 60_000 }, 1);
      const producer = { id: init.producerId as bigint, epoch: init.producerEpoch as number, baseSequence: 0 };
      const produce = (timestamp: number, correlationId: number) =>
        call(
          socket,
          'Produce',
          0,
          7,
          { transactionalId: null, acks: -1, timeoutMs: 5_000, topicData: [{ name: topic, partitionData: [{ index: 0, records: encodeBatch([{ offset: 0, timestamp, key: null, value: Buffer.from('once'), headers: [] }], 0, 0, producer) }] }] },
          correlationId,
        );
      const first = await produce(1_700_000_000_000, 2);
      const restamped = await produce(1_700_000_000_250, 3);
      expect(first.responses[0].partitionResponses[0].errorCode).toBe(0);
      // Kafka would compare sequences only and answer with the original offset; Samsa also compares content (docs/kafka.md).
      expect(restamped.responses[0].partitionResponses[0].errorCode).toBe(46);
    } finally {
      socket.destroy();
    }
    const fetched = await k.stack.call('GET', `/v1/topics/${topic}/partitions/0/records?offset=0`);
    expect(fetched.body.records).toHaveLength(1);
  });

  it('keeps a KafkaJS idempotent producer going across a gateway restart', async () => {
    const topic = uniqueName();
    await createTopic(k.stack, topic, 2);
    const port = k.gateway.port;
    const kafka = new Kafka({ clientId: 'idem', brokers: [k.bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 8, initialRetryTime: 100 } });
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    const send = (from: number) => producer.send({ topic, messages: Array.from({ length: 10 }, (_, i) => ({ key: `k${from + i}`, value: `v${from + i}` })) });
    await send(0);
    await k.gateway.close();
    k.gateway = await startKafkaGateway(k.stack.lib, { port });
    await send(10);
    await producer.disconnect();
    const values: string[] = [];
    for (const p of [0, 1]) {
      const fetched = await k.stack.call('GET', `/v1/topics/${topic}/partitions/${p}/records?offset=0`);
      for (const r of fetched.body.records) values.push(Buffer.from(r.value.data, 'base64').toString());
    }
    expect(values.sort()).toEqual(Array.from({ length: 20 }, (_, i) => `v${i}`).sort());
  });
});

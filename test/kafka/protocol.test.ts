/**
 * Protocol edges a client can hit: an API Kafka defines but the gateway does
 * not serve is absent from ApiVersions and answered with UNSUPPORTED_VERSION
 * (not a dropped connection), at the top level or on every item the request
 * named; a failed request's answer is built the same way; invalid acks are INVALID_REQUIRED_ACKS; both
 * isolation levels read the same records, with the last stable offset at the
 * high watermark (Samsa never exposes uncommitted data).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiVersionsTable } from '../../kafka/handlers/registry';
import { decodeMessage, encodeMessage, type KStruct } from '../../kafka/protocol/codec';
import { errorResponse } from '../../kafka/protocol/error-response';
import { schema } from '../../kafka/protocol/schema';
import { Reader } from '../../kafka/protocol/wire';
import { decodeBatches } from '../../kafka/records/batch';
import { uniqueName } from '../support/stack';
import { call, createKafkaStack, createTopic, fetchBody, openSocket, produceBody, type KafkaStack } from './gateway';

let k: KafkaStack;

beforeAll(async () => {
  k = await createKafkaStack();
});
afterAll(async () => {
  await k?.close();
});

describe('APIs the gateway does not serve', () => {
  it.each([
    ['OffsetDelete', 47, 0, { groupId: 'g', topics: [] }],
    ['DescribeAcls', 29, 1, { resourceTypeFilter: 2, resourceNameFilter: null, patternTypeFilter: 3, principalFilter: null, hostFilter: null, operation: 1, permissionType: 1 }],
    ['DescribeCluster', 60, 0, { includeClusterAuthorizedOperations: false }],
    ['ConsumerGroupHeartbeat', 68, 0, { groupId: 'g', memberId: 'm', memberEpoch: 0, instanceId: null, rackId: null, rebalanceTimeoutMs: -1, subscribedTopicNames: ['t'], serverAssignor: null, topicPartitions: [] }],
    ['EndTxn', 26, 3, { transactionalId: 't', producerId: 1n, producerEpoch: 0, committed: true }],
  ] as const)('answers %s (not in ApiVersions) with UNSUPPORTED_VERSION and keeps the connection', async (api, key, version, body) => {
    expect(apiVersionsTable().map((a) => a.apiKey)).not.toContain(key);
    const socket = await openSocket(k.gateway.port);
    try {
      const answer = await call(socket, api, key, version, body as never, 11);
      expect(answer.errorCode).toBe(35);
      // The connection still serves the next request.
      const meta = await call(socket, 'Metadata', 3, 9, { topics: [], allowAutoTopicCreation: false, includeTopicAuthorizedOperations: false }, 12);
      expect(meta.brokers).toHaveLength(1);
    } finally {
      socket.destroy();
    }
  });
});

describe('error responses without a top-level error code', () => {
  it('answers an unserved API whose errors are per item (OffsetForLeaderEpoch) with UNSUPPORTED_VERSION on each partition it named', async () => {
    const socket = await openSocket(k.gateway.port);
    try {
      const answer = await call(
        socket,
        'OffsetForLeaderEpoch',
        23,
        4,
        { replicaId: -1, topics: [{ topic: 't', partitions: [{ partition: 2, currentLeaderEpoch: -1, leaderEpoch: 0 }, { partition: 5, currentLeaderEpoch: -1, leaderEpoch: 0 }] }] },
        31,
      );
      expect(answer.topics).toMatchObject([{ topic: 't', partitions: [{ partition: 2, errorCode: 35 }, { partition: 5, errorCode: 35 }] }]);
    } finally {
      socket.destroy();
    }
  });

  it('builds a failed Produce answer from the request: every topic and partition it named, with the code', () => {
    const req = produceBody('orders', 3, ['x']);
    req.topicData.push({ name: 'audit', partitionData: [{ index: 0, records: null }, { index: 1, records: null }] });
    const body = errorResponse(schema('ProduceRequest'), schema('ProduceResponse'), 9, req, -1)!;
    expect(body.responses.map((t: KStruct) => [t.name, t.partitionResponses.map((p: KStruct) => [p.index, p.errorCode])])).toEqual([
      ['orders', [[3, -1]]],
      ['audit', [[0, -1], [1, -1]]],
    ]);
    // It encodes as a valid ProduceResponse.
    const back = decodeMessage(schema('ProduceResponse'), 9, new Reader(encodeMessage(schema('ProduceResponse'), 9, body).toBuffer()));
    expect(back.responses[1].partitionResponses[1]).toMatchObject({ index: 1, errorCode: -1 });
  });

  it('has no answer for a request that named nothing to put the error on (the connection is then closed)', () => {
    expect(errorResponse(schema('MetadataRequest'), schema('MetadataResponse'), 9, { topics: null, allowAutoTopicCreation: false }, -1)).toBeUndefined();
  });
});

describe('Produce acks', () => {
  it('refuses acks other than 0, 1 and -1 with INVALID_REQUIRED_ACKS and writes nothing', async () => {
    const topic = uniqueName();
    await createTopic(k.stack, topic, 1);
    const socket = await openSocket(k.gateway.port);
    try {
      const bad = await call(socket, 'Produce', 0, 7, produceBody(topic, 0, ['x'], 2), 1);
      expect(bad.responses[0].partitionResponses[0].errorCode).toBe(21);
      const one = await call(socket, 'Produce', 0, 7, produceBody(topic, 0, ['a'], 1), 2);
      const all = await call(socket, 'Produce', 0, 7, produceBody(topic, 0, ['b'], -1), 3);
      expect([one, all].map((r) => [r.responses[0].partitionResponses[0].errorCode, r.responses[0].partitionResponses[0].baseOffset])).toEqual([
        [0, 0n],
        [0, 1n],
      ]);
    } finally {
      socket.destroy();
    }
    const fetched = await k.stack.call('GET', `/v1/topics/${topic}/partitions/0/records?offset=0`);
    expect(fetched.body.records.map((r: { value: { data: string } }) => Buffer.from(r.value.data, 'base64').toString())).toEqual(['a', 'b']);
  });
});

describe('Fetch isolation levels', () => {
  it('read_uncommitted and read_committed see the same records, the last stable offset is the high watermark, no aborted transactions', async () => {
    const topic = uniqueName();
    await createTopic(k.stack, topic, 1);
    await k.stack.call('POST', `/v1/topics/${topic}/records`, { records: ['a', 'b', 'c'].map((v) => ({ value: { type: 'STRING', data: v } })) });
    const socket = await openSocket(k.gateway.port);
    try {
      const answers = [];
      for (const level of [0, 1]) {
        const res = await call(socket, 'Fetch', 1, 12, fetchBody(topic, 0, 0, level), 20 + level);
        const p = res.responses[0].partitions[0];
        expect(p).toMatchObject({ errorCode: 0, highWatermark: 3n, lastStableOffset: 3n });
        expect(p.abortedTransactions ?? []).toEqual([]);
        answers.push(decodeBatches(p.records, 1 << 20).flatMap((b) => b.records.map((r) => [Number(b.baseOffset) + r.offsetDelta, r.value!.toString()])));
      }
      expect(answers[0]).toEqual([
        [0, 'a'],
        [1, 'b'],
        [2, 'c'],
      ]);
      expect(answers[1]).toEqual(answers[0]);
    } finally {
      socket.destroy();
    }
  });
});

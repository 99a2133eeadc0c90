/**
 * local/streams.ts against DynamoDB Local's own Streams API: a produce shows
 * up as one settled batch in Lambda's event shape; counters, abort markers and
 * anything before the consumers started do not; a failed Streams call
 * resumes the shard where it was, replaying nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import { startStreamConsumers, type StreamConsumers } from '../../local/streams';
import { settledBatches } from '../../lib/push/settled';
import { localCredentials } from '../../lib/storage/client';
import { createTestStack, uniqueName, type TestStack } from '../support/stack';

const str = (s: string) => ({ type: 'STRING', data: s });
let stack: TestStack;
let consumers: StreamConsumers;
const events: DynamoDBStreamEvent[] = [];
let early = '';

beforeAll(async () => {
  stack = await createTestStack();
  early = uniqueName();
  await stack.call('POST', '/v1/topics', { name: early, partitions: 1 });
  await stack.call('POST', `/v1/topics/${early}/records`, { records: [{ partition: 0, value: str('before') }] });
  consumers = await startStreamConsumers({ endpoint: stack.endpoint, tableName: stack.tables.log, credentials: localCredentials() }, [
    async (e) => void events.push(e),
  ]);
});
afterAll(async () => consumers?.stop());

describe('local stream consumers', () => {
  it('deliver settled batches only, with their high watermark, from the moment they start', async () => {
    const name = uniqueName();
    await stack.call('POST', '/v1/topics', { name, partitions: 2 });
    const { body } = await stack.call('POST', '/v1/topics/' + name + '/records', {
      records: [{ partition: 1, value: str('a') }, { partition: 1, value: str('b') }],
    });
    expect(body.records[1].offset).toBe(1);
    const start = Date.now();
    while (events.length === 0 && Date.now() - start < 5000) await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, 300));
    const records = events.flatMap((e) => e.Records);
    expect(records.every((r) => r.eventName === 'INSERT' && r.dynamodb?.NewImage?.o !== undefined)).toBe(true);
    const batches = settledBatches(records);
    expect(batches).toHaveLength(1);
    expect(batches[0]).toMatchObject({ partition: 1, highWatermark: 2 });
    expect(records[0]?.eventSource).toBe('aws:dynamodb');
  });
});

describe('a failed Streams call', () => {
  // Checked against: ending the shard's loop on the error and finding the shard again from TRIM_HORIZON (the code
  // before) hands every batch read before the failure to the handler a second time.
  it('is retried from the last record read: no batch is handed over twice, none is missed', async () => {
    let failures = 0;
    const client = new DynamoDBStreamsClient({ endpoint: stack.endpoint, region: 'us-east-1', credentials: localCredentials() });
    client.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'GetRecordsCommand' && failures > 0) {
          failures--;
          throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:8000'), { code: 'ECONNREFUSED' });
        }
        return next(args);
      },
      { step: 'initialize', name: 'failGetRecords' },
    );
    const seen: DynamoDBStreamEvent[] = [];
    const logged: string[] = [];
    const own = await startStreamConsumers(
      { endpoint: stack.endpoint, tableName: stack.tables.log, credentials: localCredentials(), client, pollMs: 20, discoverMs: 100, log: (m) => void logged.push(m) },
      [async (e) => void seen.push(e)],
    );
    try {
      const name = uniqueName();
      const created = await stack.call('POST', '/v1/topics', { name, partitions: 1 });
      const topicId = created.body.topicId as string;
      expect(typeof topicId).toBe('string');
      const mine = () => seen.flatMap((e) => e.Records).filter((r) => settledBatches([r])[0]?.topicId === topicId);
      const produce = async (v: string) => {
        const before = mine().length;
        await stack.call('POST', `/v1/topics/${name}/records`, { records: [{ partition: 0, value: str(v) }] });
        const start = Date.now();
        while (mine().length === before && Date.now() - start < 10_000) await new Promise((r) => setTimeout(r, 20));
      };
      await produce('a');
      failures = 3;
      await produce('b');
      await produce('c');
      // Time for a replay to show: several discovery passes and polls.
      await new Promise((r) => setTimeout(r, 500));
      expect(failures).toBe(0);
      expect(logged.some((m) => m.includes('ECONNREFUSED'))).toBe(true);
      const keys = mine().map((r) => `${r.dynamodb?.Keys?.pk?.S}/${r.dynamodb?.Keys?.sk?.S ?? r.dynamodb?.Keys?.sk?.N}`);
      expect(keys).toHaveLength(3);
      expect(new Set(keys).size).toBe(3);
      expect(mine().map((r) => settledBatches([r])[0]?.highWatermark)).toEqual([1, 2, 3]);
    } finally {
      await own.stop();
      client.destroy();
    }
  });
});

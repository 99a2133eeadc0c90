/**
 * local/streams.ts against DynamoDB Local's own Streams API: a produce shows
 * up as one settled batch in Lambda's event shape; counters, abort markers and
 * anything before the consumers started do not.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DynamoDBStreamEvent } from 'aws-lambda';
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

/** The one stream filter (CDK event source mapping and local consumers): only settled batches pass. */
import { describe, expect, it } from 'vitest';
import type { DynamoDBRecord } from 'aws-lambda';
import { isSettledBatch, settledBatches } from '../../lib/push/settled';

const rec = (eventName: 'INSERT' | 'MODIFY' | 'REMOVE', image: Record<string, unknown>): DynamoDBRecord =>
  ({ eventName, dynamodb: { NewImage: image } }) as DynamoDBRecord;
const batch = (pk: string, o: number, n: number) => rec('INSERT', { pk: { S: pk }, sk: { N: '3' }, o: { N: String(o) }, n: { N: String(n) } });

describe('settled batch filter', () => {
  it('passes a batch insert and tells topic id, partition and high watermark', () => {
    expect(isSettledBatch(batch('abc-1#7', 10, 5))).toBe(true);
    expect(settledBatches([batch('abc-1#7', 10, 5)])).toEqual([{ topicId: 'abc-1', partition: 7, highWatermark: 15 }]);
  });
  it('refuses abort markers, counters, chunks, modifies and removes', () => {
    expect(isSettledBatch(rec('INSERT', { pk: { S: 't#0' }, o: { N: '1' }, ab: { N: '1' } }))).toBe(false);
    expect(isSettledBatch(rec('INSERT', { pk: { S: 't#0' }, sk: { N: '-1' }, seq: { N: '1' } }))).toBe(false);
    expect(isSettledBatch(rec('INSERT', { pk: { S: 't#0#chunks' }, d: { B: 'AA==' } }))).toBe(false);
    expect(isSettledBatch(rec('MODIFY', { pk: { S: 't#0' }, o: { N: '1' } }))).toBe(false);
    expect(isSettledBatch(rec('REMOVE', { pk: { S: 't#0' }, o: { N: '1' } }))).toBe(false);
  });
  it('keeps the highest watermark per partition of one event', () => {
    expect(settledBatches([batch('t#0', 0, 2), batch('t#0', 2, 3), batch('t#1', 0, 1)])).toEqual([
      { topicId: 't', partition: 0, highWatermark: 5 },
      { topicId: 't', partition: 1, highWatermark: 1 },
    ]);
  });
});

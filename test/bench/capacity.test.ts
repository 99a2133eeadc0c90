/**
 * The bench's estimate of what AWS bills for a TransactWriteItems
 * (bench/capacity.ts transactWriteBilledUnits): DynamoDB Local does not report
 * it for multi-item transactions, so the transactions rows rest on this
 * estimate. A transactional put must cost twice the plain put of the same
 * item — table AND index entry — and the plain half must agree with what
 * DynamoDB Local reports for that plain put.
 */
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { indexEntries, transactWriteBilledUnits } from '../../bench/capacity';
import { eventBatch, rng, toTypedRecords } from '../../bench/data';
import { createBenchEnv, type BenchEnv } from '../../bench/env';
import { buildBatch } from '../../lib/log/batch-item';
import { LOG_TABLE, META_TABLE } from '../../lib/storage/schema';

/** A settled batch item of 25 records of 100 B, as a produce writes it (≈ 2.6 KB). */
function batchItem(seq: number): Record<string, unknown> {
  const records = toTypedRecords(eventBatch(25, 100, `cap-${seq}`, rng(7)), 1_700_000_000_000);
  const { item } = buildBatch({ pk: 't#0', seq, baseOffset: seq * 25, reservedAt: 1_700_000_000_000, appendTime: 1_700_000_000_000, records, compression: 'none', retentionMs: -1, nonce: 'n' });
  return { ...item };
}

const tables = (name: string) => (name === 'x-log' ? LOG_TABLE : name === 'x-meta' ? META_TABLE : undefined);

describe('transactWriteBilledUnits', () => {
  it('bills a put into the log table at 2 × (item units + byOffset index entry units)', () => {
    const put = { TransactItems: [{ Put: { TableName: 'x-log', Item: batchItem(1) } }] };
    expect(transactWriteBilledUnits(put, tables)).toBe(2 * (3 + 1));
    // Without the table's definition the index entry is missed: the under-count this estimator once had.
    expect(transactWriteBilledUnits(put)).toBe(2 * 3);
  });

  it('bills an update at 2 × its key and values, with no index entry, and a sparse item without index keys', () => {
    const update = { TransactItems: [{ Update: { TableName: 'x-meta', Key: { pk: 'g#a', sk: 'o#t#0' }, ExpressionAttributeValues: { ':o': 42 } } }] };
    expect(transactWriteBilledUnits(update, tables)).toBe(2);
    const noOffset = { ...batchItem(2) };
    delete noOffset.o;
    expect(indexEntries(noOffset, LOG_TABLE)).toEqual([]);
    expect(Object.keys(indexEntries(batchItem(3), LOG_TABLE)[0] ?? {}).sort()).toEqual(['mt', 'n', 'o', 'pk', 'ra', 'sk']);
  });
});

describe('against DynamoDB Local', () => {
  let env: BenchEnv;
  beforeAll(async () => {
    env = await createBenchEnv(inject('dynamoEndpoint'));
  });
  afterAll(() => env?.close());

  it('the transactional estimate is twice the units DynamoDB Local reports for the plain put of the same item', async () => {
    for (const seq of [10, 11]) {
      const item = batchItem(seq);
      const out = await env.doc.send(new PutCommand({ TableName: env.tables.log, Item: item, ReturnConsumedCapacity: 'INDEXES' }));
      const reported = out.ConsumedCapacity?.CapacityUnits;
      expect(reported).toBe(4); // table 3 + byOffset 1
      const billed = transactWriteBilledUnits({ TransactItems: [{ Put: { TableName: env.tables.log, Item: item } }] }, (n) => (n === env.tables.log ? LOG_TABLE : undefined));
      expect(billed).toBe(2 * (reported ?? Number.NaN));
    }
  });
});

/**
 * What a transaction costs in write units, as DynamoDB reports it
 * (ReturnConsumedCapacity on every write), beside the plain produce of the
 * same records: DynamoDB bills a transactional write at twice the units of
 * the same write. The figures are printed for docs/transactions.md.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { ddbHook } from '../support/ddb-faults';
import { createTestStack, uniqueName, type TestStack } from '../support/stack';

let stack: TestStack;
let metering = false;
const units: Record<string, number> = {};

beforeAll(async () => {
  stack = await createTestStack({
    plugins: [
      ddbHook('initialize', async (call, next) => {
        if (!metering || !['PutItem', 'UpdateItem', 'TransactWriteItems'].includes(call.command)) return next();
        const out = await next({ ...call.input, ReturnConsumedCapacity: 'TOTAL' });
        const consumed = out.output?.ConsumedCapacity;
        const list = Array.isArray(consumed) ? consumed : consumed === undefined ? [] : [consumed];
        for (const c of list) units[call.command] = (units[call.command] ?? 0) + (c.CapacityUnits ?? c.WriteCapacityUnits ?? 0);
        return out;
      }),
    ],
  });
});

const str = (data: string) => ({ type: 'STRING', data });

async function measure(send: () => Promise<{ status: number }>): Promise<Record<string, number>> {
  for (const k of Object.keys(units)) delete units[k];
  metering = true;
  const res = await send();
  metering = false;
  expect(res.status).toBe(200);
  return { ...units };
}

describe('transaction cost', () => {
  it('reports the units of a transaction beside the plain produce of the same records', async () => {
    const name = uniqueName();
    expect((await stack.call('POST', '/v1/topics', { name, partitions: 2 })).status).toBe(201);
    const value = 'x'.repeat(500); // a batch item under 1 KB
    // Warm the topic cache so neither side pays a topic read.
    await stack.call('POST', `/v1/topics/${name}/records`, { records: [{ partition: 0, value: str('warm') }] });
    const plain = await measure(() => stack.call('POST', `/v1/topics/${name}/records`, { records: [0, 1].map((partition) => ({ partition, value: str(value) })) }));
    const txn = await measure(() => stack.call('POST', '/v1/transactions', { records: [0, 1].map((partition) => ({ topic: name, partition, value: str(value) })) }));
    console.log(`transaction cost (2 partitions, 1 record of 500 B each): plain produce ${JSON.stringify(plain)}, transaction ${JSON.stringify(txn)}`);
    // DynamoDB Local reports the items' units but not the transactional factor that DynamoDB bills
    // (twice the units); the settle is never cheaper than the plain puts of the same batch items.
    expect(txn.TransactWriteItems).toBeGreaterThanOrEqual(plain.PutItem ?? 0);
  });
});

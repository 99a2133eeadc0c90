/**
 * The checker catches a split transaction: with a planted bug that writes a
 * transaction's items one by one (TransactWriteItems replaced, through AWS
 * SDK middleware, by the single writes it holds, the process "dying" after
 * the first), the real engine acknowledges transactions of which only one
 * partition is visible, and `partial-transaction` reports them from the
 * history; without the bug the same workload yields zero.
 */
import { PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { analyse, type RunFacts } from '../../checker/analyse';
import type { FetchOp, Op, TxnOp } from '../../checker/history';
import { awsError, ddbHook } from '../support/ddb-faults';
import { createTestStack, uniqueName, type TestStack } from '../support/stack';

let stack: TestStack;
let split = false;

beforeAll(async () => {
  stack = await createTestStack({
    limits: { abortAfterMs: 2_000, maxClockSkewMs: 100 },
    plugins: [
      ddbHook('initialize', async (call, next) => {
        if (!split || call.command !== 'TransactWriteItems') return next();
        // SABOTAGE: the transaction's first action alone, then the writer dies before the rest.
        const [first] = call.input.TransactItems as Record<string, any>[];
        const { ReturnValuesOnConditionCheckFailure: _, ...put } = first!.Put ?? {};
        if (first!.Put !== undefined) await stack.lib.ddb.send(new PutCommand(put as never));
        else await stack.lib.ddb.send(new UpdateCommand(first!.Update));
        throw awsError('ValidationException', 'sabotage: the rest of the transaction was never written');
      }),
    ],
  });
});

let nextId = 0;
async function workload(topics: { name: string; partitions: number }[], count: number): Promise<Op[]> {
  const ops: Op[] = [];
  for (let i = 0; i < count; i++) {
    const records = topics.map((t, k) => ({ topic: t.name, partition: (i + k) % t.partitions, value: `${t.name}:${i}` }));
    const invokeAt = nextId;
    const res = await stack.call('POST', '/v1/transactions', { records: records.map((r) => ({ topic: r.topic, partition: r.partition, value: { type: 'STRING', data: r.value } })) });
    const outcome = res.status === 200 ? 'ok' : res.status >= 500 ? 'info' : 'fail';
    ops.push({ id: nextId++, process: 'txn', invokeAt, completeAt: invokeAt + 0.5, outcome, f: 'txn', records } satisfies TxnOp);
  }
  // The final read: every partition from its log start, after the abort bound.
  await new Promise((r) => setTimeout(r, 2_500));
  for (const t of topics) {
    for (let p = 0; p < t.partitions; p++) {
      const path = `/v1/topics/${t.name}/partitions/${p}/records?maxRecords=1000&offset=`;
      let res = await stack.call('GET', `${path}0`);
      if (res.status === 416) res = await stack.call('GET', `${path}${res.body.error.logStartOffset}`);
      expect(res.status).toBe(200);
      const b = res.body as { records: { offset: number; value: { data: string } }[]; nextOffset: number; highWatermark: number; logStartOffset: number; abortedRanges: { first: number; last: number }[] };
      ops.push({
        id: nextId++, process: 'final', invokeAt: nextId, completeAt: nextId + 0.5, outcome: 'ok', f: 'fetch', topic: t.name, partition: p, from: b.logStartOffset, final: true,
        records: b.records.map((r) => [r.offset, r.value.data]), nextOffset: b.nextOffset, highWatermark: b.highWatermark, logStartOffset: b.logStartOffset,
        aborted: b.abortedRanges.map((r) => [r.first, r.last + 1]),
      } satisfies FetchOp);
    }
  }
  return ops;
}

async function run(sabotage: boolean): Promise<number> {
  const topics = [{ name: uniqueName('sta'), partitions: 2 }, { name: uniqueName('stb'), partitions: 1 }];
  for (const t of topics) expect((await stack.call('POST', '/v1/topics', { name: t.name, partitions: t.partitions })).status).toBe(201);
  split = sabotage;
  const ops = await workload(topics, 6).finally(() => (split = false));
  const facts: RunFacts = { topics: topics.map((t) => ({ ...t, retention: false })), staleBoundMs: 3_000 };
  return analyse(ops, facts).anomalies.find((a) => a.name === 'partial-transaction')!.count;
}

describe('checker self-test: split transactions', () => {
  it('reports partial-transaction when transactions are split, and nothing when they are not', async () => {
    expect(await run(false)).toBe(0);
    expect(await run(true)).toBeGreaterThan(0);
  }, 120_000);
});

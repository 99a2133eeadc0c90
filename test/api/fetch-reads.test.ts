/**
 * What a fetch reads (lib/log/fetch.ts, lib/log/read-batches.ts): a first
 * page sized from maxRecords and maxBytes instead of a fixed two items, the
 * chunks of a large batch read eventually consistent and only when the fetch
 * returns its records, and read again strongly only when a replica missed
 * them.
 */
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ddbHook } from '../support/ddb-faults';
import { createTestStack, uniqueName, type TestStack } from '../support/stack';

let stack: TestStack;
/** Table (not index) Queries and chunk BatchGets on the log table, as sent. */
let queries: { limit: number | undefined; returned: number }[] = [];
let batchGets: { consistent: boolean; keys: number; returned: number }[] = [];
/** When set, an eventually consistent BatchGet returns nothing (a replica that has not seen the chunks). */
let staleChunks = false;

beforeAll(async () => {
  const watch = ddbHook('initialize', async (call, next) => {
    if (call.input.TableName !== undefined && call.input.TableName !== stack?.tables.log) return next();
    if (call.command === 'Query' && call.input.IndexName === undefined && call.input.ConsistentRead !== true) {
      const result = await next();
      queries.push({ limit: call.input.Limit, returned: result.output.Items?.length ?? 0 });
      return result;
    }
    if (call.command === 'BatchGetItem') {
      const request = Object.values(call.input.RequestItems ?? {})[0] as { Keys: unknown[]; ConsistentRead?: boolean };
      const consistent = request.ConsistentRead === true;
      const result = await next();
      const responses = Object.values(result.output.Responses ?? {})[0] as unknown[] | undefined;
      if (!consistent && staleChunks) {
        batchGets.push({ consistent, keys: request.Keys.length, returned: 0 });
        return { ...result, output: { ...result.output, Responses: {} } };
      }
      batchGets.push({ consistent, keys: request.Keys.length, returned: responses?.length ?? 0 });
      return result;
    }
    return next();
  });
  stack = await createTestStack({ plugins: [watch] });
});

beforeEach(() => {
  queries = [];
  batchGets = [];
  staleChunks = false;
});

const str = (data: string) => ({ type: 'STRING', data });
/** Incompressible bytes, so a record of `size` bytes is stored as about that many. */
function bytes(size: number): { type: string; data: string } {
  const b = Buffer.alloc(size);
  for (let i = 0; i < size; i++) b[i] = (i * 2654435761) >>> 24;
  return { type: 'BINARY', data: b.toString('base64') };
}
const fetch = (name: string, query: string) => stack.call('GET', `/v1/topics/${name}/partitions/0/records?${query}`);

async function topicWith(batches: unknown[][]): Promise<string> {
  const name = uniqueName('reads');
  expect((await stack.call('POST', '/v1/topics', { name })).status).toBe(201);
  for (const records of batches) expect((await stack.call('POST', `/v1/topics/${name}/records`, { records })).status).toBe(200);
  // A first fetch moves the stable cursor (not measured).
  await fetch(name, 'offset=0&maxRecords=1');
  return name;
}

describe('first page', () => {
  it('asks for one item when one record is asked for', async () => {
    const name = await topicWith([[{ value: str('a') }], [{ value: str('b') }], [{ value: str('c') }]]);
    queries = [];
    const res = await fetch(name, 'offset=0&maxRecords=1');
    expect(res.body.records).toHaveLength(1);
    expect(queries).toEqual([{ limit: 1, returned: 1 }]);
  });

  it('asks for the batches maxRecords spans, in one page', async () => {
    const batch = (b: number) => Array.from({ length: 100 }, (_, i) => ({ value: str(`${b}-${i}`) }));
    const name = await topicWith(Array.from({ length: 10 }, (_, b) => batch(b)));
    queries = [];
    const res = await fetch(name, 'offset=0&maxRecords=500');
    expect(res.body.records).toHaveLength(500);
    expect(queries).toEqual([{ limit: 5, returned: 5 }]);
    // From inside a batch: the batch holding the offset (its index entry is known) plus the rest.
    queries = [];
    const mid = await fetch(name, 'offset=550&maxRecords=200');
    expect(mid.body.records).toHaveLength(200);
    expect(mid.body.records[0].offset).toBe(550);
    expect(queries.reduce((n, q) => n + q.returned, 0)).toBeLessThanOrEqual(4);
  });

  it('never asks for more records than maxBytes can hold', async () => {
    const batch = (b: number) => Array.from({ length: 10 }, (_, i) => ({ value: str(`${b}-${i}`) }));
    const name = await topicWith(Array.from({ length: 10 }, (_, b) => batch(b)));
    queries = [];
    // 300 bytes hold at most two records (each at least 120 bytes of JSON): one batch.
    const res = await fetch(name, 'offset=0&maxRecords=500&maxBytes=300');
    expect(res.body.records.length).toBeGreaterThan(0);
    expect(queries[0]?.limit).toBe(1);
  });
});

describe('chunks of large batches', () => {
  const LARGE = 900 * 1024;

  it('are read eventually consistent, and only for the batch the fetch returns', async () => {
    const name = await topicWith([[{ value: bytes(LARGE) }], [{ value: bytes(LARGE) }]]);
    batchGets = [];
    // maxBytes (1 MiB) holds the first record only: the second batch's chunks are never read.
    const res = await fetch(name, 'offset=0');
    expect(res.body.records).toHaveLength(1);
    expect(res.body.nextOffset).toBe(1);
    expect(batchGets).toEqual([{ consistent: false, keys: 3, returned: 3 }]);
    batchGets = [];
    const second = await fetch(name, 'offset=1');
    expect(second.body.records.map((r: { offset: number }) => r.offset)).toEqual([1]);
    expect(batchGets).toEqual([{ consistent: false, keys: 3, returned: 3 }]);
  });

  it('are read again strongly when an eventually consistent read missed them', async () => {
    const name = await topicWith([[{ key: str('k'), value: bytes(LARGE) }]]);
    batchGets = [];
    staleChunks = true;
    const res = await fetch(name, 'offset=0');
    expect(res.status).toBe(200);
    expect(res.body.records[0].value.data).toBe(bytes(LARGE).data);
    expect(batchGets).toEqual([
      { consistent: false, keys: 3, returned: 0 },
      { consistent: true, keys: 3, returned: 3 },
    ]);
  });
});

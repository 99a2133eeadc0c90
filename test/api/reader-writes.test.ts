/**
 * Readers write to the log table only within READER_WRITTEN_ATTRIBUTES, the
 * set the CDK stack confines the fetch and groups functions to with IAM
 * `dynamodb:Attributes`. If a reader ever needed another attribute, the
 * deployed function would get AccessDenied: this test catches it first.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { InjectedCrash } from '../../lib/log/crash-points';
import { produce } from '../../lib/log/produce';
import { READER_WRITTEN_ATTRIBUTES } from '../../lib/log/reader-writes';
import { ANONYMOUS } from '../../lib/auth/authorize';
import { ddbHook, ManualClock, type DdbCall } from '../support/ddb-faults';
import { createTestStack, uniqueName, type TestStack } from '../support/stack';

const writes: DdbCall[] = [];
let recording = false;
const recorder = ddbHook('wire', async (call, next) => {
  if (recording && ['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem'].includes(call.command)) writes.push(call);
  return next();
});

let stack: TestStack;
let clock: ManualClock;
beforeAll(async () => {
  stack = await createTestStack({ limits: { abortAfterMs: 2_000, maxClockSkewMs: 50 }, plugins: [recorder] });
  clock = new ManualClock();
  stack.lib.clock = clock;
});

const KEYWORDS = new Set(['SET', 'REMOVE', 'ADD', 'DELETE', 'AND', 'OR', 'NOT', 'IN', 'BETWEEN', 'attribute_exists', 'attribute_not_exists', 'if_not_exists', 'list_append', 'size', 'begins_with', 'contains', 'attribute_type']);

/** Top-level attribute names a write touches: item or key attributes, and every name in its expressions. */
function attributesOf(call: DdbCall): string[] {
  const names = new Set<string>([...Object.keys(call.input.Item ?? {}), ...Object.keys(call.input.Key ?? {})]);
  const aliases: Record<string, string> = call.input.ExpressionAttributeNames ?? {};
  for (const expr of [call.input.UpdateExpression, call.input.ConditionExpression]) {
    for (const token of String(expr ?? '').match(/[#:]?[A-Za-z_][A-Za-z0-9_]*/g) ?? []) {
      if (token.startsWith(':') || KEYWORDS.has(token)) continue;
      names.add(token.startsWith('#') ? (aliases[token] ?? token) : token);
    }
  }
  return [...names];
}

describe('reader writes', () => {
  it('close a dead reservation and advance the cursor using only READER_WRITTEN_ATTRIBUTES, with no ALL_OLD return', async () => {
    const name = uniqueName('readers');
    expect((await stack.call('POST', '/v1/topics', { name })).status).toBe(201);
    const value = { type: 'STRING' as const, data: 'v' };
    expect((await stack.call('POST', `/v1/topics/${name}/records`, { records: [{ value }] })).status).toBe(200);
    const dying = { ...stack.lib, crash: (p: string) => { if (p === 'produce.afterReserve') throw new InjectedCrash(p as never); } };
    // The crashed batch's records come back with an error each; the reservation stays open.
    const dead = await produce(dying, ANONYMOUS, name, { records: [{ partition: 0, value }] });
    expect(dead.records[0]).toHaveProperty('error');
    expect((await stack.call('POST', `/v1/topics/${name}/records`, { records: [{ value }] })).status).toBe(200);
    clock.advance(5_000);

    recording = true;
    const res = await stack.call('GET', `/v1/topics/${name}/partitions/0/records?offset=0`);
    const again = await stack.call('GET', `/v1/topics/${name}/partitions/0/records?offset=0`);
    recording = false;

    expect(res.status).toBe(200);
    expect(res.body.abortedRanges).toEqual([{ from: 1, to: 2 }]);
    expect(again.body.records.map((r: { offset: number }) => r.offset)).toEqual([0, 2]);
    const logWrites = writes.filter((w) => w.input.TableName === stack.tables.log);
    expect(logWrites.map((w) => w.command).sort()).toEqual(expect.arrayContaining(['PutItem', 'UpdateItem']));
    for (const w of logWrites) {
      expect(['PutItem', 'UpdateItem']).toContain(w.command);
      for (const attribute of attributesOf(w)) expect(READER_WRITTEN_ATTRIBUTES).toContain(attribute);
      expect(w.input.ReturnValuesOnConditionCheckFailure ?? 'NONE').toBe('NONE');
      expect(w.input.ReturnValues ?? 'NONE').toBe('NONE');
    }
    expect(writes.filter((w) => w.input.TableName !== stack.tables.log)).toEqual([]);
  });
});

/**
 * No poison pills (issue 14): a JSON key, value or header value nested past
 * MAX_JSON_NESTING (100) levels is refused at produce with 400
 * INVALID_RECORD, and a stored record that cannot be rendered as its type
 * — written before that check existed, or by anything that bypassed it —
 * is served by fetch and group poll as BINARY with a `fallback` flag
 * instead of failing every consumer with a 500.
 *
 * Before the fix: ~4,200 levels made produce answer 500, ~4,110 levels were
 * stored and then every fetch and poll covering the offset answered 500.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { append, type PendingRecord } from '../../lib/log/append';
import { resolvePartition } from '../../lib/log/partition';
import { TYPE_IDS } from '../../lib/protocol/records';
import { createTestStack, uniqueName, type TestStack } from '../support/stack';

let stack: TestStack;
beforeAll(async () => {
  stack = await createTestStack();
});

const utf8 = (s: string) => new TextEncoder().encode(s);
const base64 = (s: string | Uint8Array) => Buffer.from(s).toString('base64');
const deepArray = (levels: number) => '['.repeat(levels) + ']'.repeat(levels);
const deepObject = (levels: number) => '{"a":'.repeat(levels) + 'null' + '}'.repeat(levels);

async function topic(partitions = 1): Promise<string> {
  const name = uniqueName();
  expect((await stack.call('POST', '/v1/topics', { name, partitions })).status).toBe(201);
  return name;
}

async function latest(name: string, partition = 0): Promise<number> {
  return (await stack.call('GET', `/v1/topics/${name}/partitions/${partition}/offsets?at=latest`)).body.offset;
}

type Field = 'key' | 'value' | 'header';

/**
 * A produce body as text, with `json` (JSON text) as the JSON data of one
 * field. Built by concatenation: JSON.stringify itself overflows on these.
 */
function recordText(field: Field, json: string): string {
  const data = `{"type":"JSON","data":${json}}`;
  if (field === 'key') return `{"key":${data},"value":{"type":"STRING","data":"v"}}`;
  if (field === 'value') return `{"value":${data}}`;
  return `{"value":null,"headers":[{"name":"h","value":${data}}]}`;
}

const FIELD_PATH: Record<Field, string> = { key: 'records[0].key', value: 'records[0].value', header: 'records[0].headers[0]' };

describe('produce refuses JSON nested past 100 levels', () => {
  const cases = (['key', 'value', 'header'] as const).flatMap((field) =>
    [101, 4_110, 4_200, 100_000].map((levels) => [field, levels] as const),
  );

  it.each(cases)('%s nested %i deep: 400 INVALID_RECORD naming the limit, nothing stored', async (field, levels) => {
    const name = await topic();
    for (const json of [deepArray(levels), deepObject(levels)]) {
      const res = await stack.call('POST', `/v1/topics/${name}/records`, `{"records":[${recordText(field, json)}]}`);
      expect(res.status).toBe(400);
      expect(res.body.error).toMatchObject({ code: 'INVALID_RECORD', limit: 100, retriable: false });
      expect(res.body.error.message).toContain(FIELD_PATH[field]);
      expect(res.body.error.message).toContain('100');
      expect(res.body.records[0].error.code).toBe('INVALID_RECORD');
    }
    expect(await latest(name)).toBe(0);
  });

  it.each(['key', 'value', 'header'] as const)('%s nested exactly 100 deep is stored and fetched back as JSON', async (field) => {
    const name = await topic();
    const res = await stack.call('POST', `/v1/topics/${name}/records`, `{"records":[${recordText(field, deepArray(100))}]}`);
    expect(res.status).toBe(200);
    const fetched = (await stack.call('GET', `/v1/topics/${name}/partitions/0/records?offset=0`)).body.records[0];
    const expected = JSON.parse(deepArray(100));
    if (field === 'key') expect(fetched.key).toEqual({ type: 'JSON', data: expected });
    if (field === 'value') expect(fetched.value).toEqual({ type: 'JSON', data: expected });
    // Header values carry no type: JSON text comes back as STRING, byte for byte.
    if (field === 'header') expect(fetched.headers[0].value).toEqual({ type: 'STRING', data: deepArray(100) });
  });

  it('refuses only the deep record of a plain request (207), storing the others', async () => {
    const name = await topic();
    const res = await stack.call('POST', `/v1/topics/${name}/records`, `{"records":[{"value":{"type":"STRING","data":"ok"}},${recordText('value', deepArray(5_000))}]}`);
    expect(res.status).toBe(207);
    expect(res.body.records[0]).toMatchObject({ partition: 0, offset: 0 });
    expect(res.body.records[1].error).toMatchObject({ code: 'INVALID_RECORD', limit: 100 });
    expect(await latest(name)).toBe(1);
  });
});

describe('fetch and group poll never fail on a stored record', () => {
  /** Records no produce request can make any more, written straight through lib/log/append.ts (no validation). */
  function unrenderable(): PendingRecord[] {
    return [
      // The two cases: 4,200 levels (produce answered 500) and 4,110 (stored, then every fetch 500).
      { timestamp: undefined, key: utf8(deepArray(4_200)), keyType: TYPE_IDS.JSON, value: utf8(deepObject(4_110)), valueType: TYPE_IDS.JSON, headers: [{ key: 'h', value: utf8(deepArray(50_000)) }] },
      { timestamp: undefined, key: null, keyType: 0, value: utf8(deepArray(101)), valueType: TYPE_IDS.JSON, headers: [] },
      { timestamp: undefined, key: null, keyType: 0, value: new Uint8Array([0x61, 0xff]), valueType: TYPE_IDS.STRING, headers: [] },
      { timestamp: undefined, key: null, keyType: 0, value: utf8('{"a":'), valueType: TYPE_IDS.JSON, headers: [] },
      { timestamp: undefined, key: null, keyType: 0, value: utf8('{"fine":true}'), valueType: TYPE_IDS.JSON, headers: [] },
    ];
  }

  const fallback = (storedType: string, reason: string) => ({ storedType, reason });

  /** What each record above comes back as (without `encoding=binary`). */
  function expectRendered(records: { offset: number; key: unknown; value: unknown; headers: { name: string; value: unknown }[] }[]): void {
    expect(records.map((r) => r.offset)).toEqual([0, 1, 2, 3, 4]);
    expect(records[0]!.key).toEqual({ type: 'BINARY', data: base64(deepArray(4_200)), fallback: fallback('JSON', 'NESTING_TOO_DEEP') });
    expect(records[0]!.value).toEqual({ type: 'BINARY', data: base64(deepObject(4_110)), fallback: fallback('JSON', 'NESTING_TOO_DEEP') });
    expect(records[0]!.headers).toEqual([{ name: 'h', value: { type: 'STRING', data: deepArray(50_000) } }]);
    expect(records[1]!.value).toEqual({ type: 'BINARY', data: base64(deepArray(101)), fallback: fallback('JSON', 'NESTING_TOO_DEEP') });
    expect(records[2]!.value).toEqual({ type: 'BINARY', data: base64(new Uint8Array([0x61, 0xff])), fallback: fallback('STRING', 'INVALID_UTF8') });
    expect(records[3]!.value).toEqual({ type: 'BINARY', data: base64('{"a":'), fallback: fallback('JSON', 'INVALID_JSON') });
    expect(records[4]!.value).toEqual({ type: 'JSON', data: { fine: true } });
  }

  // Mutation checked: without the nesting check in fromBytes (lib/protocol/records.ts) the fetch and the poll answer 500.
  it('fetch serves them as BINARY with a fallback flag, and encoding=binary as plain BINARY', async () => {
    const name = await topic();
    await append(stack.lib, await resolvePartition(stack.lib, name, 0), unrenderable());
    const res = await stack.call('GET', `/v1/topics/${name}/partitions/0/records?offset=0`);
    expect(res.status).toBe(200);
    expectRendered(res.body.records);
    expect(res.body.nextOffset).toBe(5);
    // Fetching from the offset of the bad record itself, and past it, works too.
    const fromOne = await stack.call('GET', `/v1/topics/${name}/partitions/0/records?offset=1&maxRecords=1`);
    expect(fromOne.status).toBe(200);
    expect(fromOne.body.records[0].value.fallback).toEqual(fallback('JSON', 'NESTING_TOO_DEEP'));

    const binary = await stack.call('GET', `/v1/topics/${name}/partitions/0/records?offset=0&encoding=binary`);
    expect(binary.status).toBe(200);
    expect(binary.body.records[0].value).toEqual({ type: 'BINARY', data: base64(deepObject(4_110)) });
    expect(binary.body.records[4].value).toEqual({ type: 'BINARY', data: base64('{"fine":true}') });
  });

  it('a group poll delivers them, and the group moves on past them', async () => {
    const name = await topic();
    await append(stack.lib, await resolvePartition(stack.lib, name, 0), unrenderable());
    const group = uniqueName('g');
    const join = await stack.call('POST', `/v1/groups/${group}/poll`, { memberId: 'm', memberEpoch: 0, topics: [name], offsetReset: 'earliest', maxWaitMs: 2_000 });
    expect(join.status).toBe(200);
    let { memberEpoch, assignment, positions } = join.body;
    const got = [...join.body.records];
    for (let i = 0; i < 10 && got.length < 5; i++) {
      const next = await stack.call('POST', `/v1/groups/${group}/poll`, { memberId: 'm', memberEpoch, topics: [name], owned: assignment, positions, maxWaitMs: 1_000 });
      expect(next.status).toBe(200);
      ({ memberEpoch, assignment, positions } = next.body);
      got.push(...next.body.records);
    }
    expect(got.every((r: { topic: string; partition: number }) => r.topic === name && r.partition === 0)).toBe(true);
    expectRendered(got);
    const commit = await stack.call('POST', `/v1/groups/${group}/poll`, {
      memberId: 'm', memberEpoch, topics: [name], owned: assignment, positions, commit: [{ topic: name, partition: 0, offset: 5 }], maxWaitMs: 0,
    });
    expect(commit.status).toBe(200);
    const offsets = await stack.call('GET', `/v1/groups/${group}/offsets`);
    expect(offsets.body.offsets).toEqual([expect.objectContaining({ topic: name, partition: 0, offset: 5 })]);
  });
});

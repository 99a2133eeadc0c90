/**
 * Produce takes the topic from the instance's cache, and the reservation
 * validates it (lib/log/produce.ts, lib/log/counter.ts, lib/topics/counters.ts):
 * two sequential DynamoDB round trips when the topic is cached, and never a
 * write by a stale copy — not into a deleted topic, not into the old
 * incarnation of a re-created one, not with configs or a partition count an
 * admin change has replaced. Admin operations do not touch the cache, so in
 * this one-instance stack the cache is as stale after them as another
 * instance's would be; the clock stands still so that it never expires here.
 */
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { codecId } from '../../lib/log/compression';
import { ttlFor } from '../../lib/log/batch-item';
import { logKeys } from '../../lib/storage/keys';
import { awsError, callCounter, ddbHook, type CallLog } from '../support/ddb-faults';
import { createTestStack, uniqueName, type TestStack } from '../support/stack';

let stack: TestStack;
let log: CallLog;
let now = Date.now();
/** Start and end of every call that reached the wire, to measure sequential round trips. */
const spans: { start: number; end: number }[] = [];
/** When set, makes the named call fail once (a crash between two steps of an admin operation). */
let failNext: ((command: string, input: Record<string, any>) => boolean) | undefined;

beforeAll(async () => {
  const counter = callCounter();
  const timing = ddbHook('wire', async (_call, next) => {
    const span = { start: performance.now(), end: Number.POSITIVE_INFINITY };
    spans.push(span);
    try {
      return await next();
    } finally {
      span.end = performance.now();
    }
  });
  const faults = ddbHook('initialize', async (call, next) => {
    if (failNext?.(call.command, call.input)) {
      failNext = undefined;
      throw awsError('InternalServerError');
    }
    return next();
  });
  stack = await createTestStack({ plugins: [faults, counter.plugin, timing] });
  log = counter.log;
  stack.lib.clock = { now: () => now };
});

beforeEach(() => {
  now = Date.now();
});

function startCounting(): void {
  log.reset();
  spans.length = 0;
}

/** The longest chain of calls each starting after the previous one ended: round trips a request waits for. */
function sequentialRoundTrips(): number {
  const sorted = [...spans].sort((a, b) => a.start - b.start);
  const depth: number[] = [];
  sorted.forEach((s, i) => {
    let before = 0;
    for (let j = 0; j < i; j++) if ((sorted[j] as { end: number }).end <= s.start) before = Math.max(before, depth[j] as number);
    depth.push(before + 1);
  });
  return Math.max(0, ...depth);
}

const str = (data: string) => ({ type: 'STRING', data });
const produce = (name: string, body: unknown) => stack.call('POST', `/v1/topics/${name}/records`, body);
const values = async (name: string, partition = 0) =>
  (await stack.call('GET', `/v1/topics/${name}/partitions/${partition}/records?offset=0`)).body.records.map(
    (r: { value: { data: string } }) => r.value.data,
  );
const topicId = async (name: string) => (await stack.call('GET', `/v1/topics/${name}`)).body.topicId as string;

async function create(name: string, partitions = 1, configs: Record<string, unknown> = {}) {
  expect((await stack.call('POST', '/v1/topics', { name, partitions, configs })).status).toBe(201);
}

/** Batch items (sk ≥ 0) of one partition of one incarnation, read strongly. */
async function batchItems(id: string, partition = 0): Promise<Record<string, any>[]> {
  const out = await stack.lib.ddb.send(
    new QueryCommand({
      TableName: stack.tables.log,
      KeyConditionExpression: 'pk = :pk AND sk >= :zero',
      ExpressionAttributeValues: { ':pk': logKeys.partitionPk(id, partition), ':zero': 0 },
      ConsistentRead: true,
    }),
  );
  return out.Items ?? [];
}

describe('round trips', () => {
  it('writes with 2 sequential round trips once the topic is cached: the reservation and the batch put', async () => {
    const name = uniqueName();
    await create(name);
    await produce(name, { records: [{ value: str('warm-up') }] });
    startCounting();
    expect((await produce(name, { records: [{ value: str('a') }, { value: str('b') }] })).status).toBe(200);
    expect(Object.fromEntries(log.attempts)).toEqual({ UpdateItem: 1, PutItem: 1 });
    expect(sequentialRoundTrips()).toBe(2);
  });

  it('writes an idempotent batch with 3 sequential round trips once topic and epoch are cached', async () => {
    const name = uniqueName();
    await create(name);
    const { producerId, producerEpoch } = (await stack.call('POST', '/v1/producers')).body;
    const batch = (seq: number, v: string) => ({ producerId, producerEpoch, baseSequences: { '0': seq }, records: [{ partition: 0, value: str(v) }] });
    await produce(name, batch(0, 'a'));
    startCounting();
    const res = await produce(name, batch(1, 'b'));
    expect(res.body.records).toEqual([expect.objectContaining({ partition: 0, offset: 1 })]);
    // The state read and the reservation in parallel, then the claim, then the batch put.
    expect(Object.fromEntries(log.attempts)).toEqual({ GetItem: 1, UpdateItem: 2, PutItem: 1 });
    expect(sequentialRoundTrips()).toBe(3);
    // A retry: the reservation taken beside the state read is closed, the original offset returned.
    startCounting();
    expect((await produce(name, batch(1, 'b'))).body.records).toEqual([expect.objectContaining({ offset: 1 })]);
    expect(log.markerPuts).toBe(1);
    expect(log.batchPuts).toBe(0);
    expect(await values(name)).toEqual(['a', 'b']);
  });
});

describe('a cached topic that was deleted or re-created', () => {
  it('refuses a produce after delete with 404 and writes nothing', async () => {
    const name = uniqueName();
    await create(name);
    const id = await topicId(name);
    await produce(name, { records: [{ value: str('before') }] });
    expect((await stack.call('DELETE', `/v1/topics/${name}`)).status).toBe(204);
    startCounting();
    const res = await produce(name, { records: [{ value: str('after') }] });
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('UNKNOWN_TOPIC_OR_PARTITION');
    expect(log.batchPuts).toBe(0);
    expect((await batchItems(id)).map((i) => i.n)).toEqual([1]);
  });

  it('writes to the re-created topic, never to the old incarnation', async () => {
    const name = uniqueName();
    await create(name, 1);
    const oldId = await topicId(name);
    await produce(name, { records: [{ key: str('k'), value: str('old') }] });
    await stack.call('DELETE', `/v1/topics/${name}`);
    await create(name, 4);
    const newId = await topicId(name);
    const res = await produce(name, { records: [{ key: str('k'), value: str('new') }, { partition: 3, value: str('p3') }] });
    expect(res.status).toBe(200);
    // Keyed by the new partition count (the cached one had a single partition).
    const keyed = res.body.records[0];
    expect(keyed.offset).toBe(0);
    expect((await values(name, keyed.partition))).toEqual(['new']);
    expect(await values(name, 3)).toEqual(keyed.partition === 3 ? ['new', 'p3'] : ['p3']);
    expect((await batchItems(oldId)).length).toBe(1);
    expect((await batchItems(newId, keyed.partition)).length).toBe(1);
  });

  // Checked against: appendIdempotent answering from the producer state of a cached topic without the
  // reservation's confirmation (requireCurrentTopic, lib/log/idempotence.ts) makes this fail: the batch
  // is "replayed" from the deleted incarnation and never written to the new one.
  it('writes an idempotent batch to the re-created topic even when the old one holds its sequence', async () => {
    const name = uniqueName();
    await create(name);
    const { producerId, producerEpoch } = (await stack.call('POST', '/v1/producers')).body;
    const body = { producerId, producerEpoch, baseSequences: { '0': 0 }, records: [{ partition: 0, value: str('x') }] };
    expect((await produce(name, body)).status).toBe(200);
    await stack.call('DELETE', `/v1/topics/${name}`);
    await create(name);
    const res = await produce(name, body);
    expect(res.status).toBe(200);
    expect(res.body.records[0].offset).toBe(0);
    expect(await values(name)).toEqual(['x']);
  });

  // Checked against: deleting the topic item before the counters (lib/topics/delete.ts) makes this
  // fail: the interrupted delete leaves counters a cached copy can still write through.
  it('leaves nothing writable when a delete dies after its first step', async () => {
    const name = uniqueName();
    await create(name);
    const id = await topicId(name);
    await produce(name, { records: [{ value: str('before') }] });
    failNext = (command, input) => command === 'DeleteItem' && input.TableName === stack.tables.meta;
    expect((await stack.call('DELETE', `/v1/topics/${name}`)).status).toBe(503);
    const res = await produce(name, { records: [{ value: str('after') }] });
    expect(res.body.records?.[0]?.error?.code ?? res.body.error?.code).toBe('UNKNOWN_TOPIC_OR_PARTITION');
    expect((await batchItems(id)).length).toBe(1);
    expect((await stack.call('DELETE', `/v1/topics/${name}`)).status).toBe(204);
    expect((await produce(name, { records: [{ value: str('after') }] })).status).toBe(404);
  });
});

describe('a cached topic whose configs or partitions changed', () => {
  // Checked against: dropping `cv <= :v` from the reservation's condition (reserveUpdate,
  // lib/log/counter.ts) makes this fail: the batch is built uncompressed with the old TTL.
  it('builds the first batch after alter-configs with the new compression.type and retention.ms', async () => {
    const name = uniqueName();
    await create(name, 1, { 'retention.ms': 3_600_000 });
    const id = await topicId(name);
    await produce(name, { records: [{ value: str('old') }] });
    const altered = await stack.call('PATCH', `/v1/topics/${name}/configs`, { configs: { 'compression.type': 'gzip', 'retention.ms': 7_200_000 } });
    expect(altered.status).toBe(200);
    startCounting();
    expect((await produce(name, { records: [{ value: str('new '.repeat(100)) }] })).status).toBe(200);
    // The refused reservation, the topic read again, the reservation, the batch put.
    expect(Object.fromEntries(log.attempts)).toEqual({ UpdateItem: 2, GetItem: 1, PutItem: 1 });
    expect(log.conditionFailures).toHaveLength(1);
    const [first, second] = await batchItems(id);
    // (The raise moved the earlier batch's TTL too: retention-ttl.ts.)
    expect(first).toMatchObject({ c: codecId('none'), ttl: ttlFor(first?.at, 7_200_000) });
    expect(second).toMatchObject({ c: codecId('gzip'), ttl: ttlFor(second?.at, 7_200_000) });
    // And the topic read is cached again: back to two round trips.
    startCounting();
    await produce(name, { records: [{ value: str('next') }] });
    expect(Object.fromEntries(log.attempts)).toEqual({ UpdateItem: 1, PutItem: 1 });
    expect(await values(name)).toEqual(['old', 'new '.repeat(100), 'next']);
  });

  it('checks records against a lowered max.message.bytes', async () => {
    const name = uniqueName();
    await create(name);
    await produce(name, { records: [{ value: str('x'.repeat(500)) }] });
    await stack.call('PATCH', `/v1/topics/${name}/configs`, { configs: { 'max.message.bytes': 100 } });
    const res = await produce(name, { records: [{ value: str('y'.repeat(500)) }, { value: str('small') }] });
    expect(res.status).toBe(207);
    expect(res.body.records[0].error).toMatchObject({ code: 'RECORD_TOO_LARGE', limit: 100 });
    expect(res.body.records[1]).toMatchObject({ partition: 0, offset: 1 });
  });

  it('routes keyed records by the new partition count after create-partitions, and accepts the new partitions', async () => {
    const name = uniqueName();
    await create(name, 1);
    await produce(name, { records: [{ key: str('k'), value: str('one') }] });
    expect((await stack.call('POST', `/v1/topics/${name}/partitions`, { partitions: 8 })).status).toBe(200);
    // Some keys of these map beyond partition 0 with 8 partitions; the cached count (1) maps all to 0.
    const keys = Array.from({ length: 16 }, (_, i) => `key-${i}`);
    const res = await produce(name, { records: keys.map((k) => ({ key: str(k), value: str(k) })) });
    expect(res.status).toBe(200);
    const partitions = new Set(res.body.records.map((r: { partition: number }) => r.partition));
    expect(partitions.size).toBeGreaterThan(1);
    expect((await produce(name, { records: [{ partition: 7, value: str('p7') }] })).body.records[0]).toMatchObject({ partition: 7, offset: 0 });
  });
});

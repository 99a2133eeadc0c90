import { beforeAll, describe, expect, it } from 'vitest';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { logKeys } from '../../lib/storage/keys';
import { ddbHook } from '../support/ddb-faults';
import { createTestStack, uniqueName, type TestStack } from '../support/stack';

let stack: TestStack;
beforeAll(async () => {
  stack = await createTestStack({ limits: { maxPartitionsPerTopic: 64 } });
});

const create = (body: unknown) => stack.call('POST', '/v1/topics', body);

describe('create and describe', () => {
  it('creates a topic and describes it with partitions and default configs', async () => {
    const name = uniqueName();
    const created = await create({ name, partitions: 3 });
    expect(created.status).toBe(201);
    expect(created.headers.get('location')).toBe(`/v1/topics/${name}`);
    const described = await stack.call('GET', `/v1/topics/${name}`);
    expect(described.status).toBe(200);
    expect(described.body.name).toBe(name);
    expect(described.body.topicId).toMatch(/^[0-9a-f-]{36}$/);
    expect(described.body.partitions).toEqual([{ partition: 0 }, { partition: 1 }, { partition: 2 }]);
    expect(described.body.configs).toContainEqual({ name: 'retention.ms', value: '604800000', source: 'default' });
    expect(described.body.configs).toContainEqual({ name: 'max.message.bytes', value: '1048588', source: 'default' });
  });

  it('defaults to one partition and accepts Kafka-style string config values', async () => {
    const name = uniqueName();
    const created = await create({ name, configs: { 'retention.ms': '60000', 'compression.type': 'gzip' } });
    expect(created.status).toBe(201);
    expect(created.body.partitions).toHaveLength(1);
    expect(created.body.configs).toContainEqual({ name: 'retention.ms', value: '60000', source: 'topic' });
    expect(created.body.configs).toContainEqual({ name: 'compression.type', value: 'gzip', source: 'topic' });
  });

  it('rejects a duplicate create with 409 TOPIC_ALREADY_EXISTS and keeps the first topic', async () => {
    const name = uniqueName();
    const first = await create({ name, partitions: 2 });
    const second = await create({ name, partitions: 5 });
    expect(second.status).toBe(409);
    expect(second.body.error).toMatchObject({ code: 'TOPIC_ALREADY_EXISTS', retriable: false });
    const described = await stack.call('GET', `/v1/topics/${name}`);
    expect(described.body.topicId).toBe(first.body.topicId);
    expect(described.body.partitions).toHaveLength(2);
  });

  it('lets exactly one of many concurrent creates of one name win', async () => {
    const name = uniqueName();
    const results = await Promise.all(Array.from({ length: 8 }, () => create({ name, partitions: 2 })));
    expect(results.filter((r) => r.status === 201)).toHaveLength(1);
    expect(results.filter((r) => r.status === 409)).toHaveLength(7);
    // The losers cleaned up their counters: only the winner's id has them.
    const winner = results.find((r) => r.status === 201)!.body.topicId as string;
    const counter = await stack.lib.ddb.send(
      new GetCommand({ TableName: stack.tables.log, Key: logKeys.counter(winner, 1), ConsistentRead: true }),
    );
    expect(counter.Item).toMatchObject({ seq: 0, next: 0 });
  });

  it.each([
    [{ name: '' }, 'INVALID_TOPIC'],
    [{ name: '.' }, 'INVALID_TOPIC'],
    [{ name: '..' }, 'INVALID_TOPIC'],
    [{ name: 'a'.repeat(250) }, 'INVALID_TOPIC'],
    [{ name: 'has space' }, 'INVALID_TOPIC'],
    [{ name: 'ünïcode' }, 'INVALID_TOPIC'],
    [{ name: 42 }, 'INVALID_TOPIC'],
    [{ name: 'ok', partitions: 0 }, 'INVALID_PARTITIONS'],
    [{ name: 'ok', partitions: -1 }, 'INVALID_PARTITIONS'],
    [{ name: 'ok', partitions: 65 }, 'INVALID_PARTITIONS'],
    [{ name: 'ok', partitions: 1.5 }, 'INVALID_PARTITIONS'],
    [{ name: 'ok', partitions: '3' }, 'INVALID_PARTITIONS'],
    [{ name: 'ok', configs: { 'retention.ms': 0 } }, 'INVALID_CONFIG'],
    [{ name: 'ok', configs: { 'retention.ms': 'soon' } }, 'INVALID_CONFIG'],
    [{ name: 'ok', configs: { 'max.message.bytes': 999_999_999 } }, 'INVALID_CONFIG'],
    [{ name: 'ok', configs: { 'compression.type': 'snappy' } }, 'INVALID_CONFIG'],
    [{ name: 'ok', configs: { 'cleanup.policy': 'compact' } }, 'INVALID_CONFIG'],
    [{ name: 'ok', configs: { 'retention.ms': { nested: 1 } } }, 'INVALID_CONFIG'],
    [{ name: 'ok', partition: 3 }, 'INVALID_REQUEST'],
    [[], 'INVALID_REQUEST'],
    [null, 'INVALID_REQUEST'],
  ])('rejects %j with 400 %s', async (body, code) => {
    const res = await create(body);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe(code);
    expect(res.body.error.message).toEqual(expect.any(String));
  });

  it('names the limit in the error when partitions exceed the maximum', async () => {
    const res = await create({ name: uniqueName(), partitions: 1000 });
    expect(res.body.error).toMatchObject({ code: 'INVALID_PARTITIONS', max: 64 });
    expect(res.body.error.message).toContain('64');
  });

  it('refuses a topic beyond maxTopics with POLICY_VIOLATION naming the limit, and allows one again after a delete', async () => {
    const small = await createTestStack({ limits: { maxTopics: 2 } });
    const [a, b, c] = [uniqueName(), uniqueName(), uniqueName()];
    expect((await small.call('POST', '/v1/topics', { name: a })).status).toBe(201);
    expect((await small.call('POST', '/v1/topics', { name: b })).status).toBe(201);
    const refused = await small.call('POST', '/v1/topics', { name: c });
    expect(refused.status).toBe(400);
    expect(refused.body.error).toMatchObject({ code: 'POLICY_VIOLATION', limit: 2 });
    expect(refused.body.error.message).toContain('maxTopics');
    expect((await small.call('GET', `/v1/topics/${c}`)).status).toBe(404);
    expect((await small.call('DELETE', `/v1/topics/${a}`)).status).toBe(204);
    expect((await small.call('POST', '/v1/topics', { name: c })).status).toBe(201);
  });

  it('answers an unknown topic with 404 UNKNOWN_TOPIC_OR_PARTITION', async () => {
    const res = await stack.call('GET', `/v1/topics/${uniqueName()}`);
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('UNKNOWN_TOPIC_OR_PARTITION');
  });
});

describe('list', () => {
  it('lists created topics and not deleted ones', async () => {
    const kept = uniqueName('list');
    const gone = uniqueName('list');
    await create({ name: kept, partitions: 2 });
    await create({ name: gone });
    await stack.call('DELETE', `/v1/topics/${gone}`);
    const res = await stack.call('GET', '/v1/topics');
    expect(res.status).toBe(200);
    const names = res.body.topics.map((t: { name: string }) => t.name);
    expect(names).toContain(kept);
    expect(names).not.toContain(gone);
    expect(res.body.topics.find((t: { name: string }) => t.name === kept)).toMatchObject({ partitions: 2 });
  });
});

describe('delete', () => {
  it('deletes a topic, frees the name, and a re-created topic gets a new id and fresh counters', async () => {
    const name = uniqueName();
    const first = await create({ name, partitions: 2 });
    const deleted = await stack.call('DELETE', `/v1/topics/${name}`);
    expect(deleted.status).toBe(204);
    expect((await stack.call('GET', `/v1/topics/${name}`)).status).toBe(404);
    const oldCounter = await stack.lib.ddb.send(
      new GetCommand({ TableName: stack.tables.log, Key: logKeys.counter(first.body.topicId, 0), ConsistentRead: true }),
    );
    expect(oldCounter.Item).toBeUndefined();
    const second = await create({ name, partitions: 1 });
    expect(second.status).toBe(201);
    expect(second.body.topicId).not.toBe(first.body.topicId);
  });

  // Checked against: removing the `topicId = :id` condition from the delete in lib/topics/delete.ts makes this fail
  // (every concurrent delete answers 204).
  it('returns 404 for deleting an unknown topic and for the losers of concurrent deletes', async () => {
    expect((await stack.call('DELETE', `/v1/topics/${uniqueName()}`)).status).toBe(404);
    const name = uniqueName();
    await create({ name });
    const results = await Promise.all(Array.from({ length: 5 }, () => stack.call('DELETE', `/v1/topics/${name}`)));
    expect(results.map((r) => r.status).sort()).toEqual([204, 404, 404, 404, 404]);
    for (const r of results.filter((r) => r.status === 404)) expect(r.body.error.code).toBe('UNKNOWN_TOPIC_OR_PARTITION');
    expect((await stack.call('GET', `/v1/topics/${name}`)).status).toBe(404);
  });
});

describe('partitions', () => {
  it('increases partitions and creates their counters', async () => {
    const name = uniqueName();
    const created = await create({ name, partitions: 2 });
    const res = await stack.call('POST', `/v1/topics/${name}/partitions`, { partitions: 5 });
    expect(res.status).toBe(200);
    expect(res.body.partitions).toHaveLength(5);
    const counter = await stack.lib.ddb.send(
      new GetCommand({ TableName: stack.tables.log, Key: logKeys.counter(created.body.topicId, 4), ConsistentRead: true }),
    );
    expect(counter.Item).toMatchObject({ seq: 0, next: 0 });
  });

  it.each([2, 1, 0])('refuses to set %i partitions on a 2-partition topic (never decrease)', async (total) => {
    const name = uniqueName();
    await create({ name, partitions: 2 });
    const res = await stack.call('POST', `/v1/topics/${name}/partitions`, { partitions: total });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('INVALID_PARTITIONS');
  });

  it('lets one of several racing increases to the same total win and answers the others 409', async () => {
    const name = uniqueName();
    await create({ name, partitions: 1 });
    const results = await Promise.all([3, 3, 3].map((p) => stack.call('POST', `/v1/topics/${name}/partitions`, { partitions: p })));
    expect(results.some((r) => r.status === 200)).toBe(true);
    for (const r of results) expect([200, 409]).toContain(r.status);
    expect((await stack.call('GET', `/v1/topics/${name}`)).body.partitions).toHaveLength(3);
  });

  // Checked against: removing `attribute_not_exists(pk)` from putMissingCounters (lib/topics/counters.ts) makes this
  // fail (the late put resets partition 2's counter, so the next record cannot be appended at offset 1).
  it('never overwrites a counter when increases race', async () => {
    // Holds the counter puts of one increase (after it read the topic) until released.
    let gate: Promise<void> | undefined;
    let held = 0;
    let bothHeld: () => void = () => undefined;
    const putsHeld = new Promise<void>((r) => (bothHeld = r));
    const hold = ddbHook('initialize', async (call, next) => {
      if (gate !== undefined && call.command === 'PutItem' && call.input.Item?.sk === -1) {
        const wait = gate;
        if (++held === 2) bothHeld();
        await wait;
      }
      return next();
    });
    const racing = await createTestStack({ plugins: [hold] });
    const name = uniqueName();
    expect((await racing.call('POST', '/v1/topics', { name, partitions: 1 })).status).toBe(201);

    let release: () => void = () => undefined;
    gate = new Promise<void>((r) => (release = r));
    // The slow increase read a 1-partition topic and stops before creating the counters of partitions 1 and 2.
    const slow = racing.call('POST', `/v1/topics/${name}/partitions`, { partitions: 3 });
    await putsHeld;
    gate = undefined;
    // Meanwhile another increase completes and a producer uses partition 2.
    expect((await racing.call('POST', `/v1/topics/${name}/partitions`, { partitions: 3 })).status).toBe(200);
    const value = (data: string) => ({ partition: 2, value: { type: 'STRING', data } });
    const first = await racing.call('POST', `/v1/topics/${name}/records`, { records: [value('first')] });
    expect(first.body.records).toEqual([expect.objectContaining({ partition: 2, offset: 0 })]);

    // The slow increase's counter puts land now, on a counter in use; its count update loses the race.
    release();
    const late = await slow;
    expect(late.status).toBe(409);
    expect(late.body.error.code).toBe('CONCURRENT_MODIFICATION');

    const second = await racing.call('POST', `/v1/topics/${name}/records`, { records: [value('second')] });
    expect(second.body.records).toEqual([expect.objectContaining({ partition: 2, offset: 1 })]);
    const fetched = await racing.call('GET', `/v1/topics/${name}/partitions/2/records?offset=0`);
    expect(fetched.body.records.map((r: { offset: number; value: { data: string } }) => [r.offset, r.value.data])).toEqual([
      [0, 'first'],
      [1, 'second'],
    ]);
  });
});

describe('configs', () => {
  it('sets, keeps and resets configs incrementally', async () => {
    const name = uniqueName();
    await create({ name, configs: { 'retention.ms': 1000 } });
    const set = await stack.call('PATCH', `/v1/topics/${name}/configs`, { configs: { 'max.message.bytes': 2048 } });
    expect(set.status).toBe(200);
    expect(set.body.configs).toContainEqual({ name: 'retention.ms', value: '1000', source: 'topic' });
    expect(set.body.configs).toContainEqual({ name: 'max.message.bytes', value: '2048', source: 'topic' });
    const reset = await stack.call('PATCH', `/v1/topics/${name}/configs`, { configs: { 'retention.ms': null } });
    expect(reset.body.configs).toContainEqual({ name: 'retention.ms', value: '604800000', source: 'default' });
    expect(reset.body.configs).toContainEqual({ name: 'max.message.bytes', value: '2048', source: 'topic' });
  });

  it('rejects an unknown config and leaves the topic unchanged', async () => {
    const name = uniqueName();
    await create({ name });
    const res = await stack.call('PATCH', `/v1/topics/${name}/configs`, { configs: { 'segment.bytes': 1 } });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('INVALID_CONFIG');
    const described = await stack.call('GET', `/v1/topics/${name}`);
    expect(described.body.configs.every((c: { source: string }) => c.source === 'default')).toBe(true);
  });
});

describe('HTTP hygiene', () => {
  it('answers malformed JSON with 400 INVALID_JSON and the envelope', async () => {
    const res = await stack.call('POST', '/v1/topics', '{"name": ');
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'INVALID_JSON', retriable: false, requestId: expect.any(String) });
  });

  it('answers a wrong content type with 415', async () => {
    const res = await stack.app.request('/v1/topics', { method: 'POST', body: 'name=x', headers: { 'content-type': 'text/plain' } });
    expect(res.status).toBe(415);
    expect((await res.json()).error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
  });

  it('answers an oversized body with 413 that names the limit', async () => {
    const small = await createTestStack({ limits: { maxRequestBytes: 1024 } });
    const res = await small.call('POST', '/v1/topics', { name: 'x'.repeat(2000) });
    expect(res.status).toBe(413);
    expect(res.body.error).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', limit: 1024 });
  });

  it('answers unknown routes with 404 and wrong methods with 405 plus Allow', async () => {
    // Off the contract check: these requests name no operation of the OpenAPI document (an unknown
    // path, a method a path does not have), so the document has no response to check them against.
    const unchecked = { contract: false };
    const unknown = await stack.call('GET', '/v1/nothing', undefined, {}, unchecked);
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('ROUTE_NOT_FOUND');
    const wrong = await stack.call('PUT', '/v1/topics/abc', undefined, {}, unchecked);
    expect(wrong.status).toBe(405);
    expect(wrong.body.error.code).toBe('METHOD_NOT_ALLOWED');
    expect(wrong.headers.get('allow')).toBe('GET, DELETE');
  });

  it('puts the request id in a header and the error body', async () => {
    const res = await stack.call('GET', `/v1/topics/${uniqueName()}`);
    expect(res.headers.get('x-request-id')).toBe(res.body.error.requestId);
  });
});

describe('OpenAPI', () => {
  it('documents every route with the request schemas the handlers validate with', async () => {
    const res = await stack.call('GET', '/v1/openapi.json');
    expect(res.status).toBe(200);
    expect(res.body.openapi).toBe('3.1.0');
    expect(Object.keys(res.body.paths)).toEqual(expect.arrayContaining(['/v1/topics', '/v1/topics/{topic}/partitions/{partition}/records']));
    const create = res.body.paths['/v1/topics'].post.requestBody.content['application/json'].schema;
    expect(create.required).toEqual(['name']);
    expect(create.additionalProperties).toBe(false);
    expect(res.body.components.schemas.Error.properties.error.properties.code.enum).toContain('OFFSET_OUT_OF_RANGE');
  });
});

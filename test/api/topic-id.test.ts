/**
 * Topic ids on the wire (KIP-516): fetch, poll and describe name the
 * incarnation they read, and a fetch pinned to an id never reads on into a
 * topic deleted and re-created under the same name.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { createTestStack, uniqueName, type TestStack } from '../support/stack';

let stack: TestStack;
beforeAll(async () => {
  stack = await createTestStack();
});

const str = (data: string) => ({ type: 'STRING', data });
const values = (res: { body: any }) => res.body.records.map((r: { value: { data: string } }) => r.value.data);

async function create(name: string, partitions = 1): Promise<string> {
  const res = await stack.call('POST', '/v1/topics', { name, partitions });
  expect(res.status).toBe(201);
  return res.body.topicId as string;
}

const produce = (name: string, value: string, partition = 0) =>
  stack.call('POST', `/v1/topics/${name}/records`, { records: [{ partition, value: str(value) }] });

/**
 * Runs `fn` with time stopped, so the read path's topic cache (1 s TTL) keeps
 * what the test put there however slowly the machine runs: a stale entry is
 * exactly what these tests need.
 */
async function frozen(fn: () => Promise<void>): Promise<void> {
  const real = stack.lib.clock;
  const at = real.now();
  stack.lib.clock = { now: () => at };
  try {
    await fn();
  } finally {
    stack.lib.clock = real;
  }
}

const fetchAt = (name: string, topicId?: string, partition = 0) =>
  stack.call('GET', `/v1/topics/${name}/partitions/${partition}/records?offset=0${topicId === undefined ? '' : `&topicId=${topicId}`}`);

describe('topic ids on fetch, poll and describe', () => {
  it('fetch, poll and describe name the same incarnation', async () => {
    const name = uniqueName();
    const id = await create(name);
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    await produce(name, 'a');
    expect((await stack.call('GET', `/v1/topics/${name}`)).body.topicId).toBe(id);
    const fetched = await fetchAt(name);
    expect(fetched.status).toBe(200);
    expect(fetched.body).toMatchObject({ topic: name, topicId: id, partition: 0, nextOffset: 1 });

    const group = uniqueName('group');
    const poll = await stack.call('POST', `/v1/groups/${group}/poll`, { memberId: 'm', memberEpoch: 0, topics: [name], offsetReset: 'earliest', maxWaitMs: 2000 });
    expect(poll.status).toBe(200);
    expect(poll.body.records.map((r: { topic: string }) => r.topic)).toEqual([name]);
    // Once per topic, not per record.
    expect(poll.body.topicIds).toEqual({ [name]: id });
    expect(poll.body.records[0]).not.toHaveProperty('topicId');
  });

  it('a poll with nothing assigned has no topic ids', async () => {
    const poll = await stack.call('POST', `/v1/groups/${uniqueName('group')}/poll`, { memberId: 'm', memberEpoch: 0, topics: [uniqueName('absent')] });
    expect(poll.status).toBe(200);
    expect(poll.body.topicIds).toEqual({});
  });

  it('a fetch pinned to the current id reads as an unpinned one; the id may be sent in capitals', async () => {
    const name = uniqueName();
    const id = await create(name);
    await produce(name, 'a');
    const pinned = await fetchAt(name, id);
    expect(pinned.status).toBe(200);
    expect(values(pinned)).toEqual(['a']);
    expect(pinned.body.topicId).toBe(id);
    expect((await fetchAt(name, id.toUpperCase())).status).toBe(200);
  });

  it('after delete and re-create, the old id is 404 UNKNOWN_TOPIC_ID while unpinned and newly pinned fetches read the new topic', () =>
    frozen(async () => {
      const name = uniqueName();
      const oldId = await create(name);
      await produce(name, 'old');
      // Fetched first, so the read path's topic cache holds the old incarnation.
      expect(values(await fetchAt(name, oldId))).toEqual(['old']);
      expect((await stack.call('DELETE', `/v1/topics/${name}`)).status).toBe(204);
      const newId = await create(name);
      expect(newId).not.toBe(oldId);
      await produce(name, 'new');

      const stale = await fetchAt(name, oldId);
      expect(stale.status).toBe(404);
      expect(stale.body.error).toMatchObject({ code: 'UNKNOWN_TOPIC_ID', retriable: false, topicId: oldId });
      expect(stale.body.error.message).toContain('re-created');

      const unpinned = await fetchAt(name);
      expect(unpinned.status).toBe(200);
      expect(unpinned.body.topicId).toBe(newId);
      expect(values(unpinned)).toEqual(['new']);
      expect(values(await fetchAt(name, newId))).toEqual(['new']);
      // Still refused once the cache has the new incarnation.
      expect((await fetchAt(name, oldId)).body.error.code).toBe('UNKNOWN_TOPIC_ID');
    }));

  it('a fetch pinned to the new id is served even while the cache still holds the old incarnation', () =>
    frozen(async () => {
      const name = uniqueName();
      await create(name);
      await produce(name, 'old');
      await fetchAt(name); // caches the old incarnation
      await stack.call('DELETE', `/v1/topics/${name}`);
      // Topic writes never touch the read cache: it still holds the old id.
      const created = await stack.call('POST', '/v1/topics', { name });
      const newId = created.body.topicId as string;
      await produce(name, 'new');
      const res = await fetchAt(name, newId);
      expect(res.status).toBe(200);
      expect(res.body.topicId).toBe(newId);
      expect(values(res)).toEqual(['new']);
    }));

  it('a deleted topic is UNKNOWN_TOPIC_ID for a pinned fetch and UNKNOWN_TOPIC_OR_PARTITION for an unpinned one', () =>
    frozen(async () => {
      const name = uniqueName();
      const id = await create(name);
      await produce(name, 'a');
      await fetchAt(name, id);
      await stack.call('DELETE', `/v1/topics/${name}`);
      const pinned = await fetchAt(name, id);
      expect(pinned.status).toBe(404);
      expect(pinned.body.error).toMatchObject({ code: 'UNKNOWN_TOPIC_ID', topicId: id });
      expect(pinned.body.error.message).toContain('deleted');
      const unpinned = await fetchAt(name);
      expect(unpinned.status).toBe(404);
      expect(unpinned.body.error.code).toBe('UNKNOWN_TOPIC_OR_PARTITION');
    }));

  it('judges the id before the partition: a re-created topic with fewer partitions is still UNKNOWN_TOPIC_ID', () =>
    frozen(async () => {
      const name = uniqueName();
      const oldId = await create(name, 3);
      await produce(name, 'p2', 2);
      expect(values(await fetchAt(name, oldId, 2))).toEqual(['p2']);
      await stack.call('DELETE', `/v1/topics/${name}`);
      await create(name, 1);
      expect((await fetchAt(name, oldId, 2)).body.error.code).toBe('UNKNOWN_TOPIC_ID');
      expect((await fetchAt(name, undefined, 2)).body.error.code).toBe('UNKNOWN_TOPIC_OR_PARTITION');
    }));

  it('a partition the pinned incarnation lacks is UNKNOWN_TOPIC_OR_PARTITION', async () => {
    const name = uniqueName();
    const id = await create(name, 1);
    const res = await fetchAt(name, id, 5);
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('UNKNOWN_TOPIC_OR_PARTITION');
  });

  it.each([
    ['not a UUID', 'x'],
    ['not hex', 'zzzzzzzz-zzzz-zzzz-zzzz-zzzzzzzzzzzz'],
    ['without dashes', '0123456789abcdef0123456789abcdef'],
    ['one digit too many', `${'a'.repeat(8)}-aaaa-aaaa-aaaa-${'a'.repeat(13)}`],
    ['a UUID with a suffix', '00000000-0000-0000-0000-000000000000/x'],
    ['overlong', 'a'.repeat(2_000)],
  ])('refuses a malformed topicId (%s) with 400', async (_what, bad) => {
    const name = uniqueName();
    await create(name);
    const res = await fetchAt(name, encodeURIComponent(bad));
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'INVALID_REQUEST', parameter: 'topicId' });
  });

  it('is in the OpenAPI document as a fetch query parameter', async () => {
    const doc = (await stack.call('GET', '/v1/openapi.json')).body;
    const fetchOp = doc.paths['/v1/topics/{topic}/partitions/{partition}/records'].get;
    expect(fetchOp.parameters.find((p: { name: string }) => p.name === 'topicId')).toMatchObject({ in: 'query', required: false });
    expect(doc.components.schemas.Error.properties.error.properties.code.enum).toContain('UNKNOWN_TOPIC_ID');
  });
});

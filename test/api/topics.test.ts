import { beforeAll, describe, expect, it } from 'vitest';
import { createTestStack, uniqueName, type TestStack } from '../support/stack';

let stack: TestStack;
beforeAll(async () => {
  stack = await createTestStack({ limits: { maxPartitionsPerTopic: 64 } });
});

describe('topic admin API', () => {
  it('creates a topic and describes it with partitions and default configs', async () => {
    const name = uniqueName();
    const created = await stack.call('POST', '/v1/topics', { name, partitions: 3 });
    expect(created.status).toBe(201);
    expect(created.headers.get('location')).toBe(`/v1/topics/${name}`);
    const described = await stack.call('GET', `/v1/topics/${name}`);
    expect(described.status).toBe(200);
    expect(described.body.name).toBe(name);
    expect(described.body.topicId).toMatch(/^[0-9a-f-]{36}$/);
    expect(described.body.partitions).toEqual([{ partition: 0 }, { partition: 1 }, { partition: 2 }]);
    expect(described.body.configs).toContainEqual({ name: 'retention.ms', value: '604800000', source: 'default' });
  });
});

/** The subscription routes over HTTP against the local stack: bad inputs get 4xx with codes, ACLs, and the life cycle. */
import { beforeAll, describe, expect, it } from 'vitest';
import { storeApiKey } from '../../lib/auth/keys';
import { createTestStack, uniqueName, type TestStack } from '../support/stack';

let stack: TestStack;
let admin: Record<string, string>;
let topic: string;
let dlq: string;
const body = (extra: Record<string, unknown> = {}) => ({ name: uniqueName('sub'), topic, endpoint: 'https://example.com/hook', deadLetterTopic: dlq, ...extra });

beforeAll(async () => {
  stack = await createTestStack({ auth: { mode: 'api-keys', cacheMs: 0 } });
  admin = { authorization: `Bearer ${(await storeApiKey(stack.lib, { principal: 'admin' }, 'test')).apiKey}` };
  topic = uniqueName();
  dlq = uniqueName('dlq');
  for (const name of [topic, dlq]) expect((await stack.call('POST', '/v1/topics', { name, partitions: 2 }, admin)).status).toBe(201);
});

async function code(b: unknown, headers = admin): Promise<[number, string]> {
  const res = await stack.call('POST', '/v1/subscriptions', b, headers);
  return [res.status, res.body?.error?.code];
}

describe('subscription routes', () => {
  it('refuses bad inputs with a 4xx and a code', async () => {
    expect(await code(body({ endpoint: 'http://example.com/hook' }))).toEqual([400, 'INVALID_SUBSCRIPTION']);
    expect(await code(body({ endpoint: 'ftp://127.0.0.1/x' }))).toEqual([400, 'INVALID_SUBSCRIPTION']);
    expect(await code(body({ endpoint: 'not a url' }))).toEqual([400, 'INVALID_SUBSCRIPTION']);
    expect(await code(body({ endpoint: 'https://user:pw@example.com/' }))).toEqual([400, 'INVALID_SUBSCRIPTION']);
    expect(await code(body({ maxRecords: 0 }))).toEqual([400, 'INVALID_SUBSCRIPTION']);
    expect(await code(body({ maxRecords: 1001 }))).toEqual([400, 'INVALID_SUBSCRIPTION']);
    expect(await code(body({ maxBytes: 10 }))).toEqual([400, 'INVALID_SUBSCRIPTION']);
    expect(await code(body({ maxAttempts: 21 }))).toEqual([400, 'INVALID_SUBSCRIPTION']);
    expect(await code(body({ lingerMs: -1 }))).toEqual([400, 'INVALID_SUBSCRIPTION']);
    expect(await code(body({ secret: 'short' }))).toEqual([400, 'INVALID_SUBSCRIPTION']);
    expect(await code(body({ deadLetterTopic: topic }))).toEqual([400, 'INVALID_SUBSCRIPTION']);
    expect(await code(body({ name: 'bad/name' }))).toEqual([400, 'INVALID_SUBSCRIPTION']);
    expect(await code(body({ topic: uniqueName('missing') }))).toEqual([404, 'UNKNOWN_TOPIC_OR_PARTITION']);
    expect(await code(body({ deadLetterTopic: uniqueName('missing') }))).toEqual([404, 'UNKNOWN_TOPIC_OR_PARTITION']);
    expect(await code(body({ maxRecords: 'many' }))).toEqual([400, 'INVALID_REQUEST']);
    expect(await code({ topic })).toEqual([400, 'INVALID_REQUEST']);
    const missing = await stack.call('GET', '/v1/subscriptions/nope', undefined, admin);
    expect([missing.status, missing.body.error.code]).toEqual([404, 'SUBSCRIPTION_NOT_FOUND']);
  });

  it('accepts plain http to localhost and 127.0.0.1 only', async () => {
    expect((await stack.call('POST', '/v1/subscriptions', body({ endpoint: 'http://localhost:9000/x' }), admin)).status).toBe(201);
    expect((await stack.call('POST', '/v1/subscriptions', body({ endpoint: 'http://127.0.0.1:9000/x' }), admin)).status).toBe(201);
  });

  it('accepts Lambda function ARNs (with an alias or version) and refuses malformed ones with INVALID_SUBSCRIPTION', async () => {
    const fn = 'arn:aws:lambda:eu-west-1:123456789012:function:samsa-target-orders';
    for (const endpoint of [fn, `${fn}:live`, `${fn}:42`, `${fn}:$LATEST`, 'arn:aws-us-gov:lambda:us-gov-west-1:123456789012:function:f_1']) {
      const res = await stack.call('POST', '/v1/subscriptions', body({ endpoint }), admin);
      expect([endpoint, res.status]).toEqual([endpoint, 201]);
      expect(res.body.endpoint).toBe(endpoint);
    }
    for (const endpoint of [
      'arn:aws:lambda:eu-west-1:123456789012:function:',
      'arn:aws:lambda:eu-west-1:12345:function:f',
      'arn:aws:lambda:EU-WEST-1:123456789012:function:f',
      'arn:aws:s3:::bucket',
      'arn:aws:lambda:eu-west-1:123456789012:layer:f',
      'arn:aws:lambda:eu-west-1:123456789012:function:bad.name',
      `arn:aws:lambda:eu-west-1:123456789012:function:${'f'.repeat(65)}`,
      `${fn}:live:extra`,
      `${fn}:bad.alias`,
      'arn:other:lambda:eu-west-1:123456789012:function:f',
    ]) {
      const res = await stack.call('POST', '/v1/subscriptions', body({ endpoint }), admin);
      expect([endpoint, res.status, res.body.error.code]).toEqual([endpoint, 400, 'INVALID_SUBSCRIPTION']);
      expect(res.body.error.message).toMatch(/Lambda function ARN/);
    }
    // A Lambda target is not signed: no secret to give.
    expect(await code(body({ endpoint: fn, secret: 'a-secret-of-sixteen+' }))).toEqual([400, 'INVALID_SUBSCRIPTION']);
  });

  it('needs read on the topic and write on the dead-letter topic', async () => {
    const key = (await storeApiKey(stack.lib, { principal: 'app' }, 'test')).apiKey;
    const app = { authorization: `Bearer ${key}` };
    expect(await code(body(), app)).toEqual([403, 'AUTHORIZATION_FAILED']);
    const grant = (resourceName: string, operation: string) =>
      stack.call('POST', '/v1/acls', { principal: 'app', resourceType: 'topic', resourceName, operation }, admin);
    expect((await grant(topic, 'read')).status).toBe(201);
    const [status, c] = await code(body(), app);
    expect([status, c]).toEqual([403, 'AUTHORIZATION_FAILED']);
    expect((await grant(dlq, 'write')).status).toBe(201);
    expect((await stack.call('POST', '/v1/subscriptions', body(), app)).status).toBe(201);
  });

  it('creates (secret once), lists, describes, pauses, resumes and deletes', async () => {
    const b = body({ secret: 'a-secret-of-sixteen+' });
    const created = await stack.call('POST', '/v1/subscriptions', b, admin);
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: b.name, state: 'ACTIVE', secret: 'a-secret-of-sixteen+', maxRecords: 100, maxAttempts: 8 });
    expect((await stack.call('POST', '/v1/subscriptions', b, admin)).body.error.code).toBe('SUBSCRIPTION_ALREADY_EXISTS');
    const generated = await stack.call('POST', '/v1/subscriptions', body(), admin);
    expect(generated.body.secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    const listed = await stack.call('GET', '/v1/subscriptions', undefined, admin);
    expect(listed.body.subscriptions.map((s: { name: string }) => s.name)).toContain(b.name);
    expect(JSON.stringify(listed.body)).not.toContain('a-secret-of-sixteen+');
    const described = await stack.call('GET', `/v1/subscriptions/${b.name}`, undefined, admin);
    expect(described.body).not.toHaveProperty('secret');
    expect(described.body.partitions.map((p: { committedOffset: number }) => p.committedOffset)).toEqual([0, 0]);
    expect((await stack.call('POST', `/v1/subscriptions/${b.name}/pause`, undefined, admin)).body.state).toBe('PAUSED');
    expect((await stack.call('POST', `/v1/subscriptions/${b.name}/resume`, undefined, admin)).body.state).toBe('ACTIVE');
    expect((await stack.call('DELETE', `/v1/subscriptions/${b.name}`, undefined, admin)).status).toBe(204);
    expect((await stack.call('GET', `/v1/subscriptions/${b.name}`, undefined, admin)).status).toBe(404);
    expect((await stack.call('DELETE', `/v1/subscriptions/${b.name}`, undefined, admin)).status).toBe(404);
  });
});

import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AuthenticationError,
  AuthorizationError,
  NotFoundError,
  Samsa,
  ThrottledError,
  asText,
  type IssuedApiKey,
} from '../../client';
import { startTestServer, type TestServer } from './server';

// cacheMs 0: revocations and ACL changes apply to the next request.
let server: TestServer;
let admin: Samsa;
beforeAll(async () => {
  server = await startTestServer({}, { auth: { mode: 'api-keys', cacheMs: 0 } });
  admin = new Samsa({ url: server.url, apiKey: server.adminKey! });
});
afterAll(() => server.close());

const KEY_FORMAT = /^samsa_[0-9a-f]{16}_[A-Za-z0-9_-]{43}$/;
const principalName = (prefix: string) => `${prefix}-${randomUUID().slice(0, 8)}`;

/** A principal with its own key and an `all` ACL on the topics starting with its name. */
async function userWithPrefix(prefix: string): Promise<{ name: string; key: IssuedApiKey; client: Samsa; aclId: string }> {
  const name = principalName(prefix);
  const key = await admin.keys.create({ principal: name });
  const acl = await admin.acls.create({ principal: name, resourceType: 'topic', resourceName: `${name}.`, patternType: 'prefixed', operation: 'all' });
  return { name, key, client: new Samsa({ url: server.url, apiKey: key.apiKey, retry: { retries: 0 } }), aclId: acl.id };
}

describe('SDK authentication and authorization', () => {
  it('answers a request without a key, or with a wrong one, with a typed 401 that never repeats the key', async () => {
    const anonymous = new Samsa({ url: server.url });
    const missing = await anonymous.topics.list().catch((e) => e);
    expect(missing).toBeInstanceOf(AuthenticationError);
    expect(missing).toBeInstanceOf(AuthorizationError);
    expect(missing).toMatchObject({ code: 'UNAUTHENTICATED', status: 401, retriable: false });

    const wrongKey = `samsa_0123456789abcdef_${'x'.repeat(43)}`;
    const wrong = await new Samsa({ url: server.url, apiKey: wrongKey }).whoami().catch((e) => e);
    expect(wrong).toBeInstanceOf(AuthenticationError);
    expect(`${wrong.message} ${JSON.stringify(wrong.details)}`).not.toContain('x'.repeat(43));

    // Health needs no credentials.
    expect(await anonymous.health()).toMatchObject({ status: 'ok' });
  });

  it('rejects an apiKey that cannot be a header value without echoing it', () => {
    let error: unknown;
    try {
      new Samsa({ url: server.url, apiKey: 'secret with spaces' });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(TypeError);
    expect((error as Error).message).not.toContain('secret');
  });

  it('sends the key as a bearer token, unless a headers hook sets authorization itself', async () => {
    const seen: (string | null)[] = [];
    const recording: typeof fetch = async (input, init) => {
      seen.push(new Headers(init?.headers).get('authorization'));
      return fetch(input, init);
    };
    await new Samsa({ url: server.url, apiKey: server.adminKey!, fetch: recording }).whoami();
    await new Samsa({ url: server.url, apiKey: 'samsa_ignored', headers: () => ({ Authorization: `Bearer ${server.adminKey}` }), fetch: recording }).whoami();
    expect(seen).toEqual([`Bearer ${server.adminKey}`, `Bearer ${server.adminKey}`]);
    // The key is not a property of the client, so logging the client does not print it.
    expect(JSON.stringify(new Samsa({ url: server.url, apiKey: server.adminKey! }), (_k, v) => (typeof v === 'function' ? undefined : v))).not.toContain(
      server.adminKey!,
    );
  });

  it('lets the admin issue a key and ACLs; the new principal works on its prefixed topics and gets 403 elsewhere', async () => {
    expect(await admin.whoami()).toEqual({ principal: 'admin' });
    const alice = principalName('alice');
    const before = Date.now();
    const key = await admin.keys.create({ principal: alice, expiresInSeconds: 3600, description: 'sdk test' });
    expect(key.apiKey).toMatch(KEY_FORMAT);
    expect(key).toMatchObject({ principal: alice, createdBy: 'admin', revokedAt: null, description: 'sdk test' });
    expect(key.expiresAt! - before).toBeGreaterThanOrEqual(3600_000 - 1000);
    expect(key.apiKey).toContain(key.keyId);

    const binding = { principal: alice, resourceType: 'topic', resourceName: `${alice}.`, patternType: 'prefixed', operation: 'all' } as const;
    const acl = await admin.acls.create(binding);
    expect(acl).toEqual({ id: expect.any(String), ...binding, permission: 'allow' });
    // Idempotent: the same binding is the same ACL.
    expect((await admin.acls.create(binding)).id).toBe(acl.id);

    const client = new Samsa({ url: server.url, apiKey: key.apiKey, retry: { retries: 0 } });
    expect(await client.whoami()).toEqual({ principal: alice });
    const mine = `${alice}.orders`;
    await client.topics.create({ name: mine, partitions: 1 });
    const producer = client.producer({ lingerMs: 0 });
    await producer.send({ topic: mine, value: 'hello' });
    await producer.close();
    const fetched = await client.fetchRecords({ topic: mine, partition: 0, offset: 0 });
    expect(fetched.records.map((r) => asText(r.value))).toEqual(['hello']);

    const theirs = principalName('other');
    await admin.topics.create({ name: theirs });
    const denied = await client.fetchRecords({ topic: theirs, partition: 0, offset: 0 }).catch((e) => e);
    expect(denied).toBeInstanceOf(AuthorizationError);
    expect(denied).not.toBeInstanceOf(AuthenticationError);
    expect(denied).toMatchObject({ code: 'AUTHORIZATION_FAILED', status: 403, retriable: false });
    const deniedProducer = client.producer({ lingerMs: 0, retry: { retries: 0 } });
    await expect(deniedProducer.send({ topic: theirs, value: 'nope' })).rejects.toBeInstanceOf(AuthorizationError);
    await deniedProducer.close().catch(() => {});
    await expect(client.topics.create({ name: principalName('elsewhere') })).rejects.toMatchObject({ code: 'AUTHORIZATION_FAILED' });
    // Key and ACL admin is for principals that may alter or describe the cluster.
    await expect(client.keys.list()).rejects.toBeInstanceOf(AuthorizationError);
    await expect(client.acls.create({ ...binding, resourceName: 'x' })).rejects.toBeInstanceOf(AuthorizationError);
  });

  it('lists keys without their secrets, and a revoked key stops working at once', async () => {
    const user = await userWithPrefix('bob');
    expect(await user.client.whoami()).toEqual({ principal: user.name });

    const listed = await admin.keys.list({ principal: user.name });
    expect(listed).toEqual([
      { keyId: user.key.keyId, principal: user.name, createdAt: user.key.createdAt, createdBy: 'admin', expiresAt: null, revokedAt: null, description: null },
    ]);
    expect((await admin.keys.list()).map((k) => k.keyId)).toEqual(expect.arrayContaining([user.key.keyId]));
    expect(JSON.stringify(await admin.keys.list())).not.toContain(user.key.apiKey.split('_')[2]);

    const revoked = await admin.keys.revoke(user.key.keyId);
    expect(revoked).toMatchObject({ keyId: user.key.keyId, principal: user.name, revokedAt: expect.any(Number) });
    await expect(user.client.whoami()).rejects.toBeInstanceOf(AuthenticationError);
    // Revoking twice keeps the first time.
    expect((await admin.keys.revoke(user.key.keyId)).revokedAt).toBe(revoked.revokedAt);
    await expect(admin.keys.revoke('0123456789abcdef')).rejects.toMatchObject({ code: 'API_KEY_NOT_FOUND', status: 404 });
  });

  it('lists ACLs by filter and deletes them, which takes the access away', async () => {
    const user = await userWithPrefix('carol');
    const topic = `${user.name}.events`;
    await user.client.topics.create({ name: topic });

    const read = await admin.acls.create({ principal: user.name, resourceType: 'group', resourceName: `${user.name}.`, patternType: 'prefixed', operation: 'read' });
    const mine = await admin.acls.list({ principal: user.name });
    expect(mine.map((a) => a.id).sort()).toEqual([user.aclId, read.id].sort());
    expect(await admin.acls.list({ principal: user.name, resourceType: 'group' })).toEqual([read]);
    expect(await admin.acls.list({ resourceName: `${user.name}.`, resourceType: 'topic' })).toEqual([
      expect.objectContaining({ id: user.aclId, operation: 'all', patternType: 'prefixed' }),
    ]);

    const removed = await admin.acls.delete(user.aclId);
    expect(removed).toMatchObject({ id: user.aclId, principal: user.name, resourceType: 'topic' });
    await expect(user.client.topics.describe(topic)).rejects.toBeInstanceOf(AuthorizationError);
    const again = await admin.acls.delete(user.aclId).catch((e) => e);
    expect(again).toBeInstanceOf(NotFoundError);
    expect(again.code).toBe('ACL_NOT_FOUND');
    expect(await admin.acls.list({ principal: user.name })).toEqual([read]);
    await admin.acls.delete(read.id);
  });
});

describe('SDK and the request quota', () => {
  let limited: TestServer;
  beforeAll(async () => {
    limited = await startTestServer({}, { auth: { mode: 'api-keys', cacheMs: 0, quota: { ratePerSecond: 1, burst: 1 } } });
  });
  afterAll(() => limited.close());

  it('gets a retriable QUOTA_EXCEEDED and retries it after the retry-after time', async () => {
    const once = new Samsa({ url: limited.url, apiKey: limited.adminKey!, retry: { retries: 0 } });
    await once.whoami();
    const over = await once.whoami().catch((e) => e);
    expect(over).toBeInstanceOf(ThrottledError);
    expect(over).toMatchObject({ code: 'QUOTA_EXCEEDED', status: 429, retriable: true });
    expect(over.retryAfterMs).toBeGreaterThan(0);

    const patient = new Samsa({ url: limited.url, apiKey: limited.adminKey!, retry: { retries: 3, initialDelayMs: 1, maxDelayMs: 5000 } });
    const started = Date.now();
    expect(await patient.whoami()).toEqual({ principal: 'admin' });
    // The server says retry-after: 1 (seconds); the SDK waited for it instead of its 1 ms backoff.
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
  });
});

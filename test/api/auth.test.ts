/**
 * Authentication and authorization over the real app and DynamoDB Local:
 * every route refuses anonymous callers (401) and principals without a grant
 * (403) without changing a single stored item; keys can be revoked and
 * expire; ACLs follow Kafka's literal/prefixed, deny-wins rules.
 */
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROUTES, type RouteId } from '../../functions/http/routes';
import { storeApiKey } from '../../lib/auth/keys';
import { createStorageClients, localCredentials } from '../../lib/storage/client';
import { createTestStack, uniqueName, type TestStack } from '../support/stack';

let stack: TestStack;
let adminKey: string;
let adminKeyId: string;

const bearer = (key: string) => ({ authorization: `Bearer ${key}` });

beforeAll(async () => {
  // cacheMs 0: every request re-reads keys and ACLs, so revocations and grants apply at once.
  stack = await createTestStack({ auth: { mode: 'api-keys', cacheMs: 0 } });
  const issued = await storeApiKey(stack.lib, { principal: 'admin' }, 'test');
  adminKey = issued.apiKey;
  adminKeyId = issued.keyId;
});

async function as(key: string, method: string, path: string, body?: unknown) {
  return stack.call(method, path, body, bearer(key));
}

async function keyFor(principal: string, extra: Record<string, unknown> = {}): Promise<string> {
  const res = await as(adminKey, 'POST', '/v1/apikeys', { principal, ...extra });
  expect(res.status).toBe(201);
  return res.body.apiKey;
}

async function grant(binding: Record<string, unknown>): Promise<string> {
  const res = await as(adminKey, 'POST', '/v1/acls', binding);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.id;
}

/** Every item of both tables, as sorted JSON: "nothing changed" means this is equal before and after. */
async function storedItems(): Promise<string[]> {
  const { doc } = createStorageClients({ endpoint: stack.endpoint, credentials: localCredentials() });
  const out: string[] = [];
  for (const table of [stack.tables.meta, stack.tables.log]) {
    let start: Record<string, unknown> | undefined;
    do {
      const page = await doc.send(new ScanCommand({ TableName: table, ExclusiveStartKey: start, ConsistentRead: true }));
      for (const item of page.Items ?? []) out.push(`${table} ${JSON.stringify(item, Object.keys(item).sort())}`);
      start = page.LastEvaluatedKey;
    } while (start !== undefined);
  }
  doc.destroy();
  return out.sort();
}

interface Fixture {
  topic: string;
  group: string;
  member: string;
  aclId: string;
  subscription: string;
}

type Case = { query?: string; body?: unknown };

/** Routes that need credentials: all but the public ones (health, the OpenAPI document). */
type PrivateRoute = { [K in RouteId]: (typeof ROUTES)[K] extends { public: true } ? never : K }[RouteId];

/** One valid request per route that needs credentials; a route added without a case here fails to type-check. */
function cases(f: Fixture): Record<PrivateRoute, Case> {
  const join = { memberId: 'intruder', memberEpoch: 0, topics: [f.topic] };
  return {
    whoami: {},
    createApiKey: { body: { principal: 'intruder2' } },
    listApiKeys: {},
    revokeApiKey: {},
    createAcl: { body: { principal: 'intruder', resourceType: 'topic', resourceName: '*', operation: 'all' } },
    listAcls: {},
    deleteAcl: {},
    listTopics: {},
    createTopic: { body: { name: uniqueName('intruder') } },
    describeTopic: {},
    deleteTopic: {},
    createPartitions: { body: { partitions: 4 } },
    alterTopicConfigs: { body: { configs: { 'retention.ms': 1000 } } },
    deleteRecords: { query: '?before=1' },
    produce: { body: { records: [{ partition: 0, value: { type: 'STRING', data: 'x' } }] } },
    initProducer: { body: {} },
    transaction: { body: { records: [{ topic: f.topic, partition: 0, value: { type: 'STRING', data: 'x' } }] } },
    fetch: { query: '?offset=0' },
    listOffsets: {},
    topicOffsets: {},
    listGroups: {},
    describeGroup: {},
    deleteGroup: {},
    groupHeartbeat: { body: join },
    groupPoll: { body: join },
    groupCommit: { body: { memberId: f.member, memberEpoch: 1, offsets: [{ topic: f.topic, partition: 0, offset: 2 }] } },
    groupOffsets: {},
    resetGroupOffsets: { body: { topic: f.topic, to: 'earliest' } },
    groupLag: {},
    removeGroupMember: {},
    createSubscription: { body: { name: uniqueName('intruder'), topic: f.topic, endpoint: 'https://example.com/hook', deadLetterTopic: uniqueName('dlq') } },
    listSubscriptions: {},
    describeSubscription: {},
    deleteSubscription: {},
    pauseSubscription: {},
    resumeSubscription: {},
  };
}

function pathOf(id: RouteId, f: Fixture, c: Case): string {
  const params: Record<string, string> = {
    topic: f.topic,
    partition: '0',
    group: f.group,
    member: f.member,
    keyId: adminKeyId,
    aclId: f.aclId,
    subscription: f.subscription,
  };
  return ROUTES[id].path.replace(/:([A-Za-z]+)/g, (_, name: string) => encodeURIComponent(params[name] as string)) + (c.query ?? '');
}

async function fixture(): Promise<Fixture> {
  const topic = uniqueName('owned');
  const group = uniqueName('group');
  expect((await as(adminKey, 'POST', '/v1/topics', { name: topic, partitions: 2 })).status).toBe(201);
  const records = [1, 2, 3].map((i) => ({ partition: 0, value: { type: 'STRING', data: `v${i}` } }));
  expect((await as(adminKey, 'POST', `/v1/topics/${topic}/records`, { records })).status).toBe(200);
  const joined = await as(adminKey, 'POST', `/v1/groups/${group}/heartbeat`, { memberId: 'm1', memberEpoch: 0, topics: [topic] });
  expect(joined.status).toBe(200);
  const commit = await as(adminKey, 'POST', `/v1/groups/${group}/commits`, {
    memberId: 'm1',
    memberEpoch: joined.body.memberEpoch,
    offsets: [{ topic, partition: 0, offset: 1 }],
  });
  expect(commit.status).toBe(200);
  const aclId = await grant({ principal: 'someone-else', resourceType: 'topic', resourceName: topic, operation: 'read' });
  const dlq = uniqueName('dlq');
  expect((await as(adminKey, 'POST', '/v1/topics', { name: dlq, partitions: 1 })).status).toBe(201);
  const subscription = uniqueName('sub');
  const created = await as(adminKey, 'POST', '/v1/subscriptions', { name: subscription, topic, endpoint: 'https://example.com/hook', deadLetterTopic: dlq });
  expect(created.status).toBe(201);
  return { topic, group, member: 'm1', aclId, subscription };
}

describe('authentication', () => {
  it('answers 401 UNAUTHENTICATED on every route but the public ones (health, OpenAPI) without credentials, with a malformed key and with an unknown key', async () => {
    const f = await fixture();
    const unknown = 'samsa_0123456789abcdef_' + 'A'.repeat(43);
    for (const [id, c] of Object.entries(cases(f)) as [PrivateRoute, Case][]) {
      const route = ROUTES[id];
      for (const headers of [{}, { authorization: 'Basic YWRtaW46YWRtaW4=' }, bearer('not-a-key'), bearer(unknown)]) {
        const res = await stack.call(route.method, pathOf(id, f, c), c.body, headers);
        expect(res.status, `${id} ${JSON.stringify(headers)}`).toBe(401);
        expect(res.body.error).toMatchObject({ code: 'UNAUTHENTICATED', retriable: false });
        expect(res.headers.get('www-authenticate')).toBe('Bearer realm="samsa"');
      }
    }
    expect((await stack.call('GET', '/v1/health')).status).toBe(200);
    expect((await stack.call('GET', '/v1/openapi.json')).status).toBe(200);
  });

  it('never stores the secret: only a salted hash of it', async () => {
    const key = await keyFor('carol');
    const secret = key.split('_').slice(2).join('_');
    const items = (await storedItems()).filter((i) => i.includes('"principal":"carol"'));
    expect(items).toHaveLength(1);
    expect(items[0]).not.toContain(secret);
    expect(items[0]).toMatch(/"hash":"[A-Za-z0-9+/=]{44}"/);
    expect(items[0]).toMatch(/"salt":"/);
    const listed = await as(adminKey, 'GET', '/v1/apikeys?principal=carol');
    expect(JSON.stringify(listed.body)).not.toContain(secret);
    expect(listed.body.keys[0]).not.toHaveProperty('hash');
  });

  it('stops accepting a key once it is revoked', async () => {
    const key = await keyFor('dave');
    expect((await as(key, 'GET', '/v1/whoami')).body).toEqual({ principal: 'dave' });
    const keyId = key.split('_')[1];
    const revoked = await as(adminKey, 'DELETE', `/v1/apikeys/${keyId}`);
    expect(revoked.status).toBe(200);
    expect(revoked.body.revokedAt).toEqual(expect.any(Number));
    const res = await as(key, 'GET', '/v1/whoami');
    expect(res.status).toBe(401);
    expect(res.body.error.message).toContain('revoked');
    expect((await as(adminKey, 'DELETE', '/v1/apikeys/0000000000000000')).body.error.code).toBe('API_KEY_NOT_FOUND');
  });

  it('stops accepting a key once it has expired', async () => {
    const key = await keyFor('erin', { expiresInSeconds: 1 });
    expect((await as(key, 'GET', '/v1/whoami')).status).toBe(200);
    await new Promise((r) => setTimeout(r, 1_100));
    const res = await as(key, 'GET', '/v1/whoami');
    expect(res.status).toBe(401);
    expect(res.body.error.message).toContain('expired');
  });
});

describe('authorization', () => {
  it('gives a principal without grants 403 on every route that touches a resource, and changes nothing stored', async () => {
    const f = await fixture();
    const intruder = await keyFor('intruder');
    const before = await storedItems();
    const open = new Set<RouteId>(['whoami', 'listTopics', 'listGroups', 'listSubscriptions']);
    for (const [id, c] of Object.entries(cases(f)) as [PrivateRoute, Case][]) {
      const res = await stack.call(ROUTES[id].method, pathOf(id, f, c), c.body, bearer(intruder));
      if (open.has(id)) {
        expect(res.status, id).toBe(200);
      } else {
        expect(res.status, `${id}: ${JSON.stringify(res.body)}`).toBe(403);
        expect(res.body.error).toMatchObject({ code: 'AUTHORIZATION_FAILED', retriable: false });
      }
    }
    // Lists are filtered to what the principal may describe: here, nothing.
    expect((await as(intruder, 'GET', '/v1/topics')).body.topics).toEqual([]);
    expect((await as(intruder, 'GET', '/v1/groups')).body.groups).toEqual([]);
    expect(await storedItems()).toEqual(before);
  });

  it('lets a prefixed ACL cover every name with the prefix and a literal ACL only its exact name', async () => {
    const key = await keyFor('alice');
    const p = uniqueName('team');
    for (const name of [`${p}.a`, `${p}.b`, `${p}x`, `${p}x2`]) {
      expect((await as(adminKey, 'POST', '/v1/topics', { name })).status).toBe(201);
    }
    await grant({ principal: 'alice', resourceType: 'topic', resourceName: `${p}.`, patternType: 'prefixed', operation: 'write' });
    await grant({ principal: 'alice', resourceType: 'topic', resourceName: `${p}x`, operation: 'read' });
    const produce = (topic: string) => as(key, 'POST', `/v1/topics/${topic}/records`, { records: [{ value: { type: 'STRING', data: 'hi' } }] });
    expect((await produce(`${p}.a`)).status).toBe(200);
    expect((await produce(`${p}.b`)).status).toBe(200);
    expect((await produce(`${p}x`)).status).toBe(403);
    expect((await as(key, 'GET', `/v1/topics/${p}x/partitions/0/records?offset=0`)).status).toBe(200);
    expect((await as(key, 'GET', `/v1/topics/${p}x2/partitions/0/records?offset=0`)).status).toBe(403);
    // Write and read imply describe, so the list shows exactly the granted topics.
    const listed = (await as(key, 'GET', '/v1/topics')).body.topics.map((t: { name: string }) => t.name).sort();
    expect(listed).toEqual([`${p}.a`, `${p}.b`, `${p}x`]);
  });

  it('lets a deny win over any allow, without denying the operations it does not name', async () => {
    const key = await keyFor('bob');
    const secret = uniqueName('secret');
    const other = uniqueName('other');
    for (const name of [secret, other]) expect((await as(adminKey, 'POST', '/v1/topics', { name })).status).toBe(201);
    await grant({ principal: 'bob', resourceType: 'topic', resourceName: '*', operation: 'all' });
    await grant({ principal: '*', resourceType: 'topic', resourceName: secret, operation: 'write', permission: 'deny' });
    const produce = (topic: string) => as(key, 'POST', `/v1/topics/${topic}/records`, { records: [{ value: { type: 'STRING', data: 'hi' } }] });
    expect((await produce(other)).status).toBe(200);
    const denied = await produce(secret);
    expect(denied.status).toBe(403);
    expect((await as(key, 'GET', `/v1/topics/${secret}`)).status).toBe(200);
    expect((await as(key, 'GET', `/v1/topics/${secret}/offsets`)).body.partitions[0].highWatermark).toBe(0);
  });

  it('allows creating topics through create on the cluster, and producer ids through write on any topic', async () => {
    const key = await keyFor('frank');
    const name = uniqueName('frank');
    expect((await as(key, 'POST', '/v1/topics', { name })).status).toBe(403);
    expect((await as(key, 'POST', '/v1/producers', {})).status).toBe(403);
    await grant({ principal: 'frank', resourceType: 'cluster', resourceName: 'samsa', operation: 'create' });
    await grant({ principal: 'frank', resourceType: 'topic', resourceName: 'frank-', patternType: 'prefixed', operation: 'write' });
    expect((await as(key, 'POST', '/v1/topics', { name })).status).toBe(201);
    expect((await as(key, 'POST', '/v1/producers', {})).status).toBe(200);
  });

  it('refuses a group poll on a topic the member may not read before it joins the group', async () => {
    const key = await keyFor('gina');
    const topic = uniqueName('ginas');
    const group = uniqueName('ginag');
    expect((await as(adminKey, 'POST', '/v1/topics', { name: topic })).status).toBe(201);
    await grant({ principal: 'gina', resourceType: 'group', resourceName: group, operation: 'read' });
    await grant({ principal: 'gina', resourceType: 'topic', resourceName: topic, operation: 'describe' });
    const res = await as(key, 'POST', `/v1/groups/${group}/poll`, { memberId: 'g1', memberEpoch: 0, topics: [topic] });
    expect(res.status).toBe(403);
    const described = await as(adminKey, 'GET', `/v1/groups/${group}`);
    expect(described.status === 404 || described.body.members.length === 0).toBe(true);
    await grant({ principal: 'gina', resourceType: 'topic', resourceName: topic, operation: 'read' });
    expect((await as(key, 'POST', `/v1/groups/${group}/poll`, { memberId: 'g1', memberEpoch: 0, topics: [topic] })).status).toBe(200);
  });

  it('manages ACLs: idempotent create, list with filters, delete, and clear errors for bad bindings', async () => {
    const binding = { principal: 'hank', resourceType: 'group', resourceName: 'hanks-', patternType: 'prefixed', operation: 'read' };
    const a = await grant(binding);
    expect(await grant(binding)).toBe(a);
    const listed = await as(adminKey, 'GET', '/v1/acls?principal=hank');
    expect(listed.body.acls).toEqual([{ id: a, ...binding, permission: 'allow' }]);
    expect((await as(adminKey, 'DELETE', `/v1/acls/${a}`)).status).toBe(200);
    expect((await as(adminKey, 'GET', '/v1/acls?principal=hank')).body.acls).toEqual([]);
    expect((await as(adminKey, 'DELETE', `/v1/acls/${a}`)).body.error.code).toBe('ACL_NOT_FOUND');
    const bad = await as(adminKey, 'POST', '/v1/acls', { ...binding, resourceType: 'cluster' });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('INVALID_ACL');
    expect((await as(adminKey, 'POST', '/v1/acls', { ...binding, principal: 'no spaces' })).body.error.code).toBe('INVALID_PRINCIPAL');
    expect((await as(adminKey, 'POST', '/v1/acls', { ...binding, operation: 'fly' })).status).toBe(400);
  });
});

describe('quotas', () => {
  it('answers 429 QUOTA_EXCEEDED with retry-after once a principal exceeds its rate, per principal', async () => {
    const limited = await createTestStack({ auth: { mode: 'api-keys', cacheMs: 0, quota: { ratePerSecond: 1, burst: 3 } } });
    const a = (await storeApiKey(limited.lib, { principal: 'admin' }, 'test')).apiKey;
    const b = (await storeApiKey(limited.lib, { principal: 'other' }, 'test')).apiKey;
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await limited.call('GET', '/v1/whoami', undefined, bearer(a))).status);
    expect(statuses).toEqual([200, 200, 200, 429]);
    const res = await limited.call('GET', '/v1/whoami', undefined, bearer(a));
    expect(res.body.error).toMatchObject({ code: 'QUOTA_EXCEEDED', retriable: true });
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    // Another principal has its own bucket.
    expect((await limited.call('GET', '/v1/whoami', undefined, bearer(b))).status).toBe(200);
  });
});

describe('JWT mode', () => {
  it("takes the principal from the claims API Gateway's JWT authorizer validated, and applies ACLs to it", async () => {
    const jwt = await createTestStack({ auth: { mode: 'jwt', jwtPrincipalClaim: 'email', cacheMs: 0 } });
    const withClaims = (claims: Record<string, unknown>) => ({ requestContext: { authorizer: { jwt: { claims, scopes: [] } } } });
    const whoami = await jwt.app.request('/v1/whoami', {}, withClaims({ sub: 'x', email: 'ivy@example.com' }));
    expect(await whoami.json()).toEqual({ principal: 'ivy@example.com' });
    // Without validated claims (the request did not come through the authorizer) nobody is let in.
    const none = await jwt.app.request('/v1/whoami', {}, { requestContext: {} });
    expect(none.status).toBe(401);
    const denied = await jwt.app.request('/v1/topics/anything', {}, withClaims({ email: 'ivy@example.com' }));
    expect(denied.status).toBe(403);
  });
});

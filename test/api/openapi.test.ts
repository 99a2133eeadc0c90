/**
 * The OpenAPI document as third-party tools see it: served without
 * credentials, linted by Redocly CLI (0 errors, only the accepted warnings),
 * turned into TypeScript by openapi-typescript with typed produce, fetch and
 * poll answers, and strict enough that the contract check of every API test
 * (test/support/contract.ts) fails on an answer it does not describe.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import openapiTS, { astToString } from 'openapi-typescript';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MEMBER_ID_PATTERN } from '../../functions/http/openapi-params';
import { ROUTES, type RouteId } from '../../functions/http/routes';
import { ERROR_CODES } from '../../lib/errors';
import { validateMemberId } from '../../lib/groups/validate';
import { storeApiKey } from '../../lib/auth/keys';
import { checkResponse } from '../support/contract';
import { createTestStack, type TestStack } from '../support/stack';

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '../..');
/** Served as a client would fetch it: servers[0] is this origin. */
const ORIGIN = 'https://samsa.test';

type Doc = {
  servers: { url: string }[];
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, unknown> };
};
type Operation = {
  operationId: RouteId;
  security?: unknown[];
  parameters?: { name: string; in: string; required: boolean; schema: Record<string, unknown> }[];
  responses: Record<string, { content?: Record<string, { schema: unknown; example?: unknown }> }>;
  requestBody?: { content: Record<string, { example?: unknown }> };
};

let stack: TestStack;
let doc: Doc;
let dir: string;

beforeAll(async () => {
  // Authentication on, and no key is sent for the document.
  stack = await createTestStack({ auth: { mode: 'api-keys', cacheMs: 0 } });
  const res = await stack.app.request(`${ORIGIN}/v1/openapi.json`);
  expect(res.status).toBe(200);
  doc = (await res.json()) as Doc;
  dir = await mkdtemp(join(tmpdir(), 'samsa-openapi-'));
});

afterAll(async () => {
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

const operations = () =>
  Object.entries(doc.paths).flatMap(([path, item]) => Object.entries(item).map(([method, op]) => ({ path, method, op })));
const operation = (id: RouteId) => operations().find((o) => o.op.operationId === id)!.op;

describe('GET /v1/openapi.json', () => {
  it('answers 200 without credentials while every other route but health needs them, and names the origin it was fetched from', async () => {
    const res = await stack.call('GET', '/v1/openapi.json');
    expect(res.status).toBe(200);
    expect(res.body.openapi).toBe('3.1.0');
    expect((await stack.call('GET', '/v1/whoami')).status).toBe(401);
    // With a key it is the same document.
    const { apiKey } = await storeApiKey(stack.lib, { principal: 'reader' }, 'test');
    expect((await stack.call('GET', '/v1/openapi.json', undefined, { authorization: `Bearer ${apiKey}` })).body).toEqual(res.body);
    expect(doc.servers).toEqual([{ url: ORIGIN, description: expect.any(String) }]);
    expect(res.body.servers[0].url).toBe('http://localhost');
  });

  it('documents every route, marks exactly the public ones `security: []`, and types bearer credentials', () => {
    const ids = operations().map((o) => o.op.operationId).sort();
    expect(ids).toEqual(Object.keys(ROUTES).sort());
    const open = operations().filter((o) => o.op.security !== undefined).map((o) => o.op.operationId).sort();
    expect(open).toEqual(['health', 'openApi']);
    for (const o of operations().filter((x) => x.op.security !== undefined)) expect(o.op.security).toEqual([]);
    expect((doc as unknown as { security: unknown }).security).toEqual([{ bearer: [] }]);
  });

  it('gives every operation a typed success body (or none for 204) and the error envelope under each error status, with its codes', () => {
    for (const { path, method, op } of operations()) {
      const statuses = Object.keys(op.responses);
      expect(statuses.some((s) => /^2\d\d$/.test(s)), `${method} ${path}`).toBe(true);
      expect(statuses).not.toContain('default');
      for (const [status, response] of Object.entries(op.responses)) {
        const schema = response.content?.['application/json']?.schema as Record<string, any> | undefined;
        if (status === '204') {
          expect(schema, `${op.operationId} 204`).toBeUndefined();
          continue;
        }
        expect(schema, `${op.operationId} ${status}`).toBeDefined();
        if (Number(status) < 400) {
          expect(schema!.$ref, `${op.operationId} ${status}`).toMatch(/^#\/components\/schemas\/\w+$/);
          continue;
        }
        const [envelope, narrowing] = schema!.allOf;
        expect(envelope.$ref).toMatch(/^#\/components\/schemas\/(Error|ProduceErrorResponse|CommitErrorResponse)$/);
        const codes: string[] = narrowing.properties.error.properties.code.enum;
        expect(codes.length, `${op.operationId} ${status}`).toBeGreaterThan(0);
        for (const code of codes) expect(ERROR_CODES[code as keyof typeof ERROR_CODES].status, `${op.operationId} ${code}`).toBe(Number(status));
      }
      expect(statuses, op.operationId).toContain('500');
      if (op.security === undefined) expect(statuses, op.operationId).toEqual(expect.arrayContaining(['401', '429', '503']));
    }
    expect(Object.keys(operation('produce').responses)).toEqual(expect.arrayContaining(['200', '207', '400', '404', '409', '412', '413']));
    expect(Object.keys(operation('groupCommit').responses)).toEqual(expect.arrayContaining(['200', '404', '409']));
    expect(Object.keys(operation('deleteTopic').responses)).toContain('204');
  });

  it('types and bounds path and query parameters', () => {
    const params = (id: RouteId) => Object.fromEntries((operation(id).parameters ?? []).map((p) => [`${p.in}:${p.name}`, p]));
    const fetch = params('fetch');
    expect(fetch['path:topic']!.schema).toMatchObject({ type: 'string', maxLength: 249, pattern: '^[A-Za-z0-9._-]{1,249}$' });
    expect(fetch['path:partition']!.schema).toMatchObject({ type: 'integer', minimum: 0 });
    expect(fetch['query:offset']).toMatchObject({ required: true, schema: { type: 'integer', minimum: 0, maximum: Number.MAX_SAFE_INTEGER } });
    expect(fetch['query:maxRecords']).toMatchObject({ required: false, schema: { type: 'integer', minimum: 1, maximum: 10_000, default: 10_000 } });
    expect(fetch['query:maxWaitMs']!.schema).toMatchObject({ type: 'integer', minimum: 0, maximum: 20_000, default: 0 });
    expect(fetch['query:encoding']!.schema).toMatchObject({ enum: ['auto', 'binary'], default: 'auto' });
    expect(fetch['query:topicId']!.schema).toMatchObject({ type: 'string', format: 'uuid' });
    expect(params('listOffsets')['query:at']!.schema).toMatchObject({ anyOf: [{ enum: ['earliest', 'latest'] }, { type: 'integer', minimum: 0 }] });
    expect(params('listAcls')['query:resourceType']!.schema).toMatchObject({ enum: ['topic', 'group', 'cluster'] });
    expect(params('removeGroupMember')['path:member']!.schema).toMatchObject({ type: 'string', pattern: MEMBER_ID_PATTERN.source });
    expect(params('revokeApiKey')['path:keyId']!.schema).toMatchObject({ pattern: '^[0-9a-f]{16}$' });
    expect(params('deleteAcl')['path:aclId']!.schema).toMatchObject({ pattern: '^[0-9a-f]{24}$' });
    for (const { op } of operations()) for (const p of op.parameters ?? []) expect(p.schema.type ?? p.schema.anyOf, `${op.operationId} ${p.name}`).toBeDefined();
  });

  it('the member id pattern is the one lib/groups/validate.ts enforces', () => {
    for (const id of ['c-1', 'a'.repeat(64), 'a'.repeat(65), '', 'host:1234.x_y', 'has space', 'ünï', 'a/b', '550e8400-e29b-41d4-a716-446655440000']) {
      let valid = true;
      try {
        validateMemberId(id);
      } catch {
        valid = false;
      }
      expect(MEMBER_ID_PATTERN.test(id), id).toBe(valid);
    }
  });

  it('has examples for create topic, produce, fetch and poll', () => {
    for (const id of ['createTopic', 'produce', 'groupPoll'] as const) expect(operation(id).requestBody!.content['application/json']!.example, id).toBeDefined();
    for (const [id, status] of [['createTopic', '201'], ['produce', '200'], ['produce', '207'], ['fetch', '200'], ['groupPoll', '200']] as const) {
      expect(operation(id).responses[status]!.content!['application/json']!.example, `${id} ${status}`).toBeDefined();
    }
  });
});

describe('third-party tools', () => {
  it('Redocly CLI lints the document with the recommended rules: no errors, and only the accepted warnings', async () => {
    const file = join(dir, 'openapi.json');
    await writeFile(file, JSON.stringify(doc, null, 2));
    const env = { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true', NO_COLOR: '1' };
    const out = await run(join(ROOT, 'node_modules/.bin/redocly'), ['lint', file, '--config', join(ROOT, 'redocly.yaml'), '--format', 'json'], {
      env,
      maxBuffer: 64 * 1024 * 1024,
    }).catch((err: { stdout?: string; stderr?: string }) => ({ stdout: err.stdout ?? '', stderr: err.stderr ?? '' }));
    const report = JSON.parse(out.stdout) as {
      totals: { errors: number; warnings: number };
      problems: { ruleId: string; severity: string; message: string; location: { pointer: string }[] }[];
    };
    const lines = report.problems.map((p) => `${p.severity} ${p.ruleId} ${p.location[0]?.pointer ?? ''}: ${p.message}`);
    if (lines.length > 0) console.log(`redocly lint:\n  ${lines.join('\n  ')}`);
    expect(report.problems.filter((p) => p.severity === 'error').map((p) => `${p.ruleId} ${p.location[0]?.pointer}: ${p.message}`)).toEqual([]);
    expect(report.totals.errors).toBe(0);
    // Accepted: the two public operations cannot answer any 4xx (no credentials, parameters or body to refuse).
    const accepted = new Set(['operation-4xx-response #/paths/~1v1~1health/get/responses', 'operation-4xx-response #/paths/~1v1~1openapi.json/get/responses']);
    const warnings = report.problems.filter((p) => p.severity !== 'error').map((p) => `${p.ruleId} ${p.location[0]?.pointer}`);
    expect(warnings.filter((w) => !accepted.has(w))).toEqual([]);
  });

  it('openapi-typescript generates types whose produce, fetch and poll answers are typed, and a strict nodenext client type-checks against them', async () => {
    const ast = await openapiTS(doc as unknown as Parameters<typeof openapiTS>[0]);
    await writeFile(join(dir, 'schema.ts'), astToString(ast));
    await writeFile(join(dir, 'package.json'), JSON.stringify({ type: 'module' }));
    await writeFile(join(dir, 'client.ts'), CLIENT);
    await writeFile(
      join(dir, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: { strict: true, noEmit: true, module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022', types: [], noUncheckedIndexedAccess: true },
        files: ['client.ts'],
      }),
    );
    const result = await run(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', join(dir, 'tsconfig.json')], { cwd: dir }).then(
      () => '',
      (err: { stdout?: string; stderr?: string }) => `${err.stdout ?? ''}${err.stderr ?? ''}`,
    );
    expect(result).toBe('');
  });
});

/** A client of the generated `paths`: any `unknown` answer or untyped parameter makes it fail to compile. */
const CLIENT = `
import type { paths } from './schema.js';

type Json<R> = R extends { content: { 'application/json': infer B } } ? B : never;
type Known<T> = unknown extends T ? false : true;

type ProduceOp = paths['/v1/topics/{topic}/records']['post'];
type FetchOp = paths['/v1/topics/{topic}/partitions/{partition}/records']['get'];
type PollOp = paths['/v1/groups/{group}/poll']['post'];

type ProduceRequest = Json<ProduceOp['requestBody']>;
type ProduceOk = Json<ProduceOp['responses'][200]>;
type ProducePartial = Json<ProduceOp['responses'][207]>;
type ProduceNotFound = Json<ProduceOp['responses'][404]>;
type FetchOk = Json<FetchOp['responses'][200]>;
type PollRequest = Json<PollOp['requestBody']>;
type PollOk = Json<PollOp['responses'][200]>;

export const known: [Known<ProduceOk>, Known<ProducePartial>, Known<ProduceNotFound>, Known<FetchOk>, Known<PollOk>] = [true, true, true, true, true];

export const produce: ProduceRequest = {
  records: [{ key: { type: 'STRING', data: 'customer-7' }, value: { type: 'JSON', data: { total: 42 } }, headers: [{ name: 'trace', value: 'abc' }] }],
};
export const fetchPath: FetchOp['parameters']['path'] = { topic: 'orders', partition: 0 };
export const fetchQuery: FetchOp['parameters']['query'] = { offset: 0, maxRecords: 100, encoding: 'binary' };
// @ts-expect-error encoding is an enum
export const badEncoding: FetchOp['parameters']['query'] = { offset: 0, encoding: 'hex' };
// @ts-expect-error partition is an integer
export const badPartition: FetchOp['parameters']['path'] = { topic: 'orders', partition: '0' };
export const poll: PollRequest = { memberId: 'c-1', memberEpoch: 0, topics: ['orders'], maxWaitMs: 1000 };

export function offsets(res: ProduceOk | ProducePartial): number[] {
  return res.records.flatMap((r) => ('offset' in r ? [r.offset] : []));
}
export function failedCodes(res: ProducePartial): string[] {
  return res.records.flatMap((r) => ('error' in r ? [r.error.code] : []));
}
export function notFound(res: ProduceNotFound): 'UNKNOWN_TOPIC_OR_PARTITION' | 'UNKNOWN_PRODUCER_ID' {
  return res.error.code;
}
export function values(res: FetchOk): { offset: number; text: string | null }[] {
  return res.records.map((r) => ({ offset: r.offset, text: r.value?.type === 'STRING' ? String(r.value.data) : null }));
}
export function next(res: FetchOk): { nextOffset: number; highWatermark: number; aborted: number } {
  return { nextOffset: res.nextOffset, highWatermark: res.highWatermark, aborted: res.abortedRanges.length };
}
export function positions(res: PollOk): string[] {
  const epoch: number = res.memberEpoch;
  return res.positions.map((p) => \`\${p.topic}/\${p.partition}@\${p.offset} (epoch \${epoch}, topic id \${res.topicIds[p.topic] ?? '?'})\`);
}
export function polled(res: PollOk): { topic: string; partition: number; offset: number }[] {
  return res.records.map((r) => ({ topic: r.topic, partition: r.partition, offset: r.offset }));
}
`;

describe('error answers of every route with path parameters', () => {
  /** A body each route accepts, so that the path parameters are what gets refused. */
  const BODIES: Partial<Record<RouteId, unknown>> = {
    createPartitions: { partitions: 2 },
    alterTopicConfigs: { configs: { 'retention.ms': 1000 } },
    produce: { records: [{ value: { type: 'STRING', data: 'x' } }] },
    groupHeartbeat: { memberId: 'm', memberEpoch: 0, topics: [] },
    groupPoll: { memberId: 'm', memberEpoch: 0, topics: [] },
    groupCommit: { memberId: 'm', memberEpoch: 1, offsets: [] },
    resetGroupOffsets: { topic: 'nope', to: 'earliest' },
  };
  const VALID: Record<string, string> = { topic: 'no-such-topic', partition: '0', group: 'no-such-group', member: 'm', keyId: '0123456789abcdef', aclId: '0123456789abcdef01234567' };
  const INVALID: Record<string, string[]> = {
    topic: ['bad name', 'x'.repeat(250)],
    partition: ['x', '-1', '99999999999'],
    group: ['bad name'],
    member: ['bad name', 'm'.repeat(65)],
    keyId: ['zz'],
    aclId: ['zz'],
  };

  it('answers unknown and malformed names, partitions and ids with a 4xx the document lists for the route (checked by call())', async () => {
    const open = await createTestStack();
    let calls = 0;
    for (const [id, route] of Object.entries(ROUTES) as [RouteId, (typeof ROUTES)[RouteId]][]) {
      const names = [...route.path.matchAll(/:([A-Za-z]+)/g)].map((m) => m[1]!);
      if (names.length === 0) continue;
      const variants = [VALID, ...names.flatMap((n) => (INVALID[n] ?? []).map((bad) => ({ ...VALID, [n]: bad })))];
      for (const values of variants) {
        const path = route.path.replace(/:([A-Za-z]+)/g, (_, n: string) => encodeURIComponent(values[n]!)) + (id === 'fetch' ? '?offset=0' : id === 'deleteRecords' ? '?before=0' : '');
        const res = await open.call(route.method, path, BODIES[id]);
        calls++;
        if (values !== VALID) expect(res.status, `${id} ${path}: ${JSON.stringify(res.body)}`).toBeGreaterThanOrEqual(400);
      }
    }
    expect(calls).toBeGreaterThan(40);
  });
});

describe('the contract check', () => {
  it('refuses an undocumented status, a body that does not match, a missing or extra body, and a path the API does not have', () => {
    const headers = new Headers({ 'content-type': 'application/json' });
    const topic = { name: 'orders', topicId: '8d1e5c3a-4b7f-4f2a-9c1d-2e6f0a9b7c11', partitions: [{ partition: 0 }], configs: [], createdAt: '2026-01-01T00:00:00.000Z' };
    expect(() => checkResponse({ method: 'GET', path: '/v1/topics/orders', status: 200, headers, body: topic })).not.toThrow();
    expect(() => checkResponse({ method: 'GET', path: '/v1/topics/orders', status: 418, headers, body: topic })).toThrow(/status 418 is not documented/);
    expect(() => checkResponse({ method: 'GET', path: '/v1/topics/orders', status: 200, headers, body: { ...topic, extra: 1 } })).toThrow(/does not match/);
    expect(() => checkResponse({ method: 'GET', path: '/v1/topics/orders', status: 200, headers, body: { ...topic, createdAt: 'yesterday' } })).toThrow(/does not match/);
    expect(() => checkResponse({ method: 'GET', path: '/v1/topics/orders', status: 200, headers, body: undefined })).toThrow(/got none/);
    expect(() => checkResponse({ method: 'DELETE', path: '/v1/topics/orders', status: 204, headers, body: topic })).toThrow(/without a body/);
    expect(() => checkResponse({ method: 'GET', path: '/v1/nothing', status: 404, headers, body: {} })).toThrow(/no operation/);
    // An error code that the status does not carry for this route.
    const envelope = (code: string) => ({ error: { code, message: 'm', retriable: false, requestId: 'r' } });
    expect(() => checkResponse({ method: 'GET', path: '/v1/topics/orders', status: 404, headers, body: envelope('UNKNOWN_TOPIC_OR_PARTITION') })).not.toThrow();
    expect(() => checkResponse({ method: 'GET', path: '/v1/topics/orders', status: 404, headers, body: envelope('UNKNOWN_MEMBER_ID') })).toThrow(/does not match/);
    // Produce: a per-record error must carry an API error code.
    const produced = (code: string) => ({ records: [{ partition: 0, offset: 1, timestamp: 1 }, { partition: 1, error: { code, message: 'm', retriable: false } }] });
    expect(() => checkResponse({ method: 'POST', path: '/v1/topics/orders/records', status: 207, headers, body: produced('RECORD_TOO_LARGE') })).not.toThrow();
    expect(() => checkResponse({ method: 'POST', path: '/v1/topics/orders/records', status: 207, headers, body: produced('OOPS') })).toThrow(/does not match/);
  });
});

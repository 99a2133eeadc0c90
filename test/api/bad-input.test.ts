/**
 * Every route answers bad input with a clean 4xx and the error envelope:
 * never a 5xx, never a stack trace. Random JSON bodies and query strings
 * from fast-check, plus the classic malformed requests. The shared
 * generators and the definition of a clean refusal live in
 * checker/fuzz/arbitraries.ts (also used by `npm run fuzz` over HTTP).
 */
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { ROUTES, type RouteId, type RouteSpec } from '../../functions/http/routes';
import { bodyText, concretePath, DeepJson, MALFORMED_BODIES, paths, replaceAt, uncleanBecause, validBody } from '../../checker/fuzz/arbitraries';
import { createTestStack, uniqueName, type TestStack } from '../support/stack';

let stack: TestStack;
let topic: string;
beforeAll(async () => {
  stack = await createTestStack();
  topic = uniqueName();
  await stack.call('POST', '/v1/topics', { name: topic, partitions: 2 });
});

const routes = Object.entries(ROUTES) as [string, RouteSpec][];

async function expectClean(res: Response, what: string): Promise<void> {
  const text = await res.text();
  expect(uncleanBecause(res.status, text), `${what} → ${res.status} ${text.slice(0, 300)}`).toBeUndefined();
}

describe('bad input never causes a 5xx', () => {
  it.each(routes.filter(([, r]) => r.method !== 'GET' && r.method !== 'DELETE'))(
    '%s answers random JSON bodies with 2xx/4xx',
    async (_id, route) => {
      const path = concretePath(route, { topic, group: uniqueName('g'), partition: '0', member: 'm' });
      await fc.assert(
        fc.asyncProperty(fc.jsonValue({ maxDepth: 3 }), async (body) => {
          const res = await stack.app.request(path, { method: route.method, body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
          await expectClean(res, `${route.method} ${path} ${JSON.stringify(body).slice(0, 200)}`);
        }),
        { numRuns: 40, seed: 42 },
      );
    },
    60_000,
  );

  it.each(routes)('%s answers random path parameters and query strings with 2xx/4xx', async (_id, route) => {
    await fc.assert(
      fc.asyncProperty(
        fc.string({ maxLength: 300 }),
        fc.oneof(fc.constant('0'), fc.constant('-1'), fc.constant('9007199254740993'), fc.string({ maxLength: 12 })),
        fc.dictionary(fc.constantFrom('offset', 'maxRecords', 'maxBytes', 'maxWaitMs', 'at', 'before', 'encoding'), fc.oneof(fc.string({ maxLength: 25 }), fc.integer().map(String), fc.constant('1e999'))),
        async (name, partition, query) => {
          const path = concretePath(route, { topic: name || 'x', group: name || 'g', partition, member: name || 'm' });
          const qs = new URLSearchParams({ ...query, maxWaitMs: '0' }).toString();
          const init: RequestInit = { method: route.method };
          if (route.method === 'POST' || route.method === 'PATCH') {
            init.body = '{}';
            init.headers = { 'content-type': 'application/json' };
          }
          await expectClean(await stack.app.request(`${path}?${qs}`, init), `${route.method} ${path}?${qs}`);
        },
      ),
      { numRuns: 25, seed: 7 },
    );
  }, 60_000);

  it.each(routes.filter(([, r]) => r.method === 'POST' || r.method === 'PATCH'))('%s rejects malformed and mistyped bodies with 4xx', async (_id, route) => {
    const path = concretePath(route, { topic, group: 'g', partition: '0', member: 'm' });
    for (const [what, init] of MALFORMED_BODIES) {
      const res = await stack.app.request(path, { method: route.method, ...init } as RequestInit);
      expect(res.status, what).toBeGreaterThanOrEqual(400);
      await expectClean(res, `${what}: ${route.method} ${path}`);
    }
  });
});

describe('deep nesting never causes a 5xx, whatever field it is in', () => {
  // Mutation checked: without the nesting check in toBytes (lib/protocol/records.ts) produce answers 500 here.
  it.each(routes.filter(([, r]) => r.method === 'POST' || r.method === 'PATCH'))('%s refuses every body field nested 4,200 and 200,000 deep with a clean 4xx', async (id, route) => {
    const names = { topic, group: uniqueName('g'), fresh: uniqueName('fresh') };
    const valid = validBody(id as RouteId, names);
    const path = concretePath(route, { ...names, partition: '0', member: 'm' });
    const fields = paths(valid);
    expect(fields.length).toBeGreaterThan(1);
    for (const field of fields) {
      for (const deep of [new DeepJson(4_200, 'mixed'), new DeepJson(200_000, 'array')]) {
        const body = bodyText(replaceAt(valid, field, deep));
        const res = await stack.app.request(path, { method: route.method, body, headers: { 'content-type': 'application/json' } });
        const what = `${route.method} ${path} with ${field.join('.') || 'the body'} nested ${deep.levels} deep`;
        expect(res.status, what).toBeGreaterThanOrEqual(400);
        await expectClean(res, what);
      }
    }
  }, 120_000);
});


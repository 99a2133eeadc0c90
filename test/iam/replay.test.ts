/**
 * IAM verified without an AWS account. Every DynamoDB call the API makes in
 * a representative workload (./workload.ts: every route) is recorded with the
 * route being served, turned into the IAM request(s) DynamoDB makes for it
 * (./request-context.ts) and decided by an IAM policy simulator against the
 * synthesized identity policy of the Lambda role of the function that serves
 * the route (./policies.ts). Any denial is a call that would fail with
 * AccessDeniedException when deployed. Calls no function may make
 * (./forbidden.ts) must be denied.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { FUNCTION_AREAS } from '../../cdk/function-areas';
import { ROUTES, type FunctionArea, type RouteId } from '../../functions/http/routes';
import { storeApiKey } from '../../lib/auth/keys';
import type { TableNames } from '../../lib/storage/schema';
import { synthTemplate } from '../cdk/template-only';
import { isMarkerPut, ManualClock } from '../support/ddb-faults';
import { RouteRecorder, type RoutedCall } from '../support/route-recorder';
import { createTestStack, type TestStack } from '../support/stack';
import { FORBIDDEN, KNOWN_GAPS, type ForbiddenCall } from './forbidden';
import { decide, functionPolicy, rolePolicies, type IamRequest, type RolePolicy } from './policies';
import { iamRequests } from './request-context';
import { FunctionRecorder, runStreamWorkload, STREAM_FUNCTIONS, type FunctionCall, type StreamFunction } from './stream-workload';
import { runWorkload } from './workload';

const LIMITS = { abortAfterMs: 2_000, maxClockSkewMs: 50 };
const areas = Object.keys(FUNCTION_AREAS) as FunctionArea[];
/** Forbidden calls name tables by their logical key. */
const LOGICAL: TableNames = { meta: 'meta', log: 'log' };

const recorder = new RouteRecorder();
const fnRecorder = new FunctionRecorder();
let stack: TestStack;
let roles: Record<FunctionArea, RolePolicy>;
/** The roles of the functions no route serves: the WebSocket door, the fan-out, subscription delivery. */
let streamRoles: Record<StreamFunction, RolePolicy>;
let streamOutcome: Awaited<ReturnType<typeof runStreamWorkload>>;
/** The calls the workload's requests made (the harness's own setup calls excluded). */
let served: (RoutedCall & { route: RouteId })[] = [];
let unattributed: RoutedCall[] = [];

beforeAll(async () => {
  // Template only (no bundling): the role policies are all this test reads.
  const t0 = Date.now();
  const synth = synthTemplate();
  roles = rolePolicies(synth, areas);
  const streamFns: Record<StreamFunction, { node: { defaultChild?: unknown } }> = {
    push: synth.stack.push!.door,
    pushFanOut: synth.stack.push!.fanOut,
    delivery: synth.stack.subscriptionDelivery.fn,
  };
  streamRoles = Object.fromEntries(STREAM_FUNCTIONS.map((f) => [f, functionPolicy(synth, f, streamFns[f])])) as Record<StreamFunction, RolePolicy>;
  const t1 = Date.now();
  // Keys and ACLs re-read on every request, as a cold instance would: every function's auth reads are in the replay.
  stack = await createTestStack({ auth: { mode: 'api-keys', cacheMs: 0 }, limits: LIMITS, plugins: [recorder.plugin, fnRecorder.plugin] });
  const clock = new ManualClock();
  stack.lib.clock = clock;
  const { apiKey } = await storeApiKey(stack.lib, { principal: 'admin' }, 'iam replay');
  const start = recorder.calls.length;
  await runWorkload({ stack, recorder, clock, adminKey: apiKey, abortAfterMs: LIMITS.abortAfterMs + LIMITS.maxClockSkewMs });
  const calls = recorder.calls.slice(start);
  served = calls.filter((c): c is RoutedCall & { route: RouteId } => c.route !== undefined);
  unattributed = calls.filter((c) => c.route === undefined);
  // After the API workload's slice: its setup requests are the harness's, its function calls are in fnRecorder.
  streamOutcome = await runStreamWorkload({ stack, recorder: fnRecorder, clock, adminKey: apiKey });
  console.log(`iam replay: synth ${((t1 - t0) / 1000).toFixed(1)} s, workload ${((Date.now() - t1) / 1000).toFixed(1)} s`);
}, 180_000);

async function denied(area: FunctionArea, requests: IamRequest[]): Promise<IamRequest[]> {
  const decisions = await Promise.all(requests.map((r) => decide(roles[area], r)));
  return requests.filter((_, i) => decisions[i] !== 'Allowed');
}

describe('IAM replay of the API workload', () => {
  it('serves every route, and every DynamoDB call belongs to a request', () => {
    expect([...recorder.served].sort()).toEqual(Object.keys(ROUTES).sort());
    expect(unattributed.map((c) => c.command)).toEqual([]);
    expect(served.length).toBeGreaterThan(100);
  });

  it('exercises the reader writes (abort markers from fetch, group poll and delete-records), and would catch one writing more', async () => {
    const markers = served.filter((c) => c.input.TableName === stack.tables.log && isMarkerPut(c));
    expect([...new Set(markers.map((c) => c.route))]).toEqual(expect.arrayContaining(['deleteRecords', 'fetch', 'groupPoll']));
    // Not vacuous: the same put carrying a record payload is denied to the reader that made it.
    const reader = markers.find((c) => c.route === 'fetch')!;
    expect(await denied('fetch', iamRequests(reader, stack.tables))).toEqual([]);
    const widened = { ...reader, input: { ...reader.input, Item: { ...reader.input.Item, r: new Uint8Array([1]) } } };
    expect(await denied('fetch', iamRequests(widened, stack.tables))).toHaveLength(1);
  });

  it("allows every call for the role of the function that serves the call's route", async () => {
    const failures: string[] = [];
    const byArea = new Map<FunctionArea, number>();
    for (const call of served) {
      const area = ROUTES[call.route].fn;
      byArea.set(area, (byArea.get(area) ?? 0) + 1);
      for (const request of await denied(area, iamRequests(call, stack.tables))) {
        failures.push(`${call.route} (${area}): ${request.action} on ${request.resource.split(':').pop()} ${JSON.stringify(request.context)}`);
      }
    }
    console.log(`iam replay: ${served.length} calls checked (${[...byArea].map(([a, n]) => `${a} ${n}`).join(', ')})`);
    expect([...new Set(failures)]).toEqual([]);
  });

  it('lists the granted actions the workload never used (least-privilege review, not a failure)', async () => {
    const used = new Set<string>();
    for (const call of served) {
      for (const r of iamRequests(call, stack.tables)) used.add(`${ROUTES[call.route].fn} ${r.action} ${r.resource.split(':').pop()}`);
    }
    const unused = areas.flatMap((area) =>
      roles[area].document.Statement.flatMap((s) =>
        [s.Action].flat().flatMap((action: string) =>
          [s.Resource]
            .flat()
            // The grant puts the index ARN beside every action of a statement with Query; only Query can use it.
            .filter((res: string) => action === 'dynamodb:Query' || !res.includes('/index/'))
            .map((res: string) => `${area} ${action} ${res.split(':').pop()}`),
        ),
      ).filter((grant) => !used.has(grant)),
    );
    if (unused.length > 0) console.log(`iam replay: grants not used by the workload:\n  ${unused.join('\n  ')}`);
    expect(used.size).toBeGreaterThan(0);
  });
});

async function deniedTo(role: RolePolicy, requests: IamRequest[]): Promise<IamRequest[]> {
  const decisions = await Promise.all(requests.map((r) => decide(role, r)));
  return requests.filter((_, i) => decisions[i] !== 'Allowed');
}

const byFunction = (fn: StreamFunction) => fnRecorder.calls.filter((c) => c.fn === fn);

describe('IAM replay of the push door, the fan-out and subscription delivery', () => {
  it('runs each function through the paths that write', () => {
    const kinds = (fn: StreamFunction) => new Set(byFunction(fn).map((c) => c.command));
    expect(streamOutcome).toMatchObject({ sent: 2, gone: 1 });
    expect([...kinds('push')]).toEqual(expect.arrayContaining(['GetItem', 'Query', 'PutItem', 'UpdateItem', 'DeleteItem']));
    expect([...kinds('pushFanOut')]).toEqual(expect.arrayContaining(['Query', 'DeleteItem']));
    // Dead-lettering is a produce (log PutItem/UpdateItem); the commit and retry state are meta writes.
    const delivery = byFunction('delivery');
    expect(delivery.some((c) => c.command === 'PutItem' && c.input.TableName === stack.tables.log)).toBe(true);
    expect(delivery.some((c) => c.command === 'PutItem' && c.input.TableName === stack.tables.meta)).toBe(true);
  });

  it("allows every call for the role of the function that made it", async () => {
    const failures: string[] = [];
    for (const call of fnRecorder.calls) {
      for (const request of await deniedTo(streamRoles[call.fn], iamRequests(call, stack.tables))) {
        failures.push(`${call.fn}: ${request.action} on ${request.resource.split(':').pop()} ${JSON.stringify(request.context)}`);
      }
    }
    const used = new Set(fnRecorder.calls.flatMap((c) => iamRequests(c, stack.tables).map((r) => `${c.fn} ${r.action} ${r.resource.split(':').pop()}`)));
    const unused = STREAM_FUNCTIONS.flatMap((f) =>
      streamRoles[f].document.Statement.flatMap((st) =>
        [st.Action].flat().flatMap((a: string) => [st.Resource].flat().filter((r: string) => a === 'dynamodb:Query' || !r.includes('/index/')).map((r: string) => `${f} ${a} ${r.split(':').pop()}`)),
      ).filter((g) => !used.has(g) && !g.includes('stream') && !g.endsWith(' *')),
    );
    if (unused.length > 0) console.log(`iam replay: push/delivery grants not used by the workload:\n  ${unused.join('\n  ')}`);
    console.log(`iam replay: ${fnRecorder.calls.length} push/delivery calls checked (${STREAM_FUNCTIONS.map((f) => `${f} ${byFunction(f).length}`).join(', ')})`);
    expect([...new Set(failures)]).toEqual([]);
  });

  it('denies them what their work never needs (so the replay above could fail)', async () => {
    const call = (fn: StreamFunction, command: string, input: Record<string, unknown>): FunctionCall => ({ fn, command, input });
    const keyItem = { TableName: 'meta', Key: { pk: 'apikey#x', sk: 'key' } };
    const forbidden: FunctionCall[] = [
      call('push', 'PutItem', { TableName: 'meta', Item: { pk: 'acls', sk: 'x' } }),
      call('push', 'DeleteItem', keyItem),
      call('push', 'PutItem', { TableName: 'log', Item: { pk: 't#0', sk: 1, o: 1 } }),
      call('pushFanOut', 'DeleteItem', keyItem),
      call('pushFanOut', 'Query', { TableName: 'meta', KeyConditionExpression: 'pk = :p', ExpressionAttributeValues: { ':p': 'acls' } }),
      call('pushFanOut', 'GetItem', keyItem),
      call('delivery', 'DeleteItem', keyItem),
      call('delivery', 'PutItem', { TableName: 'meta', Item: { pk: 'acls', sk: 'x' } }),
    ];
    for (const f of forbidden) expect(await deniedTo(streamRoles[f.fn], iamRequests(f, LOGICAL)), `${f.fn} ${f.command} ${JSON.stringify(f.input)}`).not.toEqual([]);
  });
});

const cases = (list: ForbiddenCall[]) => list.flatMap((f) => f.areas.map((area) => ({ area, what: f.what, requests: f.request ? [f.request] : iamRequests(f.call!, LOGICAL) })));

describe('calls no function may make', () => {
  it.each(cases(FORBIDDEN))('$area must not $what', async ({ area, requests }) => {
    expect((await denied(area, requests)).length).toBeGreaterThan(0);
  });
});

describe('known gaps: forbidden in intent, inexpressible in IAM (each says why)', () => {
  it('gives every gap the reason IAM cannot deny it', () => {
    for (const gap of KNOWN_GAPS) expect(gap.why ?? '', gap.what).toMatch(/IAM|AWS requires/);
  });

  it.each(cases(KNOWN_GAPS))('$area can still $what', async ({ area, requests }) => {
    expect(await denied(area, requests)).toEqual([]);
  });
});

/**
 * Runs the exact esbuild output that `cdk synth` packages for each Lambda
 * function, loaded the way the Node.js runtime loads it, against DynamoDB
 * Local. Catches what only breaks bundled: a dependency esbuild cannot inline,
 * an import that only resolves from the source tree, ESM/CJS mix-ups, a bundle
 * that grew past budget.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { builtinModules, createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { AssetManifestArtifact } from 'aws-cdk-lib/cx-api';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { FUNCTION_AREAS } from '../../cdk/function-areas';
import { ENV } from '../../functions/config';
import { DELIVERY_ENV } from '../../functions/subscriptions/aws-env';
import { apiGatewayPath, DEFAULT_ROUTE_FUNCTION, ROUTES, type FunctionArea } from '../../functions/http/routes';
import { storeApiKey } from '../../lib/auth/keys';
import { systemClock } from '../../lib/context';
import { createStorageClients, localCredentials } from '../../lib/storage/client';
import { ensureTables } from '../../lib/storage/ensure-tables';
import { localTableNames, TABLES, type TableNames } from '../../lib/storage/schema';
import { invokeIn, node22 } from '../support/node22';
import { httpApiEvent, lambdaContext } from './http-api-event';
import { synthesize, type Synthesized } from './synth';

const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** The local meaning of the WebSocket stage URL the stack gives the health function (cdk/stack.ts). */
const PUSH_URL = 'wss://push.example.com/v1';
/** What the stack would set from samsa:subscriptionLambdaTargets (its own account and region resolved). */
const LAMBDA_TARGETS = 'arn:aws:lambda:us-east-1:123456789012:function:samsa-target-*';
/** Budget for one function's minified bundle with @aws-sdk/* external; the target is ≤ 250 KB. */
const MAX_BUNDLE_BYTES = 400 * 1024;

type Handler = (event: APIGatewayProxyEventV2, context: Context) => Promise<APIGatewayProxyStructuredResultV2>;

interface Bundle {
  logicalId: string;
  file: string;
  exportName: string;
  /** The function's environment, with the test's tables. */
  env: Record<string, string>;
  bytes: number;
  timeoutMs: number;
  handler: Handler;
}

const areas = Object.keys(FUNCTION_AREAS) as FunctionArea[];
let synth: Synthesized;
let tables: TableNames;
/** The bundles run with the deployed auth mode (API keys): requests carry a super user's key. */
let auth: Record<string, string>;
const bundles = {} as Record<FunctionArea, Bundle>;

beforeAll(async () => {
  // Inside the repo, so the external @aws-sdk/* resolves from node_modules as it does from the runtime.
  // The lag publisher is opt-in (samsa:lagMetrics); on here so its bundle is tested too.
  synth = synthesize(join(REPO_ROOT, 'cdk.out', `test-${randomUUID().slice(0, 8)}`), { lagMetrics: true });
  // Lambda's /var/task has no package.json, so index.js is CommonJS there;
  // without this, the repo's "type": "module" would make Node read it as ESM.
  writeFileSync(join(synth.outdir, 'package.json'), JSON.stringify({ type: 'commonjs' }));

  const endpoint = inject('dynamoEndpoint');
  tables = localTableNames(`b${randomUUID().slice(0, 8)}`);
  const { raw, doc } = createStorageClients({ endpoint, credentials: localCredentials() });
  await ensureTables(raw, tables);
  const { apiKey } = await storeApiKey({ ddb: doc, tables, clock: systemClock }, { principal: 'admin' }, 'bundle test');
  auth = { authorization: `Bearer ${apiKey}` };
  raw.destroy();

  const resources = synth.template.toJSON().Resources;
  const assetDirs = assetDirectoriesByObjectKey(synth);
  for (const area of areas) {
    const logicalId = synth.logicalId(synth.stack.functions.byArea[area]);
    const props = resources[logicalId].Properties;
    const dir = assetDirs.get(props.Code.S3Key);
    if (dir === undefined) throw new Error(`No asset for ${logicalId} (${props.Code.S3Key})`);
    const [moduleName, exportName] = (props.Handler as string).split('.') as [string, string];
    const file = join(dir, `${moduleName}.js`);
    const env = {
      ...lambdaEnvironment(props.Environment.Variables, tables, { [ENV.pushUrl]: PUSH_URL, [DELIVERY_ENV.lambdaTargets]: LAMBDA_TARGETS, [DELIVERY_ENV.functionArn]: 'arn:aws:lambda:us-east-1:123456789012:function:deliver' }),
      [ENV.dynamoEndpoint]: endpoint,
      AWS_REGION: 'us-east-1',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    };
    const handler = loadLikeLambda(file, exportName, env);
    bundles[area] = { logicalId, file, exportName, env, bytes: statSync(file).size, timeoutMs: props.Timeout * 1000, handler };
  }
});

afterAll(() => synth?.cleanup());

function invoke(area: FunctionArea, event: APIGatewayProxyEventV2) {
  const bundle = bundles[area];
  return bundle.handler(event, lambdaContext(bundle.logicalId, bundle.timeoutMs));
}

function json(result: APIGatewayProxyStructuredResultV2): any {
  return JSON.parse(result.body ?? '');
}

describe('Lambda bundles', () => {
  it.each(areas)('%s bundle stays within the size budget', (area) => {
    const { bytes, file } = bundles[area];
    console.log(`bundle ${area}: ${(bytes / 1024).toFixed(1)} KB (${file.slice(REPO_ROOT.length + 1)})`);
    expect(bytes).toBeGreaterThan(0);
    expect(bytes).toBeLessThanOrEqual(MAX_BUNDLE_BYTES);
  });

  it.each(areas)('%s bundle loads nothing at run time but Node built-ins and the runtime-provided @aws-sdk/*', (area) => {
    // In this test every module resolves from the repo's node_modules, so a
    // package left external by mistake would pass here and fail on Lambda.
    const code = readFileSync(bundles[area].file, 'utf8');
    const specifiers = [...code.matchAll(/\b(?:require|import)\(\s*["'`]([^"'`]+)["'`]\s*\)/g)].map((m) => m[1]!);
    const foreign = specifiers.filter((s) => !s.startsWith('@aws-sdk/') && !isBuiltin(s));
    expect(foreign).toEqual([]);
    expect(specifiers.length).toBeGreaterThan(0);
  });

  it.each(areas)('%s bundle answers an unknown route with the ROUTE_NOT_FOUND envelope', async (area) => {
    const res = await invoke(area, httpApiEvent('GET', '/v1/no-such-thing'));
    expect(res.statusCode).toBe(404);
    expect(json(res)).toEqual({ error: expect.objectContaining({ code: 'ROUTE_NOT_FOUND', retriable: false }) });
  });

  it('creates a topic and describes it through the bundled functions', async () => {
    const create = ROUTES.createTopic;
    const created = await invoke(
      create.fn,
      httpApiEvent(create.method, '/v1/topics', {
        routeKey: `${create.method} ${apiGatewayPath(create.path)}`,
        body: { name: 'bundled', partitions: 2 },
        headers: auth,
      }),
    );
    expect(created.statusCode, created.body).toBe(201);

    const describeRoute = ROUTES.describeTopic;
    const described = await invoke(
      describeRoute.fn,
      httpApiEvent(describeRoute.method, '/v1/topics/bundled', {
        routeKey: `${describeRoute.method} ${apiGatewayPath(describeRoute.path)}`,
        pathParameters: { topic: 'bundled' },
        headers: auth,
      }),
    );
    expect(described.statusCode, described.body).toBe(200);
    expect(json(described)).toMatchObject({ name: 'bundled', partitions: [{ partition: 0 }, { partition: 1 }] });
  });

  it('produces and fetches records through the bundled produce and fetch functions', async () => {
    const route = (id: 'createTopic' | 'produce' | 'fetch') => `${ROUTES[id].method} ${apiGatewayPath(ROUTES[id].path)}`;
    await invoke('admin', httpApiEvent('POST', '/v1/topics', { routeKey: route('createTopic'), body: { name: 'bundled-log' }, headers: auth }));
    const produced = await invoke(
      ROUTES.produce.fn,
      httpApiEvent('POST', '/v1/topics/bundled-log/records', {
        routeKey: route('produce'),
        pathParameters: { topic: 'bundled-log' },
        body: { records: [{ value: { type: 'JSON', data: { n: 1 } } }, { key: { type: 'STRING', data: 'k' }, value: null }] },
        headers: auth,
      }),
    );
    expect(produced.statusCode, produced.body).toBe(200);
    const fetched = await invoke(
      ROUTES.fetch.fn,
      httpApiEvent('GET', '/v1/topics/bundled-log/partitions/0/records', {
        routeKey: route('fetch'),
        pathParameters: { topic: 'bundled-log', partition: '0' },
        query: { offset: '0' },
        headers: auth,
      }),
    );
    expect(fetched.statusCode, fetched.body).toBe(200);
    expect(json(fetched)).toMatchObject({
      highWatermark: 2,
      records: [
        { offset: 0, value: { type: 'JSON', data: { n: 1 } } },
        { offset: 1, key: { type: 'STRING', data: 'k' }, value: null },
      ],
    });
  });

  it.each(areas)('%s bundle refuses a request without credentials with 401 UNAUTHENTICATED', async (area) => {
    const route = Object.values(ROUTES).find((r) => r.fn === area && !('public' in r));
    if (route === undefined) throw new Error(`no route in ${area}`);
    const routeKey = `${route.method} ${apiGatewayPath(route.path)}`;
    const res = await invoke(area, httpApiEvent(route.method, route.path.replace(/:[a-z]+/g, '0'), { routeKey }));
    expect(res.statusCode).toBe(401);
    expect(json(res).error).toMatchObject({ code: 'UNAUTHENTICATED' });
  });

  it('names the WebSocket stage the stack passes in GET /v1/health', async () => {
    const health = ROUTES.health;
    const res = await invoke(health.fn, httpApiEvent(health.method, health.path, { routeKey: `${health.method} ${apiGatewayPath(health.path)}` }));
    expect(res.statusCode, res.body).toBe(200);
    expect(json(res)).toEqual({ status: 'ok', pushUrl: PUSH_URL });
  });

  it('creates subscriptions only to the Lambda functions the stack lets delivery invoke', async () => {
    const create = ROUTES.createSubscription;
    const routeKey = `${create.method} ${apiGatewayPath(create.path)}`;
    const body = (endpoint: string) => ({ name: `bundled-${randomUUID().slice(0, 8)}`, topic: 'bundled-log', endpoint, deadLetterTopic: 'bundled-dlq' });
    const refused = await invoke(create.fn, httpApiEvent(create.method, create.path, { routeKey, body: body('arn:aws:lambda:us-east-1:123456789012:function:billing'), headers: auth }));
    expect(refused.statusCode, refused.body).toBe(400);
    expect(json(refused).error.code).toBe('INVALID_SUBSCRIPTION');
    const allowed = await invoke(create.fn, httpApiEvent(create.method, create.path, { routeKey, body: body('arn:aws:lambda:us-east-1:123456789012:function:samsa-target-billing'), headers: auth }));
    // Past the allow-list: the topics do not exist here, which create reports next.
    expect(json(allowed).error?.code ?? 'created').not.toBe('INVALID_SUBSCRIPTION');
  });

  it('answers the $default route with the error envelope', async () => {
    const res = await invoke(DEFAULT_ROUTE_FUNCTION, httpApiEvent('GET', '/nope'));
    expect(res.statusCode).toBe(404);
    expect(res.headers?.['content-type']).toMatch(/^application\/json/);
    expect(json(res).error).toMatchObject({ code: 'ROUTE_NOT_FOUND', requestId: expect.any(String) });
  });
});

describe('on Node.js 22, the Lambda runtime', () => {
  // The tests run on the developer's Node; Lambda runs the bundles on Node 22
  // (cdk). The same requests through each bundle on both must give the same answers.
  const onNode22 = async (area: FunctionArea, event: APIGatewayProxyEventV2) => {
    const bundle = bundles[area];
    const { node, result } = await invokeIn<APIGatewayProxyStructuredResultV2>(await node22(), {
      file: bundle.file,
      exportName: bundle.exportName,
      event,
      functionName: bundle.logicalId,
      timeoutMs: bundle.timeoutMs,
      env: bundle.env,
    });
    expect(node).toMatch(/^v22\./);
    return result;
  };

  it('answers as on this Node: errors, topic create and describe, produce, fetch, a group join', { timeout: 300_000 }, async () => {
    const here = await runtimeScenario(invoke, 'here');
    const lambda = await runtimeScenario(onNode22, 'node22');
    expect(lambda).toEqual(here);
    // Per function area: an unknown path (404), then one of its routes without credentials (401).
    expect(here.map((r) => r.statusCode)).toEqual([...areas.map(() => 404), ...areas.map(() => 401), 201, 200, 200, 200, 200, 404]);
  });
});

/** Requests through every bundle, answers with the run's own names and volatile values (ids, times) masked. */
async function runtimeScenario(run: (area: FunctionArea, event: APIGatewayProxyEventV2) => Promise<APIGatewayProxyStructuredResultV2>, tag: string) {
  const topic = `runtime-${tag}`;
  const group = `runtime-group-${tag}`;
  const routeKey = (id: keyof typeof ROUTES) => `${ROUTES[id].method} ${apiGatewayPath(ROUTES[id].path)}`;
  const answers: APIGatewayProxyStructuredResultV2[] = [];
  for (const area of areas) answers.push(await run(area, httpApiEvent('GET', '/v1/no-such-thing')));
  for (const area of areas) {
    const route = Object.values(ROUTES).find((r) => r.fn === area && !('public' in r))!;
    answers.push(await run(area, httpApiEvent(route.method, route.path.replace(/:[a-z]+/g, '0'), { routeKey: `${route.method} ${apiGatewayPath(route.path)}` })));
  }
  answers.push(await run('admin', httpApiEvent('POST', '/v1/topics', { routeKey: routeKey('createTopic'), body: { name: topic, partitions: 2 }, headers: auth })));
  answers.push(await run('admin', httpApiEvent('GET', `/v1/topics/${topic}`, { routeKey: routeKey('describeTopic'), pathParameters: { topic }, headers: auth })));
  const records = [{ partition: 1, key: { type: 'STRING', data: 'k' }, value: { type: 'JSON', data: { n: 1 } } }, { partition: 1, value: null }];
  answers.push(await run('produce', httpApiEvent('POST', `/v1/topics/${topic}/records`, { routeKey: routeKey('produce'), pathParameters: { topic }, body: { records }, headers: auth })));
  const fetchPath = `/v1/topics/${topic}/partitions/1/records`;
  answers.push(await run('fetch', httpApiEvent('GET', fetchPath, { routeKey: routeKey('fetch'), pathParameters: { topic, partition: '1' }, query: { offset: '0' }, headers: auth })));
  const join = { memberId: 'm', memberEpoch: 0, topics: [topic] };
  answers.push(await run('groups', httpApiEvent('POST', `/v1/groups/${group}/heartbeat`, { routeKey: routeKey('groupHeartbeat'), pathParameters: { group }, body: join, headers: auth })));
  answers.push(await run(DEFAULT_ROUTE_FUNCTION, httpApiEvent('GET', '/nope')));
  const mask = (text: string) =>
    text
      .replaceAll(topic, '<topic>')
      .replaceAll(group, '<group>')
      .replace(/"(requestId|topicId|createdAt|timestamp)":("[^"]*"|\d+)/g, '"$1":"<volatile>"');
  return answers.map((a) => ({ statusCode: a.statusCode, contentType: a.headers?.['content-type'], body: JSON.parse(mask(a.body ?? 'null')) }));
}

describe('web console bundle', () => {
  it('serves the console built into its package: index.html, hashed assets gzipped and immutable, index.html for its own paths', async () => {
    const props = synth.template.toJSON().Resources[synth.logicalId(synth.stack.webConsole.fn)].Properties;
    const dir = assetDirectoriesByObjectKey(synth).get(props.Code.S3Key);
    if (dir === undefined) throw new Error('No asset for the console function');
    const file = join(dir, 'index.js');
    const code = readFileSync(file, 'utf8');
    const specifiers = [...code.matchAll(/\b(?:require|import)\(\s*["'`]([^"'`]+)["'`]\s*\)/g)].map((m) => m[1]!);
    expect(specifiers.filter((s) => !isBuiltin(s))).toEqual([]);
    console.log(`bundle console: ${(statSync(file).size / 1024).toFixed(1)} KB, plus the built console in ./console`);

    const handler = loadLikeLambda(file, 'handler', { POWERTOOLS_SERVICE_NAME: 'Samsa' });
    const get = (path: string, headers: Record<string, string> = {}) =>
      handler(httpApiEvent('GET', path, { routeKey: 'GET /console/{proxy+}', headers: { accept: '*/*', ...headers } }), lambdaContext('Console', 5000));
    const index = await get('/console/');
    expect(index.statusCode).toBe(200);
    expect(index.headers?.['content-type']).toBe('text/html; charset=utf-8');
    expect(index.headers?.['cache-control']).toBe('no-cache');
    const script = /src="(\/console\/assets\/[^"]+\.js)"/.exec(index.body ?? '')?.[1];
    if (script === undefined) throw new Error(`No script in ${index.body}`);
    const js = await get(script, { 'accept-encoding': 'gzip, deflate, br' });
    expect(js.statusCode).toBe(200);
    expect(js.headers).toMatchObject({ 'content-encoding': 'gzip', 'cache-control': 'public, max-age=31536000, immutable' });
    expect(js.isBase64Encoded).toBe(true);
    const page = await get('/console/groups/billing');
    expect([page.statusCode, page.headers?.['content-type']]).toEqual([200, 'text/html; charset=utf-8']);
    expect((await get('/console/assets/missing.js')).statusCode).toBe(404);
    const root = await handler(httpApiEvent('GET', '/console', { routeKey: 'GET /console' }), lambdaContext('Console', 5000));
    expect([root.statusCode, root.headers?.location]).toEqual([302, '/console/']);
  });
});

describe('lag publisher bundle', () => {
  it('stays within the size budget, loads only built-ins and @aws-sdk/*, and publishes the lag of the local tables', async () => {
    const props = synth.template.toJSON().Resources[synth.logicalId(synth.stack.lagMetrics!.fn)].Properties;
    const dir = assetDirectoriesByObjectKey(synth).get(props.Code.S3Key);
    if (dir === undefined) throw new Error('No asset for the lag publisher');
    const file = join(dir, 'index.js');
    console.log(`bundle lag-metrics: ${(statSync(file).size / 1024).toFixed(1)} KB`);
    expect(statSync(file).size).toBeLessThanOrEqual(MAX_BUNDLE_BYTES);
    const code = readFileSync(file, 'utf8');
    const specifiers = [...code.matchAll(/\b(?:require|import)\(\s*["'`]([^"'`]+)["'`]\s*\)/g)].map((m) => m[1]!);
    expect(specifiers.filter((s) => !s.startsWith('@aws-sdk/') && !isBuiltin(s))).toEqual([]);
    const env = {
      ...lambdaEnvironment(props.Environment.Variables, tables),
      [ENV.dynamoEndpoint]: inject('dynamoEndpoint'),
      AWS_REGION: 'us-east-1',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    };
    const publish = loadLikeLambda(file, 'handler', env) as unknown as () => Promise<{ groups: number; topics: number }>;
    expect(await publish()).toEqual({ groups: expect.any(Number), topics: expect.any(Number) });
  });
});

describe('push and subscription delivery bundles', () => {
  /** Loads a function's bundle as Lambda would, with `local` meanings for its non-table references. */
  function load(fn: { node: { defaultChild?: unknown } }, file: string, local: Record<string, string> = {}) {
    const props = synth.template.toJSON().Resources[synth.logicalId(fn)].Properties;
    const dir = assetDirectoriesByObjectKey(synth).get(props.Code.S3Key);
    if (dir === undefined) throw new Error(`No asset for ${file}`);
    const path = join(dir, `${(props.Handler as string).split('.')[0]}.js`);
    const code = readFileSync(path, 'utf8');
    const specifiers = [...code.matchAll(/\b(?:require|import)\(\s*["'`]([^"'`]+)["'`]\s*\)/g)].map((m) => m[1]!);
    console.log(`bundle ${file}: ${(statSync(path).size / 1024).toFixed(1)} KB`);
    expect(statSync(path).size).toBeLessThanOrEqual(MAX_BUNDLE_BYTES);
    expect(specifiers.filter((sp) => !sp.startsWith('@aws-sdk/') && !isBuiltin(sp))).toEqual([]);
    const env = {
      ...lambdaEnvironment(props.Environment.Variables, tables, local),
      [ENV.dynamoEndpoint]: inject('dynamoEndpoint'),
      AWS_REGION: 'us-east-1',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    };
    return loadLikeLambda(path, (props.Handler as string).split('.')[1]!, env) as unknown as (event: unknown, context?: unknown) => Promise<any>;
  }
  const ws = (routeKey: string, connectionId: string, extra: Record<string, unknown> = {}) => ({ requestContext: { routeKey, connectionId, eventType: routeKey.slice(1).toUpperCase() }, ...extra });
  const settledEvent = (topicId: string) => ({ Records: [{ eventName: 'INSERT', dynamodb: { NewImage: { pk: { S: `${topicId}#0` }, o: { N: '0' }, n: { N: '1' } } } }] });

  it('push door: a keyed $connect is accepted, a bad key refused with 401, $default answers, $disconnect cleans up', async () => {
    const door = load(synth.stack.push!.door, 'push');
    const id = `c-${randomUUID()}`;
    expect(await door(ws('$connect', id, { headers: { Authorization: auth.authorization } }))).toEqual({ statusCode: 200 });
    const refused = await door(ws('$connect', `c-${randomUUID()}`, { queryStringParameters: { token: 'samsa_wrong' } }));
    expect(refused.statusCode).toBe(401);
    expect(JSON.parse(refused.body).error.code).toBe('UNAUTHENTICATED');
    expect(JSON.parse((await door(ws('$default', id, { body: '{"action":"ping","id":"1"}' }))).body)).toEqual({ type: 'pong', id: '1' });
    expect(JSON.parse((await door(ws('$default', id, { body: 'nope' }))).body)).toMatchObject({ type: 'error', code: 'INVALID_REQUEST' });
    expect(await door(ws('$disconnect', id))).toEqual({ statusCode: 200 });
    // Gone from the registry: a message on the ended connection is refused.
    const after = JSON.parse((await door(ws('$default', id, { body: '{"action":"subscribe","topic":"t"}' }))).body);
    expect(after).toMatchObject({ type: 'error', code: 'UNAUTHENTICATED' });
  });

  it('fan-out and delivery load with their environment and handle a settled batch of a topic nobody follows', async () => {
    const fanOut = load(synth.stack.push!.fanOut, 'push fan-out', { SAMSA_PUSH_CALLBACK_URL: 'http://127.0.0.1:9/v1' });
    await expect(fanOut(settledEvent(randomUUID()))).resolves.toBeUndefined();
    const deliver = load(synth.stack.subscriptionDelivery.fn, 'subscription delivery', {
      SAMSA_WAKE_SCHEDULE_GROUP: 'local-wakeups',
      SAMSA_WAKE_ROLE_ARN: 'arn:aws:iam::123456789012:role/local-scheduler',
      [DELIVERY_ENV.lambdaTargets]: LAMBDA_TARGETS,
    });
    const context = { invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:deliver' };
    await expect(deliver(settledEvent(randomUUID()), context)).resolves.toBeUndefined();
  });
});

function isBuiltin(specifier: string): boolean {
  return specifier.startsWith('node:') || builtinModules.includes(specifier);
}

/** Maps each file asset's S3 object key (what the template's Code.S3Key names) to its staged directory. */
function assetDirectoriesByObjectKey(s: Synthesized): Map<string, string> {
  const dirs = new Map<string, string>();
  const stackArtifact = s.assembly.getStackArtifact(s.stack.artifactId);
  for (const manifest of stackArtifact.dependencies.filter(AssetManifestArtifact.isAssetManifestArtifact)) {
    for (const asset of Object.values(manifest.contents.files ?? {})) {
      if (asset.source.path === undefined) continue;
      for (const destination of Object.values(asset.destinations)) {
        dirs.set(destination.objectKey, join(dirname(manifest.file), asset.source.path));
      }
    }
  }
  return dirs;
}

/**
 * The function's environment with table references resolved to the test's
 * tables. Any other non-literal value fails, so a new reference in the stack
 * has to be given a local meaning here.
 */
function lambdaEnvironment(variables: Record<string, unknown>, names: TableNames, given: Record<string, string> = {}): Record<string, string> {
  const byLogicalId: Record<string, string> = { [TABLES.meta.logicalId]: names.meta, [TABLES.log.logicalId]: names.log };
  return Object.fromEntries(
    Object.entries(variables).map(([name, value]) => {
      if (typeof value === 'string') return [name, value];
      if (given[name] !== undefined) return [name, given[name]];
      const ref = (value as { Ref?: string }).Ref;
      const local = ref === undefined ? undefined : byLogicalId[ref];
      if (local === undefined) throw new Error(`Environment ${name}: no local value for ${JSON.stringify(value)}`);
      return [name, local];
    }),
  );
}

/**
 * `require`s the bundle as the runtime does, with process.env set as the
 * function's environment while the module initialises (config is read at cold
 * start), then restores it.
 */
function loadLikeLambda(file: string, exportName: string, env: Record<string, string>): Handler {
  const saved = { ...process.env };
  Object.assign(process.env, env);
  try {
    const mod = createRequire(file)(file) as Record<string, unknown>;
    const handler = mod[exportName];
    if (typeof handler !== 'function') throw new Error(`${file} does not export a function '${exportName}'`);
    return handler as Handler;
  } finally {
    for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
    Object.assign(process.env, saved);
  }
}

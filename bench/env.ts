/**
 * The benchmark's private stack: Samsa's tables (with a unique prefix) plus a
 * scratch table for raw puts, in a DynamoDB Local the caller started, the
 * shared Hono app with the capacity meter on every DynamoDB client, and small
 * helpers to call the app and to time loops.
 */
import { randomUUID } from 'node:crypto';
import { CreateTableCommand, waitUntilTableExists, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { allHandlers } from '../functions/all-handlers';
import { buildApp, type AppDeps } from '../functions/http/app';
import { DEFAULT_AUTH } from '../functions/config';
import { createDeps } from '../functions/runtime';
import { createAcl } from '../lib/auth/acl-store';
import { storeApiKey } from '../lib/auth/keys';
import type { LibContext } from '../lib/context';
import { DEFAULT_LIMITS } from '../lib/limits';
import { createStorageClients, localCredentials } from '../lib/storage/client';
import { createTableInput, ensureTables } from '../lib/storage/ensure-tables';
import type { Position, TopicPartitions } from '../lib/protocol/groups';
import { LOG_TABLE, META_TABLE, localTableNames, type TableNames } from '../lib/storage/schema';
import { CapacityMeter } from './capacity';
import { CallSpans } from './spans';

/**
 * A decoded JSON answer of the API. Scenarios read the fields of the route they
 * called; every field is optional here and cast where it is used (the wire
 * types are lib/protocol/responses.ts). An empty body decodes to {}.
 */
export interface ApiAnswer {
  records?: unknown[];
  nextOffset?: number;
  highWatermark?: number;
  abortedRanges?: unknown[];
  memberEpoch?: number;
  assignment?: TopicPartitions[];
  positions?: Position[];
  state?: string;
  producerId?: string;
  producerEpoch?: number;
  offset?: number | null;
  partitions?: unknown[];
  error?: { code?: string; message?: string };
}

/** The member fields of a heartbeat or poll answer; throws when one is missing. */
export function memberAnswer(a: ApiAnswer): { memberEpoch: number; assignment: TopicPartitions[]; positions: Position[] } {
  if (typeof a.memberEpoch !== 'number' || a.assignment === undefined) throw new Error(`not a member answer: ${JSON.stringify(a).slice(0, 200)}`);
  return { memberEpoch: a.memberEpoch, assignment: a.assignment, positions: a.positions ?? [] };
}

export function decodeAnswer(text: string): ApiAnswer {
  return text === '' ? {} : (JSON.parse(text) as ApiAnswer);
}

export interface CallResult {
  status: number;
  body: ApiAnswer;
}

export interface BenchEnv {
  endpoint: string;
  prefix: string;
  tables: TableNames;
  /** Same key schema as the log table, no index: the floor for raw puts. */
  scratchTable: string;
  meter: CapacityMeter;
  /** Start and end of every DynamoDB call, for sequential round trips per request (bench/spans.ts). */
  spans: CallSpans;
  lib: LibContext;
  /** The app's dependencies (metered clients, topic cache), for serving the same app over real HTTP (bench/http.ts). */
  deps: AppDeps;
  /** Metered document client for raw (non-engine) calls. */
  doc: DynamoDBDocumentClient;
  raw: DynamoDBClient;
  /** Headers every request carries: the API key of the non-super principal `bench` (deployed auth, ACLs evaluated). */
  authHeaders: Record<string, string>;
  /** A JSON request through the Hono app (HTTP parsing and serialisation included). */
  call(method: string, path: string, body?: unknown): Promise<CallResult>;
  /** Creates a topic through the app; throws unless 201/200. */
  createTopic(partitions?: number, configs?: Record<string, unknown>, prefix?: string): Promise<string>;
  close(): void;
}

export async function createBenchEnv(endpoint: string): Promise<BenchEnv> {
  const prefix = `bench${Date.now().toString(36)}${randomUUID().slice(0, 4)}`;
  const tables = localTableNames(prefix);
  const scratchTable = `${prefix}-raw`;
  const meter = new CapacityMeter();
  meter.knowTables({ [tables.log]: LOG_TABLE, [tables.meta]: META_TABLE, [scratchTable]: { ...LOG_TABLE, globalIndexes: [] } });
  const spans = new CallSpans();

  const setup = createStorageClients({ endpoint, credentials: localCredentials() });
  await ensureTables(setup.raw, tables);
  await setup.raw.send(new CreateTableCommand(createTableInput({ ...LOG_TABLE, globalIndexes: [] }, scratchTable)));
  await waitUntilTableExists({ client: setup.raw, maxWaitTime: 60, minDelay: 1 }, { TableName: scratchTable });
  setup.raw.destroy();

  // The deployed auth path: API keys, ACLs of an ordinary principal, the default 5 s caches. Only the
  // per-principal quota is off, since one benchmark principal sends far more than 100 requests/s.
  const deps = createDeps(
    {
      tables,
      region: 'us-east-1',
      dynamoEndpoint: endpoint,
      limits: { ...DEFAULT_LIMITS },
      auth: { ...DEFAULT_AUTH, quota: { ratePerSecond: 0, burst: 1 } },
    },
    { plugins: [meter.plugin, spans.plugin] },
  );
  const authHeaders = { authorization: `Bearer ${await benchPrincipal(deps.lib)}` };
  const app = buildApp(deps, allHandlers);
  const metered = createStorageClients({ endpoint, credentials: localCredentials(), plugins: [meter.plugin, spans.plugin] });

  const call = async (method: string, path: string, body?: unknown): Promise<CallResult> => {
    const init: RequestInit = { method, headers: authHeaders };
    if (body !== undefined) {
      init.body = typeof body === 'string' ? body : JSON.stringify(body);
      init.headers = { ...authHeaders, 'content-type': 'application/json' };
    }
    const res = await app.request(path, init);
    const text = await res.text();
    return { status: res.status, body: decodeAnswer(text) };
  };

  let topics = 0;
  return {
    endpoint,
    prefix,
    tables,
    scratchTable,
    meter,
    spans,
    lib: deps.lib,
    deps,
    authHeaders,
    doc: metered.doc,
    raw: metered.raw,
    call,
    async createTopic(partitions = 1, configs = {}, namePrefix = 'bench') {
      const name = `${namePrefix}-${++topics}-${randomUUID().slice(0, 6)}`;
      const res = await call('POST', '/v1/topics', { name, partitions, configs });
      if (res.status !== 201 && res.status !== 200) {
        throw new Error(`create topic ${name}: HTTP ${res.status} ${JSON.stringify(res.body)}`);
      }
      return name;
    },
    close() {
      metered.raw.destroy();
      deps.lib.ddb.destroy();
      deps.lib.ddbOnce.destroy();
    },
  };
}

/** Issues the key of principal `bench` and grants it every topic and group and the cluster's create and write. */
async function benchPrincipal(lib: LibContext): Promise<string> {
  const admin = { name: DEFAULT_AUTH.superUsers[0] ?? 'admin' };
  const { apiKey } = await storeApiKey(lib, { principal: 'bench' }, 'bench');
  for (const resourceType of ['topic', 'group'] as const) {
    await createAcl(lib, admin, { principal: 'bench', resourceType, resourceName: '*', operation: 'all' });
  }
  for (const operation of ['create', 'write'] as const) {
    await createAcl(lib, admin, { principal: 'bench', resourceType: 'cluster', resourceName: 'samsa', operation });
  }
  return apiKey;
}

export interface LoopResult {
  /** Iterations completed. */
  completed: number;
  elapsedMs: number;
  latenciesMs: number[];
  /** True when the time cap stopped the loop before `count` iterations. */
  truncated: boolean;
}

/** Runs `fn` `count` times one after another (or until `maxMs` passed), timing each call. */
export async function sequentialLoop(count: number, maxMs: number, fn: (i: number) => Promise<void>): Promise<LoopResult> {
  const latenciesMs: number[] = [];
  const start = performance.now();
  let i = 0;
  for (; i < count; i++) {
    if (performance.now() - start > maxMs) break;
    const t0 = performance.now();
    await fn(i);
    latenciesMs.push(performance.now() - t0);
  }
  return { completed: i, elapsedMs: performance.now() - start, latenciesMs, truncated: i < count };
}

/** `workers` concurrent sequential loops of `perWorker` iterations each, sharing one time cap. */
export async function concurrentLoops(
  workers: number,
  perWorker: number,
  maxMs: number,
  fn: (worker: number, i: number) => Promise<void>,
): Promise<LoopResult> {
  const latenciesMs: number[] = [];
  const start = performance.now();
  let completed = 0;
  await Promise.all(
    Array.from({ length: workers }, async (_, w) => {
      for (let i = 0; i < perWorker; i++) {
        if (performance.now() - start > maxMs) return;
        const t0 = performance.now();
        await fn(w, i);
        latenciesMs.push(performance.now() - t0);
        completed++;
      }
    }),
  );
  return { completed, elapsedMs: performance.now() - start, latenciesMs, truncated: completed < workers * perWorker };
}

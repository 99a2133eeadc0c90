/**
 * `npm run bench`: Samsa's cost and throughput benchmark (not a test; never
 * part of `npm test`).
 *
 * Starts an in-memory DynamoDB Local on a free port, creates private tables
 * (unique prefix), runs the scenarios (bench/scenarios/, one file each) one
 * after another with fixed record counts, models the AWS bill from what it
 * measured (bench/cost.ts) and prices an idle default stack from its
 * synthesized template (bench/idle-stack.ts). Every figure is a Row with its
 * target and PASS/FAIL (bench/report.ts). Writes bench/results/latest.json
 * and, from it, docs/benchmarks.md and docs/cost.md (bench/docs.ts) — no
 * figure in those pages is written by hand. Every capacity figure comes from
 * DynamoDB's ConsumedCapacity (bench/capacity.ts), every sequential round
 * trip from the calls' start and end times (bench/spans.ts). A FAIL is a
 * measurement, not an error: the exit code is 0 unless the run broke.
 *
 *   npm run bench                      full run (≈ 5–6 min on 2 cores); writes latest.json and the docs pages
 *   npm run bench -- --quick           fewer records; writes bench/results/quick/ only
 *   npm run bench -- --only produce,large-records [--out file.json]   some scenarios; writes bench/results/only/ unless --out
 *   npm run bench -- --render          regenerate docs/benchmarks.md and docs/cost.md from bench/results/latest.json
 */
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { startDynamoLocal, type DynamoLocal } from '../local/dynamodb';
import { buildBatch } from '../lib/log/batch-item';
import { summarizeTally } from './capacity';
import { buildCost, costRows, type CostModel } from './cost';
import { eventBatch, rng, toTypedRecords } from './data';
import { renderBenchmarksPage, renderCostPage } from './docs';
import { createBenchEnv, type BenchEnv } from './env';
import { startHttp, type HttpStack } from './http';
import { idleStackCost, idleStackRows, type IdleStackCost } from './idle-stack';
import { PROFILES } from './profile';
import { renderTable, row, rowsOf, type Row, type ScenarioOutput } from './report';
import { gitInfo, machineInfo, type BenchResult, type MeterSummary } from './result';
import { runBacklog } from './scenarios/backlog';
import { runBundles } from './scenarios/bundles';
import { runContention } from './scenarios/contention';
import { runFetch } from './scenarios/fetch';
import { runGroups } from './scenarios/groups';
import { runHttpFetch } from './scenarios/http-fetch';
import { runHttpProduce } from './scenarios/http-produce';
import { runIdempotent } from './scenarios/idempotent';
import { runKafka } from './scenarios/kafka';
import { runLargeRecords } from './scenarios/large-records';
import { runLogs, type LogBytes } from './scenarios/logs';
import { runOffsetsByTime } from './scenarios/offsets-by-time';
import { runProduce } from './scenarios/produce';
import { runProduceGzip } from './scenarios/produce-gzip';
import { runPush } from './scenarios/push';
import { runRawPut } from './scenarios/raw-put';
import { runScaleOut } from './scenarios/scale-out';
import { runTransactions } from './scenarios/transactions';
import { round } from './stats';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const SCENARIOS = [
  'raw-put',
  'produce',
  'produce-gzip',
  'idempotent',
  'fetch',
  'large-records',
  'backlog',
  'offsets-by-time',
  'contention',
  'groups',
  'transactions',
  'logs',
  'http-produce',
  'http-fetch',
  'scale-out',
  'push',
  'kafka',
  'bundles',
  'idle-stack',
] as const;
/** The run-time budget of a full run, checked at its end. */
const BUDGET_SECONDS = { quick: 150, full: 360 };
const LATEST = 'bench/results/latest.json';

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
      render: { type: 'boolean', default: false },
    },
  });
  if (values.render) {
    const result = JSON.parse(readFileSync(resolve(ROOT, LATEST), 'utf8')) as BenchResult;
    console.log(`bench: rendered ${writeDocs(result).join(', ')}`);
    return;
  }
  const profile = PROFILES[values.quick ? 'quick' : 'full'];
  const only = values.only === undefined ? new Set<string>(SCENARIOS) : new Set(values.only.split(',').map((s) => s.trim()));
  for (const name of only) {
    if (!(SCENARIOS as readonly string[]).includes(name)) throw new Error(`--only: unknown scenario '${name}'; known: ${SCENARIOS.join(', ')}`);
  }
  const complete = values.only === undefined && profile.mode === 'full';
  const outFile = values.out ?? (complete ? LATEST : values.quick ? 'bench/results/quick/latest.json' : 'bench/results/only/latest.json');
  const startedAt = new Date();
  const loadAtStart = loadavg().map((x) => round(x, 2));
  const t0 = performance.now();
  const outputs: ScenarioOutput[] = [];
  let env: BenchEnv | undefined;
  let http: HttpStack | undefined;
  try {
    dynamo = await startDynamoLocal();
    env = await createBenchEnv(dynamo.endpoint);
    console.log(`bench: ${profile.mode} mode; DynamoDB Local on ${dynamo.endpoint}, tables ${env.prefix}-*`);
    await warmUp(env);
    const calibration = await calibrateMeter(env);

    const timings: Record<string, number> = {};
    const step = async <T extends ScenarioOutput>(name: (typeof SCENARIOS)[number], run: () => Promise<T>): Promise<T | undefined> => {
      if (!only.has(name)) return undefined;
      const s = performance.now();
      process.stdout.write(`bench: ${name}… `);
      const out = await run();
      timings[name] = round((performance.now() - s) / 1000, 1);
      console.log(`${timings[name]} s`);
      outputs.push(out);
      return out;
    };
    const e = env;

    const scale = profile.legacyScale;
    const raw = await step('raw-put', () => runRawPut(e, 15_000, scale));
    const produce = await step('produce', () => runProduce(e, raw?.byShape ?? new Map(), 20_000, scale));
    await step('produce-gzip', () => runProduceGzip(e));
    await step('idempotent', () => runIdempotent(e, produce?.byShape.get('100×100B')));
    const fetched = await step('fetch', () => runFetch(e));
    await step('large-records', () => runLargeRecords(e));
    await step('backlog', () => runBacklog(e));
    await step('offsets-by-time', () => runOffsetsByTime(e, profile.offsetsByTime));
    await step('contention', () => runContention(e, 20_000, { rounds: profile.contentionRounds, batchesPerRound: profile.contentionBatches }));
    await step('groups', () => runGroups(e, fetched?.defaultsRruPerRecord));
    await step('transactions', () => runTransactions(e));
    const logs = await step('logs', () => runLogs(e));

    // Over real HTTP: the local stack's server with the same deps (and meter).
    if (['http-produce', 'http-fetch', 'scale-out'].some((n) => only.has(n))) http = await startHttp(e);
    const h = () => http as HttpStack;
    const grid = await step('http-produce', () => runHttpProduce(e, h(), profile));
    const httpFetch = await step('http-fetch', () => runHttpFetch(e, h(), profile));
    await step('scale-out', () => runScaleOut(e, h(), profile));
    await http?.close();
    http = undefined;
    await step('push', async () => {
      const { FUNCTION_AREAS } = await import('../cdk/function-areas');
      return runPush(e, { fetchMb: FUNCTION_AREAS.fetch.memorySize, groupsMb: FUNCTION_AREAS.groups.memorySize }, logs?.bytes);
    });
    await step('kafka', () => runKafka(e, profile.kafka));
    await step('bundles', () => runBundles(profile));

    let idleStack: IdleStackCost | undefined;
    let synthError: string | undefined;
    if (only.has('idle-stack')) {
      const s = performance.now();
      process.stdout.write('bench: idle-stack… ');
      try {
        idleStack = idleStackCost();
      } catch (err) {
        // The template did not synthesize (e.g. CDK code mid-edit): the row fails instead of the whole run.
        synthError = String((err as Error).message ?? err).split('\n')[0]?.slice(0, 200) ?? 'unknown error';
      }
      timings['idle-stack'] = round((performance.now() - s) / 1000, 1);
      console.log(`${timings['idle-stack']} s`);
    }

    // The cost model, from the HTTP grid's 1 KB cells, the idle long polls and the measured log lines.
    let cost: CostModel | undefined;
    if (grid !== undefined) {
      const { FUNCTION_AREAS } = await import('../cdk/function-areas');
      cost = buildCost(
        grid.cells,
        { produceMb: FUNCTION_AREAS.produce.memorySize, fetchMb: FUNCTION_AREAS.fetch.memorySize, groupsMb: FUNCTION_AREAS.groups.memorySize },
        httpFetch?.idle,
        logs?.bytes ?? unmeasuredLogs(),
      );
    }

    const overall = summarizeTally(e.meter.snapshot());
    const totalSeconds = round((performance.now() - t0) / 1000, 1);
    const rows: Row[] = [
      ...outputs.flatMap(rowsOf),
      ...(cost === undefined ? [] : costRows(cost)),
      ...(idleStack === undefined ? [] : idleStackRows(idleStack)),
      ...(synthError === undefined ? [] : [row('idle-stack', 'deployed stack, default settings, no traffic: monthly bill', Number.NaN, '$', ['<=', 0.5], `the template did not synthesize: ${synthError}`)]),
    ];
    if (values.only === undefined) {
      rows.push(row('run', `run time (${profile.mode} mode)`, totalSeconds, 's', ['<=', BUDGET_SECONDS[profile.mode]]));
    }
    const notes = [
      'Capacity units are DynamoDB ConsumedCapacity (ReturnConsumedCapacity=INDEXES on every call, table + GSI), summed by an SDK middleware; DynamoDB calls per request count every HTTP attempt; sequential round trips are the longest chain of calls each starting after the previous one ended (calls sent in parallel count once).',
      'Failed conditional writes carry no ConsumedCapacity in DynamoDB (Local or AWS); their billed units are estimated from item sizes and reported as wasted WRU.',
      'DynamoDB Local: one Java process on this machine; no throttling, no per-partition-key limit (≈ 1,000 WCU/s on AWS), reads behave strongly consistent. Latency and throughput are this machine (shared with other work while it ran), not AWS: compare them with the raw-DynamoDB baselines of the same run. Capacity units and round trips do not depend on the machine.',
      ...outputs.flatMap((o) => o.notes),
    ];
    if (overall.missingCapacity > 0) notes.push(`WARNING: ${overall.missingCapacity} successful DynamoDB calls returned no ConsumedCapacity; figures undercount.`);

    console.log('');
    console.log(renderTable(rows));
    const failed = rows.filter((r) => r.pass === false);
    console.log('');
    console.log(failed.length > 0 ? `${failed.length} target(s) FAILED: ${failed.map((r) => r.name).join('; ')}` : 'All targets PASS.');
    for (const n of notes) console.log(`note: ${n}`);

    const meter: MeterSummary = {
      calibration,
      callsWithoutConsumedCapacity: overall.missingCapacity,
      totalRoundTrips: overall.roundTrips,
      totalWru: overall.wru,
      totalRru: overall.rru,
    };
    const result: BenchResult = {
      date: startedAt.toISOString(),
      mode: profile.mode,
      complete,
      git: gitInfo(ROOT),
      machine: machineInfo(ROOT, loadAtStart),
      totalSeconds,
      scenarioSeconds: timings,
      rows,
      meter,
      ...(cost === undefined ? {} : { cost }),
      ...(idleStack === undefined ? {} : { idleStack }),
      scenarios: Object.fromEntries(outputs.filter((o) => o.json !== undefined).map((o) => [o.key, o.json])),
      notes,
    };
    const outPath = resolve(ROOT, outFile);
    mkdirSync(dirname(outPath), { recursive: true });
    writeFileSync(outPath, `${JSON.stringify(result, null, 2)}\n`);
    const written = [outFile];
    if (complete && values.out === undefined) written.push(...writeDocs(result));
    console.log(`\nbench: wrote ${written.join(', ')} — total ${totalSeconds} s`);
  } finally {
    await http?.close();
    env?.close();
    await stopDynamo();
  }
}

/** docs/benchmarks.md and docs/cost.md from a full run's results; returns the files written. */
function writeDocs(result: BenchResult): string[] {
  const pages: [string, string][] = [
    ['docs/benchmarks.md', renderBenchmarksPage(result)],
    ['docs/cost.md', renderCostPage(result)],
  ];
  for (const [path, text] of pages) writeFileSync(resolve(ROOT, path), text);
  return pages.map(([path]) => path);
}

/** Without the logs scenario the model has no log figures: NaN makes every log line of the model visibly unmeasured. */
function unmeasuredLogs(): LogBytes {
  return { produce: Number.NaN, fetch: Number.NaN, poll: Number.NaN, platformPerInvocation: Number.NaN };
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
async function calibrateMeter(env: BenchEnv): Promise<MeterSummary['calibration']> {
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

main().then(
  () => process.exit(0),
  async (err) => {
    console.error(`\nbench: failed: ${(err as Error).stack ?? err}`);
    await stopDynamo();
    process.exit(1);
  },
);

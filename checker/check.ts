/**
 * One checker run: start (or reach) a Samsa, create the run's topics, run
 * the clients for the duration while the nemesis injects its seeded
 * schedule, stop the clients, heal every fault, wait out the abort bound,
 * read every partition exhaustively, and analyse the history. The history
 * (JSONL) and the report (JSON) are written to `resultsDir`.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Sabotage } from './sabotage';
import { analyse, type Analysis, type RunFacts } from './analyse';
import { Api, callUntil, sleep } from './clients/api';
import type { Client, ClientContext } from './clients/client';
import { GroupConsumer } from './clients/consumer';
import { KafkaJsProducer } from './clients/kafka';
import { IdempotentProducer, PlainProducer } from './clients/producers';
import { CommittedObserver, Fetcher, recordedCommitted, recordedFetch } from './clients/readers';
import { Recreator } from './clients/recreator';
import { Transformer, TxnProducer } from './clients/transactions';
import { Nemesis, planFaults, usableFaults, type FaultName, type Step } from './faults/nemesis';
import { seeded } from './faults/random';
import { HistoryRecorder, type TopicOp } from './history';
import { setupPush, type PushWorkload } from './push-workload';
import { startStack, type CheckerStack } from './stack/stack';

export interface CheckOptions {
  seed: number;
  durationMs: number;
  resultsDir: string;
  faults: readonly FaultName[];
  /** Test an existing Samsa instead of starting one (server-side faults are then unavailable). */
  url?: string;
  apiKey?: string;
  /** Use this DynamoDB Local instead of spawning one (no kill -9). */
  dynamoEndpoint?: string;
  /** Handler instances behind the front (own stack only). */
  instances: number;
  abortAfterMs: number;
  maxClockSkewMs: number;
  sessionTimeoutMs: number;
  /** Clients per role, scaled from the defaults (≥ 20 clients at 1). */
  scale: number;
  /** Fault probabilities × this (default 1). */
  intensity?: number;
  /** Planted bugs (self-test only). */
  sabotage?: Sabotage;
  /** KafkaJS producers (plain and idempotent in turn) through Kafka gateways on the handler instances (own stack only). */
  kafkaClients?: number;
  /** Push consumers (WebSocket notifications) and a push subscription with its webhook receiver (own stack only; default on). */
  push?: boolean;
  log(line: string): void;
}

export interface CheckResult {
  analysis: Analysis;
  plan: Step[];
  clients: Record<string, number>;
  faultsFired: Record<string, unknown>;
  historyPath: string;
  reportPath: string;
  /** True when every anomaly count is zero. */
  valid: boolean;
}

interface TopicSpec {
  name: string;
  partitions: number;
  configs?: Record<string, string>;
  retention: boolean;
}

export async function runCheck(o: CheckOptions): Promise<CheckResult> {
  mkdirSync(o.resultsDir, { recursive: true });
  const random = seeded(o.seed);
  const runId = `${o.seed.toString(36)}${randomUUID().slice(0, 4)}`;
  const historyPath = join(o.resultsDir, 'history.jsonl');
  const history = new HistoryRecorder(historyPath);

  let stack: CheckerStack | undefined;
  // A fresh database per run; it is deleted afterwards (the history and report stay).
  const dataDir = join(o.resultsDir, 'dynamodb');
  rmSync(dataDir, { recursive: true, force: true });
  if (o.url === undefined) {
    stack = await startStack({
      random: random.fork('stack'),
      dataDir,
      ...(o.dynamoEndpoint === undefined ? {} : { dynamoEndpoint: o.dynamoEndpoint }),
      instances: o.instances,
      abortAfterMs: o.abortAfterMs,
      maxClockSkewMs: o.maxClockSkewMs,
      ...(o.sabotage === undefined ? {} : { sabotage: o.sabotage }),
      ...((o.kafkaClients ?? 0) > 0 ? { kafka: true } : {}),
      ...(o.push !== false ? { push: true } : {}),
    });
  }
  const stopKilling = () => stack?.faults.dynamo.killNow();
  process.once('exit', stopKilling);
  try {
    const api = new Api(o.url ?? stack!.url, o.apiKey);
    const faults = usableFaults(o.faults, stack !== undefined, stack?.faults.dynamo.killable ?? false);
    o.log(`samsa check: seed ${o.seed}, ${o.durationMs / 1000} s against ${o.url ?? `${stack!.url} (${o.instances} handler instances)`}; faults: ${faults.join(', ') || 'none'}`);

    const topics = {
      main: { name: `chk-${runId}-main`, partitions: 4, retention: false } as TopicSpec,
      churn: { name: `chk-${runId}-churn`, partitions: 2, retention: false } as TopicSpec,
      retained: { name: `chk-${runId}-ret`, partitions: 2, configs: { 'retention.ms': '60000' }, retention: true } as TopicSpec,
      // Transactions across partitions and topics, and the consume-transform-produce pipeline.
      txa: { name: `chk-${runId}-txa`, partitions: 3, retention: false } as TopicSpec,
      txb: { name: `chk-${runId}-txb`, partitions: 2, retention: false } as TopicSpec,
      eosIn: { name: `chk-${runId}-eosin`, partitions: 2, retention: false } as TopicSpec,
      eosOut: { name: `chk-${runId}-eosout`, partitions: 2, retention: false } as TopicSpec,
    };
    for (const t of Object.values(topics)) {
      const complete = history.invoke<TopicOp>({ f: 'create-topic', process: 'setup', topic: t.name });
      const res = await callUntil(api, 'POST', '/v1/topics', { name: t.name, partitions: t.partitions, ...(t.configs ? { configs: t.configs } : {}) }, (r) => r.outcome === 'ok' || r.error === 'TOPIC_ALREADY_EXISTS');
      complete({ outcome: res.outcome === 'ok' || res.error === 'TOPIC_ALREADY_EXISTS' ? 'ok' : 'info' });
      if (res.outcome !== 'ok' && res.error !== 'TOPIC_ALREADY_EXISTS') throw new Error(`could not create topic ${t.name}: ${res.error}`);
    }

    let stopped = false;
    const ctx = (name: string): ClientContext => ({ api, history, random: random.fork(name), runId, stopped: () => stopped });
    const churn = { on: false };
    const group = `chk-${runId}-g`;
    const n = (count: number) => Math.max(1, Math.round(count * o.scale));
    const clients: Client[] = [];
    const roles: Record<string, number> = {};
    const add = (role: string, make: (name: string) => Client) => {
      const name = `${role}${(roles[role] = (roles[role] ?? 0) + 1)}`;
      clients.push(make(name));
    };
    for (let i = 0; i < n(5); i++) add('plain', (name) => new PlainProducer(name, ctx(name), topics.main));
    for (let i = 0; i < n(5); i++) add('idem', (name) => new IdempotentProducer(name, ctx(name), topics.main));
    for (let i = 0; i < n(4); i++) add('fetch', (name) => new Fetcher(name, ctx(name), topics.main));
    const consumers: GroupConsumer[] = [];
    for (let i = 0; i < n(5); i++) {
      add('member', (name) => {
        const c = new GroupConsumer(name, ctx(name), { group, topic: topics.main.name, sessionTimeoutMs: o.sessionTimeoutMs, churn: () => (churn.on ? { leave: 0.01, die: 0.01 } : { leave: 0, die: 0 }) });
        consumers.push(c);
        return c;
      });
    }
    add('observer', (name) => new CommittedObserver(name, ctx(name), group, topics.main.name));
    add('churnplain', (name) => new PlainProducer(name, ctx(name), topics.churn));
    add('churnidem', (name) => new IdempotentProducer(name, ctx(name), topics.churn));
    add('churnfetch', (name) => new Fetcher(name, ctx(name), topics.churn));
    const recreators: Recreator[] = [];
    add('recreator', (name) => {
      const r = new Recreator(name, ctx(name), topics.churn, [3_000, 8_000]);
      r.enabled = false;
      recreators.push(r);
      return r;
    });
    for (let i = 0; i < (stack?.kafka === undefined ? 0 : (o.kafkaClients ?? 0)); i++) {
      const bootstrap = stack!.kafka![i % stack!.kafka!.length]!;
      add(i % 2 === 0 ? 'kplain' : 'kidem', (name) => new KafkaJsProducer(name, ctx(name), topics.main, bootstrap, i % 2 === 1));
    }
    for (let i = 0; i < n(2); i++) add('txn', (name) => new TxnProducer(name, ctx(name), { topics: [topics.txa, topics.txb] }));
    const eosGroup = `chk-${runId}-eos`;
    add('eosfeed', (name) => new PlainProducer(name, ctx(name), topics.eosIn));
    for (let i = 0; i < n(3); i++) {
      add('transform', (name) => new Transformer(name, ctx(name), { group: eosGroup, input: topics.eosIn.name, output: topics.eosOut, sessionTimeoutMs: o.sessionTimeoutMs }));
    }
    add('retplain', (name) => new PlainProducer(name, ctx(name), topics.retained));
    add('retfetch', (name) => new Fetcher(name, ctx(name), topics.retained));
    const push: PushWorkload | undefined = stack?.push === undefined ? undefined : await setupPush(stack, api, history, random.fork('push'), runId, add, ctx, n(2), topics.main);
    o.log(`clients: ${clients.length} (${Object.entries(roles).map(([r, c]) => `${c} ${r}`).join(', ')})`);

    const plan = planFaults(random.fork('nemesis'), o.durationMs, faults, o.intensity ?? 1);
    const nemesis = new Nemesis(
      { stack: stack?.faults, consumers, recreators, churn, abortAfterMs: o.abortAfterMs, maxClockSkewMs: o.maxClockSkewMs, sessionTimeoutMs: o.sessionTimeoutMs, intensity: o.intensity ?? 1, ...push?.targets },
      history,
      random.fork('nemesis-actions'),
    );
    const running = clients.map((c) =>
      c.run().catch((err) => {
        o.log(`client ${c.name} crashed: ${(err as Error).stack}`);
      }),
    );
    await Promise.all([nemesis.run(plan), sleep(o.durationMs)]);
    stopped = true;
    await Promise.all(running);
    await nemesis.heal();

    // Every reservation a dead or slow writer left open is abortable after this.
    const settleMs = o.abortAfterMs + 2 * o.maxClockSkewMs + 1_000;
    o.log(`healed; final read in ${settleMs} ms`);
    await sleep(settleMs);
    await push?.finish(o.log);
    const finalTopics: TopicSpec[] = [...Object.values(topics), ...(push === undefined ? [] : [push.topic])];
    for (const t of finalTopics) for (let p = 0; p < t.partitions; p++) await finalRead(api, history, t.name, p);
    await recordedCommitted({ api, history }, 'final', group, topics.main.name);
    await recordedCommitted({ api, history }, 'final', eosGroup, topics.eosIn.name);
    await history.close();

    const facts: RunFacts = {
      topics: finalTopics.map((t) => ({ name: t.name, partitions: t.partitions, retention: t.retention })),
      staleBoundMs: o.abortAfterMs + 2 * o.maxClockSkewMs + 1_000,
      eos: { group: eosGroup, input: topics.eosIn.name, output: topics.eosOut.name },
      ...(push === undefined ? {} : { webhook: push.facts }),
    };
    const analysis = analyse(history.ops, facts);
    const faultsFired = stack === undefined ? {} : {
      ddb: stack.faults.chaos.fired,
      staleReadsHidden: stack.faults.lag.hiddenFromTable,
      indexLagHidden: stack.faults.lag.hiddenFromIndex,
      crashes: stack.faults.crash.fired,
      droppedResponses: stack.faults.front.dropped,
      dynamoKills: stack.faults.dynamo.kills,
      ttlDeleted: stack.faults.reaper.deleted,
      zombiePauses: consumers.reduce((s, c) => s + c.pauses, 0),
      memberKicks: consumers.reduce((s, c) => s + c.kicks, 0),
      sameIdComebacks: consumers.reduce((s, c) => s + c.comebacks, 0),
      recreations: history.ops.filter((op) => op.f === 'recreate-topic').length,
      ...(push === undefined ? {} : { push: push.stats() }),
    };
    const valid = analysis.anomalies.every((a) => a.count === 0);
    const reportPath = join(o.resultsDir, 'report.json');
    const report = { seed: o.seed, runId, durationMs: o.durationMs, url: o.url ?? stack!.url, faults, clients: roles, plan, facts, faultsFired, ...analysis, valid };
    writeFileSync(reportPath, `${JSON.stringify(report, null, 2)}\n`);
    return { analysis, plan, clients: roles, faultsFired, historyPath, reportPath, valid };
  } finally {
    process.off('exit', stopKilling);
    await stack?.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** Reads one partition from its log start to its high watermark, page by page (retrying until it can). */
async function finalRead(api: Api, history: HistoryRecorder, topic: string, partition: number): Promise<void> {
  let from = 0;
  for (let attempts = 0; attempts < 200; attempts++) {
    const res = await recordedFetch({ api, history }, 'final', topic, partition, from, true);
    if (res.outcome !== 'ok') {
      if (res.error === 'OFFSET_OUT_OF_RANGE' && typeof res.body?.error?.logStartOffset === 'number') from = res.body.error.logStartOffset;
      else await sleep(200);
      continue;
    }
    const { nextOffset, highWatermark } = res.body as { nextOffset: number; highWatermark: number };
    if (nextOffset >= highWatermark) return;
    from = nextOffset;
  }
}

/**
 * Push delivery (docs/push.md, docs/subscriptions.md) on the local stack:
 * the HTTP API and its WebSocket endpoint over real sockets (bench/http.ts),
 * the fan-out handler the Lambda runs driven by DynamoDB Local's stream of
 * the log table (local/streams.ts, polled every 50 ms; a Lambda event source
 * polls a shard about 4 times a second), the capacity meter on every
 * DynamoDB call.
 *  - latency: a subscriber on a WebSocket, one produce of one record over
 *    HTTP at a time; the time from sending the produce to the notify frame.
 *  - idle month of a partition consumer on notifications and of a group
 *    member (bench/scenarios/push-idle.ts, which says how time is scaled).
 *  - fan-out per produced batch with 0, 1 and 100 subscribers: the registry
 *    Query's RRU, the sends, the handler time; priced per million batches.
 *  - webhook delivery (bench/scenarios/push-webhook.ts).
 * Prices: bench/cost.ts (sources cited there) through bench/push-cost.ts.
 */
import type { DynamoDBStreamEvent } from 'aws-lambda';
import WebSocket from 'ws';
import { fanOutHandler } from '../../functions/push/handlers';
import type { SendPort } from '../../lib/push/fan-out';
import { localCredentials } from '../../lib/storage/client';
import { startStreamConsumers } from '../../local/streams';
import type { BenchEnv } from '../env';
import { startHttp, type HttpStack } from '../http';
import { PUSH_MEMORY_MB, billedMs, idleNotifiedConsumerMonth, NO_USAGE, priceUsage, usd, wsBilledMessages, type Usage } from '../push-cost';
import { PRICES } from '../cost';
import { row, type Row, type ScenarioOutput } from '../report';
import { percentile, round } from '../stats';
import type { LogBytes } from './logs';
import { measureIdleGroupMember, measureIdlePartitionConsumer } from './push-idle';
import { measureWebhook } from './push-webhook';

const LATENCY_PRODUCES = 30;
const FANOUT_BATCHES = 10;
const GROUP_WINDOW_MS = 20_000;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface PushMemory {
  fetchMb: number;
  groupsMb: number;
}

/** A raw WebSocket subscriber of partition 0 of `topic`; `notified` holds each notify's arrival time by high watermark. */
async function subscriber(url: string, topic: string) {
  const ws = new WebSocket(url);
  const notified = new Map<number, number>();
  let onNotify: (() => void) | undefined;
  await new Promise<void>((resolve, reject) => {
    ws.once('error', reject);
    ws.once('open', () => ws.send(JSON.stringify({ action: 'subscribe', topic, partitions: [0] })));
    ws.on('message', (data: Buffer) => {
      const m = JSON.parse(data.toString()) as { type: string; highWatermark?: number };
      if (m.type === 'subscribed') resolve();
      if (m.type === 'error') reject(new Error(data.toString()));
      if (m.type === 'notify' && m.highWatermark !== undefined) {
        notified.set(m.highWatermark, performance.now());
        onNotify?.();
      }
    });
  });
  const waitFor = (hw: number, timeoutMs: number) =>
    new Promise<number | undefined>((resolve) => {
      const check = () => {
        const t = notified.get(hw);
        if (t !== undefined) {
          clearTimeout(timer);
          onNotify = undefined;
          resolve(t);
        }
      };
      const timer = setTimeout(() => {
        onNotify = undefined;
        resolve(undefined);
      }, timeoutMs);
      onNotify = check;
      check();
    });
  return { ws, notified, waitFor };
}

export async function runPush(env: BenchEnv, memory: PushMemory, logBytes: LogBytes | undefined): Promise<ScenarioOutput> {
  const logs = logBytes ?? { produce: 0, fetch: 0, poll: 0, platformPerInvocation: 0 };
  const http = await startHttp(env);
  const apiKey = env.authHeaders.authorization?.replace(/^Bearer /, '') ?? '';
  const wsUrl = `${http.url.replace(/^http/, 'ws')}/v1/ws?token=${encodeURIComponent(apiKey)}`;

  // The fan-out as the Lambda runs it, with its sends, time and Query units recorded per invocation.
  let sends = 0;
  const send: SendPort = async (id, data) => {
    const r = await http.push.send(id, data);
    if (r === 'sent') sends++;
    return r;
  };
  const inner = fanOutHandler(env.deps, send);
  const invocations: { ms: number; queryRru: number }[] = [];
  const handler = async (event: DynamoDBStreamEvent) => {
    const before = env.meter.snapshot();
    const t0 = performance.now();
    try {
      await inner(event);
    } finally {
      // DynamoDB Local reports 0 units for a Query that finds nothing; AWS bills a read request at least 0.5 RRU (eventually consistent), so the bench bills that floor.
      const q = env.meter.since(before).byCommand.Query;
      invocations.push({ ms: performance.now() - t0, queryRru: Math.max(q?.capacityUnits ?? 0, 0.5 * (q?.calls ?? 0)) });
    }
  };
  const streams = await startStreamConsumers({ endpoint: env.endpoint, tableName: env.tables.log, credentials: localCredentials(), log: () => undefined }, [handler]);
  try {
    const latency = await measureLatency(env, http, wsUrl);
    const fanOut = [];
    for (const n of [0, 1, 100]) fanOut.push(await measureFanOut(env, http, wsUrl, n, invocations, () => sends));
    const idle = await measureIdlePartitionConsumer(env, http, memory.fetchMb, logs);
    const group = await measureIdleGroupMember(env, http, memory.groupsMb, logs, GROUP_WINDOW_MS);
    await streams.stop();
    const webhook = await measureWebhook(env, logs);
    return report(latency, fanOut, idle, group, webhook, memory, logBytes !== undefined);
  } finally {
    await streams.stop();
    await http.close();
  }
}

async function measureLatency(env: BenchEnv, http: HttpStack, wsUrl: string) {
  const topic = await env.createTopic(1, {}, 'push-lat');
  const sub = await subscriber(wsUrl, topic);
  const ms: number[] = [];
  let missed = 0;
  try {
    for (let i = 0; i < LATENCY_PRODUCES; i++) {
      const t0 = performance.now();
      const res = await http.request('POST', `/v1/topics/${topic}/records`, { records: [{ value: { type: 'STRING', data: `n-${i}` } }] });
      if (res.status !== 200) throw new Error(`produce: HTTP ${res.status}`);
      const at = await sub.waitFor(i + 1, 5_000);
      if (at === undefined) missed++;
      else ms.push(at - t0);
      await sleep(20);
    }
  } finally {
    sub.ws.close();
  }
  return { p50Ms: round(percentile(ms, 50), 1), p99Ms: round(percentile(ms, 99), 1), maxMs: round(Math.max(0, ...ms), 1), produces: LATENCY_PRODUCES, missed };
}

async function measureFanOut(env: BenchEnv, http: HttpStack, wsUrl: string, n: number, invocations: { ms: number; queryRru: number }[], sent: () => number) {
  const topic = await env.createTopic(1, {}, `push-fan${n}`);
  const subs = [];
  for (let i = 0; i < n; i++) subs.push(await subscriber(wsUrl, topic));
  const first = invocations.length;
  const sends0 = sent();
  try {
    for (let b = 0; b < FANOUT_BATCHES; b++) {
      const before = invocations.length;
      const res = await http.request('POST', `/v1/topics/${topic}/records`, { records: [{ value: { type: 'STRING', data: `fan-${b}` } }] });
      if (res.status !== 200) throw new Error(`produce: HTTP ${res.status}`);
      for (let i = 0; i < 200 && invocations.length === before; i++) await sleep(10);
      // Every subscriber's notify (sent in the same invocation) before the next batch.
      for (const s of subs) await s.waitFor(b + 1, 2_000);
    }
    await sleep(100);
  } finally {
    for (const s of subs) s.ws.close();
  }
  const mine = invocations.slice(first);
  const batches = FANOUT_BATCHES;
  const sends = sent() - sends0;
  const received = subs.reduce((s, x) => s + x.notified.size, 0);
  const frameBytes = Buffer.byteLength(JSON.stringify({ type: 'notify', topic, partition: 0, highWatermark: batches }));
  const perBatch: Usage = {
    httpRequests: 0,
    wsMessages: (sends / batches) * wsBilledMessages(frameBytes),
    lambda: [{ invocations: mine.length / batches, billedMs: billedMs(mine.map((x) => x.ms)) / batches, memoryMb: PUSH_MEMORY_MB.fanOut }],
    rru: mine.reduce((s, x) => s + x.queryRru, 0) / batches,
    wru: 0,
    logBytes: 0,
  };
  const priced = priceUsage(perBatch);
  return {
    subscribers: n,
    batches,
    invocations: mine.length,
    sendsPerBatch: round(sends / batches, 2),
    receivedPerSubscriberPerBatch: n === 0 ? 0 : round(received / (n * batches), 3),
    rruPerBatch: round(perBatch.rru, 3),
    handlerMsPerBatch: round(perBatch.lambda[0]!.billedMs, 1),
    usdPerMillionBatches: round(priced.total * 1e6, 3),
    parts: Object.fromEntries(Object.entries(priced.parts).map(([k, v]) => [k, round(v * 1e6, 4)])),
  };
}

type Latency = Awaited<ReturnType<typeof measureLatency>>;
type FanOut = Awaited<ReturnType<typeof measureFanOut>>;

function report(
  latency: Latency,
  fanOut: FanOut[],
  idle: Awaited<ReturnType<typeof measureIdlePartitionConsumer>>,
  group: Awaited<ReturnType<typeof measureIdleGroupMember>>,
  webhook: Awaited<ReturnType<typeof measureWebhook>>,
  memory: PushMemory,
  logsMeasured: boolean,
): ScenarioOutput {
  const TARGET_IDLE = 0.05;
  const TARGET_GROUP = 0.25;
  const LIFETIME = 2 * 3600 * 1000;
  /** The SDK's default rotateAfterMs (client/notifications.ts): a linked member's connection is replaced this often. */
  const ROTATION = 110 * 60 * 1000;
  const month = idleNotifiedConsumerMonth({ ...idle.defaults, connectionLifetimeMs: LIFETIME, perSafetyPoll: idle.perSafetyPoll, perKeepalive: idle.perKeepalive, perReconnect: idle.perReconnect });
  const passingPoll = month.safetyPollMsFor(TARGET_IDLE);
  // A member on notifications: priced like the partition consumer, with its quiet polls as the periodic event.
  const groupNotified =
    group.mode === 'notifications' && group.perPoll !== undefined && group.defaultPollIntervalMs !== undefined
      ? idleNotifiedConsumerMonth({ ...idle.defaults, safetyPollMs: group.defaultPollIntervalMs, connectionLifetimeMs: ROTATION, perSafetyPoll: group.perPoll, perKeepalive: idle.perKeepalive, perReconnect: group.perReconnect ?? idle.perReconnect })
      : undefined;
  // Which rebalance timeout would meet the target: the month is linear in the long-poll time added per reconnect.
  let groupPassingRebalanceS: number | undefined;
  if (groupNotified !== undefined && group.reconnect?.rejoined === true && group.perReconnectMeasured !== undefined && group.reconnect.extraLongPollMs > 0) {
    const base = idleNotifiedConsumerMonth({ ...idle.defaults, safetyPollMs: group.defaultPollIntervalMs!, connectionLifetimeMs: ROTATION, perSafetyPoll: group.perPoll!, perKeepalive: idle.perKeepalive, perReconnect: group.perReconnectMeasured }).perMonth;
    const perMs = (groupNotified.perMonth - base) / group.reconnect.extraLongPollMs;
    groupPassingRebalanceS = perMs > 0 && base < TARGET_GROUP ? Math.floor(((TARGET_GROUP - base) / perMs + 1000) / 1000) : undefined;
  }
  const groupMonth = groupNotified === undefined ? priceUsage(group.month ?? NO_USAGE) : { total: groupNotified.perMonth, parts: groupNotified.parts };
  const parts = (p: object) =>
    Object.entries(p)
      .filter((e): e is [string, number] => typeof e[1] === 'number' && e[1] > 0)
      .map(([k, v]) => `${k} ${usd(v)}`)
      .join(', ');
  const checks: Row[] = [
    row('push', 'produce → notify frame on a subscribed WebSocket (local stack), p50', latency.p50Ms, 'ms', ['<=', 300], `${latency.produces} produces of one record over HTTP, one at a time; p99 ${latency.p99Ms} ms, max ${latency.maxMs} ms; ${latency.missed} notifications missed (5 s)`),
    row('push', 'produce → notify frame on a subscribed WebSocket (local stack), p99', latency.p99Ms, 'ms', ['<=', 1000]),
    row(
      'push',
      `idle partition consumer on notifications (SDK defaults: safetyPollMs ${idle.defaults.safetyPollMs}, keepaliveMs ${idle.defaults.keepaliveMs}), per month`,
      round(month.perMonth, 4),
      '$',
      ['<=', TARGET_IDLE],
      `${month.events.polls.toLocaleString('en-US')} safety polls, ${month.events.keepalives.toLocaleString('en-US')} keepalives, ${month.events.reconnects} reconnects (2 h lifetime), ${month.events.connectionMinutes.toLocaleString('en-US')} connection minutes: ${parts(month.parts)}. ` +
        `Compare the cost row of a consumer long-polling an idle partition without pause. ` +
        (passingPoll === undefined ? `Nothing but the safety poll's interval can pass: the rest alone exceeds $${TARGET_IDLE}.` : `Meets $${TARGET_IDLE} with safetyPollMs ≥ ${passingPoll.toLocaleString('en-US')} (other defaults as measured).`),
    ),
    row(
      'push',
      `idle group member (SDK defaults, ${group.mode === 'notifications' ? `notifications, a poll every ${group.defaultPollIntervalMs} ms` : 'long polls'}), per month`,
      round(groupMonth.total, 3),
      '$',
      ['<=', TARGET_GROUP],
      (group.mode === 'notifications'
        ? `quiet polls measured with a 3 s connected session (${JSON.stringify(group.requests)} in ${round(group.windowMs / 1000, 1)} s), priced per poll at the default interval; per connection rotation (every 110 min, make-before-break) ${JSON.stringify(group.reconnect?.requests)} measured, its quiet polls deducted${group.reconnect?.rejoined ? `, the member rejoined, + ${(group.reconnect.extraLongPollMs / 1000).toFixed(0)} s of long polls (the rest of the default rebalance timeout, at the long-poll rate measured without notifications)` : ''}; keepalives and connection minutes as for the partition consumer`
        : `${group.windowMs / 1000} s measured after joining, × month: requests ${JSON.stringify(group.requests)} in the window`) + `; ${parts(groupMonth.parts)}` +
        (groupPassingRebalanceS === undefined ? '' : `. Meets $${TARGET_GROUP} if a member long-polls at most ${groupPassingRebalanceS} s after each rejoin (the rebalance timeout; other defaults as measured)`),
    ),
  ];
  for (const f of fanOut) {
    // The unavoidable part: one message per subscriber, one invocation and one registry Query (0.5 RRU) per batch.
    const floor = f.subscribers * PRICES.wsMessagesPerMillion + PRICES.lambdaRequestsPerMillion + 0.5 * PRICES.rruPerMillion;
    checks.push(
      row(
        'push',
        `fan-out of one produced batch to ${f.subscribers} subscriber${f.subscribers === 1 ? '' : 's'}: $ per million batches`,
        f.usdPerMillionBatches,
        '$',
        ['<=', round(1.5 * floor, 3)],
        `target 1.5 × the floor (per batch one message per subscriber, one invocation, one 0.5 RRU Query); ${f.rruPerBatch} RRU (registry Query; at least 0.5 billed when it finds nothing, which DynamoDB Local reports as 0), ${f.sendsPerBatch} sends, ${f.handlerMsPerBatch} ms per batch; each subscriber got ${f.receivedPerSubscriberPerBatch} notify per batch; ${parts(f.parts)}`,
      ),
    );
  }
  checks.push(
    row('push', 'webhook delivery to a local receiver (1 KB records, default maxRecords), throughput', webhook.recordsPerSec, 'records/s', ['>=', 500], `${webhook.delivered}/${webhook.records} records in ${webhook.runs} delivery runs, ${webhook.posts} POSTs, ${webhook.elapsedMs} ms`),
    row(
      'push',
      'webhook delivery: $ per million 1 KB records delivered',
      webhook.usdPerMillion,
      '$',
      ['<=', 1],
      `${webhook.rruPerRecord} RRU + ${webhook.wruPerRecord} WRU per record; ${parts(webhook.parts)}; target: less than one HTTP API request per record`,
    ),
  );
  return {
    key: 'push',
    json: { latency, fanOut, idle, idleMonth: { ...month, safetyPollMsFor: passingPoll }, group: { ...group, monthUsd: groupMonth, passingRebalanceS: groupPassingRebalanceS }, webhook, memory: { ...memory, pushMb: PUSH_MEMORY_MB } },
    rows: [],
    checks,
    notes: [
      `push: the WebSocket door and the fan-out priced at ${PUSH_MEMORY_MB.door} and ${PUSH_MEMORY_MB.fanOut} MB, the subscription delivery at ${PUSH_MEMORY_MB.delivery} MB (cdk/constructs/push.ts, subscription-delivery.ts). Fetches at the fetch function's ${memory.fetchMb} MB, group polls at the groups function's ${memory.groupsMb} MB (cdk/function-areas.ts). Handler times are this machine's, each invocation rounded up to 1 ms; WebSocket handler times are the client-side request → answer times (an upper bound); $disconnect is priced as long as $connect. API Gateway bills WebSocket frames both ways in 32 KB units and connection minutes; the $connect request is not priced as a message.`,
      'push: idle month of a partition consumer: three phases with the SDK (one interval short, the others 10 min): safety polls every 0.5 s, pings every 0.4 s, one reconnect forced by ending the connection server-side; per-event usage × (month ÷ the default interval, read from client/ at run time) + one connection all month. Group member: with notifications, its quiet polls measured with a short connected session and priced at the default interval (read at run time), one connection rotation as the SDK makes one every 110 min before the 2 h limit of API Gateway (make-before-break: the member stays linked; the quiet polls in its window deducted) plus, had it rejoined, the rest of the default rebalance timeout at the long-poll rate of a member without notifications (2 whole polls measured), keepalives and connection minutes as for the partition consumer; with long polls, 4 whole polls (≈ 20 s) after joining, scaled to a month.',
      ...(logsMeasured ? [] : ['push: CloudWatch Logs not priced in this run (the logs scenario did not run); the full run includes them.']),
    ],
  };
}

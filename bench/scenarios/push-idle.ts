/**
 * Idle consumers for a month, measured with the real SDK against the local
 * stack (HTTP API + WebSocket endpoint) and priced by bench/push-cost.ts.
 *
 * Partition consumer on notifications: an idle month is a sequence of three
 * kinds of events — safety polls (every `safetyPollMs`), keepalive pings
 * (every `keepaliveMs` of client/notifications.ts) and reconnects (API
 * Gateway ends a connection after 2 hours) — plus a connection open all
 * month. Time is scaled per event, not by extrapolating a clock: each kind
 * is measured in its own phase with that interval made short and the others
 * long (so what happens in the phase is that event and nothing else), as
 * HTTP requests (server side, with handler wall time), WebSocket frames sent
 * and received (a counting WebSocket class handed to the SDK), connects and
 * DynamoDB units; the month is then (month ÷ the SDK's DEFAULT interval) ×
 * the usage per event. The defaults are read from the client code at run
 * time (the consumer's safetyPollMs field; the keepalive interval the
 * Notifications constructor arms), so a new default is priced as it is.
 *
 * Group member: the SDK group consumer with its defaults, on an idle topic,
 * for a window of real time after it joined; its requests are periodic (long
 * polls), so the month is the window's usage × month ÷ window.
 */
import dc from 'node:diagnostics_channel';
import type { IncomingMessage } from 'node:http';
import WebSocket from 'ws';
import { Notifications, Samsa, type WebSocketConstructor } from '../../client/index';
import { REBALANCE_TIMEOUT } from '../../lib/groups/validate';
import { summarizeTally } from '../capacity';
import type { BenchEnv } from '../env';
import type { HttpStack } from '../http';
import { addUsage, PUSH_MEMORY_MB, billedMs, monthOfWindow, NO_USAGE, wsBilledMessages, type Usage } from '../push-cost';
import type { LogBytes } from './logs';

const LONG = 10 * 60 * 1000;
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Every HTTP request the server handled while recording: method, path and handler wall time. */
export function recordServerRequests() {
  const starts = new WeakMap<IncomingMessage, number>();
  const done: { method: string; path: string; ms: number }[] = [];
  const onStart = (m: unknown) => starts.set((m as { request: IncomingMessage }).request, performance.now());
  const onFinish = (m: unknown) => {
    const { request } = m as { request: IncomingMessage };
    const t0 = starts.get(request);
    if (t0 !== undefined) done.push({ method: request.method ?? '', path: (request.url ?? '').split('?')[0] ?? '', ms: performance.now() - t0 });
  };
  dc.subscribe('http.server.request.start', onStart);
  dc.subscribe('http.server.response.finish', onFinish);
  return {
    done,
    stop() {
      dc.unsubscribe('http.server.request.start', onStart);
      dc.unsubscribe('http.server.response.finish', onFinish);
    },
  };
}

export interface WsCounts {
  connects: number;
  sent: number;
  received: number;
  /** Billed messages (32 KB units) either way. */
  billed: number;
  /** Client-side times: socket created → open ($connect), request frame → its answer ($default). */
  openMs: number[];
  answerMs: number[];
}

/** A `ws` WebSocket class that counts what the SDK sends and receives (client/notifications.ts takes it as its WebSocket option). */
export function countingWebSocket(): { Ctor: WebSocketConstructor; counts: WsCounts } {
  const counts: WsCounts = { connects: 0, sent: 0, received: 0, billed: 0, openMs: [], answerMs: [] };
  class CountingWebSocket extends WebSocket {
    private asked: number | undefined;
    constructor(url: string) {
      const t0 = performance.now();
      super(url);
      counts.connects++;
      this.once('open', () => counts.openMs.push(performance.now() - t0));
      this.on('message', (data: Buffer) => {
        counts.received++;
        counts.billed += wsBilledMessages(data.length);
        if (this.asked !== undefined) counts.answerMs.push(performance.now() - this.asked);
        this.asked = undefined;
      });
    }
    override send(data: string): void {
      counts.sent++;
      counts.billed += wsBilledMessages(Buffer.byteLength(data));
      this.asked = performance.now();
      super.send(data);
    }
  }
  return { Ctor: CountingWebSocket as unknown as WebSocketConstructor, counts };
}

/** The keepalive interval Notifications arms (by default, unless `options` set one), read by running its constructor against a socket that opens at once. */
export function defaultKeepaliveMs(options: { keepaliveMs?: number } = {}): number {
  const listeners: ((e: unknown) => void)[] = [];
  class Opening {
    readyState = 0;
    send() {}
    close() {}
    addEventListener(type: string, l: (e: unknown) => void) {
      if (type === 'open') listeners.push(l);
    }
  }
  const n = new Notifications({ url: 'ws://127.0.0.1:9/v1/ws', WebSocket: Opening, ...options });
  const real = globalThis.setInterval;
  let armed = Number.NaN;
  globalThis.setInterval = ((fn: () => void, ms?: number) => {
    armed = ms ?? Number.NaN;
    return real(fn, LONG);
  }) as typeof setInterval;
  try {
    for (const l of listeners) l({});
  } finally {
    globalThis.setInterval = real;
    n.close();
  }
  return armed;
}

export interface IdleFigures {
  defaults: { safetyPollMs: number; keepaliveMs: number };
  perSafetyPoll: Usage;
  perKeepalive: Usage;
  perReconnect: Usage;
  measured: Record<string, number>;
}

/** The partition consumer with notifications: usage per safety poll, per keepalive, per reconnect. */
export async function measureIdlePartitionConsumer(env: BenchEnv, http: HttpStack, fetchMb: number, logs: LogBytes): Promise<IdleFigures> {
  const apiKey = env.authHeaders.authorization?.replace(/^Bearer /, '') ?? '';
  const samsa = new Samsa({ url: http.url, apiKey });
  const topic = await env.createTopic(1, {}, 'push-idle');
  const safetyPollMs = Reflect.get(samsa.partitionConsumer({ topic, partition: 0, offset: 0 }), 'safetyPollMs');
  const defaults = { safetyPollMs: typeof safetyPollMs === 'number' ? safetyPollMs : Number.NaN, keepaliveMs: defaultKeepaliveMs() };
  const wsUrl = `${http.url.replace(/^http/, 'ws')}/v1/ws`;
  const fetchLog = logs.fetch + logs.platformPerInvocation;

  /** One phase: a consumer with these intervals, measured for `windowMs` after `warmMs` (or around `act`). */
  const phase = async (poll: number, keepalive: number, warmMs: number, windowMs: number, act?: (c: WsCounts) => Promise<void>) => {
    const { Ctor, counts } = countingWebSocket();
    const notifications = new Notifications({ url: wsUrl, apiKey, WebSocket: Ctor, keepaliveMs: keepalive });
    const consumer = samsa.partitionConsumer({ topic, partition: 0, offset: 'latest', notifications, safetyPollMs: poll });
    const iterating = consumer[Symbol.asyncIterator]().next();
    await sleep(warmMs);
    const requests = recordServerRequests();
    const before = { ...counts, openMs: counts.openMs.length, answerMs: counts.answerMs.length };
    const tally = env.meter.snapshot();
    const t0 = performance.now();
    if (act !== undefined) await act(counts);
    else await sleep(windowMs);
    const elapsed = performance.now() - t0;
    requests.stop();
    const units = summarizeTally(env.meter.since(tally));
    // Counted before close(): closing unsubscribes, which is not part of the phase.
    const ws = {
      connects: counts.connects - before.connects,
      sent: counts.sent - before.sent,
      received: counts.received - before.received,
      billed: counts.billed - before.billed,
      openMs: counts.openMs.slice(before.openMs),
      answerMs: counts.answerMs.slice(before.answerMs),
    };
    await consumer.close();
    notifications.close();
    await iterating;
    const fetches = requests.done.filter((r) => r.path.endsWith('/records'));
    return { elapsed, fetches: fetches.length, fetchMs: fetches.map((r) => r.ms), otherRequests: requests.done.length - fetches.length, ...ws, rru: units.rru, wru: units.wru };
  };

  // Safety polls: 0.5 s apart, keepalive and lifetime out of the way.
  const P = 500;
  const polls = await phase(P, LONG, 1_000, 3_000);
  // Each safety poll is one fetch (checked: fetches vs intervals elapsed, in `measured`); usage per fetch = per poll.
  const n = Math.max(1, polls.fetches);
  const perSafetyPoll: Usage = {
    ...NO_USAGE,
    httpRequests: (polls.fetches + polls.otherRequests) / n,
    lambda: [{ invocations: (polls.fetches + polls.otherRequests) / n, billedMs: billedMs(polls.fetchMs) / n, memoryMb: fetchMb }],
    rru: polls.rru / n,
    wru: polls.wru / n,
    wsMessages: polls.billed / n,
    logBytes: ((polls.fetches + polls.otherRequests) / n) * fetchLog,
  };

  // Keepalives: a ping every 0.4 s, safety polls out of the way.
  const K = 400;
  const keep = await phase(LONG, K, 1_000, 3_000);
  // Per ping sent (each answered by a pong: frames received are in `measured`).
  const k = Math.max(1, keep.sent);
  const perKeepalive: Usage = {
    ...NO_USAGE,
    wsMessages: keep.billed / k,
    // One $default invocation per client message; its handler time is at most the ping → pong time seen by the client.
    lambda: [{ invocations: keep.sent / k, billedMs: billedMs(keep.answerMs) / k, memoryMb: PUSH_MEMORY_MB.door }],
    rru: keep.rru / k,
    wru: keep.wru / k,
    logBytes: (keep.sent / k) * logs.platformPerInvocation,
  };

  // One reconnect: the server ends the connection (as API Gateway does after 2 h); the SDK reconnects, resubscribes, fetches once.
  const reconnect = await phase(LONG, LONG, 1_000, 0, async (counts) => {
    const connects = counts.connects;
    for (const ws of http.push.connections.values()) ws.terminate();
    for (let i = 0; i < 100 && (counts.connects === connects || counts.received === 0); i++) await sleep(50);
    await sleep(800); // the subscribe answer and the recheck fetch
  });
  const connectMs = billedMs(reconnect.openMs);
  const perReconnect: Usage = {
    ...NO_USAGE,
    httpRequests: reconnect.fetches + reconnect.otherRequests,
    wsMessages: reconnect.billed,
    lambda: [
      { invocations: reconnect.fetches + reconnect.otherRequests, billedMs: billedMs(reconnect.fetchMs), memoryMb: fetchMb },
      // $connect (client socket → open is its upper bound), $disconnect (priced as long as $connect), one $default per client message.
      { invocations: 2 + reconnect.sent, billedMs: 2 * connectMs + billedMs(reconnect.answerMs), memoryMb: PUSH_MEMORY_MB.door },
    ],
    rru: reconnect.rru,
    wru: reconnect.wru,
    logBytes: (reconnect.fetches + reconnect.otherRequests) * fetchLog + (2 + reconnect.sent) * logs.platformPerInvocation,
  };
  return {
    defaults,
    perSafetyPoll,
    perKeepalive,
    perReconnect,
    measured: {
      pollPhaseIntervals: Math.round((polls.elapsed / P) * 10) / 10,
      pollPhaseFetches: polls.fetches,
      pollPhaseOtherRequests: polls.otherRequests,
      pollPhaseWsFrames: polls.sent + polls.received,
      keepalivePhaseIntervals: Math.round((keep.elapsed / K) * 10) / 10,
      keepalivePhasePings: keep.sent,
      keepalivePhaseFramesReceived: keep.received,
      keepalivePhaseHttpRequests: keep.fetches + keep.otherRequests,
      reconnectConnects: reconnect.connects,
      reconnectFrames: reconnect.sent + reconnect.received,
      reconnectFetches: reconnect.fetches,
      reconnectOtherRequests: reconnect.otherRequests,
      reconnectRru: reconnect.rru,
      reconnectWru: reconnect.wru,
    },
  };
}

export interface GroupIdleFigures {
  /** 'notifications': the SDK member waits on notifications (priced per event like the partition consumer); 'long-polls': a window of real time. */
  mode: 'notifications' | 'long-polls';
  windowMs: number;
  usage: Usage;
  /** Long polls: the window × month ÷ window. Notifications: undefined (see perPoll, perReconnect). */
  month?: Usage;
  /** Notifications: usage per quiet poll and the SDK's default interval between them (a third of connectedSessionTimeoutMs). */
  perPoll?: Usage;
  defaultPollIntervalMs?: number;
  /**
   * Notifications: one connection rotation, as the SDK makes one before API Gateway's 2 h limit
   * (make-before-break: the new socket links before the old one unlinks, so the member stays), less
   * the quiet polls that fell in its window. Should the member re-join all the same, the rest of the
   * default rebalance timeout is added at the long-poll rate measured without notifications.
   */
  perReconnect?: Usage;
  /** Notifications: the rotation's window as measured (quiet polls included, no extrapolated long polls). */
  perReconnectMeasured?: Usage;
  reconnect?: { rejoined: boolean; measuredMs: number; requests: Record<string, number>; extraLongPollMs: number };
  requests: Record<string, number>;
}

const CONNECTED_SESSION_MS = 3_000;
const SHORT_REBALANCE_MS = 1_000;
/** Rotation in the measured run: after the quiet polls' window (≈ 5 + 1 + 12 s from the connect). */
const ROTATE_MS = 22_000;
/** Whole long polls measured for the rate of a member without notifications (≈ 5 s each with the SDK's default wait). */
const LONG_POLLS = 2;

/**
 * An SDK group member on an idle topic. If the SDK's group consumer waits on
 * notifications (it has connectedSessionMs: a quiet member polls every third
 * of it), the member runs with a 3 s connected session and a 1 s rebalance
 * timeout: once quiet its polls are measured per poll, to be priced at the
 * default interval (read from the consumer at run time), and one connection
 * rotation is measured (see GroupIdleFigures.perReconnect). Otherwise the member runs
 * with its defaults for `windowMs` of real time after it joined.
 */
export async function measureIdleGroupMember(env: BenchEnv, http: HttpStack, groupsMb: number, logs: LogBytes, windowMs: number): Promise<GroupIdleFigures> {
  const apiKey = env.authHeaders.authorization?.replace(/^Bearer /, '') ?? '';
  const samsa = new Samsa({ url: http.url, apiKey });
  const topic = await env.createTopic(1, {}, 'push-group');
  const probe = samsa.consumer({ groupId: `${topic}-probe`, topics: [topic] });
  const connectedSessionMs = Reflect.get(probe, 'connectedSessionMs');
  const notified = typeof connectedSessionMs === 'function';
  const { Ctor, counts } = countingWebSocket();

  /** Requests, frames and units while `act` runs. */
  const measure = async (act: (done: readonly unknown[]) => Promise<void>) => {
    const requests = recordServerRequests();
    const ws0 = { billed: counts.billed, sent: counts.sent, answers: counts.answerMs.length };
    const tally = env.meter.snapshot();
    const t0 = performance.now();
    await act(requests.done);
    const elapsed = performance.now() - t0;
    requests.stop();
    const units = summarizeTally(env.meter.since(tally));
    const sent = counts.sent - ws0.sent;
    const n = requests.done.length;
    const usage: Usage = {
      httpRequests: n,
      wsMessages: counts.billed - ws0.billed,
      lambda: [
        { invocations: n, billedMs: billedMs(requests.done.map((r) => r.ms)), memoryMb: groupsMb },
        { invocations: sent, billedMs: billedMs(counts.answerMs.slice(ws0.answers)), memoryMb: PUSH_MEMORY_MB.door },
      ],
      rru: units.rru,
      wru: units.wru,
      logBytes: n * (logs.poll + logs.platformPerInvocation) + sent * logs.platformPerInvocation,
    };
    const byPath: Record<string, number> = {};
    for (const r of requests.done) {
      const kind = r.path.split('/').at(-1) ?? r.path;
      byPath[kind] = (byPath[kind] ?? 0) + 1;
    }
    return { usage, byPath, elapsed, requests: n };
  };

  /** A member with these options, joined (and quiet, with notifications) before `body` runs; closed after. */
  const member = async <T>(extra: object, body: (consumer: object, quiet: () => boolean) => Promise<T>): Promise<T> => {
    const consumer = samsa.consumer({ groupId: `${topic}-g${Math.random().toString(36).slice(2, 6)}`, topics: [topic], ...extra });
    const quietFn = Reflect.get(consumer, 'quiet');
    const quiet = () => typeof quietFn === 'function' && Reflect.apply(quietFn, consumer, []) === true;
    const joined = recordServerRequests();
    const running = consumer.run({ eachMessage: async () => undefined });
    for (let i = 0; i < 100 && joined.done.length === 0; i++) await sleep(50);
    joined.stop();
    try {
      return await body(consumer, quiet);
    } finally {
      await consumer.close();
      await running.catch(() => undefined);
    }
  };

  // Long polls (no notifications), with the SDK's defaults: from the end of one poll to the end of the
  // `polls`-th after it, so the window holds whole polls (a fixed window would count 1 or 2 of 5 s polls in 10 s).
  const longPolls = (polls: number) =>
    member({}, async () => {
      const sync = recordServerRequests();
      for (let i = 0; i < 300 && sync.done.length === 0; i++) await sleep(25);
      sync.stop();
      return measure(async (done) => {
        for (let i = 0; i < 2_400 && done.length < polls; i++) await sleep(25);
      });
    });
  if (!notified) {
    const lp = await longPolls(Math.max(2, Math.round(windowMs / 5_000)));
    return { mode: 'long-polls', windowMs: lp.elapsed, usage: lp.usage, month: monthOfWindow(lp.usage, lp.elapsed), requests: lp.byPath };
  }

  const defaultPollIntervalMs = Math.floor(Number(Reflect.apply(connectedSessionMs, probe, [])) / 3);
  // The SDK replaces its connection before API Gateway's 2 h limit (make-before-break, rotateAfterMs): measured here
  // once, early; a member whose socket really drops leaves and re-joins (the forced-close phase below, not the default).
  const notifications = new Notifications({ url: `${http.url.replace(/^http/, 'ws')}/v1/ws`, apiKey, WebSocket: Ctor, keepaliveMs: LONG, rotateAfterMs: ROTATE_MS });
  const options = { notifications, connectedSessionTimeoutMs: CONNECTED_SESSION_MS, rebalanceTimeoutMs: SHORT_REBALANCE_MS };
  const waitQuiet = async (quiet: () => boolean, want: boolean, ms: number) => {
    for (let i = 0; i < ms / 50 && quiet() !== want; i++) await sleep(50);
  };
  const { polls, reconnect, rejoined } = await member(options, async (consumer, quiet) => {
    await waitQuiet(quiet, true, 5_000);
    await sleep(CONNECTED_SESSION_MS / 3); // the first quiet poll
    const polls = await measure(() => sleep(4 * CONNECTED_SESSION_MS));
    const lastChange = Reflect.get(consumer, 'lastChange');
    const before = new Set(http.push.connections.keys());
    const reconnect = await measure(async () => {
      for (let i = 0; i < 600 && [...http.push.connections.keys()].every((id) => before.has(id)); i++) await sleep(50);
      await sleep(1_000); // the old socket unlinks and closes
    });
    if ([...http.push.connections.keys()].every((id) => before.has(id))) throw new Error('push-idle: the SDK did not rotate its connection');
    return { polls, reconnect, rejoined: Reflect.get(consumer, 'lastChange') !== lastChange };
  });
  notifications.close();
  const perPoll = addUsage(NO_USAGE, polls.usage, 1 / Math.max(1, polls.requests));
  // After a rejoin the member long-polls for its rebalance timeout (the SDK leaves it to the server's default when unset).
  const extraLongPollMs = rejoined ? REBALANCE_TIMEOUT.default - SHORT_REBALANCE_MS : 0;
  // The quiet polls that fell in the rotation's window are priced as polls already: only the rest is the rotation's.
  let perReconnect = addUsage(reconnect.usage, perPoll, -(reconnect.byPath['poll'] ?? 0));
  if (extraLongPollMs > 0) {
    const lp = await longPolls(LONG_POLLS);
    perReconnect = addUsage(perReconnect, lp.usage, extraLongPollMs / lp.elapsed);
  }
  return {
    mode: 'notifications',
    windowMs: polls.elapsed,
    usage: polls.usage,
    perPoll,
    defaultPollIntervalMs,
    perReconnect,
    perReconnectMeasured: reconnect.usage,
    reconnect: { rejoined, measuredMs: Math.round(reconnect.elapsed), requests: reconnect.byPath, extraLongPollMs },
    requests: polls.byPath,
  };
}

/**
 * Prices for push delivery (bench/scenarios/push.ts): what the measured
 * requests, WebSocket messages, connection minutes, Lambda time and capacity
 * units cost per month or per million, at the list prices of bench/cost.ts
 * (PRICES, with their SOURCES). Pure arithmetic: every input is measured by
 * the scenario, every rate comes from PRICES, nothing is estimated here.
 */
import { PRICES } from './cost';

export const MONTH_MS = 30.4 * 24 * 3600 * 1000;
const GIB = 1024 ** 3;

/**
 * Memory of the push functions, MB, as the stack configures them: the
 * WebSocket door ($connect, $default, $disconnect) and the fan-out in
 * cdk/constructs/push.ts, the subscription delivery in
 * cdk/constructs/subscription-delivery.ts. Copied here because those
 * constructs set them as literals (no export to import); keep in step.
 */
export const PUSH_MEMORY_MB = { door: 256, fanOut: 256, delivery: 512 } as const;

/** What one thing (a request, a message, an event) consumed, as measured. */
export interface Usage {
  /** HTTP API requests (each ≤ 512 KB here: one billed request). */
  httpRequests: number;
  /** WebSocket messages either way, each already counted in 32 KB units. */
  wsMessages: number;
  /** Lambda invocations and their billed milliseconds (each rounded up to 1 ms), per memory size. */
  lambda: { invocations: number; billedMs: number; memoryMb: number }[];
  rru: number;
  wru: number;
  /** CloudWatch Logs bytes written (request lines + Lambda platform lines). */
  logBytes: number;
}

export const NO_USAGE: Usage = { httpRequests: 0, wsMessages: 0, lambda: [], rru: 0, wru: 0, logBytes: 0 };

export function addUsage(a: Usage, b: Usage, times = 1): Usage {
  return {
    httpRequests: a.httpRequests + b.httpRequests * times,
    wsMessages: a.wsMessages + b.wsMessages * times,
    lambda: [...a.lambda, ...b.lambda.map((l) => ({ ...l, invocations: l.invocations * times, billedMs: l.billedMs * times }))],
    rru: a.rru + b.rru * times,
    wru: a.wru + b.wru * times,
    logBytes: a.logBytes + b.logBytes * times,
  };
}

/** WebSocket messages a frame of `bytes` is billed as (32 KB units). */
export function wsBilledMessages(bytes: number): number {
  return Math.max(1, Math.ceil(bytes / PRICES.wsMessageUnitBytes));
}

export interface PriceParts {
  httpApi: number;
  wsMessages: number;
  wsConnectionMinutes: number;
  lambdaRequests: number;
  lambdaCompute: number;
  dynamo: number;
  logs: number;
}

/** The bill of a usage (plus connection minutes), by component. */
export function priceUsage(u: Usage, connectionMinutes = 0): { total: number; parts: PriceParts } {
  const parts: PriceParts = {
    httpApi: (u.httpRequests * PRICES.apiGatewayPerMillion) / 1e6,
    wsMessages: (u.wsMessages * PRICES.wsMessagesPerMillion) / 1e6,
    wsConnectionMinutes: (connectionMinutes * PRICES.wsConnectionMinutesPerMillion) / 1e6,
    lambdaRequests: (u.lambda.reduce((s, l) => s + l.invocations, 0) * PRICES.lambdaRequestsPerMillion) / 1e6,
    lambdaCompute: u.lambda.reduce((s, l) => s + (l.billedMs / 1000) * (l.memoryMb / 1024), 0) * PRICES.lambdaArmPerGbSecond,
    dynamo: (u.rru * PRICES.rruPerMillion + u.wru * PRICES.wruPerMillion) / 1e6,
    logs: (u.logBytes / GIB) * (PRICES.logsIngestPerGib + PRICES.logsStoragePerGibMonth),
  };
  return { total: Object.values(parts).reduce((a, x) => a + x, 0), parts };
}

export interface IdleConsumerInputs {
  /** The SDK's defaults, read from the client at run time. */
  safetyPollMs: number;
  keepaliveMs: number;
  /** API Gateway ends a connection after 2 hours; the SDK reconnects. */
  connectionLifetimeMs: number;
  /** Measured per safety poll, per keepalive, per reconnect. */
  perSafetyPoll: Usage;
  perKeepalive: Usage;
  perReconnect: Usage;
}

/** A month of one idle partition consumer on notifications: events per month × measured usage per event + a connection all month. */
export function idleNotifiedConsumerMonth(i: IdleConsumerInputs) {
  const polls = MONTH_MS / i.safetyPollMs;
  const keepalives = MONTH_MS / i.keepaliveMs;
  const reconnects = MONTH_MS / i.connectionLifetimeMs;
  const connectionMinutes = MONTH_MS / 60_000;
  let u = addUsage(NO_USAGE, i.perSafetyPoll, polls);
  u = addUsage(u, i.perKeepalive, keepalives);
  u = addUsage(u, i.perReconnect, reconnects);
  const priced = priceUsage(u, connectionMinutes);
  const pollPrice = priceUsage(i.perSafetyPoll).total;
  const fixed = priced.total - polls * pollPrice;
  return {
    events: { polls: Math.round(polls), keepalives: Math.round(keepalives), reconnects: Math.round(reconnects), connectionMinutes: Math.round(connectionMinutes) },
    perMonth: priced.total,
    parts: priced.parts,
    /** The longest safety poll interval (ms) that still meets `target` $/month, or undefined if nothing does. */
    safetyPollMsFor: (target: number) => (fixed >= target ? undefined : Math.ceil((MONTH_MS * pollPrice) / (target - fixed))),
  };
}

/** A month of something measured for `windowMs` at a steady rate. */
export function monthOfWindow(u: Usage, windowMs: number): Usage {
  return addUsage(NO_USAGE, u, MONTH_MS / windowMs);
}

/** Billed Lambda ms of a set of handler wall times (each rounded up to 1 ms). */
export function billedMs(times: readonly number[]): number {
  return times.reduce((s, x) => s + Math.max(1, Math.ceil(x)), 0);
}

export function usd(x: number): string {
  if (!Number.isFinite(x)) return '–';
  return x >= 1 ? `$${x.toFixed(2)}` : x >= 0.01 ? `$${x.toFixed(3)}` : `$${x.toPrecision(2)}`;
}

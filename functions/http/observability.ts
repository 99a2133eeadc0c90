/**
 * One structured log line and a few EMF metrics per request, written after
 * the response is built: request id, route, principal, topic / partition /
 * group from the path, status, error code, duration, and the records and
 * bytes the handler moved. Never a body, key, value, header or credential.
 *
 * Handlers report what they moved with `noteTraffic`; the middleware sums it
 * per topic. Metric names and dimensions: functions/telemetry/names.ts.
 */
import type { Context, MiddlewareHandler } from 'hono';
import { matchedRoutes } from 'hono/route';
import type { Principal } from '../../lib/auth/authorize';
import { toSamsaError, type ErrorCode } from '../../lib/errors';
import type { WireData } from '../../lib/protocol/records';
import { METRICS } from '../telemetry/names';
import { MetricUnit, type MetricValue, type Telemetry } from '../telemetry/telemetry';
import { ROUTES, type RouteId } from './routes';

const TRAFFIC = 'samsa.traffic';

interface Traffic {
  topic: string;
  direction: 'in' | 'out';
  records: number;
  bytes: number;
  /** Error codes of records that failed (produce answers per record). */
  errors?: ErrorCode[];
}

/** Records and payload bytes a handler moved for one topic; summed per topic into the request's metrics. */
export function noteTraffic(c: Context, traffic: Traffic): void {
  const list = c.get(TRAFFIC) as Traffic[] | undefined;
  if (list === undefined) c.set(TRAFFIC, [traffic]);
  else list.push(traffic);
}

/** Payload bytes of a wire key or value as stored, without decoding it. */
export function wireBytes(data: WireData | null | undefined): number {
  if (data === null || data === undefined) return 0;
  if (data.type === 'STRING') return typeof data.data === 'string' ? Buffer.byteLength(data.data, 'utf8') : 0;
  if (data.type === 'BINARY') {
    if (typeof data.data !== 'string') return 0;
    const s = data.data;
    const padding = s.endsWith('==') ? 2 : s.endsWith('=') ? 1 : 0;
    return Math.floor((s.length * 3) / 4) - padding;
  }
  return Buffer.byteLength(JSON.stringify(data.data) ?? '', 'utf8');
}

const ROUTE_IDS = new Map<string, RouteId>(
  (Object.entries(ROUTES) as [RouteId, (typeof ROUTES)[RouteId]][]).map(([id, r]) => [`${r.method} ${r.path}`, id]),
);

/** The middleware; without telemetry it does nothing. */
export function observe(telemetry: Telemetry | undefined): MiddlewareHandler {
  if (telemetry === undefined) return async (_c, next) => next();
  return async (c, next) => {
    const started = performance.now();
    await next();
    const durationMs = Math.round(performance.now() - started);
    try {
      record(telemetry, c, durationMs);
    } catch (err) {
      telemetry.logger.warn('request telemetry failed', { error: String(err) });
    }
  };
}

function record(telemetry: Telemetry, c: Context, durationMs: number): void {
  const template = routeTemplate(c);
  const route = template === undefined ? undefined : ROUTE_IDS.get(`${c.req.method} ${template}`);
  const params = template === undefined ? {} : pathParams(template, c.req.path);
  const status = c.res.status;
  const code = errorCode(c, status, template);
  const traffic = (c.get(TRAFFIC) as Traffic[] | undefined) ?? [];
  const perTopic = sumPerTopic(traffic);
  const lambda = (c.env as { lambdaContext?: { awsRequestId?: string } } | undefined)?.lambdaContext;

  telemetry.logger.info({
    message: 'request',
    requestId: c.get('requestId') as string,
    ...(lambda?.awsRequestId === undefined ? {} : { lambdaRequestId: lambda.awsRequestId }),
    route: route ?? 'unmatched',
    method: c.req.method,
    ...(template === undefined ? {} : { path: template }),
    principal: (c.var as { principal?: Principal }).principal?.name ?? null,
    ...params,
    status,
    ...(code === undefined ? {} : { code }),
    durationMs,
    ...(perTopic.length === 0 ? {} : { traffic: perTopic.map(({ errors: _e, ...t }) => t) }),
  });

  if (!telemetry.metricsEnabled) return;
  for (const t of perTopic) {
    const [records, bytes] = t.direction === 'in' ? [METRICS.recordsIn, METRICS.bytesIn] : [METRICS.recordsOut, METRICS.bytesOut];
    telemetry.publish(telemetry.perTopic ? [{ topic: t.topic }] : [], [
      [records, MetricUnit.Count, t.records],
      [bytes, MetricUnit.Bytes, t.bytes],
    ]);
  }
  if (route !== undefined) telemetry.publish([{ route }], [[METRICS.latency, MetricUnit.Milliseconds, durationMs]]);

  // Once per request and code: a throttled partition fails each of its records.
  const codes = new Set([...(code === undefined ? [] : [code]), ...traffic.flatMap((t) => t.errors ?? [])]);
  const counters: MetricValue[] = [];
  if (codes.has('THROTTLED')) counters.push([METRICS.throttled, MetricUnit.Count, 1]);
  if (codes.has('CONCURRENT_MODIFICATION')) counters.push([METRICS.conflicts, MetricUnit.Count, 1]);
  if (status === 500) counters.push([METRICS.internalErrors, MetricUnit.Count, 1]);
  telemetry.publish([], counters);
}

/** The error code of a thrown error (the onError envelope); handler-built error answers report theirs with noteTraffic. */
function errorCode(c: Context, status: number, template: string | undefined): ErrorCode | undefined {
  if (c.error !== undefined) return toSamsaError(c.error).code;
  if (template === undefined && status === 404) return 'ROUTE_NOT_FOUND';
  if (template === undefined && status === 405) return 'METHOD_NOT_ALLOWED';
  return undefined;
}

/** The route table path the request matched (`/v1/topics/:topic/records`), if any. */
function routeTemplate(c: Context): string | undefined {
  const routes = matchedRoutes(c);
  for (let i = routes.length - 1; i >= 0; i--) {
    const r = routes[i]!;
    if (r.method !== 'ALL') return r.path;
  }
  return undefined;
}

const LOGGED_PARAMS = new Set(['topic', 'partition', 'group', 'member']);

/** Path parameters worth a log key; names come from the route table, so no payload can slip in. */
function pathParams(template: string, path: string): Record<string, string | number> {
  const names = template.split('/');
  const values = path.split('/');
  const out: Record<string, string | number> = {};
  names.forEach((name, i) => {
    if (!name.startsWith(':')) return;
    const key = name.slice(1);
    const raw = values[i];
    if (!LOGGED_PARAMS.has(key) || raw === undefined) return;
    let value: string;
    try {
      value = decodeURIComponent(raw);
    } catch {
      value = raw;
    }
    out[key] = key === 'partition' && /^\d+$/.test(value) ? Number(value) : value.slice(0, 256);
  });
  return out;
}

function sumPerTopic(traffic: Traffic[]): Traffic[] {
  const byKey = new Map<string, Traffic>();
  for (const t of traffic) {
    const key = `${t.direction} ${t.topic}`;
    const sum = byKey.get(key);
    if (sum === undefined) byKey.set(key, { ...t, errors: [...(t.errors ?? [])] });
    else {
      sum.records += t.records;
      sum.bytes += t.bytes;
      sum.errors!.push(...(t.errors ?? []));
    }
  }
  return [...byKey.values()];
}

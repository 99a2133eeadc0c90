/**
 * Scenario logs: the CloudWatch Logs bytes a request makes, measured. The
 * same app as the deployed functions (functions/cold-start.ts: Telemetry with
 * metrics on, per-topic metrics as the default) serves produce, fetch and
 * group-poll requests while process.stdout is captured; every line the
 * handlers write (the structured request line, EMF metric lines, warnings)
 * is counted — in a deployed function each becomes a CloudWatch Logs event,
 * billed per byte ingested. Lambda's own JSON platform lines (platform.start
 * and platform.report, with active tracing) are not written by this code:
 * their bytes are counted from lines in the documented format (AWS Lambda
 * developer guide, "Log-level filtering": JSON platform events).
 */
import { allHandlers } from '../../functions/all-handlers';
import { DEFAULT_AUTH } from '../../functions/config';
import { buildApp } from '../../functions/http/app';
import { createDeps } from '../../functions/runtime';
import { Telemetry } from '../../functions/telemetry/telemetry';
import { DEFAULT_LIMITS } from '../../lib/limits';
import { eventBatch, rng } from '../data';
import type { BenchEnv } from '../env';
import { row, type Row, type ScenarioOutput } from '../report';
import { round } from '../stats';

/** Log bytes per invocation, by request kind (the application's lines), and Lambda's platform lines. */
export interface LogBytes {
  produce: number;
  fetch: number;
  poll: number;
  platformPerInvocation: number;
}

const REQUESTS = 12;
const REQUEST_ID = '6d68ca91-49c9-448d-89b8-7ca3e6dc66aa';
/** Lambda's JSON platform lines of one invocation at system log level INFO with active tracing (documented format, typical values). */
export const PLATFORM_LINES = [
  { time: '2026-12-05T12:00:00.000Z', type: 'platform.start', record: { requestId: REQUEST_ID, version: '$LATEST', tracing: { spanId: '2b1e3a8f7c6d5e4f', type: 'X-Amzn-Trace-Id', value: 'Root=1-675195f0-3b2a1c0d9e8f7a6b5c4d3e2f;Parent=2b1e3a8f7c6d5e4f;Sampled=0' } } },
  {
    time: '2026-12-05T12:00:00.012Z',
    type: 'platform.report',
    record: {
      requestId: REQUEST_ID,
      metrics: { durationMs: 11.94, billedDurationMs: 12, memorySizeMB: 512, maxMemoryUsedMB: 98 },
      tracing: { spanId: '2b1e3a8f7c6d5e4f', type: 'X-Amzn-Trace-Id', value: 'Root=1-675195f0-3b2a1c0d9e8f7a6b5c4d3e2f;Parent=2b1e3a8f7c6d5e4f;Sampled=0' },
      status: 'success',
    },
  },
].map((l) => JSON.stringify(l));

interface Captured {
  bytes: number;
  lines: number;
  /** One line of the first request, to show what is logged. */
  sample: string[];
}

/** Runs `fn` with process.stdout captured (nothing reaches the terminal meanwhile). */
async function capture(fn: () => Promise<void>): Promise<Captured> {
  const original = process.stdout.write.bind(process.stdout);
  const chunks: string[] = [];
  process.stdout.write = ((chunk: string | Uint8Array, ...rest: unknown[]): boolean => {
    chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8'));
    const cb = rest.find((r): r is () => void => typeof r === 'function');
    cb?.();
    return true;
  }) as typeof process.stdout.write;
  try {
    await fn();
  } finally {
    process.stdout.write = original;
  }
  const text = chunks.join('');
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  return { bytes: lines.reduce((s, l) => s + Buffer.byteLength(l), 0), lines: lines.length, sample: lines };
}

export async function runLogs(env: BenchEnv): Promise<ScenarioOutput & { bytes: LogBytes }> {
  const telemetry = new Telemetry({ perTopic: true, serviceName: 'samsa' });
  const deps = createDeps(
    {
      tables: env.tables,
      region: 'us-east-1',
      dynamoEndpoint: env.endpoint,
      limits: { ...DEFAULT_LIMITS },
      auth: { ...DEFAULT_AUTH, quota: { ratePerSecond: 0, burst: 1 } },
    },
    { telemetry },
  );
  const app = buildApp(deps, allHandlers);
  const call = async (method: string, path: string, body?: unknown): Promise<number> => {
    const init: RequestInit = { method, headers: { ...env.authHeaders, ...(body === undefined ? {} : { 'content-type': 'application/json' }) } };
    if (body !== undefined) init.body = JSON.stringify(body);
    const res = await app.request(path, init);
    await res.text();
    return res.status;
  };
  const topic = await env.createTopic(1, {}, 'logs');
  const random = rng(4242);
  const group = `logs-${env.prefix}`;
  const kinds: Record<'produce' | 'fetch' | 'poll', () => Promise<number>> = {
    produce: () => call('POST', `/v1/topics/${topic}/records`, { records: eventBatch(100, 100, `l-${random()}`, random) }),
    fetch: () => call('GET', `/v1/topics/${topic}/partitions/0/records?offset=0`),
    poll: () =>
      call('POST', `/v1/groups/${group}/poll`, {
        memberId: 'm0',
        memberEpoch: 0,
        topics: [topic],
        offsetReset: 'earliest',
        maxWaitMs: 0,
        sessionTimeoutMs: 600_000,
        rebalanceTimeoutMs: 600_000,
      }),
  };
  const measured: Record<string, Captured & { requests: number }> = {};
  for (const [kind, send] of Object.entries(kinds)) {
    await capture(async () => void (await send())); // not measured (nor printed): a cold start's lines, the group's join
    let failed = 0;
    let first: string[] = [];
    const captured = await capture(async () => {
      for (let i = 0; i < REQUESTS; i++) {
        const status = await send();
        if (status !== 200) failed++;
      }
    });
    first = captured.sample.slice(0, Math.max(1, Math.round(captured.lines / REQUESTS)));
    if (failed > 0) throw new Error(`logs: ${failed} ${kind} requests failed`);
    measured[kind] = { ...captured, sample: first, requests: REQUESTS };
  }
  deps.lib.ddb.destroy();
  deps.lib.ddbOnce.destroy();
  const per = (kind: string) => round((measured[kind]?.bytes ?? Number.NaN) / REQUESTS, 1);
  const linesPer = (kind: string) => round((measured[kind]?.lines ?? Number.NaN) / REQUESTS, 2);
  const platform = PLATFORM_LINES.reduce((s, l) => s + Buffer.byteLength(l), 0);
  const bytes: LogBytes = { produce: per('produce'), fetch: per('fetch'), poll: per('poll'), platformPerInvocation: platform };
  const checks: Row[] = (['produce', 'fetch', 'poll'] as const).map((k) =>
    row('logs', `${k} request: application log bytes (structured request line + EMF metric lines)`, bytes[k], 'B', undefined, `${linesPer(k)} lines per request`),
  );
  checks.push(row('logs', 'Lambda platform lines per invocation (platform.start + platform.report, JSON, documented format)', platform, 'B', undefined, 'not measured: written by Lambda, not by Samsa'));
  return {
    key: 'logs',
    bytes,
    json: {
      via: 'the deployed functions\' app and Telemetry (metrics on, per-topic metrics), stdout captured, Hono app.request',
      requestsPerKind: REQUESTS,
      bytesPerRequest: bytes,
      linesPerRequest: { produce: linesPer('produce'), fetch: linesPer('fetch'), poll: linesPer('poll') },
      sampleLines: Object.fromEntries(Object.entries(measured).map(([k, v]) => [k, v.sample])),
      platformLines: PLATFORM_LINES,
    },
    rows: [],
    checks,
    notes: [],
  };
}

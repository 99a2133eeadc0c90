/**
 * Real HTTP for the benchmark: the local stack's server (local/server.ts,
 * `startServer`) on a free port, serving the same app with the same deps the
 * bench env built (so the capacity meter sees every DynamoDB call), and a
 * client on Node's fetch (undici, keep-alive connections).
 *
 * Handler wall time — the benchmark's proxy for Lambda billed duration — is
 * measured inside the server process through Node's built-in diagnostics
 * channels: from `http.server.request.start` (request headers parsed) to
 * `http.server.response.finish` (last response byte handed to the socket).
 * Each request carries an `x-bench-id` header so its server time is matched
 * exactly, even with many requests in flight.
 */
import { randomUUID } from 'node:crypto';
import dc from 'node:diagnostics_channel';
import type { IncomingMessage } from 'node:http';
import { freePort } from '../local/dynamodb';
import { startServer, type LocalServer } from '../local/server';
import type { LocalWebSocket } from '../local/websocket';
import { decodeAnswer, type ApiAnswer, type BenchEnv } from './env';

export interface HttpResult {
  status: number;
  body: ApiAnswer;
  /** Client-side latency: request sent → response body read. */
  clientMs: number;
  /** Server-side handler wall time (NaN if the server did not report it). */
  serverMs: number;
  requestBytes: number;
  responseBytes: number;
}

export interface HttpStack {
  url: string;
  /** The server's WebSocket endpoint (ws://…/v1/ws) and its send port, for the push fan-out. */
  push: LocalWebSocket;
  /** One request over a keep-alive connection; `body` is sent as JSON (a string is sent as is). */
  request(method: string, path: string, body?: unknown): Promise<HttpResult>;
  close(): Promise<void>;
}

const ID_HEADER = 'x-bench-id';

export async function startHttp(env: BenchEnv): Promise<HttpStack> {
  const starts = new WeakMap<IncomingMessage, number>();
  const serverMs = new Map<string, number>();
  const onStart = (m: unknown) => {
    const { request } = m as { request: IncomingMessage };
    starts.set(request, performance.now());
  };
  const onFinish = (m: unknown) => {
    const { request } = m as { request: IncomingMessage };
    const t0 = starts.get(request);
    const id = request.headers[ID_HEADER];
    if (t0 !== undefined && typeof id === 'string') serverMs.set(id, performance.now() - t0);
  };
  dc.subscribe('http.server.request.start', onStart);
  dc.subscribe('http.server.response.finish', onFinish);

  let server: LocalServer | undefined;
  for (let attempt = 0; server === undefined; attempt++) {
    try {
      server = await startServer(env.deps, await freePort());
    } catch (err) {
      if (attempt >= 3) throw err;
    }
  }
  const base = server.url;

  const request = async (method: string, path: string, body?: unknown): Promise<HttpResult> => {
    const id = randomUUID();
    const headers: Record<string, string> = { ...env.authHeaders, [ID_HEADER]: id };
    let payload: string | undefined;
    if (body !== undefined) {
      payload = typeof body === 'string' ? body : JSON.stringify(body);
      headers['content-type'] = 'application/json';
    }
    const t0 = performance.now();
    const res = await fetch(`${base}${path}`, { method, headers, body: payload });
    const text = await res.text();
    const clientMs = performance.now() - t0;
    let ms = serverMs.get(id);
    // 'finish' normally fires before the client has read the body; give it a turn if not.
    for (let i = 0; ms === undefined && i < 3; i++) {
      await new Promise((r) => setImmediate(r));
      ms = serverMs.get(id);
    }
    serverMs.delete(id);
    return {
      status: res.status,
      body: decodeAnswer(text),
      clientMs,
      serverMs: ms ?? Number.NaN,
      requestBytes: payload === undefined ? 0 : Buffer.byteLength(payload),
      responseBytes: Buffer.byteLength(text),
    };
  };

  return {
    url: base,
    push: server.push,
    request,
    close: async () => {
      await server?.close();
      dc.unsubscribe('http.server.request.start', onStart);
      dc.unsubscribe('http.server.response.finish', onFinish);
    },
  };
}

/** Mean of the billed Lambda milliseconds (each invocation rounds up to 1 ms) of a set of handler times. */
export function billedMsMean(serverMs: readonly number[]): number {
  const ok = serverMs.filter((x) => Number.isFinite(x));
  if (ok.length === 0) return Number.NaN;
  return ok.reduce((s, x) => s + Math.max(1, Math.ceil(x)), 0) / ok.length;
}

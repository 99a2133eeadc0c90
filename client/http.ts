/**
 * One HTTP exchange with Samsa, and the retry loop around it. Uses only the
 * platform `fetch`, `AbortController` and `setTimeout`, so it runs in Node
 * 20+, Lambda, browsers, Deno and Bun.
 * Retries: an error the server marks `retriable`, and a network error or
 * timeout only when the request is idempotent (a lost answer to a
 * non-idempotent POST may hide a success). Never a 4xx the server did not
 * mark retriable.
 */
import { ROUTES, routePath, type HttpMethod, type RouteId, type RouteParams } from '../lib/protocol/routes';
import { apiErrorFrom, SamsaError, SamsaNetworkError, SamsaTimeoutError } from './errors';
import { backoffDelay, sleep, type RetryOptions } from './retry';
import { describe, invalid } from './validate';

export type HeadersHook = () => Record<string, string> | Promise<Record<string, string>>;

export interface HttpOptions {
  url: string;
  headers?: HeadersHook;
  timeoutMs: number;
  fetch: typeof globalThis.fetch;
  retry: RetryOptions;
}

export interface HttpRequest {
  method: HttpMethod;
  path: string;
  query?: Record<string, string | number | undefined>;
  /** A JSON value, or a JSON text already serialized. */
  body?: unknown;
  /** Safe to send twice. Defaults to true for GET and DELETE. */
  idempotent?: boolean;
  signal?: AbortSignal;
  /** Added to the client's timeout (long polls wait on the server on purpose). */
  extraTimeoutMs?: number;
  /** Set by route() for a path parameter that cannot be right: the request fails with it, unsent. */
  refused?: SamsaError;
}

export interface HttpResponse {
  status: number;
  body: any;
  requestId: string | undefined;
  headers: Headers;
}

export class HttpClient {
  private readonly base: string;

  constructor(readonly options: HttpOptions) {
    this.base = options.url.replace(/\/+$/, '');
  }

  /** Sends with retries and returns the parsed body of a 2xx answer; throws a typed error otherwise. */
  async request<T = any>(req: HttpRequest): Promise<T> {
    const idempotent = isIdempotent(req);
    const { retries } = this.options.retry;
    for (let attempt = 0; ; attempt++) {
      let error: SamsaError;
      let retryAfterMs = 0;
      try {
        const res = await this.once(req);
        if (res.status >= 200 && res.status < 300) return res.body as T;
        error = apiErrorFrom(res.status, res.body, res.requestId, idempotent);
        retryAfterMs = retryAfter(res.headers);
      } catch (err) {
        if (!(err instanceof SamsaError)) throw err;
        error = err;
      }
      if (!error.retriable || attempt >= retries) throw error;
      await this.backoff(attempt, retryAfterMs, req.signal);
    }
  }

  /** Waits before retry number `attempt` (0-based), at least `retryAfterMs` within the cap; ABORTED when the signal fires. */
  async backoff(attempt: number, retryAfterMs: number, signal?: AbortSignal, retry: RetryOptions = this.options.retry): Promise<void> {
    try {
      await sleep(Math.max(backoffDelay(attempt, retry), Math.min(retryAfterMs, retry.maxDelayMs)), signal);
    } catch {
      throw aborted();
    }
  }

  /**
   * One attempt: any HTTP answer comes back as it is (callers such as the
   * producer read per-record results from error answers); only a missing
   * answer throws, as SamsaNetworkError, SamsaTimeoutError, or ABORTED when
   * the caller's signal fired.
   */
  async once(req: HttpRequest): Promise<HttpResponse> {
    if (req.refused !== undefined) throw req.refused;
    const idempotent = isIdempotent(req);
    const headers: Record<string, string> = { accept: 'application/json', ...(await this.options.headers?.()) };
    let body: string | undefined;
    if (req.body !== undefined) {
      body = typeof req.body === 'string' ? req.body : JSON.stringify(req.body);
      headers['content-type'] = 'application/json';
    }
    const controller = new AbortController();
    const timeoutMs = this.options.timeoutMs + (req.extraTimeoutMs ?? 0);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, timeoutMs);
    const onAbort = () => controller.abort();
    req.signal?.addEventListener('abort', onAbort, { once: true });
    try {
      if (req.signal?.aborted) throw aborted();
      let res: Response;
      try {
        res = await this.options.fetch(this.url(req), { method: req.method, headers, body, signal: controller.signal });
      } catch (err) {
        throw this.noAnswer(err, req, timedOut, timeoutMs, idempotent);
      }
      let text: string;
      try {
        text = await res.text();
      } catch (err) {
        throw this.noAnswer(err, req, timedOut, timeoutMs, idempotent);
      }
      return { status: res.status, body: parseBody(text, res.status), requestId: res.headers.get('x-request-id') ?? undefined, headers: res.headers };
    } finally {
      clearTimeout(timer);
      req.signal?.removeEventListener('abort', onAbort);
    }
  }

  private url(req: HttpRequest): string {
    const params = new URLSearchParams();
    for (const [name, value] of Object.entries(req.query ?? {})) {
      if (value !== undefined) params.set(name, String(value));
    }
    const query = params.toString();
    return `${this.base}${req.path}${query === '' ? '' : `?${query}`}`;
  }

  private noAnswer(err: unknown, req: HttpRequest, timedOut: boolean, timeoutMs: number, idempotent: boolean): SamsaError {
    if (req.signal?.aborted) return aborted();
    const what = `${req.method} ${this.base}${req.path}`;
    return timedOut
      ? new SamsaTimeoutError(`${what} got no answer within ${timeoutMs} ms.`, { retriable: idempotent })
      : new SamsaNetworkError(`${what} failed: ${describeCause(err)}.`, { retriable: idempotent, cause: err });
  }
}

/**
 * Method and path of a route of the protocol's table (lib/protocol/routes.ts),
 * parameters percent-encoded: `request({ ...route('describeTopic', { topic }) })`.
 * A parameter that is not a name (an empty string, undefined) or a partition
 * that is not an integer makes the request fail unsent rather than reach
 * another path (`/v1/topics/undefined`); as a rejection of the request, so
 * methods that return a promise reject instead of throwing.
 */
export function route<R extends RouteId>(
  id: R,
  ...params: keyof RouteParams<R> extends never ? [] : [RouteParams<R>]
): { method: HttpMethod; path: string; refused?: SamsaError } {
  const values: Record<string, unknown> = params[0] ?? {};
  for (const name of Object.keys(values)) {
    const value = values[name];
    const partition = name === 'partition';
    if (partition ? !(Number.isSafeInteger(value) && (value as number) >= 0) : typeof value !== 'string' || value === '') {
      const refused = invalid(`Invalid ${name}: ${partition ? 'a non-negative integer' : 'a non-empty string'}; got ${describe(value)}.`);
      return { method: ROUTES[id].method, path: '', refused };
    }
  }
  return { method: ROUTES[id].method, path: routePath(id, values as RouteParams<R>) };
}

/** Percent-encodes each path segment. */
export function path(strings: TemplateStringsArray, ...values: (string | number)[]): string {
  return strings.reduce((out, s, i) => out + s + (i < values.length ? encodeURIComponent(String(values[i])) : ''), '');
}

function isIdempotent(req: HttpRequest): boolean {
  return req.idempotent ?? (req.method === 'GET' || req.method === 'DELETE');
}

/** `Retry-After` in seconds (the server sends it with THROTTLED). */
export function retryAfter(headers: Headers): number {
  const seconds = Number(headers.get('retry-after'));
  return Number.isFinite(seconds) && seconds > 0 ? seconds * 1000 : 0;
}

function parseBody(text: string, status: number): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch (err) {
    if (status >= 200 && status < 300) {
      throw new SamsaError('INVALID_RESPONSE', `The server answered ${status} with a body that is not JSON.`, { cause: err });
    }
    return { message: text.slice(0, 200) };
  }
}

export function aborted(): SamsaError {
  return new SamsaError('ABORTED', 'The request was aborted.');
}

/** Node's fetch says only "fetch failed"; the reason (ECONNREFUSED, bad port, …) is in its cause. */
function describeCause(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause = (err as { cause?: unknown }).cause;
  if (!(cause instanceof Error)) return err.message;
  const code = (cause as { code?: unknown }).code;
  return `${err.message} (${typeof code === 'string' ? code : cause.message})`;
}

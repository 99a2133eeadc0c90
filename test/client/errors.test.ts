import { describe, expect, it } from 'vitest';
import { ERROR_CODES, type ErrorCode } from '../../lib/protocol/errors';
import {
  AuthenticationError,
  AuthorizationError,
  ConflictError,
  InvalidRequestError,
  NotFoundError,
  OffsetMismatchError,
  OffsetOutOfRangeError,
  Samsa,
  SamsaApiError,
  SamsaError,
  SamsaNetworkError,
  SamsaTimeoutError,
  ThrottledError,
  UnavailableError,
  UnknownTopicIdError,
  InternalServerError,
} from '../../client';
import { apiErrorFrom, recordErrorFrom, type SamsaApiError as ApiErrorInstance } from '../../client/errors';
import { backoffDelay, DEFAULT_RETRY } from '../../client/retry';

/** A fetch that answers from a script, one entry per call, and counts calls. */
function scripted(...answers: (Response | Error)[]): { fetch: typeof fetch; calls: () => number } {
  let calls = 0;
  return {
    calls: () => calls,
    fetch: async () => {
      const answer = answers[Math.min(calls++, answers.length - 1)]!;
      if (answer instanceof Error) throw answer;
      return answer.clone();
    },
  };
}

const envelope = (status: number, error: Record<string, unknown>) =>
  new Response(JSON.stringify({ error: { requestId: 'req-1', ...error } }), { status, headers: { 'content-type': 'application/json' } });

const ok = (body: unknown) => new Response(JSON.stringify(body), { status: 200, headers: { 'content-type': 'application/json' } });

const client = (fetch: typeof globalThis.fetch) => new Samsa({ url: 'http://samsa.test', fetch, retry: { retries: 3, initialDelayMs: 1, maxDelayMs: 2 } });

/** The class the SDK documents for each status the server uses (client/errors.ts); a new status needs a row here. */
const CLASS_BY_STATUS: Record<number, abstract new (...args: never[]) => ApiErrorInstance> = {
  400: InvalidRequestError,
  401: AuthenticationError,
  403: AuthorizationError,
  404: NotFoundError,
  405: InvalidRequestError,
  409: ConflictError,
  412: OffsetMismatchError,
  413: InvalidRequestError,
  415: InvalidRequestError,
  416: OffsetOutOfRangeError,
  429: ThrottledError,
  500: InternalServerError,
  503: UnavailableError,
};

const expectedClass = (code: ErrorCode) => (code === 'UNKNOWN_TOPIC_ID' ? UnknownTopicIdError : CLASS_BY_STATUS[ERROR_CODES[code].status]);

describe('SDK errors', () => {
  // The SDK reads the protocol's table itself; this pins what it makes of every code in it.
  it.each(Object.keys(ERROR_CODES) as ErrorCode[])('maps %s to its class, status and retriable flag', (code) => {
    const { status, retriable } = ERROR_CODES[code];
    const ErrorClass = expectedClass(code);
    expect(ErrorClass, `a class for status ${status}`).toBeDefined();

    const answered = apiErrorFrom(status, { error: { code, message: 'm', retriable, requestId: 'r' } }, undefined, true);
    expect(answered).toBeInstanceOf(ErrorClass!);
    expect(answered).toMatchObject({ code, status, retriable, requestId: 'r' });

    // A failed record of a produce answer carries no status: the SDK takes it from the table.
    const record = recordErrorFrom({ code, message: 'm', retriable }, 'r', 207);
    expect(record).toBeInstanceOf(ErrorClass!);
    expect(record).toMatchObject({ code, status, retriable });

    // Without the flag (a proxy's rewrite), the code's own applies.
    expect(apiErrorFrom(status, { error: { code, message: 'm' } }, undefined, true).retriable).toBe(retriable);
  });

  it('turns an error envelope into the typed class with code, status, retriable, requestId and details', async () => {
    const { fetch } = scripted(envelope(416, { code: 'OFFSET_OUT_OF_RANGE', message: 'out', retriable: false, logStartOffset: 3, highWatermark: 9 }));
    const err = await client(fetch).fetchRecords({ topic: 't', partition: 0, offset: 1 }).catch((e) => e);
    expect(err).toBeInstanceOf(OffsetOutOfRangeError);
    expect(err).toBeInstanceOf(SamsaApiError);
    expect(err).toBeInstanceOf(SamsaError);
    expect(err).toMatchObject({ code: 'OFFSET_OUT_OF_RANGE', status: 416, retriable: false, requestId: 'req-1', logStartOffset: 3, highWatermark: 9 });
    expect(err.details).toEqual({ logStartOffset: 3, highWatermark: 9 });
    expect(err.message).toBe('out');
  });

  it.each([
    [400, 'INVALID_TOPIC', InvalidRequestError],
    [401, 'UNAUTHENTICATED', AuthenticationError],
    [403, 'AUTHORIZATION_FAILED', AuthorizationError],
    [404, 'UNKNOWN_TOPIC_OR_PARTITION', NotFoundError],
    [409, 'TOPIC_ALREADY_EXISTS', ConflictError],
    [412, 'OFFSET_MISMATCH', OffsetMismatchError],
    [429, 'THROTTLED', ThrottledError],
    [429, 'QUOTA_EXCEEDED', ThrottledError],
    [503, 'UNAVAILABLE', UnavailableError],
  ])('maps status %i (%s) to its class', async (status, code, ErrorClass) => {
    const { fetch } = scripted(envelope(status, { code, message: code, retriable: false }));
    await expect(client(fetch).topics.list()).rejects.toBeInstanceOf(ErrorClass);
  });

  it('retries an error the server marks retriable, then succeeds', async () => {
    const { fetch, calls } = scripted(envelope(503, { code: 'UNAVAILABLE', message: 'later', retriable: true }), ok({ topics: [] }));
    await expect(client(fetch).topics.list()).resolves.toEqual([]);
    expect(calls()).toBe(2);
  });

  it('never retries a 4xx the server does not mark retriable', async () => {
    const { fetch, calls } = scripted(envelope(400, { code: 'INVALID_TOPIC', message: 'bad', retriable: false }), ok({}));
    await expect(client(fetch).topics.create({ name: '??' })).rejects.toMatchObject({ code: 'INVALID_TOPIC', retriable: false });
    expect(calls()).toBe(1);
  });

  it('gives up after the configured retries with the last error', async () => {
    const { fetch, calls } = scripted(envelope(429, { code: 'THROTTLED', message: 'slow down', retriable: true }));
    await expect(client(fetch).topics.list()).rejects.toBeInstanceOf(ThrottledError);
    expect(calls()).toBe(4);
  });

  it('retries a network error on an idempotent request but not on a plain POST', async () => {
    const get = scripted(new TypeError('fetch failed'), ok({ topics: [] }));
    await expect(client(get.fetch).topics.list()).resolves.toEqual([]);
    expect(get.calls()).toBe(2);

    const post = scripted(new TypeError('fetch failed'), ok({}));
    const err = await client(post.fetch).topics.create({ name: 'x' }).catch((e) => e);
    expect(err).toBeInstanceOf(SamsaNetworkError);
    expect(err).toMatchObject({ code: 'NETWORK_ERROR', retriable: false });
    expect(post.calls()).toBe(1);
  });

  it('treats a gateway 502 without an envelope as an unknown outcome', async () => {
    const gateway = () => new Response(JSON.stringify({ message: 'Internal Server Error' }), { status: 502 });
    const post = scripted(gateway(), ok({}));
    await expect(client(post.fetch).topics.create({ name: 'x' })).rejects.toMatchObject({ code: 'UNAVAILABLE', status: 502, retriable: false });
    expect(post.calls()).toBe(1);
    const get = scripted(gateway(), ok({ topics: [] }));
    await expect(client(get.fetch).topics.list()).resolves.toEqual([]);
  });

  it("treats a gateway's 401 without an envelope as UNAUTHENTICATED", async () => {
    const { fetch, calls } = scripted(new Response(JSON.stringify({ message: 'Unauthorized' }), { status: 401 }));
    const err = await client(fetch).topics.list().catch((e) => e);
    expect(err).toBeInstanceOf(AuthenticationError);
    expect(err).toMatchObject({ code: 'UNAUTHENTICATED', status: 401, retriable: false, message: 'Unauthorized' });
    expect(calls()).toBe(1);
  });

  it('times out a request that gets no answer within timeoutMs', async () => {
    const hanging: typeof fetch = (_input, init) =>
      new Promise((_resolve, reject) => init?.signal?.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError'))));
    const samsa = new Samsa({ url: 'http://samsa.test', fetch: hanging, timeoutMs: 20, retry: { retries: 0 } });
    const err = await samsa.topics.list().catch((e) => e);
    expect(err).toBeInstanceOf(SamsaTimeoutError);
    expect(err.code).toBe('TIMEOUT');
  });

  it('calls the headers hook on every attempt', async () => {
    const seen: (string | null)[] = [];
    let n = 0;
    const fetch: typeof globalThis.fetch = async (_input, init) => {
      seen.push(new Headers(init?.headers).get('authorization'));
      return n++ === 0 ? envelope(503, { code: 'UNAVAILABLE', message: 'x', retriable: true }) : ok({ topics: [] });
    };
    let token = 0;
    const samsa = new Samsa({ url: 'http://samsa.test/', fetch, headers: async () => ({ authorization: `Bearer ${++token}` }), retry: { initialDelayMs: 1 } });
    await samsa.topics.list();
    expect(seen).toEqual(['Bearer 1', 'Bearer 2']);
  });

  it('backs off with full jitter inside an exponentially growing, capped window', () => {
    expect(backoffDelay(0, DEFAULT_RETRY, () => 0.999)).toBe(99);
    expect(backoffDelay(3, DEFAULT_RETRY, () => 0.5)).toBe(400);
    expect(backoffDelay(20, DEFAULT_RETRY, () => 0.999)).toBe(4995);
    expect(backoffDelay(5, DEFAULT_RETRY, () => 0)).toBe(0);
  });
});

/**
 * Request logs and EMF metrics (functions/http/observability.ts,
 * functions/telemetry/) through the same Hono app the functions run: what
 * a produce, a fetch, an error, a throttle and a dead writer write to
 * stdout/stderr, and that no record key or value ever appears there.
 */
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { METRICS, METRICS_NAMESPACE } from '../../functions/telemetry/names';
import { Telemetry } from '../../functions/telemetry/telemetry';
import { ANONYMOUS } from '../../lib/auth/authorize';
import type { LibContext } from '../../lib/context';
import { InjectedCrash } from '../../lib/log/crash-points';
import { produce } from '../../lib/log/produce';
import { readerAbortsSecondItem } from '../support/abort-transaction';
import { awsError, ddbHook, isBatchPut, ManualClock, type CallHook } from '../support/ddb-faults';
import { createTestStack, uniqueName, type TestStack } from '../support/stack';

const SERVICE = 'samsa-observability-test';
const ABORT_AFTER_MS = 2_000;
const SKEW_MS = 50;

let stack: TestStack;
let clock: ManualClock;
let fault: CallHook | undefined;
/** The same, before the document client marshals (test/support/abort-transaction.ts reads the plain item). */
let docFault: CallHook | undefined;
let output: string[];
const writes: { stream: NodeJS.WriteStream; original: NodeJS.WriteStream['write'] }[] = [];

beforeAll(async () => {
  stack = await createTestStack({
    limits: { abortAfterMs: ABORT_AFTER_MS, maxClockSkewMs: SKEW_MS },
    plugins: [
      ddbHook('initialize', (call, next) => (docFault === undefined ? next() : docFault(call, next))),
      ddbHook('wire', (call, next) => (fault === undefined ? next() : fault(call, next))),
    ],
    telemetry: new Telemetry({ serviceName: SERVICE, logLevel: 'INFO' }),
  });
  clock = new ManualClock();
  stack.lib.clock = clock;
});

// Powertools writes through its own Console on process.stdout / process.stderr. The lines are captured,
// not passed on: these tests provoke errors on purpose (an 'unexpected error' with its stack among them),
// and a passing run stays quiet. A failing test prints everything its run wrote, after its own report.
beforeEach(({ onTestFailed }) => {
  output = [];
  const transcript: { stream: NodeJS.WriteStream; chunk: unknown }[] = [];
  for (const stream of [process.stdout, process.stderr]) {
    const original = stream.write;
    writes.push({ stream, original });
    stream.write = ((chunk: unknown, ...rest: unknown[]) => {
      output.push(String(chunk));
      transcript.push({ stream, chunk });
      // A caller may wait for the write's callback (write(chunk, cb) or write(chunk, encoding, cb)).
      const done = rest.find((arg): arg is () => void => typeof arg === 'function');
      if (done !== undefined) queueMicrotask(done);
      return true;
    }) as NodeJS.WriteStream['write'];
  }
  onTestFailed(() => {
    for (const { stream, chunk } of transcript) stream.write(chunk as string);
  });
});

afterEach(() => {
  for (const { stream, original } of writes.splice(0)) stream.write = original;
  fault = undefined;
  docFault = undefined;
});

type Json = Record<string, any>;

function jsonLines(): Json[] {
  return output
    .join('')
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Json);
}

function requestLines(): Json[] {
  return jsonLines().filter((l) => l.message === 'request');
}

/** EMF blobs carrying `metric`, with their dimension names and values. */
function emf(metric: string): { dimensions: string[][]; values: Json; units: Record<string, string> }[] {
  return jsonLines()
    .filter((l) => l._aws?.CloudWatchMetrics?.[0]?.Metrics?.some((m: Json) => m.Name === metric))
    .map((l) => {
      const directive = l._aws.CloudWatchMetrics[0];
      expect(directive.Namespace).toBe(METRICS_NAMESPACE);
      return {
        dimensions: directive.Dimensions,
        values: l,
        units: Object.fromEntries(directive.Metrics.map((m: Json) => [m.Name, m.Unit])),
      };
    });
}

async function topic(partitions = 1): Promise<string> {
  const name = uniqueName('obs');
  expect((await stack.call('POST', '/v1/topics', { name, partitions })).status).toBe(201);
  return name;
}

const str = (data: string) => ({ type: 'STRING' as const, data });

describe('request logs', () => {
  it('logs one line per request with request id, route, path template, principal, topic, status and duration', async () => {
    const name = await topic();
    output = [];
    const res = await stack.call('POST', `/v1/topics/${name}/records`, { records: [{ partition: 0, value: str('v') }] });
    expect(res.status).toBe(200);
    const lines = requestLines();
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      level: 'INFO',
      service: SERVICE,
      requestId: res.headers.get('x-request-id'),
      route: 'produce',
      method: 'POST',
      path: '/v1/topics/:topic/records',
      principal: ANONYMOUS.name,
      topic: name,
      status: 200,
      durationMs: expect.any(Number),
      traffic: [{ topic: name, direction: 'in', records: 1, bytes: 1 }],
    });
    expect(lines[0]!.code).toBeUndefined();
  });

  it('never writes record keys, values or headers, nor the Authorization header', async () => {
    const name = await topic(2);
    output = [];
    const secretKey = 'key-3f9c1e-never-logged';
    const secretValue = 'value-8a7b2d-never-logged';
    const secretHeader = 'header-5e4d3c-never-logged';
    await stack.call(
      'POST',
      `/v1/topics/${name}/records`,
      {
        records: [
          { key: str(secretKey), value: str(secretValue), headers: [{ name: 'h', value: secretHeader }] },
          { key: { type: 'JSON', data: { secretKey } }, value: { type: 'BINARY', data: Buffer.from(secretValue).toString('base64') } },
        ],
      },
      { authorization: 'Bearer token-0d1e2f-never-logged' },
    );
    for (const p of [0, 1]) await stack.call('GET', `/v1/topics/${name}/partitions/${p}/records?offset=0`);
    const text = output.join('');
    expect(requestLines().length).toBe(3);
    for (const secret of [secretKey, secretValue, secretHeader, 'token-0d1e2f', Buffer.from(secretValue).toString('base64')]) {
      expect(text).not.toContain(secret);
    }
  });

  it('logs the error code of a failed request', async () => {
    const res = await stack.call('POST', `/v1/topics/${uniqueName('missing')}/records`, { records: [{ value: str('v') }] });
    expect(res.status).toBe(404);
    expect(requestLines()[0]).toMatchObject({ route: 'produce', status: 404, code: 'UNKNOWN_TOPIC_OR_PARTITION' });
    // Off the contract check: the path is deliberately not an operation of the OpenAPI document.
    const unmatched = await stack.call('GET', '/v1/nowhere', undefined, {}, { contract: false });
    expect(unmatched.status).toBe(404);
    expect(requestLines()[1]).toMatchObject({ route: 'unmatched', status: 404, code: 'ROUTE_NOT_FOUND' });
  });
});

describe('EMF metrics', () => {
  it('a produce emits RecordsIn and BytesIn (key + value bytes) per topic, and Latency per route', async () => {
    const name = await topic();
    output = [];
    const res = await stack.call('POST', `/v1/topics/${name}/records`, {
      records: [
        { partition: 0, key: str('ab'), value: str('héllo') }, // 2 + 6 bytes
        { partition: 0, value: { type: 'BINARY', data: 'AAEC' } }, // 3 bytes
        { partition: 0, value: { type: 'JSON', data: { n: 1 } } }, // {"n":1} = 7 bytes
      ],
    });
    expect(res.status).toBe(200);
    const [traffic, ...more] = emf(METRICS.recordsIn);
    expect(more).toEqual([]);
    expect(traffic!.dimensions).toEqual([['service', 'topic']]);
    expect(traffic!.values).toMatchObject({ service: SERVICE, topic: name, RecordsIn: 3, BytesIn: 18 });
    expect(traffic!.units).toEqual({ RecordsIn: 'Count', BytesIn: 'Bytes' });
    const [latency] = emf(METRICS.latency);
    expect(latency!.dimensions).toEqual([['service', 'route']]);
    expect(latency!.values).toMatchObject({ service: SERVICE, route: 'produce', Latency: expect.any(Number) });
    expect(latency!.units).toEqual({ Latency: 'Milliseconds' });
  });

  it('without per-topic metrics (samsa:topicMetrics=false) publishes traffic under service alone', async () => {
    const flat = await createTestStack({ telemetry: new Telemetry({ serviceName: SERVICE, logLevel: 'WARN', perTopic: false }) });
    const name = uniqueName('obs');
    await flat.call('POST', '/v1/topics', { name });
    output = [];
    expect((await flat.call('POST', `/v1/topics/${name}/records`, { records: [{ value: str('abc') }] })).status).toBe(200);
    const [traffic] = emf(METRICS.recordsIn);
    expect(traffic!.dimensions).toEqual([['service']]);
    expect(traffic!.values).toMatchObject({ RecordsIn: 1, BytesIn: 3 });
    expect(traffic!.values.topic).toBeUndefined();
  });

  it('a fetch emits RecordsOut and BytesOut per topic', async () => {
    const name = await topic();
    await stack.call('POST', `/v1/topics/${name}/records`, { records: [{ partition: 0, value: str('abc') }, { partition: 0, key: str('k'), value: null }] });
    output = [];
    expect((await stack.call('GET', `/v1/topics/${name}/partitions/0/records?offset=0`)).status).toBe(200);
    const [out] = emf(METRICS.recordsOut);
    expect(out!.dimensions).toEqual([['service', 'topic']]);
    expect(out!.values).toMatchObject({ topic: name, RecordsOut: 2, BytesOut: 4 });
    expect(emf(METRICS.latency)[0]!.values.route).toBe('fetch');
  });

  it('a throttled batch write that the produce retried counts in Throttled', async () => {
    const name = await topic();
    let fired = false;
    fault = (call, next) => {
      if (fired || !isBatchPut(call)) return next();
      fired = true;
      return Promise.reject(awsError('ProvisionedThroughputExceededException'));
    };
    output = [];
    expect((await stack.call('POST', `/v1/topics/${name}/records`, { records: [{ partition: 0, value: str('v') }] })).status).toBe(200);
    const [throttled] = emf(METRICS.throttled);
    expect(throttled!.dimensions).toEqual([['service']]);
    expect(throttled!.values).toMatchObject({ service: SERVICE, Throttled: 1 });
  });

  it('an unexpected error is logged with its stack and counts in InternalErrors', async () => {
    fault = () => Promise.reject(new TypeError('injected bug'));
    output = [];
    const res = await stack.call('GET', '/v1/topics');
    expect(res.status).toBe(500);
    const error = jsonLines().find((l) => l.message === 'unexpected error');
    expect(error).toMatchObject({ level: 'ERROR', requestId: res.body.error.requestId, code: 'INTERNAL_ERROR' });
    expect(error!.error).toMatchObject({ name: 'TypeError', message: 'injected bug', stack: expect.stringContaining('TypeError') });
    expect(emf(METRICS.internalErrors)[0]!.values).toMatchObject({ InternalErrors: 1 });
  });

  it('a retriable 5xx is an expected outcome: logged at WARN with its code, never as an unexpected error', async () => {
    // A transaction whose reservation a reader closed first: 503 RESERVATION_ABORTED, retriable.
    const [a, b] = [await topic(2), await topic()];
    docFault = readerAbortsSecondItem(stack);
    output = [];
    const aborted = await stack.call('POST', '/v1/transactions', {
      records: [
        { topic: a, partition: 0, value: str('x') },
        { topic: a, partition: 1, value: str('y') },
        { topic: b, partition: 0, value: str('z') },
      ],
    });
    expect([aborted.status, aborted.body.error.code]).toEqual([503, 'RESERVATION_ABORTED']);
    expect(jsonLines().filter((l) => l.level === 'ERROR')).toEqual([]);
    expect(jsonLines().find((l) => l.message === 'retriable error')).toMatchObject({
      level: 'WARN',
      requestId: aborted.body.error.requestId,
      route: 'POST /v1/transactions',
      code: 'RESERVATION_ABORTED',
      reason: expect.stringContaining('aborted by a reader'),
    });
    expect(emf(METRICS.internalErrors)).toEqual([]);

    // Storage unavailable (an AWS 500 the SDK gave up on): 503 UNAVAILABLE, WARN with the AWS error's name.
    fault = () => Promise.reject(awsError('InternalServerError'));
    output = [];
    const unavailable = await stack.call('GET', '/v1/topics');
    expect([unavailable.status, unavailable.body.error.code]).toEqual([503, 'UNAVAILABLE']);
    expect(jsonLines().filter((l) => l.level === 'ERROR')).toEqual([]);
    expect(jsonLines().find((l) => l.message === 'retriable error')).toMatchObject({ level: 'WARN', code: 'UNAVAILABLE', cause: expect.stringContaining('InternalServerError') });
  });

  it('a reader closing a dead writer\'s reservation emits AbortedReservations and logs the partition', async () => {
    const name = await topic();
    const dying: LibContext = {
      ...stack.lib,
      crash: (point) => {
        if (point === 'produce.afterReserve') throw new InjectedCrash(point);
      },
    };
    await produce(dying, ANONYMOUS, name, { records: [{ partition: 0, value: str('dead') }] });
    clock.advance(ABORT_AFTER_MS + SKEW_MS + 500);
    output = [];
    const res = await stack.call('GET', `/v1/topics/${name}/partitions/0/records?offset=0`);
    expect(res.body.abortedRanges).toEqual([{ from: 0, to: 1 }]);
    const [aborted] = emf(METRICS.abortedReservations);
    expect(aborted!.dimensions).toEqual([['service']]);
    expect(aborted!.values).toMatchObject({ AbortedReservations: 1 });
    expect(jsonLines().find((l) => l.message === 'reservation aborted')).toMatchObject({ level: 'WARN', topic: name, partition: 0 });
  });
});

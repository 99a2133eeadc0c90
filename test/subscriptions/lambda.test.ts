/**
 * Lambda function targets against the local stack (DynamoDB Local) and a
 * stand-in for Lambda's Invoke API (./lambda-server.ts) reached through the
 * real @aws-sdk/client-lambda, as `npm start -- --lambda-endpoint URL` runs
 * it: order per partition, batch bounds, commits only after an invocation
 * without a function error, failed attempts (function error, throttling)
 * retried with backoff, the dead-letter topic, the allow-list, and the end
 * to end path from a produce through DynamoDB Local's stream.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ANONYMOUS } from '../../lib/auth/authorize';
import { fetchRecords } from '../../lib/log/fetch';
import { DEAD_LETTER_HEADERS } from '../../lib/protocol/subscription-types';
import { localCredentials } from '../../lib/storage/client';
import { createSubscription } from '../../lib/subscriptions/create';
import { deliver, retryDelay } from '../../lib/subscriptions/deliver';
import { describeSubscription } from '../../lib/subscriptions/describe';
import { fetchTransport, type DeliveryPorts } from '../../lib/subscriptions/ports';
import { startStreamConsumers, type StreamConsumers } from '../../local/streams';
import { localDelivery, localLambda, type LocalDelivery } from '../../local/subscriptions';
import { createTestStack, uniqueName, type TestStack } from '../support/stack';
import { LambdaServer } from './lambda-server';

const ARN = 'arn:aws:lambda:us-east-1:123456789012:function:samsa-target-billing';
let stack: TestStack;
const lambda = new LambdaServer();
let endpoint: string;
let ports: DeliveryPorts;
const wakes: { name: string; at: number }[] = [];
const run = (name: string, p: DeliveryPorts = ports) => deliver(stack.lib, p, name, { deadline: Date.now() + 10_000 });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  stack = await createTestStack();
  endpoint = await lambda.start();
  ports = { transport: fetchTransport, scheduler: { wakeAt: async (name, at) => void wakes.push({ name, at }) }, lambda: localLambda(endpoint) };
});
afterAll(() => lambda.stop());

async function setup(partitions: number, extra: { maxAttempts?: number; maxRecords?: number; retryBackoffMs?: number; endpoint?: string } = {}) {
  const topic = uniqueName();
  const dlq = uniqueName('dlq');
  for (const name of [topic, dlq]) expect((await stack.call('POST', '/v1/topics', { name, partitions })).status).toBe(201);
  const name = uniqueName('sub');
  await createSubscription(stack.lib, ANONYMOUS, { name, topic, endpoint: ARN, deadLetterTopic: dlq, retryBackoffMs: 100, ...extra });
  return { topic, dlq, name };
}

async function produce(topic: string, values: string[], partition?: number) {
  const records = values.map((v) => ({ value: { type: 'STRING', data: v }, ...(partition === undefined ? {} : { partition }) }));
  expect((await stack.call('POST', `/v1/topics/${topic}/records`, { records })).status).toBe(200);
}

const partitionOf = async (name: string, p = 0) => (await describeSubscription(stack.lib, ANONYMOUS, name)).partitions[p]!;

describe('Lambda function targets', () => {
  it('invokes the function with the webhook body, per partition in order, at most maxRecords per invocation, and commits after each', async () => {
    const { topic, name } = await setup(2, { maxRecords: 2 });
    await produce(topic, ['a0', 'a1', 'a2', 'a3', 'a4'], 0);
    await produce(topic, ['b0'], 1);
    expect(await run(name)).toMatchObject({ outcome: 'delivered', delivered: 6, failures: 0 });
    const got = lambda.of(name);
    expect(got.every((i) => i.functionName === ARN)).toBe(true);
    expect(got.every((i) => i.json.topic === topic && i.json.records.length <= 2)).toBe(true);
    const values = (p: number) => got.filter((i) => i.json.partition === p).map((i) => i.json.records.map((r) => [r.offset, r.value?.data]));
    expect(values(0)).toEqual([[[0, 'a0'], [1, 'a1']], [[2, 'a2'], [3, 'a3']], [[4, 'a4']]]);
    expect(values(1)).toEqual([[[0, 'b0']]]);
    expect(got[0]!.json.records[0]).toEqual({ offset: 0, timestamp: expect.any(Number), key: null, value: { type: 'STRING', data: 'a0' }, headers: [] });
    const d = await describeSubscription(stack.lib, ANONYMOUS, name);
    expect(d.partitions.map((p) => [p.committedOffset, p.lag])).toEqual([[5, 0], [1, 0]]);
    // Committed: another run invokes nothing.
    expect(await run(name)).toMatchObject({ delivered: 0 });
    expect(lambda.of(name)).toHaveLength(got.length);
  });

  it('invokes a qualified ARN (alias) as given', async () => {
    const { topic, name } = await setup(1, { endpoint: `${ARN}:live` });
    await produce(topic, ['q']);
    expect(await run(name)).toMatchObject({ delivered: 1 });
    expect(lambda.of(name).map((i) => i.functionName)).toEqual([`${ARN}:live`]);
  });

  it('a function error is a failed attempt: nothing committed, lastError names the error, retried after the backoff', async () => {
    const { topic, name } = await setup(1, { retryBackoffMs: 2_000 });
    await produce(topic, ['x0', 'x1']);
    lambda.script = ['error'];
    expect(await run(name)).toMatchObject({ delivered: 0, failures: 1 });
    expect(await partitionOf(name)).toMatchObject({ committedOffset: 0, lag: 2, attempts: 1, lastError: 'Lambda function error (Unhandled): Error: boom' });
    expect(wakes.filter((w) => w.name === name)).toHaveLength(1);
    // Within the backoff: not invoked again.
    expect(await run(name)).toMatchObject({ delivered: 0, failures: 0 });
    expect(lambda.of(name)).toHaveLength(1);
    await sleep(retryDelay(2_000, 1) + 20);
    expect(await run(name)).toMatchObject({ delivered: 2 });
    expect(await partitionOf(name)).toMatchObject({ committedOffset: 2, attempts: 0, lastError: null });
    expect(lambda.of(name).map((i) => i.json.records.map((r) => r.offset))).toEqual([[0, 1], [0, 1]]);
  });

  it('throttling (429) and service errors are failed attempts; after maxAttempts the batch is dead-lettered with the headers, and later records continue', async () => {
    const { topic, dlq, name } = await setup(1, { maxAttempts: 3 });
    await produce(topic, ['bad0', 'bad1']);
    lambda.script = ['error', 'throttle', 'server'];
    expect(await run(name)).toMatchObject({ failures: 1 });
    await sleep(retryDelay(100, 1) + 20);
    expect(await run(name)).toMatchObject({ failures: 1 });
    expect(await partitionOf(name)).toMatchObject({ attempts: 2, lastError: 'Lambda invoke failed: TooManyRequestsException (HTTP 429): Rate Exceeded.' });
    await sleep(retryDelay(100, 2) + 20);
    expect(await run(name)).toMatchObject({ deadLettered: 2 });
    const out = await fetchRecords(stack.lib, ANONYMOUS, { topic: dlq, partition: 0, offset: 0, maxRecords: 10, maxBytes: 1_000_000, maxWaitMs: 0 });
    expect(out.records.map((r) => Buffer.from(r.value!).toString())).toEqual(['bad0', 'bad1']);
    const headers = Object.fromEntries(out.records[1]!.headers.map((h) => [h.key, Buffer.from(h.value!).toString()]));
    expect(headers).toEqual({
      [DEAD_LETTER_HEADERS.error]: expect.stringMatching(/^Lambda invoke failed: \w+ \(HTTP 500\)/),
      [DEAD_LETTER_HEADERS.attempts]: '3',
      [DEAD_LETTER_HEADERS.subscription]: name,
      [DEAD_LETTER_HEADERS.topic]: topic,
      [DEAD_LETTER_HEADERS.partition]: '0',
      [DEAD_LETTER_HEADERS.offset]: '1',
    });
    expect(await partitionOf(name)).toMatchObject({ committedOffset: 2, attempts: 0, lastError: null });
    await produce(topic, ['good']);
    expect(await run(name)).toMatchObject({ delivered: 1 });
    expect(lambda.of(name).map((i) => i.json.records.map((r) => r.offset))).toEqual([[0, 1], [0, 1], [0, 1], [2]]);
  });

  it('a long error message is cut in lastError', async () => {
    const { topic, name } = await setup(1);
    await produce(topic, ['long']);
    lambda.errorMessage = 'x'.repeat(5_000);
    lambda.script = ['error'];
    try {
      await run(name);
    } finally {
      lambda.errorMessage = 'boom';
    }
    const { lastError } = await partitionOf(name);
    expect(lastError).toMatch(/^Lambda function error \(Unhandled\): Error: x+…$/);
    expect(lastError!.length).toBeLessThanOrEqual(400);
  });

  it('without a Lambda invoker, or to a function the deployment does not allow, the attempt fails and says why, invoking nothing', async () => {
    const a = await setup(1);
    await produce(a.topic, ['n']);
    expect(await run(a.name, { ...ports, lambda: undefined })).toMatchObject({ failures: 1 });
    expect((await partitionOf(a.name)).lastError).toMatch(/--lambda-endpoint/);
    const b = await setup(1);
    await produce(b.topic, ['n']);
    const only = { ...ports, lambda: { ...ports.lambda!, allowed: ['arn:aws:lambda:us-east-1:123456789012:function:other-*'] } };
    expect(await run(b.name, only)).toMatchObject({ failures: 1 });
    expect((await partitionOf(b.name)).lastError).toMatch(/not allowed.*samsa:subscriptionLambdaTargets/);
    expect([...lambda.of(a.name), ...lambda.of(b.name)]).toEqual([]);
  });

  it('create checks the ARN against the allowed patterns when given them', async () => {
    const topic = uniqueName();
    const dlq = uniqueName('dlq');
    for (const n of [topic, dlq]) expect((await stack.call('POST', '/v1/topics', { name: n, partitions: 1 })).status).toBe(201);
    const body = (endpoint: string) => ({ name: uniqueName('sub'), topic, endpoint, deadLetterTopic: dlq });
    const lambdaTargets = ['arn:aws:lambda:us-east-1:123456789012:function:samsa-target-*'];
    await expect(createSubscription(stack.lib, ANONYMOUS, body('arn:aws:lambda:us-east-1:123456789012:function:payroll'), { lambdaTargets })).rejects.toMatchObject({
      code: 'INVALID_SUBSCRIPTION',
      message: expect.stringContaining('not an allowed target'),
    });
    await expect(createSubscription(stack.lib, ANONYMOUS, body(ARN), { lambdaTargets: [] })).rejects.toMatchObject({ code: 'INVALID_SUBSCRIPTION' });
    expect((await createSubscription(stack.lib, ANONYMOUS, body(`${ARN}:7`), { lambdaTargets })).endpoint).toBe(`${ARN}:7`);
  });
});

describe('Lambda targets from a produce, as npm start -- --lambda-endpoint runs them', () => {
  let consumers: StreamConsumers;
  let delivery: LocalDelivery;
  beforeAll(async () => {
    delivery = localDelivery(stack.lib, { lambdaEndpoint: endpoint });
    consumers = await startStreamConsumers({ endpoint: stack.endpoint, tableName: stack.tables.log, credentials: localCredentials() }, [delivery.handler]);
  });
  afterAll(async () => {
    await consumers?.stop();
    delivery?.stop();
  });

  it('invokes the function for each produce, and retries a failed invocation on a scheduled wake-up', async () => {
    const topic = uniqueName();
    const dlq = uniqueName('dlq');
    for (const n of [topic, dlq]) expect((await stack.call('POST', '/v1/topics', { name: n, partitions: 1 })).status).toBe(201);
    const name = uniqueName('sub');
    // Its own function, so a stray run of another test's subscription cannot take the scripted answer.
    const fn = 'arn:aws:lambda:us-east-1:123456789012:function:samsa-target-stream';
    const created = await stack.call('POST', '/v1/subscriptions', { name, topic, endpoint: fn, deadLetterTopic: dlq, retryBackoffMs: 200 });
    expect(created.status).toBe(201);
    lambda.scriptFor.set(fn, ['throttle']);
    await produce(topic, ['s0']);
    const end = Date.now() + 10_000;
    while (lambda.of(name).length < 2 && Date.now() < end) await sleep(25);
    expect(lambda.of(name).map((i) => i.json.records.map((r) => r.value?.data))).toEqual([['s0'], ['s0']]);
    let p = await partitionOf(name);
    while (p.committedOffset !== 1 && Date.now() < end) {
      await sleep(25);
      p = await partitionOf(name);
    }
    expect(p).toMatchObject({ committedOffset: 1, attempts: 0, lastError: null });
  });
});

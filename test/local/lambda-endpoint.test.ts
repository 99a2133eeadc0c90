/**
 * `npm start -- --lambda-endpoint URL`: the local stack invokes push
 * subscriptions' Lambda function targets at URL, here the Invoke API
 * stand-in of test/subscriptions/lambda-server.ts, through the AWS SDK; a
 * URL that is not http(s) is a usage error (exit code 2). The stack runs on
 * a DynamoDB Local of this test's own (--dynamodb-endpoint), so its stream
 * reads no other test's tables.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDynamoLocal, type DynamoLocal } from '../../local/dynamodb';
import { LambdaServer } from '../subscriptions/lambda-server';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const TSX = join(REPO, 'node_modules/.bin/tsx');
const START = join(REPO, 'local/start.ts');
const STARTED = /^Samsa is running at (\S+) /m;
const ARN = 'arn:aws:lambda:us-east-1:123456789012:function:samsa-target-local';

let dynamo: DynamoLocal;
const lambda = new LambdaServer();
let lambdaUrl: string;
let leader: ChildProcess | undefined;

beforeAll(async () => {
  [dynamo, lambdaUrl] = await Promise.all([startDynamoLocal(), lambda.start()]);
}, 120_000);
afterAll(async () => {
  // Only what this test started, by pid.
  if (leader !== undefined && leader.exitCode === null && leader.signalCode === null) leader.kill('SIGKILL');
  await lambda.stop();
  await dynamo?.stop();
});

describe.skipIf(process.platform !== 'linux')('npm start -- --lambda-endpoint', { timeout: 240_000 }, () => {
  it('refuses a URL that is not http(s), before starting anything (exit code 2)', () => {
    const run = spawnSync(TSX, [START, '--lambda-endpoint', 'ftp://127.0.0.1/x'], { cwd: mkdtempSync(join(tmpdir(), 'samsa-lambda-')), encoding: 'utf8', timeout: 60_000 });
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/--lambda-endpoint must be an http:\/\/ or https:\/\/ URL/);
    const help = spawnSync(TSX, [START, '--help'], { encoding: 'utf8', timeout: 60_000 });
    expect(help.stdout).toContain('--lambda-endpoint URL');
  });

  it('invokes a Lambda-target subscription at the endpoint for each produce, and commits', async () => {
    const child = spawn(TSX, [START, '--dynamodb-endpoint', dynamo.endpoint, '--port', '0', '--no-kafka', '--lambda-endpoint', lambdaUrl], {
      cwd: mkdtempSync(join(tmpdir(), 'samsa-lambda-')),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    leader = child;
    let output = '';
    child.stdout!.on('data', (d) => (output += d));
    child.stderr!.on('data', (d) => (output += d));
    const exited = new Promise<void>((done) => child.once('exit', () => done()));
    const deadline = Date.now() + 120_000;
    while (!output.includes('Press Ctrl-C to stop.')) {
      if (child.exitCode !== null || Date.now() > deadline) throw new Error(`the stack did not start:\n${output}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(output).toContain(`invoke their Lambda function targets at ${lambdaUrl}`);
    const url = STARTED.exec(output)![1]!;
    const key = /export SAMSA_API_KEY=(\S+)/.exec(output)![1]!;
    const call = async (method: string, path: string, body?: unknown) => {
      const res = await fetch(`${url}${path}`, { method, headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
      return { status: res.status, body: (await res.json().catch(() => undefined)) as any };
    };
    for (const name of ['orders', 'orders-dlq']) expect((await call('POST', '/v1/topics', { name, partitions: 1 })).status).toBe(201);
    expect((await call('POST', '/v1/subscriptions', { name: 'billing', topic: 'orders', endpoint: ARN, deadLetterTopic: 'orders-dlq' })).status).toBe(201);
    expect((await call('POST', '/v1/topics/orders/records', { records: [{ value: { type: 'JSON', data: { total: 42 } } }] })).status).toBe(200);
    while (lambda.of('billing').length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    expect(lambda.of('billing').map((i) => [i.functionName, i.json.records.map((r) => r.value?.data)])).toEqual([[ARN, [{ total: 42 }]]]);
    let described = await call('GET', '/v1/subscriptions/billing');
    while (described.body.partitions[0].committedOffset !== 1 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      described = await call('GET', '/v1/subscriptions/billing');
    }
    expect(described.body.partitions[0]).toMatchObject({ committedOffset: 1, lag: 0, lastError: null });
    child.kill('SIGTERM');
    await exited;
  });
});

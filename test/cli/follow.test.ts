/**
 * `samsa consume --follow` tails live: on the local stack (HTTP API + ws
 * endpoint + fan-out), a record produced after the command started is
 * printed, told by a notification from the endpoint GET /v1/health names;
 * with no notification endpoint, or one that does not answer, it says so and
 * follows by long polls instead.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Samsa } from '../../client';
import { openNotifications } from '../../cli/notifications';
import type { LocalServer } from '../../local/server';
import { startPushStack, type PushStack } from '../support/push-stack';
import { uniqueName, type TestStack } from '../support/stack';

let stack: TestStack;
let server: LocalServer;
let push: PushStack;
let samsa: Samsa;

beforeAll(async () => {
  push = await startPushStack();
  ({ stack, server } = push);
  samsa = new Samsa({ url: server.url });
});
afterAll(async () => {
  await push?.close();
});

function follow(args: string[]): { child: ChildProcess; out: () => string; err: () => string; done: Promise<number | null> } {
  const child = spawn(process.execPath, [resolve('cli/samsa.mjs'), 'consume', ...args, '--follow'], {
    env: { ...process.env, SAMSA_URL: server.url },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (err += d));
  const done = new Promise<number | null>((r) => child.on('close', r));
  return { child, out: () => out, err: () => err, done };
}

async function until(condition: () => boolean | Promise<boolean>, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function subscribed(topic: string): Promise<boolean> {
  const id = (await samsa.topics.describe(topic)).topicId;
  const { QueryCommand } = await import('@aws-sdk/lib-dynamodb');
  const out = await stack.lib.ddb.send(
    new QueryCommand({ TableName: stack.tables.meta, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': `push#sub#${id}#0` } }),
  );
  return (out.Items ?? []).length > 0;
}

describe('samsa consume --follow', { timeout: 90_000 }, () => {
  it('prints a record produced after it started, told by a notification', async () => {
    const topic = uniqueName();
    await samsa.topics.create({ name: topic, partitions: 1 });
    const run = follow([topic]);
    try {
      await until(() => subscribed(topic), 30_000); // the CLI (its own tsx process) is up and waiting
      const before = push.sends;
      await samsa.producer().send({ topic, partition: 0, value: 'live-record' });
      await until(() => run.out().includes('live-record'), 10_000);
      expect(push.sends).toBeGreaterThan(before);
      expect(run.err()).not.toMatch(/polling/);
    } finally {
      run.child.kill('SIGINT');
    }
    expect(await run.done).toBe(130);
  });

  it('follows by long polls when the notification endpoint does not answer', async () => {
    const topic = uniqueName();
    await samsa.topics.create({ name: topic, partitions: 1 });
    const run = follow([topic, '--from-beginning', '--ws-url', 'ws://127.0.0.1:9/v1/ws']);
    try {
      await until(() => /following by polling/.test(run.err()), 30_000);
      await samsa.producer().send({ topic, partition: 0, value: 'polled-record' });
      await until(() => run.out().includes('polled-record'), 15_000).catch((e) => {
        throw new Error(`${String(e)}; stderr: ${run.err()}`);
      });
    } finally {
      run.child.kill('SIGINT');
    }
    await run.done;
  });

  it('opens no socket and says it polls when the server names no notification endpoint (the AWS stack in JWT mode)', async () => {
    const notes: string[] = [];
    const none = await openNotifications({ url: server.url }, { notificationsUrl: async () => undefined }, (line) => notes.push(line));
    expect(none).toBeUndefined();
    expect(notes).toEqual([expect.stringMatching(/names no notification endpoint.*following by polling/)]);
  });
});

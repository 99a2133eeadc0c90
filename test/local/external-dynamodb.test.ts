/**
 * `npm start -- --dynamodb-endpoint URL`: the local API on a DynamoDB it did
 * not start (here a DynamoDB Local this test runs, standing for a metering
 * proxy or real DynamoDB). The stack starts no Java, creates its tables in
 * that endpoint, serves produce and fetch from it, keeps its development key
 * per endpoint, and leaves the endpoint running when it stops. Options that
 * only configure its own DynamoDB Local are refused with exit code 2.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { freePort, startDynamoLocal, type DynamoLocal } from '../../local/dynamodb';
import { createStorageClients, localCredentials } from '../../lib/storage/client';
import { localTableNames } from '../../lib/storage/schema';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const TSX = join(REPO, 'node_modules/.bin/tsx');
const START = join(REPO, 'local/start.ts');
const STARTED = /^Samsa is running at (\S+) \(DynamoDB at (\S+), not started by this stack/m;

let dynamo: DynamoLocal;
const started: ChildProcess[] = [];

beforeAll(async () => {
  dynamo = await startDynamoLocal();
});
afterAll(async () => {
  await dynamo?.stop();
});
afterEach(() => {
  // Only what this test started, by pid.
  for (const child of started.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

interface Stack {
  leader: ChildProcess;
  url: string;
  apiKey: string;
  output: () => string;
  exited: Promise<void>;
}

async function startStack(args: string[], cwd: string): Promise<Stack> {
  const leader = spawn(TSX, [START, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
  started.push(leader);
  let output = '';
  leader.stdout!.on('data', (d) => (output += d));
  leader.stderr!.on('data', (d) => (output += d));
  const exited = new Promise<void>((done) => leader.once('exit', () => done()));
  const deadline = Date.now() + 120_000;
  for (;;) {
    const match = STARTED.exec(output);
    if (match !== null && output.includes('Press Ctrl-C to stop.')) {
      expect(match[2]).toBe(dynamo.endpoint);
      const apiKey = /export SAMSA_API_KEY=(\S+)/.exec(output)?.[1];
      if (apiKey === undefined) throw new Error(`no development key printed:\n${output}`);
      return { leader, url: match[1]!, apiKey, output: () => output, exited };
    }
    if (leader.exitCode !== null || leader.signalCode !== null || Date.now() > deadline) throw new Error(`the stack did not start:\n${output}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Descendants of a pid, from /proc. */
function descendants(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(ppid, [...(children.get(ppid) ?? []), Number(entry)]);
    } catch {
      // Gone meanwhile.
    }
  }
  const all = [root];
  for (let i = 0; i < all.length; i++) all.push(...(children.get(all[i]!) ?? []));
  return all.slice(1);
}

function cmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
  } catch {
    return '';
  }
}

async function tableNames(): Promise<string[]> {
  const { raw } = createStorageClients({ endpoint: dynamo.endpoint, credentials: localCredentials(), maxAttempts: 1 });
  try {
    return (await raw.send(new ListTablesCommand({}))).TableNames ?? [];
  } finally {
    raw.destroy();
  }
}

describe.skipIf(process.platform !== 'linux')('npm start -- --dynamodb-endpoint', { timeout: 240_000 }, () => {
  it('serves produce and fetch from the given endpoint, creating its tables there, without starting DynamoDB Local', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'samsa-endpoint-'));
    const tables = localTableNames('samsa');
    expect(await tableNames()).not.toContain(tables.meta);

    const stack = await startStack(['--dynamodb-endpoint', dynamo.endpoint, '--port', String(await freePort())], cwd);
    expect(descendants(stack.leader.pid!).filter((pid) => cmdline(pid).includes('DynamoDBLocal.jar')), 'no Java of its own').toEqual([]);
    expect(await tableNames()).toEqual(expect.arrayContaining([tables.meta, tables.log]));

    const call = async (method: string, path: string, body?: unknown) => {
      const res = await fetch(`${stack.url}${path}`, {
        method,
        headers: { authorization: `Bearer ${stack.apiKey}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      return { status: res.status, body: (await res.json()) as any };
    };
    expect((await call('POST', '/v1/topics', { name: 'metered', partitions: 1 })).status).toBe(201);
    const produced = await call('POST', '/v1/topics/metered/records', {
      records: [{ value: { type: 'STRING', data: 'one' } }, { value: { type: 'STRING', data: 'two' } }],
    });
    expect(produced.status).toBe(200);
    expect(produced.body.records.map((r: { offset: number }) => r.offset)).toEqual([0, 1]);
    const fetched = await call('GET', '/v1/topics/metered/partitions/0/records?offset=0');
    expect(fetched.status).toBe(200);
    expect(fetched.body.records.map((r: { value: { data: string } }) => r.value.data)).toEqual(['one', 'two']);

    // The key is kept per endpoint (its data lives there) and published for the CLI while the stack runs.
    const keyFile = join(cwd, '.samsa/endpoints', new URL(dynamo.endpoint).host.replace(':', '_'), 'dev-key');
    expect(readFileSync(keyFile, 'utf8').trim()).toBe(stack.apiKey);
    expect(readFileSync(join(cwd, '.samsa/dev-key'), 'utf8').trim()).toBe(stack.apiKey);

    stack.leader.kill('SIGTERM');
    await stack.exited;
    expect(await tableNames(), 'the endpoint outlives the stack: it was not the stack’s to stop').toEqual(expect.arrayContaining([tables.meta]));

    const restarted = await startStack(['--dynamodb-endpoint', dynamo.endpoint, '--port', '0'], cwd);
    expect(restarted.apiKey, 'a restart on the same endpoint prints the same key').toBe(stack.apiKey);
    expect((await fetch(`${restarted.url}/v1/topics/metered/partitions/0/records?offset=1`, { headers: { authorization: `Bearer ${restarted.apiKey}` } })).status).toBe(200);
    restarted.leader.kill('SIGTERM');
    await restarted.exited;
  });

  it.each([['--in-memory'], ['--data-dir', 'elsewhere'], ['--dynamodb-port', '8000']])(
    'refuses %s with --dynamodb-endpoint (exit code 2), before starting anything',
    (...option) => {
      const run = spawnSync(TSX, [START, '--dynamodb-endpoint', dynamo.endpoint, ...option], { cwd: mkdtempSync(join(tmpdir(), 'samsa-endpoint-')), encoding: 'utf8', timeout: 60_000 });
      expect(run.status, run.stderr).toBe(2);
      expect(run.stderr).toContain(`${option[0]} only configures the DynamoDB Local this stack would start`);
    },
  );

  it('refuses an endpoint that is not an http(s) URL, and --region without an endpoint (exit code 2)', () => {
    for (const args of [['--dynamodb-endpoint', 'not a url'], ['--dynamodb-endpoint', 'ftp://127.0.0.1:1'], ['--region', 'eu-west-1']]) {
      const run = spawnSync(TSX, [START, ...args], { cwd: mkdtempSync(join(tmpdir(), 'samsa-endpoint-')), encoding: 'utf8', timeout: 60_000 });
      expect(run.status, `${args.join(' ')}: ${run.stderr}`).toBe(2);
      expect(run.stderr).toMatch(/^samsa: --(dynamodb-endpoint|region) /);
    }
  });
});

/**
 * `npm start` as processes, the way a person or a process manager runs and
 * ends it: each stack is its own process group (as a shell job or a service
 * is), and the test signals one pid of the chain npm → sh → tsx → node →
 * java, then requires both ports to stop answering and every process of the
 * tree to be gone. Also the development key's files across persistent and
 * in-memory stacks (local/dev-key.ts). Reads /proc, so Linux only.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { freePort } from '../../local/dynamodb';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const STARTED = /^Samsa is running at (\S+) \(DynamoDB Local on (\S+),/m;

interface Stack {
  leader: ChildProcess;
  url: string;
  dynamoPort: number;
  apiKey: string | undefined;
  output: () => string;
  exited: Promise<void>;
}

const started: ChildProcess[] = [];
const trees: number[][] = [];

afterEach(() => {
  // Whatever a failed test left running: only processes this test started (by pid).
  for (const pid of trees.splice(0).flat()) {
    if (alive(pid)) process.kill(pid, 'SIGKILL');
  }
  for (const child of started.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
});

/** Starts a stack as the leader of its own process group: `npm start` in the repository, or tsx in another directory. */
async function startStack(args: string[], options: { via: 'npm' } | { via: 'tsx'; cwd: string }): Promise<Stack> {
  const leader =
    options.via === 'npm'
      ? spawn('npm', ['start', '--', ...args], { cwd: REPO, detached: true, stdio: ['ignore', 'pipe', 'pipe'] })
      : spawn(join(REPO, 'node_modules/.bin/tsx'), [join(REPO, 'local/start.ts'), ...args], { cwd: options.cwd, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  started.push(leader);
  let output = '';
  leader.stdout!.on('data', (d) => (output += d));
  leader.stderr!.on('data', (d) => (output += d));
  const exited = new Promise<void>((done) => leader.once('exit', () => done()));
  const deadline = Date.now() + 150_000;
  for (;;) {
    const match = STARTED.exec(output);
    if (match !== null && /Press Ctrl-C to stop\./.test(output)) {
      trees.push(tree(leader.pid!));
      return {
        leader,
        url: match[1]!,
        dynamoPort: Number(new URL(match[2]!).port),
        apiKey: /export SAMSA_API_KEY=(\S+)/.exec(output)?.[1],
        output: () => output,
        exited,
      };
    }
    if (leader.exitCode !== null || leader.signalCode !== null || Date.now() > deadline) throw new Error(`the stack did not start:\n${output}`);
    await sleep(200);
  }
}

/** The pid and its descendants, from /proc. */
function tree(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = procStat(Number(entry));
    if (stat === undefined) continue;
    children.set(stat.ppid, [...(children.get(stat.ppid) ?? []), Number(entry)]);
  }
  const all = [root];
  for (let i = 0; i < all.length; i++) all.push(...(children.get(all[i]!) ?? []));
  return all;
}

function procStat(pid: number): { state: string; ppid: number } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { state: state!, ppid: Number(ppid) };
  } catch {
    return undefined;
  }
}

function cmdline(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
  } catch {
    return '';
  }
}

/** Running, not a zombie waiting for a parent (that may never reap it) to collect its status. */
function alive(pid: number): boolean {
  const stat = procStat(pid);
  return stat !== undefined && stat.state !== 'Z';
}

function answers(port: number): Promise<boolean> {
  return new Promise((done) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      done(true);
    });
    socket.once('error', () => done(false));
  });
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function eventually(what: string | (() => string), check: () => boolean | Promise<boolean>, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${typeof what === 'string' ? what : what()}`);
    await sleep(200);
  }
}

/** The stack's processes by role, found by their command lines. */
function roles(pids: number[]): { npm?: number; tsx?: number; node?: number; java?: number } {
  const find = (test: (cmd: string) => boolean) => pids.find((pid) => test(cmdline(pid)));
  return {
    npm: find((c) => /\bnpm start\b/.test(c)),
    tsx: find((c) => c.includes('node_modules/.bin/tsx')),
    node: find((c) => c.includes('tsx/dist/loader.mjs') && c.includes('local/start.ts')),
    java: find((c) => c.includes('DynamoDBLocal.jar')),
  };
}

describe.skipIf(process.platform !== 'linux')('npm start', { timeout: 240_000 }, () => {
  it.each([
    ['SIGTERM', 'npm'],
    ['SIGHUP', 'tsx'],
    ['SIGKILL', 'node'],
  ] as const)('%s to %s stops the HTTP server and DynamoDB Local and leaves no process behind', async (signal, target) => {
    const port = await freePort();
    const stack = await startStack(['--in-memory', '--no-auth', '--port', String(port)], { via: 'npm' });
    const pids = tree(stack.leader.pid!);
    const found = roles(pids);
    expect(found, `the process tree:\n${pids.map((p) => `${p} ${cmdline(p)}`).join('\n')}`).toEqual({
      npm: expect.any(Number),
      tsx: expect.any(Number),
      node: expect.any(Number),
      java: expect.any(Number),
    });
    expect(await answers(port)).toBe(true);
    expect(await answers(stack.dynamoPort)).toBe(true);

    process.kill(found[target]!, signal);
    await eventually('the HTTP port stops answering', async () => !(await answers(port)));
    await eventually('DynamoDB Local stops answering', async () => !(await answers(stack.dynamoPort)));
    await eventually(() => `no process of the stack is left (left: ${pids.filter(alive).map((p) => `${p} ${cmdline(p)}`).join('; ')})`, () => !pids.some(alive));
    expect(alive(found.java!)).toBe(false);
  });

  it('keeps the persistent key with its data and gives the CLI the running stack’s key; an in-memory stack never touches the persistent key', async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'samsa-start-'));
    const dataKey = join(cwd, '.samsa/data/dev-key');
    const runningKey = join(cwd, '.samsa/dev-key');
    const read = (file: string) => readFileSync(file, 'utf8').trim();
    const whoami = async (url: string, apiKey: string) => (await fetch(`${url}/v1/whoami`, { headers: { authorization: `Bearer ${apiKey}` } })).status;

    const persistent = await startStack(['--port', '0'], { via: 'tsx', cwd });
    const key = persistent.apiKey!;
    expect(key).toMatch(/^samsa_/);
    expect(persistent.output()).toContain(`kept with the data in .samsa/data/dev-key; in .samsa/dev-key while this stack runs`);
    expect(read(dataKey)).toBe(key);
    expect(read(runningKey)).toBe(key);

    // An in-memory stack beside it: its own key, published while it runs, the persistent key untouched.
    const inMemory = await startStack(['--in-memory', '--port', '0'], { via: 'tsx', cwd });
    expect(inMemory.apiKey).not.toBe(key);
    expect(read(runningKey)).toBe(inMemory.apiKey);
    expect(read(dataKey)).toBe(key);
    process.kill(inMemory.leader.pid!, 'SIGTERM');
    await inMemory.exited;
    await eventually('the running key is handed back to the persistent stack that still runs', () => read(runningKey) === key, 10_000);
    expect(await whoami(persistent.url, read(runningKey))).toBe(200);

    process.kill(persistent.leader.pid!, 'SIGTERM');
    await persistent.exited;
    // tsx (the leader) may exit a moment before its node child has finished stopping.
    await eventually('no stack runs: no running key', () => !existsSync(runningKey), 10_000);
    expect(read(dataKey)).toBe(key);

    const restarted = await startStack(['--port', '0'], { via: 'tsx', cwd });
    expect(restarted.apiKey, 'a restart on the same data prints the same key').toBe(key);
    expect(await whoami(restarted.url, key)).toBe(200);
    process.kill(restarted.leader.pid!, 'SIGTERM');
    await restarted.exited;
  });
});

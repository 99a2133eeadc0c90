/**
 * Node.js 22, the runtime the Lambda functions run on (cdk), for tests that
 * run the bundled functions on it while the tests themselves run on the
 * developer's Node. It comes from the npm registry as the `node` package,
 * pinned in test/support/node22's own package-lock.json and installed there
 * with `npm ci` on first use: as a dependency of the repository its `node`
 * binary would be linked into node_modules/.bin and so replace the
 * developer's Node in every npm script.
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const DIR = join(dirname(fileURLToPath(import.meta.url)), 'node22');
const BINARY = join(DIR, 'node_modules', 'node', 'bin', process.platform === 'win32' ? 'node.exe' : 'node');
const run = promisify(execFile);

/** The Node 22 binary, installed from test/support/node22/package-lock.json if it is not yet. */
export async function node22(): Promise<string> {
  if (!existsSync(BINARY)) {
    await run('npm', ['ci', '--prefix', DIR, '--no-audit', '--no-fund'], { timeout: 300_000, shell: process.platform === 'win32' });
  }
  const { stdout } = await run(BINARY, ['--version']);
  if (!stdout.startsWith('v22.')) throw new Error(`${BINARY} is ${stdout.trim()}, not Node 22`);
  return BINARY;
}

export interface Invocation {
  /** The bundled module (CommonJS) and the handler it exports. */
  file: string;
  exportName: string;
  event: unknown;
  functionName: string;
  timeoutMs: number;
  /** The function's whole environment: nothing of the test's process is inherited but PATH. */
  env: Record<string, string>;
}

/** Invokes a bundled handler in a fresh `node` process (a cold start); resolves to what the handler returned. */
export function invokeIn<T>(node: string, invocation: Invocation): Promise<{ node: string; result: T }> {
  const { env, ...request } = invocation;
  return new Promise((resolve, reject) => {
    const child = spawn(node, [join(DIR, 'invoke.cjs')], { env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['pipe', 'pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdio[3]!.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr!.on('data', (chunk: Buffer) => err.push(chunk));
    child.stdout!.resume();
    child.on('error', reject);
    child.on('close', (code) => {
      const text = Buffer.concat(out).toString('utf8');
      if (text === '') return reject(new Error(`${node} exited ${code} without an answer: ${Buffer.concat(err).toString('utf8')}`));
      const answer = JSON.parse(text) as { node: string; result?: T; error?: string };
      if (answer.error !== undefined) return reject(new Error(`handler failed on ${answer.node}: ${answer.error}`));
      resolve({ node: answer.node, result: answer.result as T });
    });
    child.stdin!.end(JSON.stringify(request));
  });
}

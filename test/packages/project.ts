/**
 * A project outside the repository that uses the published packages: builds
 * them (scripts/build-packages.ts), packs each with `npm pack`, and installs
 * the two tarballs into an empty folder under the OS temp dir, offline (the
 * packages have no dependencies, so nothing may come from a registry).
 * Commands run there see no trace of the repository: no npm_* variables from
 * `npm test`, no node_modules/.bin on PATH.
 */
import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { buildPackages, PACKAGES } from '../../scripts/build-packages';

export const REPO = resolve('.');
export const FIXTURES = resolve('test/packages/consumer');

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface PackedFile {
  name: string;
  version: string;
  filename: string;
  files: { path: string }[];
}

export interface Project {
  dir: string;
  packed: PackedFile[];
  /** Runs a command in the project, with extra environment variables and stdin. */
  run(command: string, args: string[], options?: { env?: Record<string, string>; input?: string }): Promise<Run>;
  remove(): void;
}

/** The environment of a shell in a fresh terminal, more or less: the repository's npm run context removed. */
export function outsideEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^npm_/i.test(key) || key === 'INIT_CWD' || key === 'SAMSA_URL' || key === 'SAMSA_API_KEY') continue;
    env[key] = value;
  }
  env.PATH = (process.env.PATH ?? '')
    .split(':')
    .filter((dir) => !dir.includes('node_modules'))
    .join(':');
  return { ...env, npm_config_update_notifier: 'false', npm_config_fund: 'false', npm_config_audit: 'false', ...extra };
}

export function runIn(dir: string, command: string, args: string[], options: { env?: Record<string, string>; input?: string } = {}): Promise<Run> {
  return new Promise((done, reject) => {
    const child = spawn(command, args, { cwd: dir, env: outsideEnv(options.env), stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => done({ code, stdout, stderr }));
    child.stdin.end(options.input ?? '');
  });
}

async function ok(run: Promise<Run>, what: string): Promise<Run> {
  const result = await run;
  if (result.code !== 0) throw new Error(`${what} exited ${result.code}:\n${result.stderr}${result.stdout}`);
  return result;
}

export async function packAndInstall(): Promise<Project> {
  await buildPackages();
  const tarballs = mkdtempSync(join(tmpdir(), 'samsa-tarballs-'));
  const dir = mkdtempSync(join(tmpdir(), 'samsa-consumer-'));
  // Already built: prepack would build again.
  const pack = await ok(runIn(REPO, 'npm', ['pack', PACKAGES.client, PACKAGES.cli, '--pack-destination', tarballs, '--json', '--ignore-scripts']), 'npm pack');
  const packed = JSON.parse(pack.stdout) as PackedFile[];
  cpSync(FIXTURES, dir, { recursive: true });
  const files = packed.map((p) => join(tarballs, p.filename));
  await ok(runIn(dir, 'npm', ['install', '--offline', '--no-audit', '--no-fund', ...files]), 'npm install of the tarballs');
  rmSync(tarballs, { recursive: true, force: true });
  return {
    dir,
    packed,
    run: (command, args, options) => runIn(dir, command, args, options),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

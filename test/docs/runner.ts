/**
 * Runs one document's examples as a reader would: a private Samsa (its own
 * tables, API keys on, a Kafka gateway beside it), a working folder whose
 * `.samsa/dev-key` holds the admin key, `samsa` on PATH (the repository's
 * CLI, bundled once), `@samsa/client` resolving to the repository's SDK, and SAMSA_URL
 * (through a proxy that records error answers: ./error-recorder.ts) and
 * SAMSA_API_KEY in the environment. Shell variables a block sets are kept
 * for the blocks after it in the same document (as in one terminal).
 *
 * The documents show the addresses `npm start` uses; the runner points them
 * at this stack: `http://127.0.0.1:4000` / `localhost:4000` (HTTP) and
 * `127.0.0.1:9092` / `localhost:9092` (Kafka).
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { chmod, copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import { inject } from 'vitest';
import { DEFAULT_AUTH } from '../../functions/config';
import { createDeps } from '../../functions/runtime';
import { startKafkaGateway, type KafkaGateway } from '../../kafka/server';
import { ApiKeyAuthenticator } from '../../lib/auth/authenticate';
import { storeApiKey } from '../../lib/auth/keys';
import { DEFAULT_LIMITS } from '../../lib/limits';
import { createStorageClients, localCredentials } from '../../lib/storage/client';
import { ensureTables } from '../../lib/storage/ensure-tables';
import { localTableNames } from '../../lib/storage/schema';
import { startServer, type LocalServer } from '../../local/server';
import type { Example } from './blocks';
import { startErrorRecorder } from './error-recorder';

export const ROOT = resolve(import.meta.dirname, '../..');

/**
 * The CLI bundled once per run, as @samsa/cli bundles it (scripts/build-packages.ts), so each
 * `samsa` in an example starts in plain Node instead of transpiling the source through tsx.
 */
let cliBundle: Promise<string> | undefined;
function bundledCli(): Promise<string> {
  cliBundle ??= (async () => {
    const dir = join(ROOT, 'test-results', 'docs-cli');
    await rm(dir, { recursive: true, force: true });
    await mkdir(join(dir, 'dist'), { recursive: true });
    // cli/main.ts reads the version from ../package.json beside the bundle.
    await copyFile(join(ROOT, 'packages', 'cli', 'package.json'), join(dir, 'package.json'));
    await build({
      absWorkingDir: ROOT,
      entryPoints: { samsa: 'cli/bin.ts' },
      outdir: join(dir, 'dist'),
      chunkNames: '[name]-[hash]',
      bundle: true,
      splitting: true,
      format: 'esm',
      platform: 'node',
      target: 'node20',
      logLevel: 'warning',
    });
    return join(dir, 'dist', 'samsa.js');
  })();
  return cliBundle;
}

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
  /** Error codes the API answered while the example ran (test/docs/error-recorder.ts). */
  errors?: string[];
}

export interface DocStack {
  run(example: Example): Promise<RunResult>;
  close(): Promise<void>;
}

function exec(cmd: string, args: string[], options: { cwd: string; env: NodeJS.ProcessEnv; timeoutMs: number }): Promise<RunResult> {
  return new Promise((done) => {
    execFile(cmd, args, { cwd: options.cwd, env: options.env, timeout: options.timeoutMs, maxBuffer: 16 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof (err as { code?: unknown }).code === 'number' ? ((err as { code: number }).code) : null;
      done({ code, stdout, stderr: err !== null && code === null ? `${stderr}\n${err.message}` : stderr });
    });
  });
}

export async function startDocStack(name: string): Promise<DocStack> {
  const endpoint = inject('dynamoEndpoint');
  const tables = localTableNames(`d${randomUUID().slice(0, 8)}`);
  const { raw } = createStorageClients({ endpoint, credentials: localCredentials() });
  await ensureTables(raw, tables);
  raw.destroy();
  const auth = { ...DEFAULT_AUTH, mode: 'api-keys' as const, cacheMs: 0 };
  const deps = createDeps({ tables, region: 'us-east-1', dynamoEndpoint: endpoint, limits: DEFAULT_LIMITS, auth });
  const { apiKey } = await storeApiKey(deps.lib, { principal: 'admin', description: 'docs examples' }, 'test');
  const server: LocalServer = await startServer(deps, 0);
  const recorder = await startErrorRecorder(server.url);
  const keys = new ApiKeyAuthenticator(deps.lib, 0);
  const gateway: KafkaGateway = await startKafkaGateway(deps.lib, { port: 0, authenticate: (key) => keys.authenticate(key) });
  const kafka = `127.0.0.1:${gateway.port}`;

  await mkdir(join(ROOT, 'test-results'), { recursive: true });
  const dir = await mkdtemp(join(ROOT, 'test-results', `docs-${name.replace(/[^\w.-]/g, '_')}-`));
  await mkdir(join(dir, '.samsa'));
  await writeFile(join(dir, '.samsa', 'dev-key'), `${apiKey}\n`);
  await mkdir(join(dir, 'bin'));
  await writeFile(join(dir, 'bin', 'samsa'), `#!/bin/sh\nexec "${process.execPath}" "${await bundledCli()}" "$@"\n`);
  await chmod(join(dir, 'bin', 'samsa'), 0o755);
  await writeFile(join(dir, 'package.json'), JSON.stringify({ type: 'module' }));
  await writeFile(
    join(dir, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        target: 'es2022',
        module: 'esnext',
        moduleResolution: 'bundler',
        paths: { '@samsa/client': [join(ROOT, 'client/index.ts')], '@samsa/client/kafkajs': [join(ROOT, 'client/kafkajs/index.ts')] },
      },
    }),
  );
  const state = join(dir, '.shell-state');
  const env: NodeJS.ProcessEnv = {
    // An example marked to run must never reach AWS or download a package, whatever the machine has.
    ...Object.fromEntries(Object.entries(process.env).filter(([name]) => !name.startsWith('AWS_'))),
    AWS_CONFIG_FILE: '/nonexistent',
    AWS_SHARED_CREDENTIALS_FILE: '/nonexistent',
    AWS_EC2_METADATA_DISABLED: 'true',
    NPM_CONFIG_OFFLINE: 'true',
    PATH: `${join(dir, 'bin')}:${process.env.PATH ?? ''}`,
    SAMSA_URL: recorder.url,
    SAMSA_API_KEY: apiKey,
    SAMSA_KAFKA: kafka,
  };
  // Variables a bare shell already has: everything else a block defines is carried to the next block.
  const baseline = join(dir, '.shell-baseline');
  await exec('bash', ['-c', `compgen -v | sort > '${baseline}'`], { cwd: dir, env, timeoutMs: 10_000 });

  const localize = (code: string) =>
    code
      .replaceAll('http://127.0.0.1:4000', recorder.url)
      .replaceAll('http://localhost:4000', recorder.url)
      .replaceAll('127.0.0.1:9092', kafka)
      .replaceAll('localhost:9092', kafka);

  let n = 0;
  return {
    async run(example) {
      const result = await runOne(example);
      return { ...result, errors: recorder.take() };
    },
    async close() {
      await gateway.close();
      await recorder.close();
      await server.close();
      await rm(dir, { recursive: true, force: true });
    },
  };

  async function runOne(example: Example): Promise<RunResult> {
    n++;
    if (example.kind === 'sh-parse') {
      return exec('bash', ['-n', '-c', example.code], { cwd: dir, env, timeoutMs: 10_000 });
    }
    if (example.kind === 'ts') {
      const file = join(dir, `example-${n}.ts`);
      await writeFile(file, `${localize(example.code)}\n`);
      return exec(join(ROOT, 'node_modules/.bin/tsx'), ['--tsconfig', join(dir, 'tsconfig.json'), file], { cwd: dir, env, timeoutMs: 90_000 });
    }
    const script = [
      'set -euo pipefail',
      `if [ -f '${state}' ]; then set +eu; source '${state}' 2>/dev/null; set -eu; fi`,
      `__docs_save() { declare -p $(compgen -v | sort | comm -23 - '${baseline}' | grep -v '^__docs') > '${state}' 2>/dev/null || true; }`,
      'trap __docs_save EXIT',
      localize(example.code),
      '',
    ].join('\n');
    const file = join(dir, `example-${n}.sh`);
    await writeFile(file, script);
    return exec('bash', [file], { cwd: dir, env, timeoutMs: 90_000 });
  }
}

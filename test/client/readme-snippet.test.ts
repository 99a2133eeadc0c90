/**
 * The README's SDK example (the ```ts block of its "### SDK" section, found by
 * the heading) is a program that ends: it type-checks strictly and runs as
 * written, twice, against a real server with API keys. Only what a user's
 * project would provide is provided: SAMSA_URL and SAMSA_API_KEY in the
 * environment, and `@samsa/client` resolving to this repository's SDK (a
 * tsconfig `paths` entry, which tsc and tsx both honour), so the code is
 * not edited at all.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Samsa } from '../../client';
import { partitionForKey } from '../../lib/protocol/murmur2';
import { startTestServer, type TestServer } from './server';

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '../..');

/** The first ```ts block under the heading, before the next heading. */
function codeBlockUnder(markdown: string, heading: string): string {
  const lines = markdown.split('\n');
  const start = lines.indexOf(heading);
  if (start < 0) throw new Error(`README has no '${heading}' heading`);
  const end = lines.findIndex((line, i) => i > start && /^#{1,3} /.test(line));
  const section = lines.slice(start + 1, end < 0 ? undefined : end);
  const open = section.indexOf('```ts');
  const close = section.indexOf('```', open + 1);
  if (open < 0 || close < 0) throw new Error(`no \`\`\`ts block under '${heading}'`);
  return section.slice(open + 1, close).join('\n');
}

let server: TestServer;
let dir: string;
beforeAll(async () => {
  server = await startTestServer({}, { auth: { mode: 'api-keys' } });
  dir = await mkdtemp(join(ROOT, 'test-results', 'readme-snippet-'));
  const snippet = codeBlockUnder(await readFile(join(ROOT, 'README.md'), 'utf8'), '### SDK');
  await writeFile(join(dir, 'snippet.ts'), `${snippet}\n`);
  await writeFile(join(dir, 'package.json'), JSON.stringify({ type: 'module' }));
  await writeFile(
    join(dir, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        strict: true,
        noEmit: true,
        target: 'es2022',
        module: 'esnext',
        moduleResolution: 'bundler',
        lib: ['es2023', 'dom'],
        types: ['node'],
        skipLibCheck: true,
        paths: { '@samsa/client': [join(ROOT, 'client/index.ts')] },
      },
      files: ['snippet.ts'],
    }),
  );
});
afterAll(async () => {
  await server?.close();
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

/** Runs the snippet as its own process; resolves with its output lines once it exits by itself. */
async function runSnippet(): Promise<{ lines: string[]; ms: number }> {
  const started = Date.now();
  const { stdout } = await run(join(ROOT, 'node_modules/.bin/tsx'), ['--tsconfig', join(dir, 'tsconfig.json'), join(dir, 'snippet.ts')], {
    cwd: dir,
    env: { ...process.env, SAMSA_URL: server.url, SAMSA_API_KEY: server.adminKey },
    // A run() that never resolved would hang here: the process must end on its own.
    timeout: 45_000,
  });
  return { lines: stdout.trim().split('\n'), ms: Date.now() - started };
}

describe('README SDK example', () => {
  it('is the program the README shows: the package import, and where and who from the environment', async () => {
    const code = await readFile(join(dir, 'snippet.ts'), 'utf8');
    expect(code).toContain("from '@samsa/client'");
    expect(code).toContain('process.env.SAMSA_URL');
    expect(code).toContain('process.env.SAMSA_API_KEY');
  });

  it('type-checks strictly against the SDK', async () => {
    const errors = await run(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', join(dir, 'tsconfig.json')], { cwd: dir }).then(
      () => '',
      (err: { stdout?: string; stderr?: string }) => `${err.stdout ?? ''}${err.stderr ?? ''}`,
    );
    expect(errors).toBe('');
  }, 60_000);

  it('runs to completion and prints what it says; run again, it goes on from the group commit of the first run', async () => {
    // The README says the key lands on partition 1 of 3.
    expect(partitionForKey(new TextEncoder().encode('customer-7'), 3)).toBe(1);

    const first = await runSnippet();
    expect(first.lines).toEqual(['1 0 {"total":42}', "0 { type: 'JSON', data: { total: 42 } }"]);

    // The topic exists now; the group's run() ended committed and out of the group, so only the new record is consumed.
    const second = await runSnippet();
    expect(second.lines).toEqual(['1 1 {"total":42}', "1 { type: 'JSON', data: { total: 42 } }"]);
    expect(Math.max(first.ms, second.ms)).toBeLessThan(30_000);

    const admin = new Samsa({ url: server.url, apiKey: server.adminKey! });
    expect((await admin.groups.describe('billing')).state).toBe('Empty');
    expect((await admin.groups.lag('billing')).totalLag).toBe(0);
  }, 100_000);
});

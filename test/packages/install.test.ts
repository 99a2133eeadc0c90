/**
 * The published packages as a user gets them: @samsa/client and @samsa/cli
 * built, packed and installed from their tarballs into an empty project
 * outside the repository (test/packages/project.ts), then used there with
 * plain node, the repository's tsc and npx — the SDK from ESM and CommonJS,
 * strict nodenext type checks (and a browser project for the main entry),
 * the samsa bin, and produce/consume round trips against a local Samsa with
 * API keys on: through the SDK, through the CLI, through a KafkaJS program
 * whose only change is its import, and docs/sdk.md's example as written.
 */
import { readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, uniqueTopic, type TestServer } from '../client/server';
import { packAndInstall, REPO, type Project } from './project';

let project: Project;
let server: TestServer;
let credentials: Record<string, string>;
beforeAll(async () => {
  [project, server] = await Promise.all([packAndInstall(), startTestServer({}, { auth: { mode: 'api-keys' } })]);
  credentials = { SAMSA_URL: server.url, SAMSA_API_KEY: server.adminKey! };
}, 240_000);
afterAll(async () => {
  project?.remove();
  await server?.close();
});

const installed = (path: string) => readFileSync(join(project.dir, 'node_modules', path), 'utf8');
/** The modules a bundle or declaration file imports (statements at the start of a line; not words in comments). */
const specifiers = (code: string) => [...new Set([...code.matchAll(/^(?:import|export)\b[^;]*?\bfrom\s*["']([^"']+)["']/gm)].map((m) => m[1]!))].sort();
const rootManifest = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8'));
/** The project's own bin; `--no` so that npx never reaches for a registry, `--` so that it leaves --help to samsa. */
const NPX_SAMSA = ['--no', '--', 'samsa'];

// Each step spawns node, npm or tsc: slow on a busy 2-core machine.
describe('published packages, installed from their tarballs', { timeout: 120_000 }, () => {
  it('ship only the built files, with the metadata a registry shows and no runtime dependencies', () => {
    const byName = Object.fromEntries(project.packed.map((p) => [p.name, p]));
    expect(Object.keys(byName).sort()).toEqual(['@samsa/cli', '@samsa/client']);
    expect(byName['@samsa/client']!.files.map((f) => f.path).sort()).toEqual([
      'CHANGELOG.md', 'LICENSE', 'README.md',
      'dist/index.cjs', 'dist/index.d.cts', 'dist/index.d.ts', 'dist/index.js',
      'dist/kafkajs.cjs', 'dist/kafkajs.d.cts', 'dist/kafkajs.d.ts', 'dist/kafkajs.js',
      'package.json',
    ]);
    const cliFiles = byName['@samsa/cli']!.files.map((f) => f.path);
    expect(cliFiles).toEqual(expect.arrayContaining(['CHANGELOG.md', 'LICENSE', 'README.md', 'package.json', 'dist/samsa.js']));
    expect(cliFiles.filter((f) => !/^(CHANGELOG\.md|LICENSE|README\.md|package\.json|dist\/[\w-]+\.js)$/.test(f))).toEqual([]);

    for (const name of ['@samsa/client', '@samsa/cli']) {
      const manifest = JSON.parse(installed(`${name}/package.json`));
      expect(manifest).toMatchObject({ name, version: '0.1.0', license: 'MIT', type: 'module', engines: { node: '>=20' } });
      expect(manifest.dependencies).toBeUndefined();
      expect(manifest.description.length).toBeGreaterThan(40);
      expect(manifest.keywords).toContain('kafka');
      expect(manifest.repository.directory).toBe(name.slice('@samsa/'.length));
    }
    const client = JSON.parse(installed('@samsa/client/package.json'));
    expect(client.sideEffects).toBe(false);
    for (const entry of ['.', './kafkajs']) {
      // types first in each condition, ESM and CJS each with their own declarations
      expect(Object.keys(client.exports[entry].import)).toEqual(['types', 'default']);
      expect(Object.keys(client.exports[entry].require)).toEqual(['types', 'default']);
    }
    const cli = JSON.parse(installed('@samsa/cli/package.json'));
    expect(cli.bin).toEqual({ samsa: 'dist/samsa.js' });
    // The AWS SDK is an optional peer, at the versions the repository runs with.
    expect(cli.peerDependencies).toEqual({
      '@aws-sdk/client-dynamodb': rootManifest.dependencies['@aws-sdk/client-dynamodb'],
      '@aws-sdk/lib-dynamodb': rootManifest.dependencies['@aws-sdk/lib-dynamodb'],
    });
    expect(Object.values(cli.peerDependenciesMeta)).toEqual([{ optional: true }, { optional: true }]);
  });

  it('the SDK bundles need no Node built-in (the facade only node:buffer) and their declarations import nothing else', () => {
    const esm = installed('@samsa/client/dist/index.js');
    expect(specifiers(esm)).toEqual([]);
    expect(esm).not.toMatch(/\brequire\(|\bimport\s*\(|\bprocess\.|\bBuffer\b|node:/);
    const facade = installed('@samsa/client/dist/kafkajs.js');
    expect(specifiers(facade)).toEqual(['node:buffer']);
    expect(facade).not.toMatch(/\brequire\(|\bimport\s*\(/);
    for (const file of ['index.d.ts', 'index.d.cts']) {
      const types = installed(`@samsa/client/dist/${file}`);
      expect(specifiers(types), file).toEqual([]);
      expect(types, file).not.toMatch(/\bimport\(|reference types/);
    }
    // KafkaJS's own types name Node's too.
    for (const file of ['kafkajs.d.ts', 'kafkajs.d.cts']) expect(specifiers(installed(`@samsa/client/dist/${file}`)), file).toEqual(['node:buffer', 'node:net', 'node:tls']);
    const bin = installed('@samsa/cli/dist/samsa.js');
    expect(bin.startsWith('#!/usr/bin/env node\n')).toBe(true);
    expect(specifiers(bin).filter((s) => !s.startsWith('node:') && !s.startsWith('./'))).toEqual([]);
  });

  it('loads from plain Node ESM and CommonJS, both entries', async () => {
    const expected = { samsa: 'function', asText: 'hi', partition: expect.any(Number), errors: true, kafka: 'function', kafkaError: true };
    for (const file of ['import.mjs', 'import.cjs']) {
      const run = await project.run('node', [file]);
      expect(run, run.stderr).toMatchObject({ code: 0, stderr: '' });
      expect(JSON.parse(run.stdout), file).toEqual(expected);
    }
  });

  it('type-checks strict nodenext consumers, ESM (.mts) and CommonJS (.cts), and a browser one without @types/node', async () => {
    const compilerOptions = { strict: true, module: 'nodenext', moduleResolution: 'nodenext', target: 'es2022', noEmit: true, skipLibCheck: false };
    writeFileSync(join(project.dir, 'tsconfig.json'), JSON.stringify({
      // The SDK and facade on Node: @types/node from the repository (the project installed nothing else).
      compilerOptions: { ...compilerOptions, lib: ['es2023'], types: ['node'], typeRoots: [join(REPO, 'node_modules/@types')] },
      files: ['types.mts', 'types.cts'],
    }));
    writeFileSync(join(project.dir, 'tsconfig.browser.json'), JSON.stringify({
      compilerOptions: { ...compilerOptions, lib: ['es2023', 'dom'], types: [] },
      files: ['browser.mts'],
    }));
    const tsc = join(REPO, 'node_modules/typescript/bin/tsc');
    const [node, browser] = await Promise.all([project.run('node', [tsc, '-p', 'tsconfig.json']), project.run('node', [tsc, '-p', 'tsconfig.browser.json'])]);
    expect(node.stdout + node.stderr).toBe('');
    expect(node.code).toBe(0);
    expect(browser.stdout + browser.stderr).toBe('');
    expect(browser.code).toBe(0);
  });

  it('npx samsa runs the bin with plain node: --help, --version', async () => {
    const help = await project.run('npx', [...NPX_SAMSA, '--help']);
    expect(help).toMatchObject({ code: 0, stderr: '' });
    expect(help.stdout).toMatch(/^Usage: samsa \[--url URL\]/);
    expect(help.stdout).toContain('produce <topic> [value...]');
    expect(await project.run('npx', [...NPX_SAMSA, '--version'])).toMatchObject({ code: 0, stdout: 'samsa 0.1.0\n' });
  });

  it('samsa doctor says what to install without the AWS SDK, and works with it beside the CLI', async () => {
    const args = [...NPX_SAMSA, 'doctor', '--meta-table', server.tables.meta, '--log-table', server.tables.log, '--endpoint', server.dynamoEndpoint, '--region', 'us-east-1'];
    const missing = await project.run('npx', args);
    expect(missing).toMatchObject({ code: 2, stdout: '' });
    expect(missing.stderr).toBe(
      'samsa: this command needs @aws-sdk/client-dynamodb, which @samsa/cli does not install: ' +
        'npm install @aws-sdk/client-dynamodb @aws-sdk/lib-dynamodb beside it (with -g for a global samsa)\n',
    );
    // As if installed beside it: the repository's copy, whose own dependencies resolve from its real path.
    symlinkSync(join(REPO, 'node_modules/@aws-sdk'), join(project.dir, 'node_modules/@aws-sdk'), 'dir');
    const doctor = await project.run('npx', [...args, '--url', server.url]);
    expect(doctor.stderr).toBe('');
    expect(doctor.code).toBe(0);
    expect(doctor.stdout).toContain(`ok    log table ${server.tables.log}: exists, status ACTIVE`);
    expect(doctor.stdout).toMatch(/^ok {4}API \S+: /m);
  });

  it('SDK round trip from a node script: produced records come back through a group consumer and fetches', async () => {
    const topic = uniqueTopic('pkg-sdk');
    const run = await project.run('node', ['roundtrip.mjs', topic, '20'], { env: credentials });
    expect(run, run.stderr).toMatchObject({ code: 0, stderr: '' });
    const { sent, grouped, fetched } = JSON.parse(run.stdout);
    const expected = Array.from({ length: 20 }, (_, i) => `k${i}=${i % 2 ? `v${i}` : JSON.stringify({ i })}`).sort();
    expect(new Set(sent).size).toBe(20);
    expect([...grouped].sort()).toEqual(expected);
    expect([...fetched].sort()).toEqual(expected);
  });

  it('CLI round trip with npx samsa: topics create, produce from stdin, consume', async () => {
    const topic = uniqueTopic('pkg-cli');
    const samsa = (args: string[], input?: string) => project.run('npx', [...NPX_SAMSA, ...args], { env: credentials, ...(input === undefined ? {} : { input }) });
    expect(await samsa(['topics', 'create', topic, '--partitions', '2'])).toMatchObject({ code: 0, stderr: '' });
    const lines = Array.from({ length: 10 }, (_, i) => `key-${i}:value ${i}`);
    expect(await samsa(['produce', topic, '--key-separator', ':'], `${lines.join('\n')}\n`)).toMatchObject({ code: 0, stderr: '' });
    const consumed = await samsa(['consume', topic, '--from-beginning', '--print-key', '--key-separator', ':']);
    expect(consumed).toMatchObject({ code: 0, stderr: '' });
    expect(consumed.stdout.split('\n').filter((l) => l !== '').sort()).toEqual([...lines].sort());
  });

  it("docs/sdk.md's example (Use Samsa from another project) runs as written", async () => {
    const readme = readFileSync(join(REPO, 'docs', 'sdk.md'), 'utf8');
    const example = /```js\n(\/\/ app\.mjs:[\s\S]*?)```/.exec(readme)?.[1];
    expect(example).toBeDefined();
    writeFileSync(join(project.dir, 'app.mjs'), example!);
    expect(await project.run('npx', [...NPX_SAMSA, 'topics', 'create', 'orders'], { env: credentials })).toMatchObject({ code: 0, stderr: '' });
    expect(await project.run('node', ['app.mjs'], { env: credentials })).toMatchObject({ code: 0, stdout: 'hello\n', stderr: '' });
  });

  it('a KafkaJS program with only its import changed: admin, producer and a consumer group (eachMessage) see every message', async () => {
    const topic = uniqueTopic('pkg-kjs');
    const count = 30;
    const run = await project.run('node', ['kafkajs.cjs', topic, String(count)], { env: credentials });
    expect(run, run.stderr).toMatchObject({ code: 0, stderr: '' });
    const received = JSON.parse(run.stdout) as { from: string; key: string; value: string; buffers: boolean; offset: string; i: string }[];
    expect(received.map((m) => m.key).sort()).toEqual(Array.from({ length: count }, (_, i) => `key-${i}`).sort());
    for (const m of received) {
      const i = m.key.slice('key-'.length);
      expect(m).toMatchObject({ from: topic, value: `value-${i}`, buffers: true, i });
      expect(m.offset).toMatch(/^\d+$/);
    }
  });
});

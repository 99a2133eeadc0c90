import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, type Run } from './run-cli';
import { resolveApiKey } from '../../cli/credentials';
import { closedPort, startTestServer, uniqueTopic, type TestServer } from '../client/server';

// Auth on, and no auth cache: a revoked key or a removed ACL fails the very next request.
let server: TestServer;
let adminKey: string;
beforeAll(async () => {
  server = await startTestServer({}, { auth: { mode: 'api-keys', cacheMs: 0 } });
  adminKey = server.adminKey!;
});
afterAll(() => server.close());


/** Runs the CLI as its own process; SAMSA_API_KEY only when a test sets it, and in a directory without a dev key unless given. */
function samsa(args: string[], options: { env?: Record<string, string>; cwd?: string; input?: string } = {}): Promise<Run> {
  const { SAMSA_API_KEY: _ignored, ...inherited } = process.env;
  return runCli(args, {
    env: { ...inherited, SAMSA_URL: server.url, ...options.env },
    cwd: options.cwd ?? emptyDir(),
    ...(options.input === undefined ? {} : { input: options.input }),
  });
}

const asAdmin = (args: string[], options: Parameters<typeof samsa>[1] = {}) => samsa(['--api-key', adminKey, ...args], options);
const lines = (text: string) => text.split('\n').filter((l) => l !== '');
const principal = (prefix: string) => `${prefix}-${randomUUID().slice(0, 8)}`;
const emptyDir = () => mkdtempSync(join(tmpdir(), 'samsa-cli-auth-'));
const KEY_LINE = /^samsa_[0-9a-f]{16}_[A-Za-z0-9_-]{43}\n$/;

/** Each command line exits 2 with one line on stderr (runs side by side). */
async function expectUsageErrors(commands: string[][]): Promise<void> {
  const runs = await Promise.all(commands.map((args) => asAdmin(args)));
  runs.forEach((run, i) => {
    expect(run.code, commands[i]!.join(' ')).toBe(2);
    expect(lines(run.stderr), commands[i]!.join(' ')).toHaveLength(1);
  });
}

/** A fresh key for a principal, made through the CLI. */
async function createKey(name: string): Promise<{ apiKey: string; keyId: string }> {
  const run = await asAdmin(['--json', 'keys', 'create', '--principal', name]);
  expect(run, run.stderr).toMatchObject({ code: 0 });
  return JSON.parse(run.stdout);
}

// Every run is a Node process with tsx; on a busy shared machine a test of a dozen runs can take a minute.
describe.concurrent('samsa CLI with authentication', { timeout: 120_000 }, () => {
  it('whoami names the principal of the key, and a missing key is one line saying how to give one', async () => {
    expect(await asAdmin(['whoami'])).toMatchObject({ code: 0, stdout: 'admin\n', stderr: '' });
    expect(JSON.parse((await asAdmin(['whoami', '--json'])).stdout)).toEqual({ principal: 'admin' });

    const none = await samsa(['topics', 'list']);
    expect(none.code).toBe(1);
    expect(none.stdout).toBe('');
    expect(none.stderr).toBe(
      "samsa: UNAUTHENTICATED: No credentials. Send 'Authorization: Bearer <api key>'. (no API key: pass --api-key or set $SAMSA_API_KEY)\n",
    );
    expect((await samsa(['whoami', '--api-key', 'has space'])).code).toBe(2);
  });

  it('takes --api-key over $SAMSA_API_KEY and never prints a rejected key', async () => {
    const name = principal('env');
    const { apiKey } = await createKey(name);
    expect((await samsa(['whoami'], { env: { SAMSA_API_KEY: apiKey } })).stdout).toBe(`${name}\n`);
    expect((await samsa(['whoami', '--api-key', adminKey], { env: { SAMSA_API_KEY: apiKey } })).stdout).toBe('admin\n');

    const bogus = `samsa_0123456789abcdef_${'A'.repeat(43)}`;
    const badFlag = await samsa(['whoami', '--api-key', bogus], { env: { SAMSA_API_KEY: apiKey } });
    expect(badFlag).toMatchObject({ code: 1, stdout: '' });
    expect(badFlag.stderr).toMatch(/^samsa: UNAUTHENTICATED: .*\(key from --api-key\)\n$/);
    expect(badFlag.stderr).not.toContain('A'.repeat(43));
    const badEnv = await samsa(['whoami'], { env: { SAMSA_API_KEY: bogus } });
    expect(badEnv.stderr).toMatch(/\(key from \$SAMSA_API_KEY\)\n$/);
    expect(badEnv.stderr).not.toContain('A'.repeat(43));
  });

  it('reads .samsa/dev-key only for the local default URL, after the flag and the variable', () => {
    const dir = emptyDir();
    const devKey = `samsa_${'1'.repeat(16)}_${'d'.repeat(43)}`;
    mkdirSync(join(dir, '.samsa'));
    writeFileSync(join(dir, '.samsa', 'dev-key'), `${devKey}\n`);
    expect(resolveApiKey(undefined, {}, 'http://127.0.0.1:4000', dir)).toEqual({ apiKey: devKey, source: 'dev-key' });
    expect(resolveApiKey(undefined, {}, 'http://localhost:4000/', dir)).toEqual({ apiKey: devKey, source: 'dev-key' });
    expect(resolveApiKey(undefined, { SAMSA_API_KEY: 'env-key' }, 'http://127.0.0.1:4000', dir)).toEqual({ apiKey: 'env-key', source: 'env' });
    expect(resolveApiKey('flag-key', { SAMSA_API_KEY: 'env-key' }, 'http://127.0.0.1:4000', dir)).toEqual({ apiKey: 'flag-key', source: 'flag' });
    for (const url of ['http://127.0.0.1:4001', 'https://samsa.example.com', 'http://10.0.0.1:4000']) {
      expect(resolveApiKey(undefined, {}, url, dir), url).toEqual({ apiKey: undefined, source: 'none' });
    }
    expect(resolveApiKey(undefined, {}, 'http://127.0.0.1:4000', emptyDir())).toEqual({ apiKey: undefined, source: 'none' });
  });

  it('keys create prints the key once, list shows it without the secret, revoke stops it', async () => {
    const name = principal('dave');
    const created = await asAdmin(['keys', 'create', '--principal', name, '--expires-in', '12h', '--description', 'ci runner']);
    expect(created.code).toBe(0);
    expect(created.stdout).toMatch(KEY_LINE);
    const apiKey = created.stdout.trim();
    const keyId = apiKey.split('_')[1]!;
    expect(created.stderr).toMatch(new RegExp(`^Created API key ${keyId} for principal '${name}' \\(expires \\d{4}-\\d{2}-\\d{2}T[\\d:.]+Z\\)\\.\nStore it now: `));
    expect((await samsa(['whoami', '--api-key', apiKey])).stdout).toBe(`${name}\n`);

    const listed = await asAdmin(['keys', 'list', '--principal', name]);
    expect(listed.code).toBe(0);
    expect(lines(listed.stdout)[0]).toMatch(/^KEY ID\s+PRINCIPAL\s+STATUS\s+CREATED\s+EXPIRES\s+CREATED BY\s+DESCRIPTION$/);
    expect(lines(listed.stdout)).toHaveLength(2);
    expect(listed.stdout).toMatch(new RegExp(`^${keyId}\\s+${name}\\s+active\\s+\\S+Z\\s+\\S+Z\\s+admin\\s+ci runner$`, 'm'));
    expect(listed.stdout).not.toContain(apiKey.split('_')[2]);
    const listedJson = JSON.parse((await asAdmin(['keys', 'list', '--json'])).stdout);
    expect(listedJson).toContainEqual(expect.objectContaining({ keyId, principal: name, description: 'ci runner', revokedAt: null }));
    // The secret is everything after `samsa_<keyId>_` (it may itself hold '_', base64url).
    expect(JSON.stringify(listedJson)).not.toContain(apiKey.slice(`samsa_${keyId}_`.length));

    // A key without admin rights cannot manage keys.
    expect((await samsa(['keys', 'list', '--api-key', apiKey])).stderr).toMatch(/^samsa: AUTHORIZATION_FAILED: /);

    expect(await asAdmin(['keys', 'revoke', keyId])).toMatchObject({ code: 0, stdout: `Revoked API key ${keyId} of principal '${name}'.\n` });
    const after = await samsa(['whoami', '--api-key', apiKey]);
    expect(after.code).toBe(1);
    expect(after.stderr).toMatch(new RegExp(`^samsa: UNAUTHENTICATED: API key ${keyId} was revoked\\.`));
    expect((await asAdmin(['keys', 'list', '--principal', name])).stdout).toMatch(/\srevoked\s/);
    expect(await asAdmin(['keys', 'revoke', '0123456789abcdef'])).toMatchObject({ code: 1, stderr: "samsa: API_KEY_NOT_FOUND: No API key '0123456789abcdef'.\n" });

    await expectUsageErrors([['keys', 'create'], ['keys', 'create', '--principal', name, '--expires-in', '2w'], ['keys', 'revoke'], ['keys', 'rotate'], ['keys', 'list', '--meta-table', 't']]);
  });

  it('acls add, list and remove; the ACLs decide what a key may do', async () => {
    const name = principal('erin');
    const { apiKey } = await createKey(name);
    const asErin = (args: string[], input?: string) => samsa(['--api-key', apiKey, ...args], input === undefined ? {} : { input });

    const added = await asAdmin(['acls', 'add', '--principal', name, '--topic', `${name}.`, '--prefixed', '--operation', 'all']);
    expect(added.code).toBe(0);
    const id = /^Added ACL ([0-9a-f]+): allow '.+' all on topics prefixed '.+\.'\.\n$/.exec(added.stdout)![1]!;
    // The same binding again is the same ACL.
    const group = principal('group');
    const other = uniqueTopic('cli');
    const [againRun, denied, cluster, everyone, otherTopic] = await Promise.all([
      asAdmin(['--json', 'acls', 'add', '--principal', name, '--topic', `${name}.`, '--prefixed', '--operation', 'all']),
      asAdmin(['acls', 'add', '--principal', name, '--topic', `${name}.secret`, '--operation', 'read', '--deny']),
      asAdmin(['acls', 'add', '--principal', name, '--cluster', '--operation', 'describe', '--json']),
      asAdmin(['acls', 'add', '--principal', '*', '--group', group, '--operation', 'read']),
      asAdmin(['topics', 'create', other]),
    ]);
    expect(JSON.parse(againRun.stdout)).toEqual({ id, principal: name, resourceType: 'topic', resourceName: `${name}.`, patternType: 'prefixed', operation: 'all', permission: 'allow' });
    expect(denied.stdout).toMatch(/^Added ACL [0-9a-f]+: deny '.+' read on topic '.+\.secret'\.\n$/);
    const clusterId = JSON.parse(cluster.stdout).id;
    expect(JSON.parse(cluster.stdout)).toMatchObject({ principal: name, resourceType: 'cluster', resourceName: 'samsa', patternType: 'literal' });
    expect(otherTopic.code).toBe(0);
    expect(everyone.stdout).toMatch(new RegExp(`^Added ACL [0-9a-f]+: allow everyone read on group '${group}'\\.\n$`));

    const listed = await asAdmin(['acls', 'list', '--principal', name]);
    expect(lines(listed.stdout)[0]).toMatch(/^ID\s+PRINCIPAL\s+PERMISSION\s+OPERATION\s+RESOURCE\s+PATTERN\s+NAME$/);
    expect(listed.stdout).toMatch(new RegExp(`^${id}\\s+${name}\\s+allow\\s+all\\s+topic\\s+prefixed\\s+${name}\\.$`, 'm'));
    expect(listed.stdout).toMatch(new RegExp(`\\s+deny\\s+read\\s+topic\\s+literal\\s+${name}\\.secret$`, 'm'));
    expect(listed.stdout).toMatch(new RegExp(`^${clusterId}\\s+${name}\\s+allow\\s+describe\\s+cluster\\s+literal\\s+samsa$`, 'm'));
    expect(lines(listed.stdout)).toHaveLength(4);
    const [clusterAcls, groupAclsRun, secretAcls] = await Promise.all([
      asAdmin(['acls', 'list', '--cluster', '--json']),
      asAdmin(['acls', 'list', '--group', group, '--json']),
      asAdmin(['acls', 'list', '--topic', `${name}.secret`, '--json']),
    ]);
    expect(JSON.parse(clusterAcls.stdout)).toContainEqual(expect.objectContaining({ id: clusterId }));
    const groupAcls = JSON.parse(groupAclsRun.stdout);
    expect(groupAcls).toEqual([expect.objectContaining({ principal: '*', resourceType: 'group', resourceName: group })]);
    expect(JSON.parse(secretAcls.stdout)).toHaveLength(1);
    expect((await asAdmin(['acls', 'remove', groupAcls[0].id])).code).toBe(0);

    const mine = `${name}.orders`;
    expect((await asErin(['topics', 'create', mine])).code).toBe(0);
    expect((await asErin(['produce', mine], 'one\ntwo\n')).code).toBe(0);
    expect(lines((await asErin(['consume', mine])).stdout)).toEqual(['one', 'two']);
    const forbidden = await asErin(['consume', other]);
    expect(forbidden.code).toBe(1);
    expect(forbidden.stderr).toMatch(/^samsa: AUTHORIZATION_FAILED: /);
    expect(lines(forbidden.stderr)).toHaveLength(1);

    expect(await asAdmin(['acls', 'remove', id])).toMatchObject({ code: 0, stdout: `Removed ACL ${id}: allow '${name}' all on topics prefixed '${name}.'.\n` });
    expect((await asErin(['consume', mine])).stderr).toMatch(/^samsa: AUTHORIZATION_FAILED: /);
    expect(await asAdmin(['acls', 'remove', id])).toMatchObject({ code: 1, stderr: `samsa: ACL_NOT_FOUND: No ACL '${id}'.\n` });
    const denyId = JSON.parse((await asAdmin(['acls', 'list', '--principal', name, '--json'])).stdout).find((a: { permission: string }) => a.permission === 'deny').id;
    expect((await asAdmin(['acls', 'remove', denyId, '--json'])).code).toBe(0);
    expect((await asAdmin(['acls', 'remove', clusterId])).code).toBe(0);
    expect(await asAdmin(['acls', 'list', '--principal', name])).toMatchObject({ code: 0, stdout: '', stderr: 'No ACLs.\n' });

    await expectUsageErrors([
      ['acls', 'add', '--principal', name, '--topic', 'x'],
      ['acls', 'add', '--principal', name, '--operation', 'read'],
      ['acls', 'add', '--principal', name, '--topic', 'x', '--group', 'y', '--operation', 'read'],
      ['acls', 'add', '--principal', name, '--cluster', '--prefixed', '--operation', 'alter'],
      ['acls', 'add', '--principal', name, '--topic', 'x', '--operation', 'fly'],
      ['acls', 'list', '--deny'],
      ['acls', 'remove'],
    ]);
  });

  it('keys bootstrap writes a working key straight into the meta table with AWS credentials', async () => {
    const bootstrapped = await samsa(['keys', 'bootstrap', '--principal', 'admin', '--meta-table', server.tables.meta, '--endpoint', server.dynamoEndpoint, '--expires-in', '1d']);
    expect(bootstrapped.code, bootstrapped.stderr).toBe(0);
    expect(bootstrapped.stdout).toMatch(KEY_LINE);
    expect(bootstrapped.stderr).toMatch(/^Created API key [0-9a-f]{16} for principal 'admin' \(expires .+\)\.\nStore it now: /);
    const apiKey = bootstrapped.stdout.trim();
    expect(await samsa(['whoami', '--api-key', apiKey])).toMatchObject({ code: 0, stdout: 'admin\n' });
    // It is a super user's key like any other: it can make the next keys.
    expect((await samsa(['keys', 'create', '--principal', principal('ops'), '--api-key', apiKey])).code).toBe(0);
    const listed = JSON.parse((await asAdmin(['keys', 'list', '--principal', 'admin', '--json'])).stdout);
    expect(listed).toContainEqual(expect.objectContaining({ keyId: apiKey.split('_')[1], createdBy: 'samsa keys bootstrap' }));

    const json = JSON.parse(
      (await samsa(['--json', 'keys', 'bootstrap', '--principal', 'ci', '--meta-table', server.tables.meta, '--endpoint', server.dynamoEndpoint, '--description', 'CI'])).stdout,
    );
    expect(json).toMatchObject({ principal: 'ci', description: 'CI', expiresAt: null, apiKey: expect.stringMatching(/^samsa_/) });

    const noTable = await samsa(['keys', 'bootstrap', '--principal', 'admin', '--meta-table', 'no-such-table', '--endpoint', server.dynamoEndpoint]);
    expect(noTable).toMatchObject({ code: 1, stdout: '' });
    expect(noTable.stderr).toMatch(/^samsa: ResourceNotFoundException: .*\(no table 'no-such-table' in us-east-1\)\n$/);
    const unreachable = await samsa(['keys', 'bootstrap', '--principal', 'admin', '--meta-table', 'x', '--endpoint', `http://127.0.0.1:${await closedPort()}`]);
    expect(unreachable.code, unreachable.stderr).toBe(3);
    expect(lines(unreachable.stderr)).toHaveLength(1);
    await expectUsageErrors(
      [['--meta-table', 't', '--endpoint', server.dynamoEndpoint], ['--principal', 'admin'], ['--principal', 'bad name!', '--meta-table', 't', '--endpoint', server.dynamoEndpoint]].map(
        (args) => ['keys', 'bootstrap', ...args],
      ),
    );
  });

  it('a produce refused by ACLs says that writing the topic was refused, at every step a producer takes', async () => {
    const name = principal('frank');
    const { apiKey } = await createKey(name);
    const topic = uniqueTopic('cli');
    expect((await asAdmin(['topics', 'create', topic])).code).toBe(0);
    const asFrank = (args: string[]) => samsa(['--api-key', apiKey, ...args]);

    // No grant at all: the producer's first step, describing the topic for its partitions, is refused.
    const nothing = await asFrank(['produce', topic, 'x']);
    expect(nothing).toMatchObject({ code: 1, stdout: '' });
    expect(nothing.stderr).toBe(
      `samsa: AUTHORIZATION_FAILED: Not allowed to write topic '${topic}': Principal '${name}' may not describe topic '${topic}', which a producer needs to learn its partitions (a write grant includes describe).\n`,
    );

    // Describe only: the idempotent producer's id is refused, then (without idempotence) the write itself.
    expect((await asAdmin(['acls', 'add', '--principal', name, '--topic', topic, '--operation', 'describe'])).code).toBe(0);
    const describeOnly = await asFrank(['produce', topic, 'x']);
    expect(describeOnly.stderr).toBe(
      `samsa: AUTHORIZATION_FAILED: Not allowed to write topic '${topic}': Principal '${name}' may not get an idempotent producer id, which needs write on at least one topic (or write on the cluster).\n`,
    );
    const plain = await asFrank(['produce', topic, 'x', '--no-idempotence']);
    expect(plain.stderr).toBe(`samsa: AUTHORIZATION_FAILED: Principal '${name}' may not write topic '${topic}'.\n`);

    expect((await asAdmin(['acls', 'add', '--principal', name, '--topic', topic, '--operation', 'write'])).code).toBe(0);
    expect(await asFrank(['produce', topic, 'x'])).toMatchObject({ code: 0, stderr: '' });
  });

  it('documents the commands in --help', async () => {
    const help = await samsa(['--help']);
    expect(help.stdout).toMatch(/--api-key KEY/);
    expect(help.stdout).toMatch(/^ {2}keys bootstrap /m);
    expect((await samsa(['keys', '--help'])).stdout).toMatch(/only this once/);
    expect((await samsa(['acls', '--help'])).stdout).toMatch(/--prefixed/);
    expect((await samsa(['whoami', '--help'])).code).toBe(0);
  });
});

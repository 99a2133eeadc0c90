import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, type Run } from './run-cli';
import type { LocalServer } from '../../local/server';
import { closedPort, startTestServer, uniqueTopic } from '../client/server';

let server: LocalServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

/** Runs the CLI the way a user does, as its own process, against the test server. */
function samsa(args: string[], options: { input?: string; url?: string } = {}): Promise<Run> {
  return runCli(args, { env: { ...process.env, SAMSA_URL: options.url ?? server.url }, ...(options.input === undefined ? {} : { input: options.input }) });
}

const lines = (text: string) => text.split('\n').filter((l) => l !== '');

// Each test runs its own processes on its own topics, so they run side by side.
// Each spawns several tsx processes at once; on a busy 2-core machine one test can take well over the default 30 s.
describe.concurrent('samsa CLI', { timeout: 120_000 }, () => {
  it('creates, lists, describes, alters and deletes topics', async () => {
    const name = uniqueTopic('cli');
    const created = await samsa(['topics', 'create', name, '--partitions', '2', '--config', 'retention.ms=60000']);
    expect(created).toMatchObject({ code: 0, stderr: '' });
    expect(created.stdout).toBe(`Created topic '${name}' with 2 partitions.\n`);

    const listed = await samsa(['topics', 'list']);
    expect(listed.code).toBe(0);
    expect(lines(listed.stdout)[0]).toMatch(/^TOPIC\s+PARTITIONS\s+TOPIC ID$/);
    expect(listed.stdout).toMatch(new RegExp(`^${name}\\s+2\\s+[0-9a-f-]{36}$`, 'm'));

    const described = await samsa(['--json', 'topics', 'describe', name]);
    expect(JSON.parse(described.stdout)).toMatchObject({ name, partitions: [{ partition: 0 }, { partition: 1 }] });
    expect(JSON.parse(described.stdout).configs).toContainEqual({ name: 'retention.ms', value: '60000', source: 'topic' });

    const altered = await samsa(['topics', 'alter', name, '--partitions', '3', '--reset-config', 'retention.ms']);
    expect(altered.code).toBe(0);
    expect(altered.stdout).toMatch(/^Partitions:\s+3$/m);
    expect(altered.stdout).toMatch(/^retention\.ms\s+604800000\s+default$/m);

    expect(await samsa(['topics', 'delete', name])).toMatchObject({ code: 0, stdout: `Deleted topic '${name}'.\n` });
    const gone = await samsa(['topics', 'describe', name]);
    expect(gone.code).toBe(1);
    expect(gone.stderr).toBe(`samsa: UNKNOWN_TOPIC_OR_PARTITION: Topic '${name}' does not exist.\n`);
  });

  it('produces stdin lines with keys and consumes them from the beginning as text and JSON', async () => {
    const name = uniqueTopic('cli');
    await samsa(['topics', 'create', name, '--partitions', '3']);
    const input = ['alice:one', 'bob:two', 'alice:three', 'carol:four:with:colons', ''].join('\n');
    const produced = await samsa(['produce', name, '--key-separator', ':', '--header', 'source=cli', '--output', 'json'], { input });
    expect(produced).toMatchObject({ code: 0, stderr: '' });
    const acks = lines(produced.stdout).map((l) => JSON.parse(l));
    expect(acks).toHaveLength(4);
    const alice = acks.filter((a, i) => [0, 2].includes(i) || a.partition === acks[0].partition);
    expect(new Set(alice.map((a) => a.partition)).size).toBe(1);

    const text = await samsa(['consume', name, '--from-beginning', '--print-key']);
    expect(text.code).toBe(0);
    expect(lines(text.stdout).sort()).toEqual(['alice\tone', 'alice\tthree', 'bob\ttwo', 'carol\tfour:with:colons'].sort());
    // Per key, order is kept.
    expect(lines(text.stdout).filter((l) => l.startsWith('alice'))).toEqual(['alice\tone', 'alice\tthree']);

    const json = await samsa(['consume', name, '--from-beginning', '--max-messages', '2', '--output', 'json']);
    const records = lines(json.stdout).map((l) => JSON.parse(l));
    expect(records).toHaveLength(2);
    expect(records[0]).toMatchObject({ topic: name, key: { type: 'STRING' }, value: { type: 'STRING' }, headers: [{ name: 'source', value: { type: 'STRING', data: 'cli' } }] });
    expect(typeof records[0].offset).toBe('number');
  });

  it('produces JSON values from arguments and a file, to a chosen partition', async () => {
    const name = uniqueTopic('cli');
    await samsa(['topics', 'create', name, '--partitions', '2']);
    expect((await samsa(['produce', name, '--value-type', 'json', '--partition', '1', '{"n":1}', '[2]'])).code).toBe(0);
    const file = join(mkdtempSync(join(tmpdir(), 'samsa-cli-')), 'records.txt');
    writeFileSync(file, '{"n":3}\n"four"\n');
    expect((await samsa(['produce', name, '--value-type', 'json', '--partition', '1', '--file', file])).code).toBe(0);

    const consumed = await samsa(['consume', name, '--partition', '1', '--offset', '1']);
    expect(lines(consumed.stdout)).toEqual(['[2]', '{"n":3}', '"four"']);
    const typed = await samsa(['consume', name, '--partition', '1', '--output', 'json']);
    expect(lines(typed.stdout).map((l) => JSON.parse(l).value)).toEqual([
      { type: 'JSON', data: { n: 1 } },
      { type: 'JSON', data: [2] },
      { type: 'JSON', data: { n: 3 } },
      { type: 'JSON', data: 'four' },
    ]);
    const offsets = await samsa(['offsets', name]);
    expect(lines(offsets.stdout)).toEqual([
      'PARTITION  LOG START  HIGH WATERMARK  RECORDS',
      '        0          0               0        0',
      '        1          0               4        4',
    ]);

    // The global --json means machine output here too (a line per record); the values stay strings.
    const machine = await samsa(['--json', 'produce', name, '--partition', '0', '{"n":5}']);
    expect(machine.code, machine.stderr).toBe(0);
    expect(lines(machine.stdout).map((l) => JSON.parse(l))).toEqual([{ topic: name, partition: 0, offset: 0, timestamp: expect.any(Number) }]);
    const strings = await samsa(['consume', name, '--partition', '0', '--output', 'json']);
    expect(JSON.parse(lines(strings.stdout)[0]!).value).toEqual({ type: 'STRING', data: '{"n":5}' });
    const badType = await samsa(['produce', name, '--value-type', 'xml', 'x']);
    expect(badType).toMatchObject({ code: 2, stderr: "samsa: --value-type must be string or json; got 'xml' (see 'samsa --help')\n" });
  });

  it('exits 1 with one line for API errors, 2 for usage errors and bad input, 3 when the server is down', async () => {
    const missing = uniqueTopic('missing');
    const unknown = await samsa(['consume', missing]);
    expect(unknown).toMatchObject({ code: 1, stdout: '', stderr: `samsa: UNKNOWN_TOPIC_OR_PARTITION: Topic '${missing}' does not exist.\n` });
    const produceUnknown = await samsa(['produce', missing, 'x']);
    expect(produceUnknown.code).toBe(1);
    expect(lines(produceUnknown.stderr)).toEqual([`samsa: UNKNOWN_TOPIC_OR_PARTITION: Topic '${missing}' does not exist.`]);

    for (const args of [['topics', 'create'], ['topics', 'frobnicate', 'x'], ['consume', 'x', '--bogus'], ['nope'], ['offsets', 'x', '--timeout-ms', 'soon']]) {
      const run = await samsa(args);
      expect(run.code, args.join(' ')).toBe(2);
      expect(lines(run.stderr), args.join(' ')).toHaveLength(1);
      expect(run.stderr).toMatch(/^samsa: .*\(see 'samsa --help'\)\n$/);
    }

    const name = uniqueTopic('cli');
    await samsa(['topics', 'create', name]);
    const badLine = await samsa(['produce', name, '--key-separator', '='], { input: 'a=1\nno separator here\n' });
    expect(badLine).toMatchObject({ code: 2, stderr: "samsa: record 2 has no key separator '='\n" });
    // What came before the bad line was still delivered.
    expect(lines((await samsa(['consume', name])).stdout)).toEqual(['1']);

    const down = await samsa(['topics', 'list'], { url: `http://127.0.0.1:${await closedPort()}` });
    expect(down.code).toBe(3);
    expect(down.stderr).toMatch(/^samsa: NETWORK_ERROR: GET http:\/\/127\.0\.0\.1:\d+\/v1\/topics failed: fetch failed \(ECONNREFUSED\)\.\n$/);
  });

  it('consumes as a group member that resumes from its commits, and administers groups', async () => {
    const name = uniqueTopic('cli');
    const group = uniqueTopic('group');
    await samsa(['topics', 'create', name, '--partitions', '2']);
    await samsa(['produce', name, '--key-separator', '=', '--output', 'json'], { input: 'a=1\nb=2\nc=3\nd=4\ne=5\nf=6\n' });

    const first = await samsa(['consume', name, '--group', group, '--max-messages', '4']);
    expect(first).toMatchObject({ code: 0, stderr: '' });
    const second = await samsa(['consume', name, '--group', group]);
    expect(second.code).toBe(0);
    // Each record once across the two runs: the first committed what it printed.
    expect([...lines(first.stdout), ...lines(second.stdout)].sort()).toEqual(['1', '2', '3', '4', '5', '6']);

    const listed = await samsa(['groups', 'list']);
    expect(listed.stdout).toMatch(new RegExp(`^${group}\\s+Empty\\s+0$`, 'm'));
    const lag = await samsa(['groups', 'lag', group]);
    expect(lag.stdout).toMatch(/^Total lag: 0$/m);
    expect(JSON.parse((await samsa(['--json', 'groups', 'describe', group])).stdout)).toMatchObject({ group, state: 'Empty', members: [] });

    const reset = await samsa(['groups', 'reset', group, '--topic', name, '--to', 'earliest']);
    expect(reset.code).toBe(0);
    expect(JSON.parse((await samsa(['groups', 'lag', group, '--json'])).stdout).totalLag).toBe(6);
    expect(await samsa(['groups', 'delete', group])).toMatchObject({ code: 0, stdout: `Deleted group '${group}'.\n` });
    expect(await samsa(['groups', 'describe', group])).toMatchObject({ code: 1, stderr: `samsa: GROUP_ID_NOT_FOUND: Group '${group}' does not exist.\n` });
    expect((await samsa(['groups', 'reset', group, '--topic', name, '--to', 'yesterday'])).code).toBe(2);
  });

  it('groups list and describe count the same live members; an expired one is shown, marked, and not counted', async () => {
    const name = uniqueTopic('cli');
    const group = uniqueTopic('group');
    expect((await samsa(['topics', 'create', name])).code).toBe(0);
    const join = await fetch(`${server.url}/v1/groups/${group}/heartbeat`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ memberId: 'gone', memberEpoch: 0, topics: [name], sessionTimeoutMs: 1_000 }),
    });
    expect(join.status).toBe(200);
    await new Promise((r) => setTimeout(r, 1_500)); // its session runs out; nothing has removed it yet
    const [listed, described] = await Promise.all([samsa(['groups', 'list']), samsa(['groups', 'describe', group])]);
    expect(listed.stdout).toMatch(new RegExp(`^${group}\\s+Empty\\s+0$`, 'm'));
    expect(described.stdout).toMatch(/^State: {4}Empty$/m);
    expect(described.stdout).toMatch(/^Members: {2}0 \(not counting 1 expired, not removed yet\)$/m);
    expect(described.stdout).toMatch(/^gone\s.*\syes$/m);
  });

  it('documents commands and exit codes in --help', async () => {
    const help = await samsa(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/Exit codes:/);
    expect(help.stdout).toMatch(/^ {2}2 {4}usage error/m);
    expect((await samsa(['produce', '--help'])).stdout).toMatch(/--key-separator SEP[\s\S]*--value-type T {8}string \(default\) or json/);
    // --json is the global output flag; JSON values have their own option, named in the global help too.
    expect(help.stdout).toMatch(/^ {2}--json {13}machine-readable output[\s\S]*produce --value-type json/m);
    expect((await samsa([])).code).toBe(2);
  });
});

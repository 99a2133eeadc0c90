/**
 * `samsa transaction`: one atomic request from the command line or a file,
 * with a group member's offsets; bad input exits 2 before anything is sent,
 * a refused transaction exits 1 and leaves nothing behind.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, type Run } from './run-cli';
import type { LocalServer } from '../../local/server';
import { startTestServer, uniqueTopic } from '../client/server';

let server: LocalServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

function samsa(args: string[], input?: string): Promise<Run> {
  return runCli(args, { env: { ...process.env, SAMSA_URL: server.url }, ...(input === undefined ? {} : { input }) });
}

const lines = (text: string) => text.split('\n').filter((l) => l !== '');

/** A live member of `group` that owns every partition of `topic` (it is alone), and its epoch. */
async function joinAlone(group: string, topic: string): Promise<{ memberId: string; memberEpoch: number }> {
  let body = { memberId: `m-${group}`, memberEpoch: 0, topics: [topic], sessionTimeoutMs: 60_000 };
  for (let i = 0; i < 20; i++) {
    const res = await fetch(`${server.url}/v1/groups/${group}/heartbeat`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const answer = (await res.json()) as { memberId: string; memberEpoch: number; assignment: { topic: string; partitions: number[] }[] };
    if (answer.assignment.some((a) => a.topic === topic && a.partitions.length > 0)) return { memberId: answer.memberId, memberEpoch: answer.memberEpoch };
    body = { ...body, memberId: answer.memberId, memberEpoch: answer.memberEpoch };
  }
  throw new Error('the member got no assignment');
}

describe.concurrent('samsa transaction', { timeout: 120_000 }, () => {
  it('writes records for several topics and partitions at once, and prints where each landed', async () => {
    const a = uniqueTopic('cli-tx');
    const b = uniqueTopic('cli-tx');
    await Promise.all([samsa(['topics', 'create', a, '--partitions', '2']), samsa(['topics', 'create', b])]);
    const run = await samsa(['transaction', `${a}:0=debit`, `${a}:1=credit`, `${b}=audit`]);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(lines(run.stdout)[0]).toBe('Committed a transaction of 3 records in 3 partitions.');
    expect(run.stdout).toMatch(new RegExp(`^${a}\\s+0\\s+0$`, 'm'));
    expect(run.stdout).toMatch(new RegExp(`^${a}\\s+1\\s+0$`, 'm'));
    expect(run.stdout).toMatch(new RegExp(`^${b}\\s+0\\s+0$`, 'm'));

    const json = await samsa(['--json', 'transaction', '--key-separator', ':', '--value-type', 'json', '--header', 'source=cli', `${a}=k:{"n":1}`]);
    expect(json.code, json.stderr).toBe(0);
    const result = JSON.parse(json.stdout);
    expect(result).toEqual({ records: [{ topic: a, partition: expect.any(Number), offset: 1, timestamp: expect.any(Number) }], committed: [] });
    const consumed = lines((await samsa(['consume', a, '--partition', String(result.records[0].partition), '--offset', '1', '--output', 'json'])).stdout).map((l) => JSON.parse(l));
    expect(consumed).toEqual([
      expect.objectContaining({ key: { type: 'STRING', data: 'k' }, value: { type: 'JSON', data: { n: 1 } }, headers: [{ name: 'source', value: { type: 'STRING', data: 'cli' } }] }),
    ]);
    expect(lines((await samsa(['consume', b])).stdout)).toEqual(['audit']);
  });

  it('commits a group member’s offsets with the records from a file or stdin; a stale epoch refuses all of it', async () => {
    const input = uniqueTopic('cli-tx-in');
    const output = uniqueTopic('cli-tx-out');
    const group = uniqueTopic('cli-tx-group');
    await Promise.all([samsa(['topics', 'create', input]), samsa(['topics', 'create', output])]);
    const member = await joinAlone(group, input);
    const file = join(mkdtempSync(join(tmpdir(), 'samsa-tx-')), 'tx.json');
    writeFileSync(
      file,
      JSON.stringify({
        records: [{ topic: output, key: 'order-1', value: { json: { total: 42 } } }],
        groupCommit: { groupId: group, ...member, offsets: [{ topic: input, partition: 0, offset: 5 }] },
      }),
    );
    const run = await samsa(['transaction', '--file', file]);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    expect(lines(run.stdout)[0]).toBe(`Committed a transaction of 1 record in 1 partition and 1 offset of group '${group}'.`);
    expect(JSON.parse((await samsa(['--json', 'groups', 'offsets', group])).stdout)).toMatchObject({ offsets: [{ topic: input, partition: 0, offset: 5 }] });

    // The same as options, the records on stdin.
    const fromStdin = await samsa(
      ['--json', 'transaction', '--file', '-', '--group', group, '--member-id', member.memberId, '--member-epoch', String(member.memberEpoch), '--commit', `${input}:0=6`],
      JSON.stringify({ records: [{ topic: output, value: 'second' }] }),
    );
    expect(fromStdin.code, fromStdin.stderr).toBe(0);
    expect(JSON.parse(fromStdin.stdout).committed).toEqual([{ topic: input, partition: 0, offset: 6 }]);

    // A zombie's epoch: exit 1 with the server's code, and neither its record nor its offset exists.
    const stale = await samsa(['transaction', `${output}=zombie`, '--group', group, '--member-id', member.memberId, '--member-epoch', String(member.memberEpoch + 7), '--commit', `${input}:0=9`]);
    expect(stale.code).toBe(1);
    expect(stale.stderr).toMatch(/^samsa: (FENCED_MEMBER_EPOCH|STALE_MEMBER_EPOCH): /);
    expect(lines((await samsa(['consume', output])).stdout)).toEqual(['{"total":42}', 'second']);
    expect(JSON.parse((await samsa(['--json', 'groups', 'offsets', group])).stdout)).toMatchObject({ offsets: [{ topic: input, partition: 0, offset: 6 }] });
  });

  it('exits 2 with one line for bad input, 1 when the server refuses the transaction, and writes nothing', async () => {
    const name = uniqueTopic('cli-tx');
    await samsa(['topics', 'create', name]);
    const dir = mkdtempSync(join(tmpdir(), 'samsa-tx-'));
    const write = (file: string, text: string) => {
      writeFileSync(join(dir, file), text);
      return join(dir, file);
    };
    const usage: [string[], RegExp][] = [
      [['transaction'], /^samsa: nothing to commit: .*\(see 'samsa --help'\)\n$/],
      [['transaction', 'no-equals-sign'], /^samsa: record 1 must be TOPIC\[:PARTITION\]=VALUE; got 'no-equals-sign'\n$/],
      [['transaction', `${name}:x=v`], /^samsa: record 1: the partition must be an integer; got 'x'\n$/],
      [['transaction', '--value-type', 'json', `${name}=not json`], /^samsa: record 1 is not valid JSON: /],
      [['transaction', `${name}=v`, '--file', 'f.json'], /^samsa: give records as arguments or --file, not both/],
      [['transaction', `${name}=v`, '--group', 'g'], /^samsa: a group commit needs --group, --member-id, --member-epoch and at least one --commit/],
      [['transaction', `${name}=v`, '--group', 'g', '--member-id', 'm', '--member-epoch', '1', '--commit', `${name}=3`], /^samsa: --commit takes TOPIC:PARTITION=OFFSET/],
      [['transaction', '--file', join(dir, 'missing.json')], /^samsa: cannot read --file .*: ENOENT/],
      [['transaction', '--file', write('bad.json', '{"records": [')], /^samsa: --file .* is not valid JSON: /],
      [['transaction', '--file', write('extra.json', '{"records": [], "producerId": "1"}')], /^samsa: --file .*: unknown field 'producerId'/],
      [['transaction', '--file', write('number.json', `{"records": [{"topic": "${name}", "value": 7}]}`)], /^samsa: INVALID_ARGUMENT: /],
    ];
    for (const [args, message] of usage) {
      const run = await samsa(args);
      expect(run.code, args.join(' ')).toBe(2);
      expect(lines(run.stderr), args.join(' ')).toHaveLength(1);
      expect(run.stderr, args.join(' ')).toMatch(message);
    }

    // One record for a partition that does not exist refuses the others too.
    const refused = await samsa(['transaction', `${name}:0=fine`, `${name}:5=nowhere`]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^samsa: UNKNOWN_TOPIC_OR_PARTITION: /);
    const tooBig = await samsa(['transaction', ...Array.from({ length: 4 }, (_, i) => `${name}:0=${'x'.repeat(100_000)}${i}`)]);
    expect(tooBig.code).toBe(1);
    expect(tooBig.stderr).toMatch(/^samsa: INVALID_REQUEST: .*380/);
    expect(lines((await samsa(['offsets', name, '--json'])).stdout).join('')).toMatch(/"highWatermark":0/);
  });

  it('is in the help', async () => {
    const help = await samsa(['--help']);
    expect(help.stdout).toMatch(/^ {2}transaction \[TOPIC\[:PARTITION\]=VALUE\.\.\.\]/m);
    const own = await samsa(['transaction', '--help']);
    expect(own.code).toBe(0);
    expect(own.stdout).toMatch(/--commit T:P=O/);
  });
});

/**
 * samsa doctor against DynamoDB Local: tables made by ensureTables pass,
 * a missing table, wrong keys, a missing index and TTL off fail with exit
 * code 1, facts DynamoDB Local does not report are warnings, and --url adds
 * the API health. The pure checks also get the describe outputs only AWS
 * gives (PITR, deletion protection, provisioned billing).
 */
import { randomUUID } from 'node:crypto';
import { CreateTableCommand } from '@aws-sdk/client-dynamodb';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { runCli, type Run } from './run-cli';
import { checkTable } from '../../cli/doctor/table-checks';
import { createStorageClients, localCredentials } from '../../lib/storage/client';
import { createTableInput, ensureTables } from '../../lib/storage/ensure-tables';
import { localTableNames, TABLES, type TableNames } from '../../lib/storage/schema';
import type { LocalServer } from '../../local/server';
import { closedPort, startTestServer } from '../client/server';

let endpoint: string;
let healthy: TableNames;
let broken: TableNames;
let server: LocalServer;

beforeAll(async () => {
  endpoint = inject('dynamoEndpoint');
  healthy = localTableNames(`d${randomUUID().slice(0, 8)}`);
  broken = localTableNames(`d${randomUUID().slice(0, 8)}`);
  const { raw } = createStorageClients({ endpoint, credentials: localCredentials() });
  await ensureTables(raw, healthy);
  // A log table with a string sort key, no byOffset index and no TTL.
  const { GlobalSecondaryIndexes: _none, ...input } = createTableInput(TABLES.log, broken.log);
  input.AttributeDefinitions = [
    { AttributeName: 'pk', AttributeType: 'S' },
    { AttributeName: 'sk', AttributeType: 'S' },
  ];
  await raw.send(new CreateTableCommand(input));
  raw.destroy();
  server = await startTestServer();
});
afterAll(() => server?.close());

function samsa(args: string[]): Promise<Run> {
  return runCli(args, { env: { ...process.env, AWS_REGION: 'us-east-1' } });
}

const doctorArgs = (tables: TableNames) => ['doctor', '--meta-table', tables.meta, '--log-table', tables.log, '--endpoint', endpoint];

describe.concurrent('samsa doctor', () => {
  it('passes the tables ensureTables made, warning about what DynamoDB Local does not report', async () => {
    const run = await samsa(doctorArgs(healthy));
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const out = run.stdout;
    expect(out).toContain(`ok    log table ${healthy.log}: exists, status ACTIVE`);
    expect(out).toContain(`ok    log table ${healthy.log}: key schema pk (S) HASH, sk (N) RANGE`);
    expect(out).toContain(`ok    meta table ${healthy.meta}: key schema pk (S) HASH, sk (S) RANGE`);
    expect(out).toMatch(/^ok {4}log table \S+: index byOffset ACTIVE: pk \(S\) HASH, o \(N\) RANGE, INCLUDE n, ra, ab, mt$/m);
    expect(out).toContain(`ok    log table ${healthy.log}: TTL enabled on 'ttl'`);
    expect(out).toContain(`warn  log table ${healthy.log}: point-in-time recovery: not reported by this endpoint`);
    expect(out).toMatch(/^warn  log table \S+: deletion protection disabled/m);
    expect(out).not.toMatch(/^fail/m);
    expect(out).toMatch(/^\d+ checks: \d+ ok, \d+ warn, 0 fail$/m);
  });

  it('fails, exit 1, when a table is missing or has other keys, no index and no TTL', async () => {
    const run = await samsa(['--json', ...doctorArgs({ meta: `missing-${randomUUID().slice(0, 8)}`, log: broken.log })]);
    expect(run.code).toBe(1);
    expect(run.stderr).toBe('samsa: doctor: 4 checks failed\n');
    const report = JSON.parse(run.stdout) as { ok: boolean; checks: { status: string; subject: string; message: string }[] };
    expect(report.ok).toBe(false);
    const failures = report.checks.filter((c) => c.status === 'fail').map((c) => `${c.subject}: ${c.message}`);
    expect(failures).toEqual([
      expect.stringMatching(/^meta table missing-\w+: does not exist/),
      `log table ${broken.log}: key schema is pk (S) HASH, sk (S) RANGE; Samsa needs pk (S) HASH, sk (N) RANGE`,
      `log table ${broken.log}: index byOffset is missing; readers query it to find batches by offset`,
      expect.stringMatching(/^log table \S+: TTL is DISABLED; Samsa needs it enabled on 'ttl'/),
    ]);
  });

  it('with --url also checks /v1/health', async () => {
    const up = await samsa([...doctorArgs(healthy), '--url', server.url]);
    expect(up.code).toBe(0);
    // It shows where notifications are: the local server's own /v1/ws.
    expect(up.stdout).toContain(`ok    API ${server.url}: /v1/health answered {"status":"ok","pushUrl":"${server.url.replace(/^http/, 'ws')}/v1/ws"}`);
    const downUrl = `http://127.0.0.1:${await closedPort()}`;
    const down = await samsa([...doctorArgs(healthy), '--url', downUrl, '--timeout-ms', '2000']);
    expect(down.code).toBe(1);
    expect(down.stdout).toMatch(new RegExp(`^fail  API ${downUrl.replace(/[.]/g, '\\.')}: /v1/health`, 'm'));
  });

  it('refuses to run without both table names', async () => {
    const run = await samsa(['doctor', '--meta-table', 'x']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/doctor needs --meta-table and --log-table/);
  });
});

describe('table checks on what AWS reports', () => {
  const table = {
    TableStatus: 'ACTIVE' as const,
    AttributeDefinitions: [
      { AttributeName: 'pk', AttributeType: 'S' as const },
      { AttributeName: 'sk', AttributeType: 'S' as const },
    ],
    KeySchema: [
      { AttributeName: 'pk', KeyType: 'HASH' as const },
      { AttributeName: 'sk', KeyType: 'RANGE' as const },
    ],
  };

  it('reports PITR, billing mode and deletion protection as ok when set as the stack sets them', () => {
    const checks = checkTable(TABLES.meta, 'm', {
      table: { ...table, BillingModeSummary: { BillingMode: 'PAY_PER_REQUEST' }, DeletionProtectionEnabled: true },
      ttl: { TimeToLiveStatus: 'ENABLED', AttributeName: 'ttl' },
      backups: { ContinuousBackupsStatus: 'ENABLED', PointInTimeRecoveryDescription: { PointInTimeRecoveryStatus: 'ENABLED' } },
    });
    expect(checks.map((c) => c.status)).toEqual(['ok', 'ok', 'ok', 'ok', 'ok', 'ok']);
  });

  it('warns when PITR is off, capacity is provisioned, deletion protection is off, or TTL is still enabling', () => {
    const checks = checkTable(TABLES.meta, 'm', {
      table: { ...table, BillingModeSummary: { BillingMode: 'PROVISIONED' }, DeletionProtectionEnabled: false },
      ttl: { TimeToLiveStatus: 'ENABLING', AttributeName: 'ttl' },
      backups: { ContinuousBackupsStatus: 'ENABLED', PointInTimeRecoveryDescription: { PointInTimeRecoveryStatus: 'DISABLED' } },
    });
    expect(checks.filter((c) => c.status === 'warn').map((c) => c.message)).toEqual([
      "TTL on 'ttl' is still being enabled",
      expect.stringMatching(/^point-in-time recovery is DISABLED/),
      expect.stringMatching(/^billing mode PROVISIONED/),
      expect.stringMatching(/^deletion protection disabled/),
    ]);
    expect(checks.filter((c) => c.status === 'fail')).toEqual([]);
  });

  it('fails TTL on another attribute, and an index with a different projection', () => {
    const log = checkTable(TABLES.log, 'l', {
      table: {
        ...table,
        AttributeDefinitions: [...table.AttributeDefinitions.slice(0, 1), { AttributeName: 'sk', AttributeType: 'N' }, { AttributeName: 'o', AttributeType: 'N' }],
        GlobalSecondaryIndexes: [
          {
            IndexName: 'byOffset',
            IndexStatus: 'ACTIVE',
            KeySchema: [
              { AttributeName: 'pk', KeyType: 'HASH' },
              { AttributeName: 'o', KeyType: 'RANGE' },
            ],
            Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: ['n', 'ra'] },
          },
        ],
      },
      ttl: { TimeToLiveStatus: 'ENABLED', AttributeName: 'expires' },
      backups: undefined,
    });
    expect(log.filter((c) => c.status === 'fail').map((c) => c.message)).toEqual([
      'index byOffset: projection lacks ab, mt',
      expect.stringMatching(/^TTL is ENABLED on 'expires'; Samsa needs it enabled on 'ttl'/),
    ]);
  });
});

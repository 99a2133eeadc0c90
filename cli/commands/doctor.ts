/**
 * samsa doctor: reports whether a deployment's tables are what this version
 * of Samsa needs (lib/storage/schema.ts) — existence, keys, the byOffset
 * index, TTL, point-in-time recovery, billing mode, deletion protection —
 * and, with --url, whether the API answers /v1/health. One ok/warn/fail line
 * per fact; exits 1 when anything failed. Talks to DynamoDB directly with
 * the caller's AWS credentials (read-only Describe* calls).
 */
import { SamsaNetworkError } from '../../client';
import { noMorePositionals, stringOption } from '../args';
import type { Command, CommandContext } from '../command';
import { checkTable, type Check, type TableFacts } from '../doctor/table-checks';
import { UsageError } from '../usage';

export const doctor: Command = {
  options: {
    'meta-table': { type: 'string' },
    'log-table': { type: 'string' },
    region: { type: 'string' },
    endpoint: { type: 'string' },
  },

  async run(ctx) {
    const { parsed, output } = ctx;
    noMorePositionals(parsed, 0);
    const names = { meta: stringOption(parsed.values, 'meta-table'), log: stringOption(parsed.values, 'log-table') };
    if (!names.meta || !names.log) {
      throw new UsageError("doctor needs --meta-table and --log-table (the stack outputs MetaTableName and LogTableName)");
    }
    const endpoint = stringOption(parsed.values, 'endpoint');
    if (endpoint !== undefined && !URL.canParse(endpoint)) throw new UsageError(`--endpoint must be a URL; got '${endpoint}'`);
    const region = stringOption(parsed.values, 'region') ?? (process.env.AWS_REGION || process.env.AWS_DEFAULT_REGION || (endpoint !== undefined ? 'us-east-1' : undefined));
    if (region === undefined) throw new UsageError('doctor needs --region (or $AWS_REGION)');

    const checks = [...(await tableChecks({ meta: names.meta, log: names.log }, region, endpoint)), ...(await healthCheck(ctx))];
    const failed = checks.filter((c) => c.status === 'fail').length;
    const warned = checks.filter((c) => c.status === 'warn').length;
    if (output.json) output.out(JSON.stringify({ ok: failed === 0, checks }));
    else {
      for (const c of checks) output.out(`${c.status.padEnd(4)}  ${c.subject}: ${c.message}`);
      output.out(`${checks.length} checks: ${checks.length - failed - warned} ok, ${warned} warn, ${failed} fail`);
    }
    if (failed > 0) throw new DoctorFailed(`doctor: ${failed} check${failed === 1 ? '' : 's'} failed`);
  },
};

/** Exit code 1 without the usage hint: the deployment, not the command line, is at fault. */
class DoctorFailed extends Error {}

async function tableChecks(names: { meta: string; log: string }, region: string, endpoint: string | undefined): Promise<Check[]> {
  // Loaded only here: no other command needs the AWS SDK.
  const [sdk, { TABLES }, { localCredentials }] = await Promise.all([
    import('@aws-sdk/client-dynamodb'),
    import('../../lib/storage/schema'),
    import('../../lib/storage/client'),
  ]);
  const local = endpoint !== undefined && ['127.0.0.1', 'localhost', '[::1]'].includes(new URL(endpoint).hostname);
  const client = new sdk.DynamoDBClient({
    region,
    maxAttempts: 2,
    ...(endpoint === undefined ? {} : { endpoint }),
    // DynamoDB Local accepts any credentials; on AWS the default chain (env, profile, SSO, role) applies.
    ...(local ? { credentials: localCredentials() } : {}),
  });
  const optional = async <T>(call: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await call();
    } catch (err) {
      // DynamoDB Local lacks some Describe* operations; a missing table is reported by DescribeTable.
      if (isAnswer(err)) return undefined;
      throw err;
    }
  };
  try {
    const checks: Check[] = [];
    for (const key of ['meta', 'log'] as const) {
      const TableName = names[key];
      let table: TableFacts['table'];
      try {
        table = (await client.send(new sdk.DescribeTableCommand({ TableName }))).Table;
      } catch (err) {
        if ((err as Error).name !== 'ResourceNotFoundException') throw describeError(err, TableName, region);
      }
      const facts: TableFacts = {
        table,
        ttl: table === undefined ? undefined : (await optional(() => client.send(new sdk.DescribeTimeToLiveCommand({ TableName }))))?.TimeToLiveDescription,
        backups:
          table === undefined
            ? undefined
            : (await optional(() => client.send(new sdk.DescribeContinuousBackupsCommand({ TableName }))))?.ContinuousBackupsDescription,
      };
      checks.push(...checkTable(TABLES[key], TableName, facts));
    }
    return checks;
  } finally {
    client.destroy();
  }
}

async function healthCheck({ client, parsed }: CommandContext): Promise<Check[]> {
  const url = stringOption(parsed.values, 'url');
  if (url === undefined) return [];
  const subject = `API ${url}`;
  try {
    const health = await client.health();
    return [{ status: health.status === 'ok' ? 'ok' : 'warn', subject, message: `/v1/health answered ${JSON.stringify(health)}` }];
  } catch (err) {
    return [{ status: 'fail', subject, message: `/v1/health: ${(err as Error).message}` }];
  }
}

/** An error DynamoDB answered (as opposed to no answer: refused, DNS, timeout). */
function isAnswer(err: unknown): boolean {
  return (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode !== undefined;
}

/** No answer exits 3 like an unreachable server; an answer (access denied, no credentials) exits 1. */
function describeError(err: unknown, table: string, region: string): Error {
  if (!isAnswer(err)) return new SamsaNetworkError(`DynamoDB did not answer (${(err as Error).message}); check --endpoint and --region.`, { retriable: false });
  return new Error(`${(err as Error).name} describing '${table}' in ${region}: ${(err as Error).message}`);
}

/**
 * samsa keys create|list|revoke|bootstrap
 * `bootstrap` writes a key straight into the meta table with the caller's AWS
 * credentials, for the first admin key of a deployed stack (no key exists
 * yet to ask the API with).
 */
import { SamsaNetworkError, type ApiKeyView, type IssuedApiKey } from '../../client';
import { noMorePositionals, positional, stringOption } from '../args';
import type { Command, CommandContext } from '../command';
import { table } from '../output';
import { UsageError } from '../usage';

export const keys: Command = {
  options: {
    principal: { type: 'string' },
    'expires-in': { type: 'string' },
    description: { type: 'string' },
    'meta-table': { type: 'string' },
    region: { type: 'string' },
    endpoint: { type: 'string' },
  },

  async run(ctx) {
    const sub = positional(ctx.parsed, 0, 'keys subcommand (create, list, revoke or bootstrap)');
    if (sub !== 'bootstrap') {
      for (const name of ['meta-table', 'region', 'endpoint']) {
        if (ctx.parsed.values[name] !== undefined) throw new UsageError(`--${name} applies to keys bootstrap`);
      }
    }
    switch (sub) {
      case 'create':
        return create(ctx);
      case 'list':
        return list(ctx);
      case 'revoke':
        return revoke(ctx);
      case 'bootstrap':
        return bootstrap(ctx);
      default:
        throw new UsageError(`unknown keys subcommand '${sub}'`);
    }
  },
};

async function create({ client, output, parsed }: CommandContext): Promise<void> {
  noMorePositionals(parsed, 1);
  const principal = requiredPrincipal(parsed.values, 'keys create');
  const expiresInSeconds = duration(stringOption(parsed.values, 'expires-in'));
  const description = stringOption(parsed.values, 'description');
  const issued = await client.keys.create({
    principal,
    ...(expiresInSeconds === undefined ? {} : { expiresInSeconds }),
    ...(description === undefined ? {} : { description }),
  });
  printIssued(output, issued);
}

async function list({ client, output, parsed }: CommandContext): Promise<void> {
  noMorePositionals(parsed, 1);
  onlyFor(parsed.values, ['expires-in', 'description'], 'keys create');
  const principal = stringOption(parsed.values, 'principal');
  const all = await client.keys.list(principal === undefined ? {} : { principal });
  if (output.json) return output.out(JSON.stringify(all));
  if (all.length === 0) return output.err('No API keys.');
  output.out(
    table(
      ['KEY ID', 'PRINCIPAL', 'STATUS', 'CREATED', 'EXPIRES', 'CREATED BY', 'DESCRIPTION'],
      all.map((k) => [k.keyId, k.principal, status(k), time(k.createdAt), k.expiresAt === null ? 'never' : time(k.expiresAt), k.createdBy, k.description ?? '']),
    ),
  );
}

async function revoke({ client, output, parsed }: CommandContext): Promise<void> {
  const keyId = positional(parsed, 1, 'key id');
  noMorePositionals(parsed, 2);
  onlyFor(parsed.values, ['principal', 'expires-in', 'description'], 'keys create');
  const revoked = await client.keys.revoke(keyId);
  if (output.json) return output.out(JSON.stringify(revoked));
  output.out(`Revoked API key ${revoked.keyId} of principal '${revoked.principal}'.`);
}

/** Writes a key to the meta table directly: the AWS credentials are the authority, not an API key. */
async function bootstrap({ output, parsed }: CommandContext): Promise<void> {
  noMorePositionals(parsed, 1);
  const principal = requiredPrincipal(parsed.values, 'keys bootstrap');
  const metaTable = stringOption(parsed.values, 'meta-table');
  if (metaTable === undefined || metaTable === '') throw new UsageError('keys bootstrap needs --meta-table (the stack\'s meta table name)');
  const endpoint = stringOption(parsed.values, 'endpoint');
  const local = endpoint !== undefined && isLoopback(endpoint);
  const region = stringOption(parsed.values, 'region') ?? (process.env.AWS_REGION || process.env.AWS_DEFAULT_REGION || (endpoint !== undefined ? 'us-east-1' : undefined));
  if (region === undefined) throw new UsageError('keys bootstrap needs --region (or $AWS_REGION)');
  const expiresInSeconds = duration(stringOption(parsed.values, 'expires-in'));
  const description = stringOption(parsed.values, 'description') ?? 'bootstrap key (samsa keys bootstrap)';

  // Loaded only here: the AWS SDK is not needed by any other command.
  const [{ storeApiKey, validatePrincipalName }, { createStorageClients, localCredentials }] = await Promise.all([
    import('../../lib/auth/keys'),
    import('../../lib/storage/client'),
  ]);
  try {
    validatePrincipalName(principal);
  } catch (err) {
    throw new UsageError((err as Error).message.replace(/\.$/, ''));
  }
  const { raw, doc } = createStorageClients({
    region,
    maxAttempts: 2,
    ...(endpoint === undefined ? {} : { endpoint }),
    // DynamoDB Local accepts any credentials; on AWS the default chain (env, profile, SSO, role) applies.
    ...(local ? { credentials: localCredentials() } : {}),
  });
  const now = Date.now();
  let issued: IssuedApiKey;
  try {
    issued = await storeApiKey(
      { ddb: doc, tables: { meta: metaTable, log: '' }, clock: { now: () => now } },
      { principal, description, ...(expiresInSeconds === undefined ? {} : { expiresAt: now + expiresInSeconds * 1000 }) },
      'samsa keys bootstrap',
    );
  } catch (err) {
    throw awsError(err, metaTable, region);
  } finally {
    raw.destroy();
  }
  printIssued(output, issued);
}

function printIssued(output: CommandContext['output'], issued: IssuedApiKey): void {
  if (output.json) return output.out(JSON.stringify(issued));
  // The key alone on stdout (KEY=$(samsa keys create …) works); the explanation on stderr.
  output.out(issued.apiKey);
  output.err(
    `Created API key ${issued.keyId} for principal '${issued.principal}' (${issued.expiresAt === null ? 'never expires' : `expires ${time(issued.expiresAt)}`}).\n` +
      'Store it now: this is the only time it is shown (Samsa keeps only a salted hash). Use it with --api-key or $SAMSA_API_KEY.',
  );
}

function requiredPrincipal(values: CommandContext['parsed']['values'], what: string): string {
  const principal = stringOption(values, 'principal');
  if (principal === undefined || principal === '') throw new UsageError(`${what} needs --principal`);
  return principal;
}

function onlyFor(values: CommandContext['parsed']['values'], names: string[], where: string): void {
  for (const name of names) if (values[name] !== undefined) throw new UsageError(`--${name} applies to ${where}`);
}

/** `30d`, `12h`, `90m`, `3600s` or plain seconds. */
export function duration(raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const match = /^(\d+)([dhms]?)$/.exec(raw);
  const seconds = match === null ? NaN : Number(match[1]) * { d: 86_400, h: 3_600, m: 60, s: 1, '': 1 }[match[2] as 'd' | 'h' | 'm' | 's' | ''];
  if (!Number.isSafeInteger(seconds) || seconds < 1) {
    throw new UsageError(`--expires-in must be a positive duration like 30d, 12h, 90m or 3600s; got '${raw}'`);
  }
  return seconds;
}

function status(k: ApiKeyView): string {
  if (k.revokedAt !== null) return 'revoked';
  if (k.expiresAt !== null && k.expiresAt <= Date.now()) return 'expired';
  return 'active';
}

function time(ms: number): string {
  return new Date(ms).toISOString();
}

function isLoopback(url: string): boolean {
  try {
    const { hostname } = new URL(url);
    return hostname === '127.0.0.1' || hostname === 'localhost' || hostname === '[::1]';
  } catch {
    throw new UsageError(`--endpoint must be a URL; got '${url}'`);
  }
}

/**
 * AWS SDK failures as CLI errors: no answer (refused, DNS, timeout) exits 3
 * like an unreachable server; an answer (no such table, access denied,
 * missing credentials) exits 1 with the SDK's error name.
 */
function awsError(err: unknown, table: string, region: string): Error {
  if (!(err instanceof Error)) return new Error(String(err));
  const code = (err as { code?: unknown }).code;
  const hasAnswer = (err as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode !== undefined;
  if (!hasAnswer && ((typeof code === 'string' && /^E[A-Z]+$/.test(code)) || err.name === 'TimeoutError')) {
    return new SamsaNetworkError(`DynamoDB did not answer: ${err.message || code}.`, { retriable: false });
  }
  const hint = err.name === 'ResourceNotFoundException' ? ` (no table '${table}' in ${region})` : '';
  return new Error(`${err.name}: ${err.message}${hint}`);
}

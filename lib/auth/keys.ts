/**
 * API keys.
 * Behaviour: a key is `samsa_<keyId>_<secret>`: the id finds the stored
 * record, the 256-bit secret proves possession. Only a salted HMAC-SHA256 of
 * the secret is stored (a fast hash is enough for random 256-bit secrets,
 * which cannot be guessed from a dictionary; a slow KDF would add its cost to
 * every request). The secret is shown once, at creation. Revocation keeps
 * the record (audit) and stamps `revokedAt`.
 * Errors: INVALID_PRINCIPAL, API_KEY_NOT_FOUND, UNAUTHENTICATED,
 * AUTHORIZATION_FAILED (issue and revoke need alter on the cluster, listing
 * needs describe on the cluster).
 * Cost: issue 1 WRU; verify one eventually consistent GetItem (0.5 RRU),
 * cached per instance by lib/auth/authenticate.ts.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { LibContext } from '../context';
import { SamsaError } from '../errors';
import { PRINCIPAL_PATTERN, type ApiKeyView } from '../protocol/auth';
import { queryAll } from '../storage/query-all';
import { metaKeys } from '../storage/keys';
import { authorize, type Principal } from './authorize';

const CLUSTER = { type: 'cluster', name: 'samsa' } as const;
const KEY_FORMAT = /^samsa_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/;

export interface NewApiKey {
  principal: string;
  expiresAt?: number;
  description?: string;
}

export interface IssuedApiKey extends ApiKeyView {
  /** The only time the secret leaves Samsa. */
  apiKey: string;
}

type Storage = Pick<LibContext, 'ddb' | 'tables' | 'clock'>;

/** Issues a key after checking that the caller may alter the cluster. */
export async function issueApiKey(ctx: LibContext, caller: Principal, spec: NewApiKey): Promise<IssuedApiKey> {
  validatePrincipalName(spec.principal);
  await authorize(ctx.authorizer, caller, 'alter', CLUSTER);
  return storeApiKey(ctx, spec, caller.name);
}

/**
 * Stores a new key without an authorization check: for `issueApiKey` and for
 * bootstrapping the first key of a deployment by someone who holds AWS
 * credentials for the table (the CLI's `keys bootstrap`, the local stack).
 */
export async function storeApiKey(ctx: Storage, spec: NewApiKey, createdBy: string): Promise<IssuedApiKey> {
  validatePrincipalName(spec.principal);
  const keyId = randomBytes(8).toString('hex');
  const secret = randomBytes(32).toString('base64url');
  const salt = randomBytes(16).toString('base64');
  const createdAt = ctx.clock.now();
  await ctx.ddb.send(
    new PutCommand({
      TableName: ctx.tables.meta,
      Item: {
        ...metaKeys.apiKey(keyId),
        principal: spec.principal,
        salt,
        hash: hashSecret(salt, secret),
        createdAt,
        createdBy,
        ...(spec.expiresAt === undefined ? {} : { expiresAt: spec.expiresAt }),
        ...(spec.description === undefined ? {} : { description: spec.description }),
      },
      ConditionExpression: 'attribute_not_exists(pk)',
    }),
  );
  return {
    apiKey: `samsa_${keyId}_${secret}`,
    keyId,
    principal: spec.principal,
    createdAt,
    createdBy,
    expiresAt: spec.expiresAt ?? null,
    revokedAt: null,
    description: spec.description ?? null,
  };
}

export async function listApiKeys(ctx: LibContext, caller: Principal, principal?: string): Promise<ApiKeyView[]> {
  await authorize(ctx.authorizer, caller, 'describe', CLUSTER);
  const items = await queryAll(ctx.ddb, {
    TableName: ctx.tables.meta,
    KeyConditionExpression: 'pk = :pk',
    ExpressionAttributeValues: { ':pk': metaKeys.apiKeyPk },
  });
  return items.map(toView).filter((k) => principal === undefined || k.principal === principal);
}

export async function revokeApiKey(ctx: LibContext, caller: Principal, keyId: string): Promise<ApiKeyView> {
  await authorize(ctx.authorizer, caller, 'alter', CLUSTER);
  try {
    const out = await ctx.ddb.send(
      new UpdateCommand({
        TableName: ctx.tables.meta,
        Key: metaKeys.apiKey(keyId),
        // Revoking twice keeps the first time.
        UpdateExpression: 'SET revokedAt = if_not_exists(revokedAt, :now)',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: { ':now': ctx.clock.now() },
        ReturnValues: 'ALL_NEW',
      }),
    );
    return toView(out.Attributes ?? {});
  } catch (err) {
    if (err instanceof ConditionalCheckFailedException) throw new SamsaError('API_KEY_NOT_FOUND', `No API key '${keyId}'.`);
    throw err;
  }
}

/** Resolves a presented key to its principal, or throws UNAUTHENTICATED without saying which part was wrong. */
export async function verifyApiKey(ctx: Storage, presented: string): Promise<{ principal: Principal; expiresAt: number | null }> {
  const match = KEY_FORMAT.exec(presented);
  if (match === null) throw unauthenticated('The API key is malformed.');
  const [, keyId, secret] = match as unknown as [string, string, string];
  const out = await ctx.ddb.send(new GetCommand({ TableName: ctx.tables.meta, Key: metaKeys.apiKey(keyId) }));
  const item = out.Item;
  if (item === undefined || !sameHash(hashSecret(String(item.salt), secret), String(item.hash))) {
    throw unauthenticated('The API key is not valid.');
  }
  if (item.revokedAt !== undefined) throw unauthenticated(`API key ${keyId} was revoked.`);
  const expiresAt = typeof item.expiresAt === 'number' ? item.expiresAt : null;
  if (expiresAt !== null && expiresAt <= ctx.clock.now()) throw unauthenticated(`API key ${keyId} has expired.`);
  return { principal: { name: String(item.principal) }, expiresAt };
}

export function unauthenticated(message: string): SamsaError {
  return new SamsaError('UNAUTHENTICATED', `${message} Send 'Authorization: Bearer <api key>'.`);
}

export function validatePrincipalName(name: string): void {
  if (!PRINCIPAL_PATTERN.test(name)) {
    throw new SamsaError('INVALID_PRINCIPAL', `Principal '${name.slice(0, 140)}' must match ${PRINCIPAL_PATTERN.source}.`);
  }
}

function hashSecret(salt: string, secret: string): string {
  return createHmac('sha256', Buffer.from(salt, 'base64')).update(secret).digest('base64');
}

function sameHash(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function toView(item: Record<string, unknown>): ApiKeyView {
  return {
    keyId: String(item.sk),
    principal: String(item.principal),
    createdAt: Number(item.createdAt),
    createdBy: String(item.createdBy ?? ''),
    expiresAt: typeof item.expiresAt === 'number' ? item.expiresAt : null,
    revokedAt: typeof item.revokedAt === 'number' ? item.revokedAt : null,
    description: typeof item.description === 'string' ? item.description : null,
  };
}

/**
 * Deployment config, read from the environment once per cold start by the
 * function entry points (and by the local stack from the env it builds).
 * Nothing below functions/ reads process.env.
 */
import type { QuotaSettings } from '../lib/auth/quota';
import { DEFAULT_LIMITS, type Limits } from '../lib/limits';
import { parseTargetPatterns } from '../lib/subscriptions/lambda-targets';
import { DELIVERY_ENV } from './subscriptions/aws-env';
import { TELEMETRY_ENV } from './telemetry/names';
import type { TableNames } from '../lib/storage/schema';

export interface Config {
  tables: TableNames;
  region: string;
  /** Set only off AWS: DynamoDB Local, or the endpoint given to `npm start -- --dynamodb-endpoint`. */
  dynamoEndpoint: string | undefined;
  limits: Limits;
  auth: AuthConfig;
  /** Traffic and lag metrics per topic (the CDK's samsa:topicMetrics; default true); false publishes them stack-wide only. */
  perTopicMetrics?: boolean;
  /** The WebSocket notification endpoint that `GET /v1/health` names (the CDK sets it from the WebSocket stage); absent = none. */
  pushUrl?: string;
  /** ARN patterns of the Lambda functions subscriptions may target (samsa:subscriptionLambdaTargets); absent = any well-formed ARN (local). */
  subscriptionLambdaTargets?: string[];
  /** The subscription delivery function resume invokes (AWS); absent = none (local passes its own wake). */
  subscriptionDeliveryFunction?: string;
}

export const AUTH_MODES = ['api-keys', 'jwt', 'none'] as const;
export type AuthMode = (typeof AUTH_MODES)[number];

export interface AuthConfig {
  /**
   * `api-keys`: `Authorization: Bearer samsa_…` checked against salted hashes in the meta table.
   * `jwt`: API Gateway's JWT authorizer has validated the token; the principal is one of its claims.
   * `none`: everyone is `anonymous` and allowed everything (local trials only; the CDK stack refuses it).
   */
  mode: AuthMode;
  /** Principals that bypass ACLs, like Kafka's `super.users`. */
  superUsers: string[];
  /** How long an instance trusts a verified key and the loaded ACLs: revocations and ACL changes apply within it. */
  cacheMs: number;
  /** The JWT claim that names the principal (`jwt` mode). */
  jwtPrincipalClaim: string;
  quota: QuotaSettings;
}

export const DEFAULT_AUTH: Readonly<AuthConfig> = Object.freeze({
  mode: 'api-keys',
  superUsers: ['admin'],
  cacheMs: 5_000,
  jwtPrincipalClaim: 'sub',
  quota: { ratePerSecond: 100, burst: 200 },
});

export const ENV = {
  metaTable: 'SAMSA_META_TABLE',
  logTable: 'SAMSA_LOG_TABLE',
  dynamoEndpoint: 'SAMSA_DYNAMODB_ENDPOINT',
  region: 'AWS_REGION',
  authMode: 'SAMSA_AUTH_MODE',
  superUsers: 'SAMSA_SUPER_USERS',
  authCacheMs: 'SAMSA_AUTH_CACHE_MS',
  jwtPrincipalClaim: 'SAMSA_JWT_PRINCIPAL_CLAIM',
  quotaRate: 'SAMSA_QUOTA_REQUESTS_PER_SECOND',
  quotaBurst: 'SAMSA_QUOTA_BURST',
  pushUrl: 'SAMSA_PUSH_URL',
} as const;

/** `SAMSA_LIMIT_MAX_PARTITIONS_PER_TOPIC=64` overrides `maxPartitionsPerTopic`, and so on. */
export function limitEnvName(key: keyof Limits): string {
  return `SAMSA_LIMIT_${key.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`;
}

export function loadConfig(env: Record<string, string | undefined>): Config {
  const meta = env[ENV.metaTable];
  const log = env[ENV.logTable];
  if (!meta || !log) throw new Error(`Samsa config: ${ENV.metaTable} and ${ENV.logTable} must be set.`);
  const limits: Limits = { ...DEFAULT_LIMITS };
  for (const key of Object.keys(DEFAULT_LIMITS) as (keyof Limits)[]) {
    limits[key] = intVar(env, limitEnvName(key), limits[key], 1);
  }
  return {
    tables: { meta, log },
    region: env[ENV.region] ?? 'us-east-1',
    dynamoEndpoint: env[ENV.dynamoEndpoint] || undefined,
    limits,
    auth: loadAuth(env),
    perTopicMetrics: env[TELEMETRY_ENV.perTopic] !== 'false',
    ...(env[ENV.pushUrl] ? { pushUrl: env[ENV.pushUrl] } : {}),
    ...(env[DELIVERY_ENV.lambdaTargets] === undefined ? {} : { subscriptionLambdaTargets: parseTargetPatterns(env[DELIVERY_ENV.lambdaTargets]!) }),
    ...(env[DELIVERY_ENV.functionArn] ? { subscriptionDeliveryFunction: env[DELIVERY_ENV.functionArn] } : {}),
  };
}

function loadAuth(env: Record<string, string | undefined>): AuthConfig {
  const mode = env[ENV.authMode] || DEFAULT_AUTH.mode;
  if (!(AUTH_MODES as readonly string[]).includes(mode)) {
    throw new Error(`Samsa config: ${ENV.authMode} must be one of ${AUTH_MODES.join(', ')}; got '${mode}'.`);
  }
  const superUsers = env[ENV.superUsers];
  return {
    mode: mode as AuthMode,
    superUsers: superUsers === undefined ? [...DEFAULT_AUTH.superUsers] : superUsers.split(',').map((s) => s.trim()).filter(Boolean),
    cacheMs: intVar(env, ENV.authCacheMs, DEFAULT_AUTH.cacheMs, 0),
    jwtPrincipalClaim: env[ENV.jwtPrincipalClaim] || DEFAULT_AUTH.jwtPrincipalClaim,
    quota: {
      ratePerSecond: intVar(env, ENV.quotaRate, DEFAULT_AUTH.quota.ratePerSecond, 0),
      burst: intVar(env, ENV.quotaBurst, DEFAULT_AUTH.quota.burst, 1),
    },
  };
}

function intVar(env: Record<string, string | undefined>, name: string, fallback: number, min: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < min) {
    throw new Error(`Samsa config: ${name} must be an integer >= ${min}; got '${raw}'.`);
  }
  return value;
}

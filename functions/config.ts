/**
 * Deployment config, read from the environment once per cold start by the
 * function entry points (and by the local stack from the env it builds).
 * Nothing below functions/ reads process.env.
 */
import { DEFAULT_LIMITS, type Limits } from '../lib/limits';
import type { TableNames } from '../lib/storage/schema';

export interface Config {
  tables: TableNames;
  region: string;
  /** Set only for DynamoDB Local. */
  dynamoEndpoint: string | undefined;
  limits: Limits;
}

export const ENV = {
  metaTable: 'SAMSA_META_TABLE',
  logTable: 'SAMSA_LOG_TABLE',
  dynamoEndpoint: 'SAMSA_DYNAMODB_ENDPOINT',
  region: 'AWS_REGION',
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
    const raw = env[limitEnvName(key)];
    if (raw === undefined || raw === '') continue;
    const value = Number(raw);
    if (!Number.isSafeInteger(value) || value < 1) {
      throw new Error(`Samsa config: ${limitEnvName(key)} must be a positive integer; got '${raw}'.`);
    }
    limits[key] = value;
  }
  return {
    tables: { meta, log },
    region: env[ENV.region] ?? 'us-east-1',
    dynamoEndpoint: env[ENV.dynamoEndpoint] || undefined,
    limits,
  };
}

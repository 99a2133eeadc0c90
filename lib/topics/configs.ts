/**
 * Topic configs: the Kafka names Samsa supports, their defaults and bounds.
 * A topic item stores only the overrides; describe reports every config with
 * its effective value and whether it came from the topic or the default.
 */
import { SamsaError } from '../errors';
import type { Limits } from '../limits';
import type { DescribedConfig } from '../protocol/responses';

export type CompressionType = 'none' | 'gzip' | 'deflate' | 'brotli';
export const COMPRESSION_TYPES: readonly CompressionType[] = ['none', 'gzip', 'deflate', 'brotli'];

export interface TopicConfig {
  /** -1 keeps records forever. */
  'retention.ms': number;
  'max.message.bytes': number;
  'compression.type': CompressionType;
}

export type ConfigName = keyof TopicConfig;
export type ConfigOverrides = Partial<TopicConfig>;

export const DEFAULT_TOPIC_CONFIG: Readonly<TopicConfig> = Object.freeze({
  'retention.ms': 7 * 24 * 3600 * 1000,
  // Kafka's default; records larger than one DynamoDB item are stored in chunks.
  'max.message.bytes': 1_048_588,
  'compression.type': 'none',
});

const CONFIG_NAMES = Object.keys(DEFAULT_TOPIC_CONFIG) as ConfigName[];

/** Longest retention: TTL is stored in epoch seconds and must stay a safe integer far into the future. */
const MAX_RETENTION_MS = 100 * 365 * 24 * 3600 * 1000;

/** Raw config values as sent over the wire: Kafka sends strings, JSON users send numbers; null resets. */
export type RawConfigs = Record<string, string | number | null>;

/**
 * Validates raw configs. Returns the overrides to set and the names to reset
 * (null values). Unknown names (prototype names included) and bad values are
 * INVALID_CONFIG.
 */
export function parseConfigs(raw: RawConfigs, limits: Limits): { set: ConfigOverrides; reset: ConfigName[] } {
  const set: ConfigOverrides = {};
  const reset: ConfigName[] = [];
  for (const [name, value] of Object.entries(raw)) {
    if (!isConfigName(name)) throw unknownConfig(name);
    if (value === null) {
      reset.push(name);
      continue;
    }
    switch (name) {
      case 'retention.ms': {
        const ms = toInteger(name, value);
        if (ms !== -1 && (ms < 1 || ms > MAX_RETENTION_MS)) {
          throw new SamsaError('INVALID_CONFIG', `retention.ms must be -1 (forever) or between 1 and ${MAX_RETENTION_MS}; got ${ms}.`);
        }
        set[name] = ms;
        break;
      }
      case 'max.message.bytes': {
        const bytes = toInteger(name, value);
        if (bytes < 1 || bytes > limits.maxMessageBytesCeiling) {
          throw new SamsaError(
            'INVALID_CONFIG',
            `max.message.bytes must be between 1 and ${limits.maxMessageBytesCeiling}; got ${bytes}.`,
          );
        }
        set[name] = bytes;
        break;
      }
      case 'compression.type': {
        if (typeof value !== 'string' || !(COMPRESSION_TYPES as readonly string[]).includes(value)) {
          throw new SamsaError(
            'INVALID_CONFIG',
            `compression.type must be one of ${COMPRESSION_TYPES.join(', ')}; got ${JSON.stringify(value)}.`,
          );
        }
        set[name] = value as CompressionType;
        break;
      }
    }
  }
  return { set, reset };
}

/**
 * Checks the config names of a request body as JSON.parse made it, before
 * schema parsing: zod's record parsing silently drops an own `__proto__` key
 * (which JSON.parse creates), so `{"__proto__": "x"}` would otherwise be
 * ignored instead of refused. Anything but an object is left to the schema.
 */
export function checkRawConfigNames(configs: unknown): void {
  if (typeof configs !== 'object' || configs === null || Array.isArray(configs)) return;
  for (const name of Object.keys(configs)) if (!isConfigName(name)) throw unknownConfig(name);
}

function unknownConfig(name: string): SamsaError {
  return new SamsaError('INVALID_CONFIG', `Unknown topic config '${name.slice(0, 100)}'. Supported: ${CONFIG_NAMES.join(', ')}.`, {
    details: { config: name.slice(0, 100) },
  });
}

export function effectiveConfig(overrides: ConfigOverrides): TopicConfig {
  return { ...DEFAULT_TOPIC_CONFIG, ...overrides };
}

export type { DescribedConfig };

export function describeConfigs(overrides: ConfigOverrides): DescribedConfig[] {
  const effective = effectiveConfig(overrides);
  return CONFIG_NAMES.map((name) => ({
    name,
    value: String(effective[name]),
    source: overrides[name] === undefined ? 'default' : 'topic',
  }));
}

/** By list membership, never by `name in` an object: `__proto__`, `constructor` and `toString` are no configs. */
function isConfigName(name: string): name is ConfigName {
  return (CONFIG_NAMES as string[]).includes(name);
}

function toInteger(name: string, value: string | number): number {
  const n = typeof value === 'number' ? value : /^-?\d+$/.test(value.trim()) ? Number(value.trim()) : Number.NaN;
  if (!Number.isSafeInteger(n)) {
    throw new SamsaError('INVALID_CONFIG', `${name} must be an integer; got ${JSON.stringify(value)}.`);
  }
  return n;
}

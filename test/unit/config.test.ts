import { describe, expect, it } from 'vitest';
import { limitEnvName, loadConfig } from '../../functions/config';
import { DEFAULT_LIMITS } from '../../lib/limits';
import { SamsaError } from '../../lib/errors';
import { describeConfigs, parseConfigs } from '../../lib/topics/configs';
import { validatePartitionCount, validateTopicName } from '../../lib/topics/validate';

const tables = { SAMSA_META_TABLE: 'm', SAMSA_LOG_TABLE: 'l' };

describe('deployment config', () => {
  it('reads tables, endpoint and limit overrides from the environment', () => {
    const config = loadConfig({ ...tables, SAMSA_DYNAMODB_ENDPOINT: 'http://127.0.0.1:8000', [limitEnvName('maxWaitMs')]: '5000' });
    expect(config.tables).toEqual({ meta: 'm', log: 'l' });
    expect(config.dynamoEndpoint).toBe('http://127.0.0.1:8000');
    expect(config.limits).toEqual({ ...DEFAULT_LIMITS, maxWaitMs: 5000 });
  });

  it('reads the auth settings and the per-topic metrics switch, with secure defaults', () => {
    const defaults = loadConfig(tables);
    expect(defaults.auth).toMatchObject({ mode: 'api-keys', superUsers: ['admin'], cacheMs: 5_000, quota: { ratePerSecond: 100, burst: 200 } });
    expect(defaults.perTopicMetrics).toBe(true);
    const custom = loadConfig({
      ...tables,
      SAMSA_AUTH_MODE: 'jwt',
      SAMSA_SUPER_USERS: 'root, ops',
      SAMSA_AUTH_CACHE_MS: '0',
      SAMSA_QUOTA_REQUESTS_PER_SECOND: '0',
      SAMSA_METRICS_PER_TOPIC: 'false',
    });
    expect(custom.auth).toMatchObject({ mode: 'jwt', superUsers: ['root', 'ops'], cacheMs: 0, quota: { ratePerSecond: 0 } });
    expect(custom.perTopicMetrics).toBe(false);
    expect(() => loadConfig({ ...tables, SAMSA_AUTH_MODE: 'open' })).toThrow(/SAMSA_AUTH_MODE must be one of/);
  });

  it('refuses to start without table names or with a bad limit', () => {
    expect(() => loadConfig({})).toThrow(/SAMSA_META_TABLE/);
    expect(() => loadConfig({ ...tables, SAMSA_LIMIT_MAX_WAIT_MS: 'soon' })).toThrow(/integer >= 1/);
  });
});

describe('topic validation', () => {
  it.each(['a', 'orders', 'a.b_c-D', 'x'.repeat(249)])('accepts the Kafka topic name %s', (name) => {
    expect(() => validateTopicName(name)).not.toThrow();
  });

  it.each(['', '.', '..', 'x'.repeat(250), 'a/b', 'a b', 'é'])('rejects %j with INVALID_TOPIC', (name) => {
    expect(() => validateTopicName(name)).toThrow(expect.objectContaining({ code: 'INVALID_TOPIC' }));
  });

  it('bounds partitions by the configured maximum', () => {
    expect(() => validatePartitionCount(8, { ...DEFAULT_LIMITS, maxPartitionsPerTopic: 8 })).not.toThrow();
    expect(() => validatePartitionCount(9, { ...DEFAULT_LIMITS, maxPartitionsPerTopic: 8 })).toThrow(SamsaError);
  });

  it('parses Kafka-style string and JSON number configs, and null as reset', () => {
    expect(parseConfigs({ 'retention.ms': '-1', 'max.message.bytes': 2048, 'compression.type': null }, DEFAULT_LIMITS)).toEqual({
      set: { 'retention.ms': -1, 'max.message.bytes': 2048 },
      reset: ['compression.type'],
    });
  });

  it('describes every config with its source', () => {
    expect(describeConfigs({ 'retention.ms': 1000 })).toEqual([
      { name: 'retention.ms', value: '1000', source: 'topic' },
      { name: 'max.message.bytes', value: '1048588', source: 'default' },
      { name: 'compression.type', value: 'none', source: 'default' },
    ]);
  });
});

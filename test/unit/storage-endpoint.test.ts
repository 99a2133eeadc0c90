/**
 * Which credentials the handlers' DynamoDB client signs with when an endpoint
 * is configured (npm start, --dynamodb-endpoint): DynamoDB Local's dummy ones
 * on loopback, the default AWS chain anywhere else (a metering proxy in front
 * of DynamoDB, or DynamoDB itself, needs real credentials).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../functions/config';
import { createDeps } from '../../functions/runtime';
import { isLocalEndpoint } from '../../lib/storage/client';

const saved = { ...process.env };
afterEach(() => {
  for (const key of ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_PROFILE']) {
    if (saved[key] === undefined) delete process.env[key];
    else process.env[key] = saved[key];
  }
});

async function signingKeyId(endpoint: string): Promise<string> {
  const config = loadConfig({ SAMSA_META_TABLE: 'm', SAMSA_LOG_TABLE: 'l', SAMSA_DYNAMODB_ENDPOINT: endpoint, AWS_REGION: 'eu-west-1' });
  const { ddb } = createDeps(config).lib;
  const provider = ddb.config.credentials as () => Promise<{ accessKeyId: string }>;
  return (await provider()).accessKeyId;
}

describe('DynamoDB endpoint credentials', () => {
  it('takes localhost, 127.0.0.1 and [::1] for DynamoDB Local, anything else for a DynamoDB that needs real credentials', () => {
    for (const url of ['http://localhost:8000', 'http://127.0.0.1:8000', 'http://[::1]:8000']) expect(isLocalEndpoint(url), url).toBe(true);
    for (const url of ['https://dynamodb.eu-west-1.amazonaws.com', 'http://metering-proxy:8000', 'http://10.0.0.5:8000']) expect(isLocalEndpoint(url), url).toBe(false);
  });

  it('signs with the dummy local credentials on loopback and with the default chain (here: the environment) elsewhere', async () => {
    process.env.AWS_ACCESS_KEY_ID = 'AKIDFROMTHEENVIRONMENT';
    process.env.AWS_SECRET_ACCESS_KEY = 'secret';
    delete process.env.AWS_PROFILE;
    expect(await signingKeyId('http://127.0.0.1:8000')).toBe('local');
    expect(await signingKeyId('http://metering-proxy:8000')).toBe('AKIDFROMTHEENVIRONMENT');
  });
});

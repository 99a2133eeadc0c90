/**
 * Builds the DynamoDB clients in one place. Extra AWS SDK middleware (fault
 * injection in tests and in the checker) plugs in here and is off unless the
 * caller passes it; production code never fakes a result.
 */
import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Pluggable } from '@smithy/types';

export interface StorageClientOptions {
  /** DynamoDB Local's URL, or any other DynamoDB endpoint (a proxy); omit on AWS. */
  endpoint?: string;
  region?: string;
  /** Static credentials for DynamoDB Local; omit on AWS to use the default chain (the Lambda role, env, profile). */
  credentials?: { accessKeyId: string; secretAccessKey: string };
  /** SDK attempts per call (1 = no SDK retries). */
  maxAttempts?: number;
  /** Extra middleware, e.g. fault injection; empty in production. */
  plugins?: Pluggable<any, any>[];
}

export interface StorageClients {
  raw: DynamoDBClient;
  doc: DynamoDBDocumentClient;
  /** Same endpoint and middleware, no SDK retries: for calls whose retry is not idempotent. */
  docOnce: DynamoDBDocumentClient;
}

export function createStorageClients(options: StorageClientOptions = {}): StorageClients {
  const config: DynamoDBClientConfig = {
    region: options.region ?? 'us-east-1',
    maxAttempts: options.maxAttempts ?? 3,
  };
  if (options.endpoint !== undefined) config.endpoint = options.endpoint;
  if (options.credentials !== undefined) config.credentials = options.credentials;
  const raw = new DynamoDBClient(config);
  const rawOnce = new DynamoDBClient({ ...config, maxAttempts: 1 });
  for (const plugin of options.plugins ?? []) {
    raw.middlewareStack.use(plugin);
    rawOnce.middlewareStack.use(plugin);
  }
  const translate = { marshallOptions: { removeUndefinedValues: true } };
  return { raw, doc: DynamoDBDocumentClient.from(raw, translate), docOnce: DynamoDBDocumentClient.from(rawOnce, translate) };
}

/**
 * Credentials DynamoDB Local accepts (it ignores their values with -sharedDb).
 * A function, not a frozen constant: the SDK annotates the object it is given.
 */
export function localCredentials(): { accessKeyId: string; secretAccessKey: string } {
  return { accessKeyId: 'local', secretAccessKey: 'local' };
}

/**
 * Whether an endpoint is on this machine (localhost, 127.0.0.1, [::1]) and so
 * taken for DynamoDB Local, which gets localCredentials(). Any other endpoint
 * may be real DynamoDB or a proxy in front of it, which needs real
 * credentials from the default chain.
 */
export function isLocalEndpoint(endpoint: string): boolean {
  return ['localhost', '127.0.0.1', '[::1]'].includes(new URL(endpoint).hostname);
}

/**
 * A real Samsa on a real port for SDK and CLI tests: private tables in the
 * shared DynamoDB Local and the local server (the same app the Lambda
 * functions run) on a free port, so requests go over actual HTTP.
 * Authentication is off unless a test asks for it with `{ auth: { mode: 'api-keys' } }`;
 * then `adminKey` is a key of the super user `admin`.
 */
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import { inject } from 'vitest';
import { DEFAULT_AUTH, type AuthConfig } from '../../functions/config';
import { createDeps } from '../../functions/runtime';
import { storeApiKey } from '../../lib/auth/keys';
import { DEFAULT_LIMITS, type Limits } from '../../lib/limits';
import { createStorageClients, localCredentials } from '../../lib/storage/client';
import { ensureTables } from '../../lib/storage/ensure-tables';
import { localTableNames, type TableNames } from '../../lib/storage/schema';
import { startServer, type LocalServer } from '../../local/server';

export interface TestServer extends LocalServer {
  /** The server's private tables in DynamoDB Local. */
  tables: TableNames;
  dynamoEndpoint: string;
  /** A key of the super user `admin` when auth mode is `api-keys`. */
  adminKey: string | undefined;
}

export async function startTestServer(limits: Partial<Limits> = {}, options: { auth?: Partial<AuthConfig> } = {}): Promise<TestServer> {
  const endpoint = inject('dynamoEndpoint');
  const tables = localTableNames(`t${randomUUID().slice(0, 8)}`);
  const { raw } = createStorageClients({ endpoint, credentials: localCredentials() });
  await ensureTables(raw, tables);
  raw.destroy();
  const auth: AuthConfig = { ...DEFAULT_AUTH, mode: 'none', ...options.auth };
  const deps = createDeps({ tables, region: 'us-east-1', dynamoEndpoint: endpoint, limits: { ...DEFAULT_LIMITS, ...limits }, auth });
  const adminKey = auth.mode === 'api-keys' ? (await storeApiKey(deps.lib, { principal: 'admin', description: 'test server' }, 'test')).apiKey : undefined;
  const server = await startServer(deps, 0);
  return { ...server, tables, dynamoEndpoint: endpoint, adminKey };
}

export function uniqueTopic(prefix = 'sdk'): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}

/** A fetch that records every request (method and path) and can tamper with answers. */
export function countingFetch(
  tamper?: (call: { method: string; path: string; index: number }, response: Response) => Response | Promise<Response>,
): { fetch: typeof fetch; calls: { method: string; path: string }[] } {
  const calls: { method: string; path: string }[] = [];
  const wrapped: typeof fetch = async (input, init) => {
    const url = new URL(String(input));
    const call = { method: init?.method ?? 'GET', path: url.pathname, index: calls.length };
    calls.push({ method: call.method, path: call.path });
    const response = await fetch(input, init);
    return tamper === undefined ? response : tamper(call, response);
  };
  return { fetch: wrapped, calls };
}

/** A port nothing listens on (it was free a moment ago). */
export function closedPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

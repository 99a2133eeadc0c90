/**
 * A private Samsa for one test file: its own tables in the shared DynamoDB
 * Local, the lib context, and the same Hono app the local server serves.
 */
import { randomUUID } from 'node:crypto';
import { inject } from 'vitest';
import type { Pluggable } from '@smithy/types';
import { allHandlers } from '../../functions/all-handlers';
import { buildApp, type AppDeps } from '../../functions/http/app';
import { DEFAULT_AUTH, type AuthConfig } from '../../functions/config';
import { createDeps } from '../../functions/runtime';
import type { Telemetry } from '../../functions/telemetry/telemetry';
import { DEFAULT_LIMITS, type Limits } from '../../lib/limits';
import type { LibContext } from '../../lib/context';
import { createStorageClients, localCredentials } from '../../lib/storage/client';
import { ensureTables } from '../../lib/storage/ensure-tables';
import { localTableNames, type TableNames } from '../../lib/storage/schema';
import { checkResponse } from './contract';

export interface TestStack {
  endpoint: string;
  tables: TableNames;
  lib: LibContext;
  /** What the doors get (the HTTP app, the WebSocket handlers). */
  deps: AppDeps;
  app: ReturnType<typeof buildApp>;
  /**
   * JSON request through the app; returns status, parsed body and headers. Throws when the
   * answer is not one the OpenAPI document describes (test/support/contract.ts), unless
   * `options.contract` is false: only for requests to paths or methods the API does not have.
   */
  call(
    method: string,
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
    options?: { contract?: boolean },
  ): Promise<{ status: number; body: any; headers: Headers }>;
}

export async function createTestStack(
  // Auth is off unless a test asks for it: these stacks test the log, groups and admin; test/api/auth*.test.ts test auth.
  options: { limits?: Partial<Limits>; plugins?: Pluggable<any, any>[]; auth?: Partial<AuthConfig>; telemetry?: Telemetry } = {},
): Promise<TestStack> {
  const endpoint = inject('dynamoEndpoint');
  const tables = localTableNames(`t${randomUUID().slice(0, 8)}`);
  const { raw } = createStorageClients({ endpoint, credentials: localCredentials() });
  await ensureTables(raw, tables);
  raw.destroy();
  const deps = createDeps(
    {
      tables,
      region: 'us-east-1',
      dynamoEndpoint: endpoint,
      limits: { ...DEFAULT_LIMITS, ...options.limits },
      auth: { ...DEFAULT_AUTH, mode: 'none', ...options.auth },
    },
    { plugins: options.plugins ?? [], ...(options.telemetry === undefined ? {} : { telemetry: options.telemetry }) },
  );
  const app = buildApp(deps, allHandlers);
  return {
    endpoint,
    tables,
    lib: deps.lib,
    deps,
    app,
    async call(method, path, body, headers = {}, options = {}) {
      const init: RequestInit = { method, headers: { ...headers } };
      if (body !== undefined) {
        init.body = typeof body === 'string' ? body : JSON.stringify(body);
        init.headers = { 'content-type': 'application/json', ...headers };
      }
      const res = await app.request(path, init);
      const text = await res.text();
      const parsed = text === '' ? undefined : JSON.parse(text);
      if (options.contract !== false) checkResponse({ method, path, status: res.status, headers: res.headers, body: parsed });
      return { status: res.status, body: parsed, headers: res.headers };
    },
  };
}

export function uniqueName(prefix = 'topic'): string {
  return `${prefix}-${randomUUID().slice(0, 8)}`;
}

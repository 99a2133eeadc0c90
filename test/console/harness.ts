/**
 * What the console tests run against: a fresh build of the console (never a
 * stale console/dist), served by the local server with API keys on (as
 * deployed) on its own tables in the shared DynamoDB Local, with the stream
 * consumers `npm start` runs (the fan-out that wakes the live tail, and
 * push-subscription delivery to a local webhook receiver), and one headless
 * Chromium page. Needs Debian's chromium (or $CHROMIUM_PATH): the tests fail,
 * never skip, without it. Screenshots go to test-results/console/.
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { chromium, type Browser, type Page } from 'playwright-core';
import { inject } from 'vitest';
import { Samsa } from '../../client/index';
import { DEFAULT_AUTH, type AuthConfig } from '../../functions/config';
import { fanOutHandler } from '../../functions/push/handlers';
import { createDeps } from '../../functions/runtime';
import { storeApiKey } from '../../lib/auth/keys';
import { DEFAULT_LIMITS } from '../../lib/limits';
import { createStorageClients, localCredentials } from '../../lib/storage/client';
import { ensureTables } from '../../lib/storage/ensure-tables';
import { localTableNames, type TableNames } from '../../lib/storage/schema';
import { startServer, type LocalServer } from '../../local/server';
import { startStreamConsumers } from '../../local/streams';
import { localDelivery } from '../../local/subscriptions';
import { Receiver } from '../subscriptions/receiver';

const REPO = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const SHOTS = join(REPO, 'test-results', 'console');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

type Deps = ReturnType<typeof createDeps>;

export interface ConsoleStack {
  /** The built console (index.html, assets/). */
  distDir: string;
  server: LocalServer;
  /** An SDK client as the super user 'admin'. */
  samsa: Samsa;
  adminKey: string;
  /** A valid key of 'viewer', who has no ACLs: everything is denied. */
  viewerKey: string;
  /** The stack's meta table, to see the live tail's subscription rows. */
  meta: { table: string; ddb: Deps['lib']['ddb'] };
  /** Notifications the fan-out sent (the live tail's wake-ups). */
  sends(): number;
  /** The webhook subscriptions post to: scripted answers, every request recorded. */
  receiver: Receiver;
  hookUrl: string;
  browser: Browser;
  page: Page;
  /** Uncaught errors in the page. */
  pageErrors: string[];
  shot(name: string): Promise<void>;
  close(): Promise<void>;
}

export async function startConsoleStack(): Promise<ConsoleStack> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`No Chromium at ${CHROMIUM}: install Debian's chromium (apt-get install -y chromium) or set CHROMIUM_PATH.`);
  }
  mkdirSync(SHOTS, { recursive: true });
  const distDir = mkdtempSync(join(tmpdir(), 'samsa-console-'));
  await promisify(execFile)(
    process.execPath,
    [join(REPO, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--config', 'console/vite.config.ts', '--outDir', distDir, '--emptyOutDir', '--logLevel', 'warn'],
    // Vitest sets NODE_ENV=test, which would make Vite keep development-only code.
    { cwd: REPO, env: { ...process.env, NODE_ENV: 'production' } },
  );

  const endpoint = inject('dynamoEndpoint');
  const tables = await freshTables();
  const deps = createDeps({
    tables,
    region: 'us-east-1',
    dynamoEndpoint: endpoint,
    limits: DEFAULT_LIMITS,
    auth: { ...DEFAULT_AUTH, mode: 'api-keys', quota: { ratePerSecond: 1000, burst: 2000 } },
  });
  // 'admin' is a super user (DEFAULT_AUTH); 'viewer' has a valid key and no ACLs, so everything is denied.
  const adminKey = (await storeApiKey(deps.lib, { principal: 'admin' }, 'console test')).apiKey;
  const viewerKey = (await storeApiKey(deps.lib, { principal: 'viewer' }, 'console test')).apiKey;
  const server = await startServer(deps, 0, '127.0.0.1', { consoleDir: distDir });
  const receiver = new Receiver();
  const hookUrl = await receiver.start();
  // As `npm start` runs them: subscription delivery, and the fan-out whose notifications wake the live tail.
  const delivery = localDelivery(deps.lib);
  let sends = 0;
  const streams = await startStreamConsumers({ endpoint, tableName: tables.log, credentials: localCredentials() }, [
    delivery.handler,
    fanOutHandler(deps, async (id, data) => {
      sends++;
      return server.push.send(id, data);
    }),
  ]);

  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.setDefaultTimeout(15_000);
  const pageErrors: string[] = [];
  page.on('pageerror', (err) => pageErrors.push(err.message));

  return {
    distDir,
    server,
    samsa: new Samsa({ url: server.url, apiKey: adminKey }),
    adminKey,
    viewerKey,
    meta: { table: tables.meta, ddb: deps.lib.ddb },
    sends: () => sends,
    receiver,
    hookUrl,
    browser,
    page,
    pageErrors,
    shot: async (name) => void (await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true })),
    async close() {
      await browser.close();
      await streams.stop();
      delivery.stop();
      await server.close();
      await receiver.stop().catch(() => undefined);
      rmSync(distDir, { recursive: true, force: true });
    },
  };
}

/** Another local server on tables of its own serving the same build, e.g. with authentication off. */
export async function startOtherServer(distDir: string, auth: AuthConfig): Promise<LocalServer> {
  const tables = await freshTables();
  const deps = createDeps({ tables, region: 'us-east-1', dynamoEndpoint: inject('dynamoEndpoint'), limits: DEFAULT_LIMITS, auth });
  return startServer(deps, 0, '127.0.0.1', { consoleDir: distDir });
}

async function freshTables(): Promise<TableNames> {
  const tables = localTableNames(`c${randomUUID().slice(0, 8)}`);
  const { raw } = createStorageClients({ endpoint: inject('dynamoEndpoint'), credentials: localCredentials() });
  await ensureTables(raw, tables);
  raw.destroy();
  return tables;
}

/** Polls `read` until `ok` holds; fails with the last value seen. */
export async function until<T>(read: () => Promise<T>, ok: (value: T) => boolean, what: string, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: T | undefined;
  while (Date.now() < deadline) {
    last = await read();
    if (ok(last)) return last;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`Timed out waiting for ${what}; last value: ${JSON.stringify(last)}`);
}

/**
 * The Samsa the checker tests, built from the same seams as the local
 * server: its own DynamoDB Local (on disk, so it can be killed), fresh
 * tables, and several handler instances — each `createDeps` with its own
 * skewed clock, fault middleware and crash hook — behind one HTTP front.
 * Faults are wired in here and nowhere else; each starts switched off.
 * With `--url` there is no stack: the checker only drives an existing one.
 */
import { randomUUID } from 'node:crypto';
import { allHandlers } from '../../functions/all-handlers';
import { loadConfig } from '../../functions/config';
import { buildApp } from '../../functions/http/app';
import { createDeps } from '../../functions/runtime';
import { startKafkaGateway } from '../../kafka/server';
import { revokeApiKey, storeApiKey } from '../../lib/auth/keys';
import type { LibContext } from '../../lib/context';
import { sabotagedBuilders, type Sabotage } from '../sabotage';
import { createStorageClients, localCredentials } from '../../lib/storage/client';
import { ensureTables } from '../../lib/storage/ensure-tables';
import { localTableNames } from '../../lib/storage/schema';
import { DdbChaos } from '../faults/chaos';
import { InstanceClocks } from '../faults/clocks';
import { CrashInjector } from '../faults/crash';
import { ReplicaLag } from '../faults/ddb-middleware';
import type { Random } from '../faults/random';
import { TtlReaper } from '../faults/ttl-reaper';
import type { StackKeys } from '../fuzz/credentials';
import { DynamoProcess } from './dynamo';
import { startFront, type FrontServer } from './front';
import { startPush, type CheckerPush } from './push';

export interface StackOptions {
  random: Random;
  /** Spawn DynamoDB Local with its database here (kill -9 possible)… */
  dataDir?: string;
  /** …or use this endpoint. */
  dynamoEndpoint?: string;
  instances: number;
  abortAfterMs: number;
  maxClockSkewMs: number;
  sabotage?: Sabotage;
  /** `api-keys`: the deployed auth path, with keys for the fuzzer's random credentials (`keys`). Default `none`. */
  auth?: 'none' | 'api-keys';
  /** Also run a Kafka gateway on every handler instance (its lib, faults and clock), for Kafka clients; its error logs are off (injected faults cause them; the history records each outcome). */
  kafka?: boolean;
  /** Also serve WebSocket notifications and deliver push subscriptions (push.ts), with the notification nemesis. */
  push?: boolean;
}

/** The fault switches of an own stack. */
export interface StackFaults {
  chaos: DdbChaos;
  lag: ReplicaLag;
  crash: CrashInjector;
  clocks: InstanceClocks;
  front: FrontServer;
  dynamo: DynamoProcess;
  reaper: TtlReaper;
}

export interface CheckerStack {
  url: string;
  faults: StackFaults;
  /** With `auth: 'api-keys'`: an admin key, a key without grants, a revoked and an expired key. */
  keys?: StackKeys;
  /** With `kafka`: one bootstrap address (host:port) per handler instance. */
  kafka?: string[];
  /** With `push`: the WebSocket URL, the notification nemesis and delivery. */
  push?: CheckerPush;
  close(): Promise<void>;
}

export async function startStack(options: StackOptions): Promise<CheckerStack> {
  const { random } = options;
  const dynamo =
    options.dynamoEndpoint !== undefined ? DynamoProcess.external(options.dynamoEndpoint) : await DynamoProcess.start(options.dataDir ?? '.samsa/check/dynamodb');
  const tables = localTableNames(`chk${randomUUID().slice(0, 8)}`);
  const admin = createStorageClients({ endpoint: dynamo.endpoint, credentials: localCredentials() });
  await ensureTables(admin.raw, tables);

  const config = loadConfig({
    SAMSA_META_TABLE: tables.meta,
    SAMSA_LOG_TABLE: tables.log,
    SAMSA_DYNAMODB_ENDPOINT: dynamo.endpoint,
    SAMSA_AUTH_MODE: options.auth ?? 'none',
    // The fuzzer sends as fast as it can; the quota would only turn its requests into 429s.
    SAMSA_QUOTA_REQUESTS_PER_SECOND: '0',
    SAMSA_LIMIT_ABORT_AFTER_MS: String(options.abortAfterMs),
    SAMSA_LIMIT_MAX_CLOCK_SKEW_MS: String(options.maxClockSkewMs),
  });
  const chaos = new DdbChaos(random.fork('chaos'));
  const lag = new ReplicaLag();
  lag.logTable = tables.log;
  const crash = new CrashInjector(random.fork('crash'));
  const clocks = new InstanceClocks(options.instances);
  const instances = Array.from({ length: options.instances }, (_, i) =>
    createDeps(config, {
      plugins: [chaos.plugin, lag.plugin],
      clock: clocks.clock(i),
      crash: crash.hook,
      ...(options.sabotage === undefined ? {} : { builders: sabotagedBuilders(options.sabotage) }),
    }),
  );
  const apps = instances.map((deps) => {
    const app = buildApp(deps, allHandlers);
    return (request: Request) => app.fetch(request);
  });
  const keys = options.auth === 'api-keys' ? await issueKeys(instances[0]!.lib, config.auth.superUsers[0] ?? 'admin') : undefined;
  const front = await startFront(apps, random.fork('front'));
  const gateways = options.kafka === true ? await Promise.all(instances.map((deps) => startKafkaGateway(deps.lib, { port: 0, onError: () => undefined }))) : [];
  const push =
    options.push === true
      ? await startPush({
          server: front.server,
          httpUrl: front.url,
          deps: instances[0]!,
          endpoint: dynamo.endpoint,
          logTable: tables.log,
          random: random.fork('push'),
          ...(options.sabotage === undefined ? {} : { sabotage: options.sabotage }),
        })
      : undefined;
  const reaper = new TtlReaper(admin.raw, tables.log, () => clocks.now(), random.fork('ttl'));
  reaper.start();
  return {
    url: front.url,
    faults: { chaos, lag, crash, clocks, front, dynamo, reaper },
    ...(keys === undefined ? {} : { keys }),
    ...(options.kafka === true ? { kafka: gateways.map((g) => `${g.host}:${g.port}`) } : {}),
    ...(push === undefined ? {} : { push }),
    async close() {
      reaper.stop();
      await push?.close();
      await Promise.all(gateways.map((g) => g.close()));
      await front.close();
      admin.raw.destroy();
      await dynamo.stop();
    },
  };
}

async function issueKeys(lib: LibContext, superUser: string): Promise<StackKeys> {
  const now = lib.clock.now();
  const admin = await storeApiKey(lib, { principal: superUser }, 'checker');
  const stranger = await storeApiKey(lib, { principal: 'stranger' }, 'checker');
  const revoked = await storeApiKey(lib, { principal: superUser }, 'checker');
  await revokeApiKey(lib, { name: superUser }, revoked.keyId);
  const expired = await storeApiKey(lib, { principal: superUser, expiresAt: now - 60_000 }, 'checker');
  return { admin: admin.apiKey, stranger: stranger.apiKey, revoked: revoked.apiKey, expired: expired.apiKey };
}

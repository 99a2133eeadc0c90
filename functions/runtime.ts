/** Turns config into the dependencies every handler receives; called once per cold start. */
import { allowAll, ANONYMOUS } from '../lib/auth/authorize';
import { systemClock, type Clock, type LibContext } from '../lib/context';
import { TopicCache } from '../lib/topics/topic-cache';
import { createStorageClients, localCredentials, type StorageClientOptions } from '../lib/storage/client';
import type { Config } from './config';
import type { AppDeps } from './http/app';

/** How stale a cached topic may be on read paths (deletes, partition increases, retention raises are handled; see topic-cache.ts). */
const TOPIC_CACHE_TTL_MS = 1_000;

/** What a test harness or the checker may swap in; production passes nothing. */
export interface DepsOverrides {
  /** AWS SDK middleware (fault injection, capacity metering). */
  plugins?: StorageClientOptions['plugins'];
  /** A skewed or manual clock, as a second handler instance may have. */
  clock?: Clock;
  /** Crash-point hook (lib/log/crash-points.ts). */
  crash?: LibContext['crash'];
  /** Planted bugs for the checker's self-test only (LibContext.sabotage). */
  sabotage?: LibContext['sabotage'];
}

export function createDeps(config: Config, extra: DepsOverrides = {}): AppDeps {
  const options: StorageClientOptions = { region: config.region };
  if (extra.plugins !== undefined) options.plugins = extra.plugins;
  if (config.dynamoEndpoint !== undefined) {
    options.endpoint = config.dynamoEndpoint;
    options.credentials = localCredentials();
  }
  const { doc, docOnce } = createStorageClients(options);
  return {
    lib: {
      ddb: doc,
      ddbOnce: docOnce,
      tables: config.tables,
      clock: extra.clock ?? systemClock,
      limits: config.limits,
      authorizer: allowAll,
      topicCache: new TopicCache(TOPIC_CACHE_TTL_MS),
      ...(extra.crash === undefined ? {} : { crash: extra.crash }),
      ...(extra.sabotage === undefined ? {} : { sabotage: extra.sabotage }),
    },
    principalOf: () => ANONYMOUS,
  };
}

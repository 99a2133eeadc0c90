/** Turns config into the dependencies every handler receives; called once per cold start. */
import { allowAll, ANONYMOUS } from '../lib/auth/authorize';
import { systemClock } from '../lib/context';
import { TopicCache } from '../lib/topics/topic-cache';
import { createStorageClients, localCredentials, type StorageClientOptions } from '../lib/storage/client';
import type { Config } from './config';
import type { AppDeps } from './http/app';

/** How stale a cached topic may be on read paths (deletes, partition increases, retention raises are handled; see topic-cache.ts). */
const TOPIC_CACHE_TTL_MS = 1_000;

export function createDeps(config: Config, extra: Pick<StorageClientOptions, 'plugins'> = {}): AppDeps {
  const options: StorageClientOptions = { region: config.region, ...extra };
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
      clock: systemClock,
      limits: config.limits,
      authorizer: allowAll,
      topicCache: new TopicCache(TOPIC_CACHE_TTL_MS),
    },
    principalOf: () => ANONYMOUS,
  };
}

/** Turns config into the dependencies every handler receives; called once per cold start. */
import { allowAll, ANONYMOUS } from '../lib/auth/authorize';
import { systemClock } from '../lib/context';
import { createStorageClients, localCredentials, type StorageClientOptions } from '../lib/storage/client';
import type { Config } from './config';
import type { AppDeps } from './http/app';

export function createDeps(config: Config, extra: Pick<StorageClientOptions, 'plugins'> = {}): AppDeps {
  const options: StorageClientOptions = { region: config.region, ...extra };
  if (config.dynamoEndpoint !== undefined) {
    options.endpoint = config.dynamoEndpoint;
    options.credentials = localCredentials();
  }
  const { doc, docOnce } = createStorageClients(options);
  return {
    lib: { ddb: doc, ddbOnce: docOnce, tables: config.tables, clock: systemClock, limits: config.limits, authorizer: allowAll },
    principalOf: () => ANONYMOUS,
  };
}

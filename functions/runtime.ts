/** Turns config into the dependencies every handler receives; called once per cold start. */
import { aclAuthorizer } from '../lib/auth/acl-authorizer';
import { loadAcls } from '../lib/auth/acl-store';
import { ApiKeyAuthenticator } from '../lib/auth/authenticate';
import { allowAll } from '../lib/auth/authorize';
import { PrincipalQuota } from '../lib/auth/quota';
import { systemClock, type Clock, type LibContext } from '../lib/context';
import { TopicCache } from '../lib/topics/topic-cache';
import { ProducerEpochCache } from '../lib/log/producer-id';
import { invokeDelivery } from './subscriptions/aws-wake';
import { createStorageClients, isLocalEndpoint, localCredentials, type StorageClientOptions } from '../lib/storage/client';
import type { Config } from './config';
import { requestPrincipal, type AppDeps } from './http/app';
import { requestAuthenticator } from './http/auth';
import type { Telemetry } from './telemetry/telemetry';

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
  /** Storage request builders with a planted bug, for the checker's self-test only (LibContext.builders). */
  builders?: LibContext['builders'];
  /** Request logs and metrics; the Lambda entry points pass one, tests and the local server usually not. */
  telemetry?: Telemetry;
}

export function createDeps(config: Config, extra: DepsOverrides = {}): AppDeps {
  const options: StorageClientOptions = { region: config.region };
  if (extra.plugins !== undefined) options.plugins = extra.plugins;
  if (config.dynamoEndpoint !== undefined) {
    options.endpoint = config.dynamoEndpoint;
    // DynamoDB Local takes any credentials; another endpoint (npm start --dynamodb-endpoint) gets the default chain.
    if (isLocalEndpoint(config.dynamoEndpoint)) options.credentials = localCredentials();
  }
  const { doc, docOnce } = createStorageClients(options);
  const clock = extra.clock ?? systemClock;
  const { auth, pushUrl, subscriptionLambdaTargets, subscriptionDeliveryFunction } = config;
  const lib: LibContext = {
    ddb: doc,
    ddbOnce: docOnce,
    tables: config.tables,
    clock,
    limits: config.limits,
    authorizer:
      auth.mode === 'none'
        ? allowAll
        : aclAuthorizer({ superUsers: auth.superUsers, cacheMs: auth.cacheMs, clock, load: () => loadAcls(doc, config.tables) }),
    topicCache: new TopicCache(TOPIC_CACHE_TTL_MS),
    producerEpochs: new ProducerEpochCache(),
    ...(extra.crash === undefined ? {} : { crash: extra.crash }),
    ...(extra.builders === undefined ? {} : { builders: extra.builders }),
    ...(extra.telemetry === undefined ? {} : { events: extra.telemetry.onLibEvent }),
  };
  return {
    lib,
    authenticate: requestAuthenticator(auth, new ApiKeyAuthenticator(lib, auth.cacheMs)),
    ...(auth.mode === 'none' ? {} : { quota: new PrincipalQuota(auth.quota, clock) }),
    principalOf: requestPrincipal,
    ...(extra.telemetry === undefined ? {} : { telemetry: extra.telemetry }),
    ...(pushUrl === undefined ? {} : { pushUrl: () => pushUrl }),
    ...(subscriptionLambdaTargets === undefined ? {} : { subscriptions: { lambdaTargets: subscriptionLambdaTargets } }),
    ...(subscriptionDeliveryFunction === undefined ? {} : { wakeSubscription: invokeDelivery(subscriptionDeliveryFunction) }),
  };
}

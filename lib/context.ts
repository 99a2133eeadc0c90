/**
 * What every lib operation receives instead of reading globals: the DynamoDB
 * document client, table names, clock, limits and the authorizer.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Authorizer } from './auth/authorize';
import type { Builders } from './builders';
import type { Limits } from './limits';
import type { LibEvent } from './events';
import type { CrashPoint } from './log/crash-points';
import type { ProducerEpochCache } from './log/producer-id';
import type { TableNames } from './storage/schema';
import type { TopicCache } from './topics/topic-cache';

export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

export interface LibContext {
  ddb: DynamoDBDocumentClient;
  /** The same table access without SDK retries, for writes that are not idempotent (reservations). */
  ddbOnce: DynamoDBDocumentClient;
  tables: TableNames;
  clock: Clock;
  limits: Limits;
  authorizer: Authorizer;
  /** Per-instance cache of topic items for read paths (topics/topic-cache.ts); absent = always read. */
  topicCache?: TopicCache;
  /** Per-instance cache of issued producer epochs (log/producer-id.ts); absent = always read. */
  producerEpochs?: ProducerEpochCache;
  /** Test-only: called at named crash points (lib/log/crash-points.ts); undefined in production. */
  crash?: (point: CrashPoint) => void;
  /**
   * The storage requests and fencing rules guarantees rest on (lib/builders.ts);
   * unset in production (the defaults). The checker's self-test passes a set
   * with one builder broken, to prove it detects what that breaks.
   */
  builders?: Readonly<Builders>;
  /** Observer of operational events (lib/events.ts) for metrics; must not throw or block. */
  events?: (event: LibEvent) => void;
}


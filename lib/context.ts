/**
 * What every lib operation receives instead of reading globals: the DynamoDB
 * document client, table names, clock, limits and the authorizer.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Authorizer } from './auth/authorize';
import type { Limits } from './limits';
import type { TableNames } from './storage/schema';

export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

export interface LibContext {
  ddb: DynamoDBDocumentClient;
  tables: TableNames;
  clock: Clock;
  limits: Limits;
  authorizer: Authorizer;
}

/**
 * Every API the gateway serves, by API key. ApiVersions advertises exactly
 * this table (docs/kafka.md lists it, checked by test/kafka/docs.test.ts).
 */
import type { ApiHandler } from '../api';
import { alterConfigsApi, createPartitionsApi, deleteRecordsApi, describeConfigsApi, incrementalAlterConfigsApi } from './admin';
import { deleteGroupsApi, describeGroupsApi, listGroupsApi } from './group-admin';
import { fetchApi } from './fetch';
import { heartbeatApi, joinGroup, leaveGroup, syncGroup } from './groups';
import { listOffsetsApi } from './list-offsets';
import { apiVersions, findCoordinator, metadata } from './metadata';
import { offsetCommit, offsetFetch } from './offsets';
import { produceApi } from './produce';
import { initProducerId } from './producer-id';
import { saslAuthenticate, saslHandshake } from './sasl';
import { createTopicsApi, deleteTopicsApi } from './topics';

export const HANDLERS = new Map<number, ApiHandler>();

const ALL: ApiHandler[] = [
  produceApi,
  fetchApi,
  listOffsetsApi,
  metadata,
  offsetCommit,
  offsetFetch,
  findCoordinator,
  joinGroup,
  heartbeatApi,
  leaveGroup,
  describeGroupsApi,
  listGroupsApi,
  syncGroup,
  saslHandshake,
  apiVersions(apiVersionsTable),
  createTopicsApi,
  deleteTopicsApi,
  deleteRecordsApi,
  initProducerId,
  describeConfigsApi,
  alterConfigsApi,
  saslAuthenticate,
  createPartitionsApi,
  deleteGroupsApi,
  incrementalAlterConfigsApi,
];
for (const h of ALL) HANDLERS.set(h.key, h);

/** The ApiVersions table: exactly the implemented APIs and versions. */
export function apiVersionsTable(): { apiKey: number; minVersion: number; maxVersion: number }[] {
  return [...HANDLERS.values()].sort((a, b) => a.key - b.key).map((h) => ({ apiKey: h.key, minVersion: h.min, maxVersion: h.max }));
}

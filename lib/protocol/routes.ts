/**
 * The route table: every HTTP route of the API (method, path, what it does,
 * whether it needs credentials) and nothing else. Pure data, dependency-free:
 * the server serves it (functions/http/routes.ts adds which Lambda function
 * answers each route), the OpenAPI document is generated from it, and the
 * SDK builds its request paths from it.
 */

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface ApiRoute {
  method: HttpMethod;
  /** Hono-style path (`:param`); the server converts it for API Gateway. */
  path: string;
  summary: string;
  /** Served without credentials: the health check, and the OpenAPI document (for Swagger UI and code generators). */
  public?: true;
}

export const ROUTES = {
  health: { method: 'GET', path: '/v1/health', summary: 'Liveness check (no credentials needed)', public: true },
  whoami: { method: 'GET', path: '/v1/whoami', summary: 'The principal the credentials belong to' },
  createApiKey: { method: 'POST', path: '/v1/apikeys', summary: 'Issue an API key (the secret is shown once)' },
  listApiKeys: { method: 'GET', path: '/v1/apikeys', summary: 'List API keys (never their secrets)' },
  revokeApiKey: { method: 'DELETE', path: '/v1/apikeys/:keyId', summary: 'Revoke an API key' },
  createAcl: { method: 'POST', path: '/v1/acls', summary: 'Add an ACL binding (idempotent)' },
  listAcls: { method: 'GET', path: '/v1/acls', summary: 'List ACL bindings' },
  deleteAcl: { method: 'DELETE', path: '/v1/acls/:aclId', summary: 'Remove an ACL binding' },
  openApi: { method: 'GET', path: '/v1/openapi.json', summary: 'This API as an OpenAPI 3.1 document (no credentials needed)', public: true },
  listTopics: { method: 'GET', path: '/v1/topics', summary: 'List topics' },
  createTopic: { method: 'POST', path: '/v1/topics', summary: 'Create a topic' },
  describeTopic: { method: 'GET', path: '/v1/topics/:topic', summary: 'Describe a topic' },
  deleteTopic: { method: 'DELETE', path: '/v1/topics/:topic', summary: 'Delete a topic' },
  createPartitions: { method: 'POST', path: '/v1/topics/:topic/partitions', summary: 'Increase the partition count' },
  alterTopicConfigs: { method: 'PATCH', path: '/v1/topics/:topic/configs', summary: 'Alter topic configs' },
  deleteRecords: {
    method: 'DELETE',
    path: '/v1/topics/:topic/partitions/:partition/records',
    summary: 'Delete records before an offset (moves the log start)',
  },
  produce: { method: 'POST', path: '/v1/topics/:topic/records', summary: 'Produce records' },
  initProducer: { method: 'POST', path: '/v1/producers', summary: 'Get an idempotent producer id and epoch' },
  fetch: { method: 'GET', path: '/v1/topics/:topic/partitions/:partition/records', summary: 'Fetch records from an offset' },
  listOffsets: {
    method: 'GET',
    path: '/v1/topics/:topic/partitions/:partition/offsets',
    summary: 'Log start, high watermark, or the offset for a timestamp',
  },
  topicOffsets: { method: 'GET', path: '/v1/topics/:topic/offsets', summary: 'Offsets of every partition' },
  listGroups: { method: 'GET', path: '/v1/groups', summary: 'List consumer groups' },
  describeGroup: { method: 'GET', path: '/v1/groups/:group', summary: 'Describe a group: state, epoch, members' },
  deleteGroup: { method: 'DELETE', path: '/v1/groups/:group', summary: 'Delete a group without live members' },
  groupHeartbeat: { method: 'POST', path: '/v1/groups/:group/heartbeat', summary: 'Join, heartbeat or leave (KIP-848)' },
  groupPoll: { method: 'POST', path: '/v1/groups/:group/poll', summary: 'Commit, heartbeat and fetch in one call' },
  groupCommit: { method: 'POST', path: '/v1/groups/:group/commits', summary: 'Commit offsets (fenced by ownership)' },
  groupOffsets: { method: 'GET', path: '/v1/groups/:group/offsets', summary: 'Committed offsets' },
  resetGroupOffsets: {
    method: 'POST',
    path: '/v1/groups/:group/offsets/reset',
    summary: 'Reset committed offsets of a topic (group without live members)',
  },
  groupLag: { method: 'GET', path: '/v1/groups/:group/lag', summary: 'Lag per partition and total' },
  removeGroupMember: { method: 'DELETE', path: '/v1/groups/:group/members/:member', summary: 'Remove a member; its partitions move on' },
} as const satisfies Record<string, ApiRoute>;

export type RouteId = keyof typeof ROUTES;

/** `:name` segments of a route path, as a union of names. */
export type ParamsOf<P extends string> = P extends `${string}:${infer Name}/${infer Rest}`
  ? Name | ParamsOf<`/${Rest}`>
  : P extends `${string}:${infer Name}`
    ? Name
    : never;

/** The path parameters a route needs, by name. */
export type RouteParams<R extends RouteId> = Record<ParamsOf<(typeof ROUTES)[R]['path']>, string | number>;

/**
 * The concrete path of a route: each `:name` replaced by its parameter,
 * percent-encoded (a topic or group name may hold `.` but never `/`; a
 * member id may hold `:`).
 */
export function routePath<R extends RouteId>(id: R, params: RouteParams<R>): string {
  const values = params as Record<string, string | number>;
  return ROUTES[id].path.replace(/:([A-Za-z0-9_]+)/g, (_, name: string) => encodeURIComponent(String(values[name])));
}

/**
 * The route table: every HTTP route of the API (method, path, whether it
 * needs credentials) and nothing else. Pure data, dependency-free: the server
 * serves it (functions/http/routes.ts adds which Lambda function answers each
 * route), the OpenAPI document is generated from it, and the SDK builds its
 * request paths from it. What each route does is in ./route-summaries.ts, so
 * the SDK, which bundles this table, does not carry text it never shows.
 */

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface ApiRoute {
  method: HttpMethod;
  /** Hono-style path (`:param`); the server converts it for API Gateway. */
  path: string;
  /** Served without credentials: the health check, and the OpenAPI document (for Swagger UI and code generators). */
  public?: true;
}

export const ROUTES = {
  health: { method: 'GET', path: '/v1/health', public: true },
  whoami: { method: 'GET', path: '/v1/whoami' },
  createApiKey: { method: 'POST', path: '/v1/apikeys' },
  listApiKeys: { method: 'GET', path: '/v1/apikeys' },
  revokeApiKey: { method: 'DELETE', path: '/v1/apikeys/:keyId' },
  createAcl: { method: 'POST', path: '/v1/acls' },
  listAcls: { method: 'GET', path: '/v1/acls' },
  deleteAcl: { method: 'DELETE', path: '/v1/acls/:aclId' },
  openApi: { method: 'GET', path: '/v1/openapi.json', public: true },
  listTopics: { method: 'GET', path: '/v1/topics' },
  createTopic: { method: 'POST', path: '/v1/topics' },
  describeTopic: { method: 'GET', path: '/v1/topics/:topic' },
  deleteTopic: { method: 'DELETE', path: '/v1/topics/:topic' },
  createPartitions: { method: 'POST', path: '/v1/topics/:topic/partitions' },
  alterTopicConfigs: { method: 'PATCH', path: '/v1/topics/:topic/configs' },
  deleteRecords: { method: 'DELETE', path: '/v1/topics/:topic/partitions/:partition/records' },
  produce: { method: 'POST', path: '/v1/topics/:topic/records' },
  initProducer: { method: 'POST', path: '/v1/producers' },
  transaction: { method: 'POST', path: '/v1/transactions' },
  fetch: { method: 'GET', path: '/v1/topics/:topic/partitions/:partition/records' },
  listOffsets: { method: 'GET', path: '/v1/topics/:topic/partitions/:partition/offsets' },
  topicOffsets: { method: 'GET', path: '/v1/topics/:topic/offsets' },
  listGroups: { method: 'GET', path: '/v1/groups' },
  describeGroup: { method: 'GET', path: '/v1/groups/:group' },
  deleteGroup: { method: 'DELETE', path: '/v1/groups/:group' },
  groupHeartbeat: { method: 'POST', path: '/v1/groups/:group/heartbeat' },
  groupPoll: { method: 'POST', path: '/v1/groups/:group/poll' },
  groupCommit: { method: 'POST', path: '/v1/groups/:group/commits' },
  groupOffsets: { method: 'GET', path: '/v1/groups/:group/offsets' },
  resetGroupOffsets: { method: 'POST', path: '/v1/groups/:group/offsets/reset' },
  groupLag: { method: 'GET', path: '/v1/groups/:group/lag' },
  removeGroupMember: { method: 'DELETE', path: '/v1/groups/:group/members/:member' },
  createSubscription: { method: 'POST', path: '/v1/subscriptions' },
  listSubscriptions: { method: 'GET', path: '/v1/subscriptions' },
  describeSubscription: { method: 'GET', path: '/v1/subscriptions/:subscription' },
  deleteSubscription: { method: 'DELETE', path: '/v1/subscriptions/:subscription' },
  pauseSubscription: { method: 'POST', path: '/v1/subscriptions/:subscription/pause' },
  resumeSubscription: { method: 'POST', path: '/v1/subscriptions/:subscription/resume' },
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

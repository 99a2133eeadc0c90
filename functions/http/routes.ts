/**
 * The route table: every HTTP route, the Lambda function that serves it, and
 * nothing else. The CDK stack creates one API Gateway route per entry and the
 * local server serves the same table, so the two cannot drift.
 */

export type FunctionArea = 'admin' | 'produce' | 'fetch' | 'groups';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export interface RouteSpec {
  method: HttpMethod;
  /** Hono-style path (`:param`); `apiGatewayPath` converts it for API Gateway. */
  path: string;
  fn: FunctionArea;
  summary: string;
  /** Served without credentials: the health check, and the OpenAPI document (for Swagger UI and code generators). */
  public?: true;
}

export const ROUTES = {
  health: { method: 'GET', path: '/v1/health', fn: 'admin', summary: 'Liveness check (no credentials needed)', public: true },
  whoami: { method: 'GET', path: '/v1/whoami', fn: 'admin', summary: 'The principal the credentials belong to' },
  createApiKey: { method: 'POST', path: '/v1/apikeys', fn: 'admin', summary: 'Issue an API key (the secret is shown once)' },
  listApiKeys: { method: 'GET', path: '/v1/apikeys', fn: 'admin', summary: 'List API keys (never their secrets)' },
  revokeApiKey: { method: 'DELETE', path: '/v1/apikeys/:keyId', fn: 'admin', summary: 'Revoke an API key' },
  createAcl: { method: 'POST', path: '/v1/acls', fn: 'admin', summary: 'Add an ACL binding (idempotent)' },
  listAcls: { method: 'GET', path: '/v1/acls', fn: 'admin', summary: 'List ACL bindings' },
  deleteAcl: { method: 'DELETE', path: '/v1/acls/:aclId', fn: 'admin', summary: 'Remove an ACL binding' },
  openApi: { method: 'GET', path: '/v1/openapi.json', fn: 'admin', summary: 'This API as an OpenAPI 3.1 document (no credentials needed)', public: true },
  listTopics: { method: 'GET', path: '/v1/topics', fn: 'admin', summary: 'List topics' },
  createTopic: { method: 'POST', path: '/v1/topics', fn: 'admin', summary: 'Create a topic' },
  describeTopic: { method: 'GET', path: '/v1/topics/:topic', fn: 'admin', summary: 'Describe a topic' },
  deleteTopic: { method: 'DELETE', path: '/v1/topics/:topic', fn: 'admin', summary: 'Delete a topic' },
  createPartitions: {
    method: 'POST',
    path: '/v1/topics/:topic/partitions',
    fn: 'admin',
    summary: 'Increase the partition count',
  },
  alterTopicConfigs: { method: 'PATCH', path: '/v1/topics/:topic/configs', fn: 'admin', summary: 'Alter topic configs' },
  deleteRecords: {
    method: 'DELETE',
    path: '/v1/topics/:topic/partitions/:partition/records',
    fn: 'admin',
    summary: 'Delete records before an offset (moves the log start)',
  },
  produce: { method: 'POST', path: '/v1/topics/:topic/records', fn: 'produce', summary: 'Produce records' },
  initProducer: { method: 'POST', path: '/v1/producers', fn: 'produce', summary: 'Get an idempotent producer id and epoch' },
  fetch: {
    method: 'GET',
    path: '/v1/topics/:topic/partitions/:partition/records',
    fn: 'fetch',
    summary: 'Fetch records from an offset',
  },
  listOffsets: {
    method: 'GET',
    path: '/v1/topics/:topic/partitions/:partition/offsets',
    fn: 'fetch',
    summary: 'Log start, high watermark, or the offset for a timestamp',
  },
  topicOffsets: { method: 'GET', path: '/v1/topics/:topic/offsets', fn: 'fetch', summary: 'Offsets of every partition' },
  listGroups: { method: 'GET', path: '/v1/groups', fn: 'groups', summary: 'List consumer groups' },
  describeGroup: { method: 'GET', path: '/v1/groups/:group', fn: 'groups', summary: 'Describe a group: state, epoch, members' },
  deleteGroup: { method: 'DELETE', path: '/v1/groups/:group', fn: 'groups', summary: 'Delete a group without live members' },
  groupHeartbeat: { method: 'POST', path: '/v1/groups/:group/heartbeat', fn: 'groups', summary: 'Join, heartbeat or leave (KIP-848)' },
  groupPoll: { method: 'POST', path: '/v1/groups/:group/poll', fn: 'groups', summary: 'Commit, heartbeat and fetch in one call' },
  groupCommit: { method: 'POST', path: '/v1/groups/:group/commits', fn: 'groups', summary: 'Commit offsets (fenced by ownership)' },
  groupOffsets: { method: 'GET', path: '/v1/groups/:group/offsets', fn: 'groups', summary: 'Committed offsets' },
  resetGroupOffsets: {
    method: 'POST',
    path: '/v1/groups/:group/offsets/reset',
    fn: 'groups',
    summary: 'Reset committed offsets of a topic (group without live members)',
  },
  groupLag: { method: 'GET', path: '/v1/groups/:group/lag', fn: 'groups', summary: 'Lag per partition and total' },
  removeGroupMember: {
    method: 'DELETE',
    path: '/v1/groups/:group/members/:member',
    fn: 'groups',
    summary: 'Remove a member; its partitions move on',
  },
} as const satisfies Record<string, RouteSpec>;

export type RouteId = keyof typeof ROUTES;

/** The function that answers unmatched requests (API Gateway `$default`) with the error envelope. */
export const DEFAULT_ROUTE_FUNCTION: FunctionArea = 'admin';

export function apiGatewayPath(path: string): string {
  return path.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
}

/** Methods served at a concrete path, for 405 answers. */
export function methodsForPath(path: string): HttpMethod[] {
  const methods: HttpMethod[] = [];
  for (const route of Object.values(ROUTES) as RouteSpec[]) {
    const pattern = new RegExp(`^${route.path.replace(/:[A-Za-z0-9_]+/g, '[^/]+')}/?$`);
    if (pattern.test(path)) methods.push(route.method);
  }
  return methods;
}

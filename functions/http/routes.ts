/**
 * The server's route table: the protocol's routes (lib/protocol/routes.ts)
 * with the Lambda function that serves each. The CDK stack creates one API
 * Gateway route per entry and the local server serves the same table, so the
 * two cannot drift; ROUTE_FUNCTIONS is keyed by the protocol's route ids
 * (`satisfies Record<RouteId, …>`), so a route added there without a function
 * here, or a function for a route that does not exist, does not compile.
 */
import { ROUTES as API_ROUTES, type ApiRoute, type HttpMethod, type RouteId } from '../../lib/protocol/routes';

export type { HttpMethod, RouteId };

export type FunctionArea = 'admin' | 'produce' | 'fetch' | 'groups' | 'transactions';

export interface RouteSpec extends ApiRoute {
  fn: FunctionArea;
}

const ROUTE_FUNCTIONS = {
  health: 'admin',
  whoami: 'admin',
  createApiKey: 'admin',
  listApiKeys: 'admin',
  revokeApiKey: 'admin',
  createAcl: 'admin',
  listAcls: 'admin',
  deleteAcl: 'admin',
  openApi: 'admin',
  listTopics: 'admin',
  createTopic: 'admin',
  describeTopic: 'admin',
  deleteTopic: 'admin',
  createPartitions: 'admin',
  alterTopicConfigs: 'admin',
  deleteRecords: 'admin',
  produce: 'produce',
  initProducer: 'produce',
  transaction: 'transactions',
  fetch: 'fetch',
  listOffsets: 'fetch',
  topicOffsets: 'fetch',
  listGroups: 'groups',
  describeGroup: 'groups',
  deleteGroup: 'groups',
  groupHeartbeat: 'groups',
  groupPoll: 'groups',
  groupCommit: 'groups',
  groupOffsets: 'groups',
  resetGroupOffsets: 'groups',
  groupLag: 'groups',
  removeGroupMember: 'groups',
  // Subscriptions are consumer groups with a webhook: managed beside the groups (meta writes confined in cdk/function-areas.ts).
  createSubscription: 'groups',
  listSubscriptions: 'groups',
  describeSubscription: 'groups',
  deleteSubscription: 'groups',
  pauseSubscription: 'groups',
  resumeSubscription: 'groups',
} as const satisfies Record<RouteId, FunctionArea>;

/** Every route with its function; literal types kept, so `ROUTES.produce.fn` is `'produce'`. */
export const ROUTES = Object.fromEntries(
  (Object.keys(API_ROUTES) as RouteId[]).map((id) => [id, { ...API_ROUTES[id], fn: ROUTE_FUNCTIONS[id] }]),
) as { readonly [K in RouteId]: (typeof API_ROUTES)[K] & { readonly fn: (typeof ROUTE_FUNCTIONS)[K] } };

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

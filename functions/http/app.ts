/**
 * Builds the Hono app that both Lambda (through `hono/aws-lambda`) and the
 * local server run. Each Lambda function passes the handlers of its own
 * routes; the local server passes all of them. Request ids, the error
 * envelope, 404 and 405 are handled here once.
 */
import { randomUUID } from 'node:crypto';
import { Hono, type Context } from 'hono';
import { ANONYMOUS, type Principal } from '../../lib/auth/authorize';
import type { PrincipalQuota } from '../../lib/auth/quota';
import type { LibContext } from '../../lib/context';
import type { WakeSubscription } from '../../lib/subscriptions/pause';
import type { CreateOptions } from '../../lib/subscriptions/validate';
import { SamsaError } from '../../lib/errors';
import type { Telemetry } from '../telemetry/telemetry';
import { errorEnvelope, logUnexpected } from './envelope';
import { observe } from './observability';
import { methodsForPath, ROUTES, type RouteId, type RouteSpec } from './routes';

export interface AppDeps {
  lib: LibContext;
  /** Who is calling (functions/http/auth.ts); throws UNAUTHENTICATED. Not called for public routes. */
  authenticate(c: Context): Promise<Principal>;
  /** Per-principal request quota; absent = none. */
  quota?: PrincipalQuota;
  /** The principal `authenticate` resolved for this request. */
  principalOf(c: Context): Principal;
  /** Request logs and EMF metrics (functions/telemetry); absent = none, unexpected errors are still logged. */
  telemetry?: Telemetry;
  /**
   * The WebSocket notification endpoint `GET /v1/health` names, given the request's URL (the local
   * server answers with the host it was reached at); absent = the deployment has none.
   */
  pushUrl?: (requestUrl: string) => string;
  /** Create's checks of this deployment (the Lambda functions subscriptions may target); absent = none beyond the shape. */
  subscriptions?: CreateOptions;
  /** Starts a delivery run of a resumed subscription (AWS: the delivery function, invoked asynchronously); absent = the next produce does. */
  wakeSubscription?: WakeSubscription;
}

/** Reads the principal the auth step stored; public routes have none and get `anonymous`. */
export function requestPrincipal(c: Context): Principal {
  return (c.get('principal') as Principal | undefined) ?? ANONYMOUS;
}

export type RouteHandler = (c: Context, deps: AppDeps) => Promise<Response>;
export type RouteHandlers = Partial<Record<RouteId, RouteHandler>>;

type Env = { Variables: { requestId: string; principal: Principal } };

export function buildApp(deps: AppDeps, handlers: RouteHandlers): Hono<Env> {
  const app = new Hono<Env>();

  app.use(async (c, next) => {
    const requestId = lambdaRequestId(c) ?? randomUUID();
    c.set('requestId', requestId);
    await next();
    c.header('x-request-id', requestId);
  });
  app.use(observe(deps.telemetry));

  for (const [id, handler] of Object.entries(handlers) as [RouteId, RouteHandler][]) {
    const route: RouteSpec = ROUTES[id];
    app.on(route.method, route.path, async (c) => {
      // Authentication and the quota come before any body is read or any table touched.
      if (route.public !== true) {
        const principal = await deps.authenticate(c);
        c.set('principal', principal);
        deps.quota?.take(principal);
      }
      return handler(c, deps);
    });
  }

  app.notFound((c) => {
    const allowed = methodsForPath(c.req.path);
    const err =
      allowed.length > 0
        ? new SamsaError('METHOD_NOT_ALLOWED', `${c.req.method} is not allowed on ${c.req.path}; use ${allowed.join(', ')}.`)
        : new SamsaError('ROUTE_NOT_FOUND', `No route ${c.req.method} ${c.req.path}.`);
    if (allowed.length > 0) c.header('allow', allowed.join(', '));
    return c.json(errorEnvelope(err, c.get('requestId')), err.status as 404);
  });

  app.onError((err, c) => {
    const samsa = logUnexpected(err, c.get('requestId'), `${c.req.method} ${c.req.routePath}`, deps.telemetry?.logger);
    if (samsa.code === 'THROTTLED') c.header('retry-after', '1');
    if (samsa.code === 'QUOTA_EXCEEDED') c.header('retry-after', String(Math.max(1, Math.ceil(Number(samsa.details?.retryAfterMs ?? 1000) / 1000))));
    if (samsa.code === 'UNAUTHENTICATED') c.header('www-authenticate', 'Bearer realm="samsa"');
    return c.json(errorEnvelope(samsa, c.get('requestId')), samsa.status as 400);
  });

  return app;
}

function lambdaRequestId(c: Context): string | undefined {
  const env = c.env as { requestContext?: { requestId?: unknown } } | undefined;
  const id = env?.requestContext?.requestId;
  return typeof id === 'string' && id !== '' ? id : undefined;
}

/**
 * Records every DynamoDB call a test stack makes together with the API route
 * being served when it was made, so a test can check each call against the
 * IAM role of the Lambda function that serves that route (test/iam/).
 *
 * The route is carried by an AsyncLocalStorage that `call` (a wrapper of
 * `stack.call`) enters per request, so work a request starts and leaves
 * running (a checkpoint put that outlives the response) is still its
 * route's. Production code is untouched: the routes are matched here, by a
 * Hono router built from the same route table the app is built from.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { Hono } from 'hono';
import { ROUTES, type RouteId } from '../../functions/http/routes';
import { ddbHook, type DdbCall } from './ddb-faults';
import type { TestStack } from './stack';

export interface RoutedCall extends DdbCall {
  /** The route whose request made the call; undefined for calls the test harness made itself. */
  route: RouteId | undefined;
}

const router = new Hono();
for (const [id, route] of Object.entries(ROUTES)) router.on(route.method, route.path, (c) => c.text(id));

/** The route a request to `method path` is served by (the same matching as the app), if any. */
export async function routeOf(method: string, path: string): Promise<RouteId | undefined> {
  const res = await router.request(path, { method });
  return res.status === 200 ? ((await res.text()) as RouteId) : undefined;
}

export class RouteRecorder {
  readonly calls: RoutedCall[] = [];
  /** Routes that answered at least one request, whether or not it touched DynamoDB. */
  readonly served = new Set<RouteId>();
  private readonly serving = new AsyncLocalStorage<RouteId>();

  /** Pass to createTestStack({ plugins }). Outermost in the SDK stack: one record per call, plain (unmarshalled) input. */
  readonly plugin = ddbHook('initialize', (call, next) => {
    this.calls.push({ ...call, route: this.serving.getStore() });
    return next();
  });

  /** Runs `fn` as the function serving `route` would: its DynamoDB calls are recorded under that route. */
  as<T>(route: RouteId, fn: () => Promise<T>): Promise<T> {
    this.served.add(route);
    return this.serving.run(route, fn);
  }

  /** `stack.call`, with each request's DynamoDB calls recorded under the route it matches. */
  caller(stack: TestStack): TestStack['call'] {
    return async (method, path, ...rest) => {
      const route = await routeOf(method, path);
      if (route === undefined) return stack.call(method, path, ...rest);
      return this.as(route, () => stack.call(method, path, ...rest));
    };
  }
}

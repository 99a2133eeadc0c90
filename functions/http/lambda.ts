/** An API function's Lambda handler: its routes' Hono app behind the API Gateway (payload 2.0) adapter. */
import { handle } from 'hono/aws-lambda';
import { coldStart } from '../cold-start';
import { buildApp, type RouteHandlers } from './app';

export function apiHandler(handlers: RouteHandlers): ReturnType<typeof handle> {
  return handle(buildApp(coldStart().deps, handlers));
}

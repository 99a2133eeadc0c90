/** Every route's handler, for the local server and API tests (Lambda functions import only their own). */
import { adminHandlers } from './admin/handlers';
import type { RouteHandlers } from './http/app';

export const allHandlers: RouteHandlers = { ...adminHandlers };

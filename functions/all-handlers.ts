/** Every route's handler, for the local server and API tests (Lambda functions import only their own). */
import { adminHandlers } from './admin/handlers';
import { fetchHandlers } from './fetch/handlers';
import { groupHandlers } from './groups/handlers';
import { subscriptionHandlers } from './groups/subscription-handlers';
import type { RouteHandlers } from './http/app';
import { produceHandlers } from './produce/handlers';
import { transactionHandlers } from './transactions/handlers';

export const allHandlers: RouteHandlers = { ...adminHandlers, ...produceHandlers, ...fetchHandlers, ...groupHandlers, ...subscriptionHandlers, ...transactionHandlers };

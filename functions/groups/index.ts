/** Lambda entry point for consumer groups. */
import { apiHandler } from '../http/lambda';
import { groupHandlers } from './handlers';
import { subscriptionHandlers } from './subscription-handlers';

export const handler = apiHandler({ ...groupHandlers, ...subscriptionHandlers });

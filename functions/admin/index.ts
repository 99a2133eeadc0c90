/** Lambda entry point for the admin API (topics, health, unmatched routes). */
import { apiHandler } from '../http/lambda';
import { adminHandlers } from './handlers';

export const handler = apiHandler(adminHandlers);

/** Lambda entry point for fetch and offsets. */
import { apiHandler } from '../http/lambda';
import { fetchHandlers } from './handlers';

export const handler = apiHandler(fetchHandlers);

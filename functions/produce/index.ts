/** Lambda entry point for produce and producer ids. */
import { apiHandler } from '../http/lambda';
import { produceHandlers } from './handlers';

export const handler = apiHandler(produceHandlers);

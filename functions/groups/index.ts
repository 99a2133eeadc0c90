/** Lambda entry point for consumer groups. */
import { apiHandler } from '../http/lambda';
import { groupHandlers } from './handlers';

export const handler = apiHandler(groupHandlers);

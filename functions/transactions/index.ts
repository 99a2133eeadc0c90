/** Lambda entry point for transactions: its own function, so that only it may both append to the log and move group commits. */
import { apiHandler } from '../http/lambda';
import { transactionHandlers } from './handlers';

export const handler = apiHandler(transactionHandlers);

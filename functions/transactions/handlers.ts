/** The transaction route: records for several partitions and topics, and a group's commits, all or nothing. */
import { produceTransaction } from '../../lib/log/transaction';
import { parseInput } from '../../lib/protocol/parse';
import { transactionBody } from '../../lib/protocol/transactions';
import type { RouteHandlers } from '../http/app';
import { readJson } from '../http/request';

export const transactionHandlers: RouteHandlers = {
  transaction: async (c, { lib, principalOf }) => {
    const body = parseInput(transactionBody, await readJson(c, lib.limits));
    // All or nothing: any error is thrown and answered with the envelope; nothing of it is visible.
    return c.json(await produceTransaction(lib, principalOf(c), body), 200);
  },
};

/**
 * A slow transactional writer, as a DynamoDB call hook: before its
 * TransactWriteItems lands, a reader closes the reservation of the second
 * item (an abort marker, as lib/log/abort.ts writes), so the transaction fails
 * with RESERVATION_ABORTED and leaves aborted ranges behind. Fires once.
 */
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { markerItem } from '../../lib/log/batch-item';
import type { CallHook } from './ddb-faults';
import type { TestStack } from './stack';

export function readerAbortsSecondItem(stack: TestStack): CallHook {
  let fired = false;
  return async (call, next) => {
    if (!fired && call.command === 'TransactWriteItems') {
      fired = true;
      const victim = call.input.TransactItems[1].Put.Item;
      await stack.lib.ddb.send(new PutCommand({ TableName: stack.tables.log, Item: markerItem(victim.pk, victim.sk, victim.o, Date.now(), -1) }));
    }
    return next();
  };
}

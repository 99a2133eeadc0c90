/**
 * Registers a WebSocket connection and the principal that opened it.
 *
 * Behaviour: the door (functions/push, local/websocket.ts) authenticates the
 * connect request exactly as the HTTP API does (API key or JWT) and passes the
 * principal; later messages on the connection carry only its id, so the
 * principal is stored here and read back for every subscription's ACL check.
 * Errors: a connection id already registered → INVALID_REQUEST (API Gateway
 * never reuses one; only a misbehaving door could).
 * Cost: one PutItem (1 WCU).
 */
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import type { Principal } from '../auth/authorize';
import type { LibContext } from '../context';
import { SamsaError } from '../errors';
import { putConnection } from './registry';

export async function connect(ctx: LibContext, connectionId: string, principal: Principal): Promise<void> {
  try {
    await ctx.ddb.send(new PutCommand(putConnection(ctx.tables.meta, connectionId, principal.name, ctx.clock.now())));
  } catch (err) {
    if ((err as { name?: string }).name === 'ConditionalCheckFailedException') {
      throw new SamsaError('INVALID_REQUEST', `Connection '${connectionId}' is already registered.`);
    }
    throw err;
  }
}

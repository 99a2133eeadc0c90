/**
 * `DELETE /v1/subscriptions/{name}`.
 * Behaviour: needs `read` on the topic (what create needed). Deletes the
 * subscription and its topic pointer in one transaction, so no trigger
 * finds it again; then, best effort, the group member leaves and the group
 * with its commits is deleted (a delivery run still in flight may finish its
 * batch; a group left behind is harmless and re-creating the name starts
 * from the topic's end anyway).
 * Errors: INVALID_SUBSCRIPTION, SUBSCRIPTION_NOT_FOUND, AUTHORIZATION_FAILED.
 * Cost: 1 GetItem, a TransactWriteItems of 2 deletes (4 WRU), the leave and
 * the group delete (a few WRU per partition).
 */
import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { authorize, type Principal } from '../auth/authorize';
import type { LibContext } from '../context';
import { SamsaError } from '../errors';
import { deleteGroup } from '../groups/delete';
import { heartbeat } from '../groups/heartbeat';
import { asSubscription } from './authorizer';
import { readSubscription } from './describe';
import { deleteRequest, DELIVERY_MEMBER_ID, subscriptionGroup } from './items';

export async function deleteSubscription(ctx: LibContext, principal: Principal, name: string): Promise<void> {
  const item = await readSubscription(ctx, name);
  await authorize(ctx.authorizer, principal, 'read', { type: 'topic', name: item.topic });
  try {
    await ctx.ddb.send(new TransactWriteCommand(deleteRequest(ctx.tables.meta, item)));
  } catch (err) {
    if ((err as { name?: string }).name === 'TransactionCanceledException') throw new SamsaError('SUBSCRIPTION_NOT_FOUND', `Subscription '${name}' does not exist.`);
    throw err;
  }
  const sub = asSubscription(ctx, name);
  const group = subscriptionGroup(name);
  if (item.memberEpoch > 0) await heartbeat(sub, principal, group, { memberId: DELIVERY_MEMBER_ID, memberEpoch: -1 }).catch(() => undefined);
  await deleteGroup(sub, principal, group).catch(() => undefined);
}

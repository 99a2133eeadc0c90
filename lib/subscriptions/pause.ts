/**
 * `POST /v1/subscriptions/{name}/pause` and `/resume`.
 * Behaviour: needs `read` on the topic. Pausing stops delivery at the next
 * batch (a batch being posted finishes and is committed); resuming continues
 * from the committed offset at the next delivery run (the next produce to
 * the topic, or a scheduled retry).
 * Errors: INVALID_SUBSCRIPTION, SUBSCRIPTION_NOT_FOUND, AUTHORIZATION_FAILED.
 * Cost: 1 GetItem and 1 UpdateItem (1 WRU).
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { authorize, type Principal } from '../auth/authorize';
import type { LibContext } from '../context';
import { SamsaError } from '../errors';
import type { SubscriptionDescription, SubscriptionState } from '../protocol/subscription-types';
import { describeItem, readSubscription } from './describe';
import { decodeSubscription, setStateRequest } from './items';

export async function setSubscriptionState(ctx: LibContext, principal: Principal, name: string, state: SubscriptionState): Promise<SubscriptionDescription> {
  const item = await readSubscription(ctx, name);
  await authorize(ctx.authorizer, principal, 'read', { type: 'topic', name: item.topic });
  try {
    const out = await ctx.ddb.send(new UpdateCommand(setStateRequest(ctx.tables.meta, name, state)));
    return describeItem(decodeSubscription(out.Attributes ?? {}), []);
  } catch (err) {
    if (err instanceof ConditionalCheckFailedException) throw new SamsaError('SUBSCRIPTION_NOT_FOUND', `Subscription '${name}' does not exist.`);
    throw err;
  }
}

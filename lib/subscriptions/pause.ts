/**
 * `POST /v1/subscriptions/{name}/pause` and `/resume`.
 * Behaviour: needs `read` on the topic. Pausing stops delivery at the next
 * batch (a batch being posted finishes and is committed); resuming continues
 * from the committed offset at once: it asks for a delivery run (`wake`,
 * the deployment's: an asynchronous invocation of the delivery function on
 * AWS, a run in the local process), so what was produced while paused — and
 * a retry whose wake-up came while paused — does not wait for the next
 * produce. Without `wake` (none configured) the next produce or scheduled
 * retry resumes it.
 * Errors: INVALID_SUBSCRIPTION, SUBSCRIPTION_NOT_FOUND, AUTHORIZATION_FAILED;
 * the wake's own error after the state changed (resuming again is harmless).
 * Cost: 1 GetItem and 1 UpdateItem (1 WRU); a resume one delivery run.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { authorize, type Principal } from '../auth/authorize';
import type { LibContext } from '../context';
import { SamsaError } from '../errors';
import type { SubscriptionDescription, SubscriptionState } from '../protocol/subscription-types';
import { describeItem, readSubscription } from './describe';
import { decodeSubscription, setStateRequest } from './items';

/** Asks for a delivery run of the named subscription soon (the deployment's delivery, not this request). */
export type WakeSubscription = (name: string) => Promise<void>;

export async function setSubscriptionState(
  ctx: LibContext,
  principal: Principal,
  name: string,
  state: SubscriptionState,
  wake?: WakeSubscription,
): Promise<SubscriptionDescription> {
  const item = await readSubscription(ctx, name);
  await authorize(ctx.authorizer, principal, 'read', { type: 'topic', name: item.topic });
  let out;
  try {
    out = await ctx.ddb.send(new UpdateCommand(setStateRequest(ctx.tables.meta, name, state)));
  } catch (err) {
    if (err instanceof ConditionalCheckFailedException) throw new SamsaError('SUBSCRIPTION_NOT_FOUND', `Subscription '${name}' does not exist.`);
    throw err;
  }
  if (state === 'ACTIVE') await wake?.(name);
  return describeItem(decodeSubscription(out.Attributes ?? {}), []);
}

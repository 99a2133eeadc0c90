/**
 * Delivery and management act on the subscription's own consumer group as the
 * subscription, not as a user: the creator needs no group ACL for it. Every
 * other check (read on the topic, write on the dead-letter topic) still goes
 * to the deployment's authorizer as the creator, so revoking the creator's
 * `read` stops delivery.
 */
import type { Authorizer } from '../auth/authorize';
import type { LibContext } from '../context';
import { subscriptionGroup } from './items';

export function asSubscription(ctx: LibContext, name: string): LibContext {
  const group = subscriptionGroup(name);
  const base = ctx.authorizer;
  const authorizer: Authorizer = (principal, action, resource) =>
    resource.type === 'group' && resource.name === group ? true : base(principal, action, resource);
  return { ...ctx, authorizer };
}

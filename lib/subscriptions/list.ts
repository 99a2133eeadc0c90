/**
 * `GET /v1/subscriptions`: every subscription whose topic the caller may describe.
 * Errors: none of its own (storage errors only).
 * Cost: one Query of the registry (≈ 0.5 RRU per 4 KB, ≈ 400 B per subscription).
 */
import type { Principal } from '../auth/authorize';
import type { LibContext } from '../context';
import type { SubscriptionDescription } from '../protocol/subscription-types';
import { queryAll } from '../storage/query-all';
import { describeItem } from './describe';
import { decodeSubscription, registryQuery } from './items';

export async function listSubscriptions(ctx: LibContext, principal: Principal): Promise<SubscriptionDescription[]> {
  const items = (await queryAll(ctx.ddb, registryQuery(ctx.tables.meta))).map(decodeSubscription);
  const visible = await Promise.all(items.map(async (s) => ((await ctx.authorizer(principal, 'describe', { type: 'topic', name: s.topic })) ? s : undefined)));
  return visible.filter((s) => s !== undefined).map((s) => describeItem(s, []));
}

/** Push-subscription routes (lib/subscriptions): thin decode → lib → encode. */
import { parseInput } from '../../lib/protocol/parse';
import { createSubscriptionBody } from '../../lib/protocol/subscriptions';
import { createSubscription } from '../../lib/subscriptions/create';
import { deleteSubscription } from '../../lib/subscriptions/delete';
import { describeSubscription } from '../../lib/subscriptions/describe';
import { listSubscriptions } from '../../lib/subscriptions/list';
import { setSubscriptionState } from '../../lib/subscriptions/pause';
import type { RouteHandlers } from '../http/app';
import { pathParam, readJson } from '../http/request';

export const subscriptionHandlers: RouteHandlers = {
  createSubscription: async (c, { lib, principalOf, subscriptions }) => {
    const body = parseInput(createSubscriptionBody, await readJson(c, lib.limits));
    return c.json(await createSubscription(lib, principalOf(c), body, subscriptions ?? {}), 201);
  },
  listSubscriptions: async (c, { lib, principalOf }) => c.json({ subscriptions: await listSubscriptions(lib, principalOf(c)) }),
  describeSubscription: async (c, { lib, principalOf }) => c.json(await describeSubscription(lib, principalOf(c), pathParam(c, 'subscription'))),
  deleteSubscription: async (c, { lib, principalOf }) => {
    await deleteSubscription(lib, principalOf(c), pathParam(c, 'subscription'));
    return c.body(null, 204);
  },
  pauseSubscription: async (c, { lib, principalOf }) => c.json(await setSubscriptionState(lib, principalOf(c), pathParam(c, 'subscription'), 'PAUSED')),
  resumeSubscription: async (c, { lib, principalOf, wakeSubscription }) =>
    c.json(await setSubscriptionState(lib, principalOf(c), pathParam(c, 'subscription'), 'ACTIVE', wakeSubscription)),
};

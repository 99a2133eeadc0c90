/**
 * Lambda entry point of the push fan-out (cdk/constructs/push.ts): invoked by
 * the log table's stream through an event source mapping whose filter
 * (lib/push/settled.ts SETTLED_BATCH_FILTER) lets only settled batches
 * through; sends each subscriber a notification by PostToConnection.
 * A storage error fails the invocation; the mapping bisects the batch and
 * retries a bounded number of times, then skips it (notifications are hints:
 * clients poll as a safety net), so one bad record never blocks the shard.
 */
import { coldStart } from '../cold-start';
import { fanOutHandler } from './handlers';
import { PUSH_ENV } from './aws-env';
import { apiGatewaySendPort, managementClient } from './aws-send';

const { deps } = coldStart();
const endpoint = process.env[PUSH_ENV.callbackUrl];
if (endpoint === undefined || endpoint === '') throw new Error(`${PUSH_ENV.callbackUrl} is not set (the WebSocket stage's management endpoint).`);

export const handler = fanOutHandler(deps, apiGatewaySendPort(managementClient(endpoint)));

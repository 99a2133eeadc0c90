/**
 * Lambda entry point of the subscription delivery function
 * (cdk/constructs/subscription-delivery.ts): invoked by the log table's
 * stream (filtered to settled batches) and by one-shot EventBridge Scheduler
 * wake-ups `{"subscription": name}`; posts to webhooks with Node's fetch and
 * invokes Lambda function targets with the SDK's LambdaClient (the role may
 * invoke only the samsa:subscriptionLambdaTargets patterns, which the
 * function also checks before each invocation). Publishes each invocation's
 * delivery metrics (./metrics.ts). Decode and the run itself are the shared
 * door's (./stream-handler.ts).
 */
import { LambdaClient } from '@aws-sdk/client-lambda';
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { coldStart } from '../cold-start';
import { lambdaClientOptions, sdkLambdaInvoker } from '../../lib/subscriptions/lambda-invoke';
import { parseTargetPatterns } from '../../lib/subscriptions/lambda-targets';
import { fetchTransport } from '../../lib/subscriptions/ports';
import { DELIVERY_ENV } from './aws-env';
import { eventBridgeWakeScheduler, unqualifiedFunctionArn, type WakeTarget } from './aws-scheduler';
import { publishDeliveryMetrics } from './metrics';
import { deliveryHandler, type DeliveryEvent } from './stream-handler';

function required(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === '') throw new Error(`${name} is not set.`);
  return value;
}

const { deps, telemetry } = coldStart();
const group = required(DELIVERY_ENV.scheduleGroup);
const roleArn = required(DELIVERY_ENV.schedulerRoleArn);
const budgetMs = Number(required(DELIVERY_ENV.budgetMs));
if (!Number.isSafeInteger(budgetMs) || budgetMs <= 0) throw new Error(`${DELIVERY_ENV.budgetMs} must be a positive integer.`);
// Set by the stack ('' = no Lambda targets); unset only off the stack, where any function may be a target.
const allowedTargets = process.env[DELIVERY_ENV.lambdaTargets];
const lambda = {
  ...sdkLambdaInvoker(new LambdaClient(lambdaClientOptions())),
  ...(allowedTargets === undefined ? {} : { allowed: parseTargetPatterns(allowedTargets) }),
};

let target: WakeTarget | undefined;
const scheduler = eventBridgeWakeScheduler(
  new SchedulerClient({}),
  () => {
    if (target === undefined) throw new Error('No invocation context yet.');
    return target;
  },
  () => deps.lib.clock.now(),
);
const handle = deliveryHandler(deps.lib, { transport: fetchTransport, scheduler, lambda }, budgetMs, (summary) => publishDeliveryMetrics(telemetry, summary));

export const handler = async (event: DeliveryEvent, context: { invokedFunctionArn: string }): Promise<void> => {
  target ??= { group, roleArn, functionArn: unqualifiedFunctionArn(context.invokedFunctionArn) };
  await handle(event);
};

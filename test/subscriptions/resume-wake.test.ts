/**
 * Resume on AWS starts a delivery run through functions/subscriptions/aws-wake.ts:
 * an asynchronous invocation (InvocationType Event) of the delivery function with
 * the payload a scheduled wake-up carries — checked against a stand-in of Lambda's
 * Invoke API through the real SDK client — and an invoke that fails is a clear,
 * retriable 503 after the state changed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { invokeDelivery } from '../../functions/subscriptions/aws-wake';
import { isSamsaError } from '../../lib/errors';
import { localCredentials } from '../../lib/storage/client';
import { LambdaServer } from './lambda-server';

const DELIVERY = 'arn:aws:lambda:us-east-1:123456789012:function:samsa-deliver';
const lambda = new LambdaServer();
let endpoint: string;

beforeAll(async () => {
  endpoint = await lambda.start();
});
afterAll(() => lambda.stop());

describe('resume wakes delivery', () => {
  it('invokes the delivery function asynchronously with {"subscription": name}', async () => {
    await invokeDelivery(DELIVERY, { endpoint, region: 'us-east-1', credentials: localCredentials() })('orders-to-billing');
    const call = lambda.invocations.at(-1)!;
    expect(call.functionName).toBe(DELIVERY);
    expect(call.headers['x-amz-invocation-type']).toBe('Event');
    expect(call.json).toEqual({ subscription: 'orders-to-billing' });
  });

  it('reports a refused invoke as UNAVAILABLE (retriable), naming what to do', async () => {
    lambda.script = ['throttle'];
    const wake = invokeDelivery(DELIVERY, { endpoint, region: 'us-east-1', credentials: localCredentials(), maxAttempts: 1 });
    const err = await wake('orders-to-billing').then(() => undefined, (e: unknown) => e);
    expect(isSamsaError(err) && err.code).toBe('UNAVAILABLE');
    expect((err as Error).message).toMatch(/resumed, but starting its delivery failed \(TooManyRequestsException\)/);
  });
});

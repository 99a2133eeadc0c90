/**
 * A delivery run started from another function (resume, on AWS): an
 * asynchronous invocation of the delivery function with the payload a
 * scheduled wake-up carries, `{"subscription": name}`. Asynchronous, so the
 * resume request does not wait for the run (Lambda queues it and retries a
 * failed one twice). The client is loaded on the first resume only: the
 * function serving it loads no Lambda client otherwise.
 */
import { SamsaError } from '../../lib/errors';
import type { WakeSubscription } from '../../lib/subscriptions/pause';

type LambdaClientConfig = import('@aws-sdk/client-lambda').LambdaClientConfig;

/** `clientConfig`: the Lambda client's (the function's region and role by default; a test's endpoint). */
export function invokeDelivery(functionArn: string, clientConfig: LambdaClientConfig = {}): WakeSubscription {
  let client: import('@aws-sdk/client-lambda').LambdaClient | undefined;
  return async (name) => {
    const { LambdaClient, InvokeCommand } = await import('@aws-sdk/client-lambda');
    client ??= new LambdaClient(clientConfig);
    try {
      await client.send(new InvokeCommand({ FunctionName: functionArn, InvocationType: 'Event', Payload: new TextEncoder().encode(JSON.stringify({ subscription: name })) }));
    } catch (err) {
      throw new SamsaError(
        'UNAVAILABLE',
        `Subscription '${name}' is resumed, but starting its delivery failed (${(err as Error).name}); it delivers on the next produce, or resume it again.`,
      );
    }
  };
}

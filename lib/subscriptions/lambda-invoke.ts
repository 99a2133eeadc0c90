/**
 * The LambdaInvoker port (ports.ts) on the AWS SDK's LambdaClient, which the
 * caller builds and passes in: the delivery Lambda with the default
 * credentials of its role, the local stack pointed at --lambda-endpoint (any
 * service implementing Lambda's Invoke REST API,
 * `POST /2015-03-31/functions/{name}/invocations`).
 * Behaviour: one synchronous invocation (InvocationType RequestResponse,
 * no client context, no log tail); the payload is the batch's JSON. The call
 * is aborted after the request's timeout. Build the client with
 * `maxAttempts: 1` (lambdaClientOptions): Samsa's own backoff retries a
 * throttled or failed invocation, as it retries a webhook, so each attempt
 * is one recorded attempt and no SDK retry outlasts the timeout.
 * Errors: Lambda's refusals (TooManyRequestsException 429,
 * RequestTooLargeException 413 above the 6 MB synchronous payload limit,
 * ResourceNotFoundException 404, AccessDeniedException 403, service errors
 * 5xx) and network failures reject; send.ts turns them into lastError.
 * Cost: one Invoke request (the target function's requests and duration).
 */
import { InvokeCommand, type InvokeCommandOutput, type LambdaClientConfig } from '@aws-sdk/client-lambda';
import type { LambdaInvoker } from './ports';

/** The one call the invoker makes, so a test can stand in for the client. */
export interface InvokeClient {
  send(command: InvokeCommand, options?: { abortSignal?: AbortSignal }): Promise<InvokeCommandOutput>;
}

/** LambdaClient settings delivery needs: no SDK retries (delivery's backoff is the retry policy). */
export function lambdaClientOptions(extra: LambdaClientConfig = {}): LambdaClientConfig {
  return { maxAttempts: 1, ...extra };
}

export function sdkLambdaInvoker(client: InvokeClient): LambdaInvoker {
  return {
    async invoke(req) {
      const out = await client.send(
        new InvokeCommand({ FunctionName: req.functionArn, InvocationType: 'RequestResponse', Payload: new TextEncoder().encode(req.payload) }),
        { abortSignal: AbortSignal.timeout(req.timeoutMs) },
      );
      return { functionError: out.FunctionError ?? undefined, payload: out.Payload === undefined ? '' : new TextDecoder().decode(out.Payload) };
    },
  };
}

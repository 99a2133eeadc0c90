/**
 * What delivery needs from outside lib, injected: the HTTP transport that
 * posts to webhooks, the Lambda invoker of function targets, and the
 * scheduler of a later delivery run (a retry's backoff or a linger). The
 * local stack passes fetchTransport, a Lambda client on --lambda-endpoint
 * and timers (local/subscriptions.ts); the delivery Lambda fetchTransport,
 * a LambdaClient and EventBridge Scheduler (functions/subscriptions/index.ts);
 * tests swap any of them to inject faults.
 *
 * The AWS scheduler (not built yet) is meant to be a one-shot EventBridge
 * Scheduler schedule per wake-up (`at(...)`, deleted after it fires) that
 * invokes the delivery function with `{ subscription }`: it costs nothing
 * while idle and is billed per invocation (list price $1.00 per million
 * after 14 million free a month, us-east-1), and it can wait any time. The
 * alternatives cost while idle or cap the wait: an SQS delay queue allows at
 * most 15 minutes and its Lambda event source mapping polls the queue around
 * the clock; a function that sleeps until the retry is billed for the sleep.
 */

export interface WebhookRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
  timeoutMs: number;
}

export interface WebhookTransport {
  /** Resolves with the status of any answer; rejects when there is none (refused, reset, timed out). */
  post(req: WebhookRequest): Promise<{ status: number }>;
}

export interface WakeScheduler {
  /** Run delivery for the subscription at (or soon after) `at`, ms since the epoch. */
  wakeAt(subscription: string, at: number): Promise<void>;
}

export interface LambdaInvokeRequest {
  /** The function ARN (qualifier included, if any), as the subscription's endpoint holds it. */
  functionArn: string;
  /** The JSON payload: the same body a webhook gets. */
  payload: string;
  timeoutMs: number;
}

export interface LambdaInvokeResult {
  /** Lambda's X-Amz-Function-Error (`Unhandled`, or `Handled` from old runtimes): the function threw. */
  functionError: string | undefined;
  /** The response payload: the function's result, or its error (`{"errorType", "errorMessage", …}`). */
  payload: string;
}

export interface LambdaInvoker {
  /**
   * One synchronous (RequestResponse) invocation. Resolves when the function ran, whether it
   * returned or threw; rejects when Lambda refused the call (throttled, too large, not found,
   * denied, 5xx) or did not answer, with the SDK's error (name, `$metadata.httpStatusCode`).
   */
  invoke(req: LambdaInvokeRequest): Promise<LambdaInvokeResult>;
}

export interface LambdaPort extends LambdaInvoker {
  /** ARN patterns this deployment may invoke (lambda-targets.ts); absent = any. Others fail their attempts. */
  allowed?: readonly string[];
}

export interface DeliveryPorts {
  transport: WebhookTransport;
  scheduler: WakeScheduler;
  /** Lambda function targets; absent = none here (their batches fail with a lastError saying so). */
  lambda?: LambdaPort;
}

/** Node's fetch; the response body is read and dropped so the connection can be reused. */
export const fetchTransport: WebhookTransport = {
  async post(req) {
    const res = await fetch(req.url, { method: 'POST', headers: req.headers, body: req.body, signal: AbortSignal.timeout(req.timeoutMs), redirect: 'manual' });
    await res.arrayBuffer().catch(() => undefined);
    return { status: res.status };
  },
};

/**
 * What delivery needs from outside lib, injected: the HTTP transport that
 * posts to webhooks, and the scheduler of a later delivery run (a retry's
 * backoff or a linger). The local stack passes fetchTransport and timers
 * (local/subscriptions.ts); tests swap either to inject faults.
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

export interface DeliveryPorts {
  transport: WebhookTransport;
  scheduler: WakeScheduler;
}

/** Node's fetch; the response body is read and dropped so the connection can be reused. */
export const fetchTransport: WebhookTransport = {
  async post(req) {
    const res = await fetch(req.url, { method: 'POST', headers: req.headers, body: req.body, signal: AbortSignal.timeout(req.timeoutMs), redirect: 'manual' });
    await res.arrayBuffer().catch(() => undefined);
    return { status: res.status };
  },
};

/**
 * What delivery needs from outside lib, injected: the HTTP transport that
 * posts to webhooks, and the scheduler of a later delivery run (a retry's
 * backoff or a linger). Production passes fetchTransport and, in AWS, a
 * one-shot EventBridge Scheduler (functions/subscriptions/schedule.ts); the
 * local stack a timer; tests swap either to inject faults.
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

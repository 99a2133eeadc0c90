/**
 * Plain shapes of the push-subscription API (`/v1/subscriptions`), bounds of
 * its settings and the names of the headers Samsa sets on webhook requests
 * and dead-letter records. Types and constants only, dependency-free, so the
 * SDK and CLI can import them; ./subscriptions.ts holds the zod schemas.
 */

/** Bounds and defaults of a subscription's settings (checked by lib/subscriptions/validate.ts). */
export const SUBSCRIPTION_BOUNDS = {
  maxRecords: { min: 1, max: 1000, default: 100 },
  maxBytes: { min: 1024, max: 1_048_576, default: 262_144 },
  lingerMs: { min: 0, max: 60_000, default: 0 },
  maxAttempts: { min: 1, max: 20, default: 8 },
  retryBackoffMs: { min: 100, max: 600_000, default: 1_000 },
} as const;

/** The longest wait between two attempts: the backoff doubles per failed attempt up to this. */
export const MAX_RETRY_DELAY_MS = 900_000;

/** Header carrying the HMAC-SHA256 signature of a webhook request: `t=<unix seconds>,v1=<hex>`. */
export const SIGNATURE_HEADER = 'samsa-signature';

/** Headers added to every record written to a dead-letter topic. */
export const DEAD_LETTER_HEADERS = {
  error: 'samsa-dlq-error',
  attempts: 'samsa-dlq-attempts',
  subscription: 'samsa-dlq-subscription',
  topic: 'samsa-dlq-topic',
  partition: 'samsa-dlq-partition',
  offset: 'samsa-dlq-offset',
} as const;

export type SubscriptionState = 'ACTIVE' | 'PAUSED';

/** `POST /v1/subscriptions`. */
export interface CreateSubscriptionBody {
  name: string;
  topic: string;
  /**
   * https://…, or http:// only to localhost / 127.0.0.1 / [::1] (the local stack); or an AWS Lambda
   * function ARN `arn:aws:lambda:<region>:<account>:function:<name>[:<alias or version>]`.
   */
  endpoint: string;
  deadLetterTopic: string;
  maxRecords?: number;
  maxBytes?: number;
  lingerMs?: number;
  maxAttempts?: number;
  retryBackoffMs?: number;
  /** The HMAC key of a webhook (16-256 characters); generated and returned once when left out. Not for Lambda targets. */
  secret?: string;
}

export interface SubscriptionPartition {
  partition: number;
  /** null: nothing committed yet (delivery starts at the end of the log as it was at creation). */
  committedOffset: number | null;
  highWatermark: number;
  lag: number;
  /** Failed attempts of the batch at the committed offset; 0 when it is not failing. */
  attempts: number;
  nextAttemptAt: string | null;
  lastError: string | null;
}

export interface SubscriptionDescription {
  name: string;
  topic: string;
  endpoint: string;
  deadLetterTopic: string;
  maxRecords: number;
  maxBytes: number;
  lingerMs: number;
  maxAttempts: number;
  retryBackoffMs: number;
  state: SubscriptionState;
  /** The consumer group the subscription consumes as. */
  group: string;
  createdAt: string;
  createdBy: string;
  /** Per partition (describe only; list leaves it empty). */
  partitions: SubscriptionPartition[];
}

/** The answer to create: the description plus the secret, shown this once. */
export interface CreatedSubscription extends SubscriptionDescription {
  secret: string;
}

export interface SubscriptionList {
  subscriptions: SubscriptionDescription[];
}

/** The JSON body of one webhook request. */
export interface WebhookBody {
  subscription: string;
  topic: string;
  partition: number;
  records: WebhookRecord[];
}

export interface WebhookRecord {
  offset: number;
  timestamp: number;
  key: { type: string; data: unknown } | null;
  value: { type: string; data: unknown } | null;
  headers: { name: string; value: { type: string; data: unknown } | null }[];
}

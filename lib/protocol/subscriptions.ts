/**
 * Wire schemas of the push-subscription API (request and answers; also the
 * source of the OpenAPI document), each asserted at compile time to infer
 * exactly its plain type in ./subscription-types.ts. What the routes do:
 * lib/subscriptions/ (docs/subscriptions.md).
 */
import * as z from 'zod/mini';
import { isoDateTime, nonNegative, type Equal } from './response-schemas';
import type {
  CreatedSubscription,
  CreateSubscriptionBody,
  SubscriptionDescription,
  SubscriptionList,
  SubscriptionPartition,
} from './subscription-types';

export * from './subscription-types';

export const createSubscriptionBody = z.strictObject({
  name: z.string(),
  topic: z.string(),
  endpoint: z.string(),
  deadLetterTopic: z.string(),
  maxRecords: z.optional(z.int()),
  maxBytes: z.optional(z.int()),
  lingerMs: z.optional(z.int()),
  maxAttempts: z.optional(z.int()),
  retryBackoffMs: z.optional(z.int()),
  secret: z.optional(z.string()),
});

export const subscriptionPartition = z.strictObject({
  partition: nonNegative(),
  committedOffset: z.nullable(nonNegative()),
  highWatermark: nonNegative(),
  lag: nonNegative(),
  attempts: nonNegative(),
  nextAttemptAt: z.nullable(isoDateTime()),
  lastError: z.nullable(z.string()),
});

const descriptionFields = {
  name: z.string(),
  topic: z.string(),
  endpoint: z.string(),
  deadLetterTopic: z.string(),
  maxRecords: nonNegative(),
  maxBytes: nonNegative(),
  lingerMs: nonNegative(),
  maxAttempts: nonNegative(),
  retryBackoffMs: nonNegative(),
  state: z.enum(['ACTIVE', 'PAUSED']),
  group: z.string(),
  createdAt: isoDateTime(),
  createdBy: z.string(),
  partitions: z.array(subscriptionPartition),
};

export const subscriptionDescription = z.strictObject(descriptionFields);
export const createdSubscription = z.strictObject({ ...descriptionFields, secret: z.string() });
export const subscriptionList = z.strictObject({ subscriptions: z.array(subscriptionDescription) });

const _checks: {
  body: Equal<z.infer<typeof createSubscriptionBody>, CreateSubscriptionBody>;
  partition: Equal<z.infer<typeof subscriptionPartition>, SubscriptionPartition>;
  description: Equal<z.infer<typeof subscriptionDescription>, SubscriptionDescription>;
  created: Equal<z.infer<typeof createdSubscription>, CreatedSubscription>;
  list: Equal<z.infer<typeof subscriptionList>, SubscriptionList>;
} = { body: true, partition: true, description: true, created: true, list: true };
void _checks;

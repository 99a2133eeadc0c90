/** Push subscriptions: `client.subscriptions.*` (docs/subscriptions.md). */
import type { CreatedSubscription, CreateSubscriptionBody, SubscriptionDescription, SubscriptionList } from '../lib/protocol/subscription-types';
import { route, type HttpClient } from './http';
import { checkFields } from './validate';

export type { CreatedSubscription, SubscriptionDescription, SubscriptionPartition } from '../lib/protocol/subscription-types';
export type CreateSubscriptionOptions = CreateSubscriptionBody;

// Bounds are the server's to check (INVALID_SUBSCRIPTION names the one broken).
const CREATE_FIELDS = {
  name: 's!',
  topic: 's!',
  endpoint: 's!',
  deadLetterTopic: 's!',
  maxRecords: 'p',
  maxBytes: 'p',
  lingerMs: 'i',
  maxAttempts: 'p',
  retryBackoffMs: 'p',
  secret: 's',
} satisfies Record<keyof CreateSubscriptionOptions, string>;

export class Subscriptions {
  constructor(private readonly http: HttpClient) {}

  /** Creates a subscription; the answer's `secret` (for verifying signatures) is shown only here. */
  async create(options: CreateSubscriptionOptions): Promise<CreatedSubscription> {
    return this.http.request({ ...route('createSubscription'), body: checkFields(options, CREATE_FIELDS, 'subscriptions.create(options)') });
  }

  async list(): Promise<SubscriptionDescription[]> {
    return (await this.http.request<SubscriptionList>(route('listSubscriptions'))).subscriptions;
  }

  /** State, settings and per partition the committed offset, lag, attempts and last error. */
  describe(name: string): Promise<SubscriptionDescription> {
    return this.http.request(route('describeSubscription', { subscription: name }));
  }

  async delete(name: string): Promise<void> {
    await this.http.request(route('deleteSubscription', { subscription: name }));
  }

  pause(name: string): Promise<SubscriptionDescription> {
    return this.http.request({ ...route('pauseSubscription', { subscription: name }), idempotent: true });
  }

  resume(name: string): Promise<SubscriptionDescription> {
    return this.http.request({ ...route('resumeSubscription', { subscription: name }), idempotent: true });
  }
}

/** The subscription storage builders: exact keys and the conditions delivery's guarantees rest on (pure). */
import { describe, expect, it } from 'vitest';
import {
  claimLeaseRequest,
  createRequest,
  decodeRetry,
  decodeSubscription,
  deleteRequest,
  putRetryRequest,
  releaseLeaseRequest,
  subscriptionGroup,
  wakeRequest,
  type SubscriptionItem,
} from '../../lib/subscriptions/items';
import { retryDelay } from '../../lib/subscriptions/deliver';

const sub: SubscriptionItem = {
  name: 's',
  topic: 'orders',
  topicId: 'tid',
  endpoint: 'https://x.example/h',
  deadLetterTopic: 'dlq',
  secret: 'whsec_x',
  maxRecords: 10,
  maxBytes: 2048,
  lingerMs: 0,
  maxAttempts: 3,
  retryBackoffMs: 100,
  state: 'ACTIVE',
  createdAt: 1,
  createdBy: 'app',
  memberEpoch: 0,
};

describe('subscription items', () => {
  it('create refuses a taken name and writes the topic pointer under the topic id', () => {
    const r = createRequest('meta', sub);
    expect(r.TransactItems![0]!.Put).toMatchObject({ Item: { pk: 'subscriptions', sk: 's' }, ConditionExpression: 'attribute_not_exists(pk)' });
    expect(r.TransactItems![1]!.Put!.Item).toEqual({ pk: 'subtopic#tid', sk: 's' });
    // What is written decodes back to what was meant.
    expect(decodeSubscription(r.TransactItems![0]!.Put!.Item as Record<string, unknown>)).toEqual(sub);
  });

  it('delete only removes the subscription it read (same topic id)', () => {
    const r = deleteRequest('meta', sub);
    expect(r.TransactItems![0]!.Delete).toMatchObject({ ConditionExpression: 'topicId = :id', ExpressionAttributeValues: { ':id': 'tid' } });
    expect(r.TransactItems![1]!.Delete!.Key).toEqual({ pk: 'subtopic#tid', sk: 's' });
  });

  it('the lease is granted only when free or run out, and released only by its holder when no wake-up came after its last poll', () => {
    expect(claimLeaseRequest('meta', 's', 'L', 50, 90)).toMatchObject({
      ConditionExpression: 'attribute_exists(pk) AND (attribute_not_exists(lu) OR lu < :now)',
      ExpressionAttributeValues: { ':until': 90, ':id': 'L', ':now': 50 },
    });
    expect(releaseLeaseRequest('meta', 's', 'L', 40, 7)).toMatchObject({
      UpdateExpression: 'SET me = :e REMOVE lu, lid',
      ConditionExpression: 'lid = :id AND (attribute_not_exists(wk) OR wk < :polled)',
      ExpressionAttributeValues: { ':id': 'L', ':polled': 40, ':e': 7 },
    });
    expect(wakeRequest('meta', 's', 60)).toMatchObject({ UpdateExpression: 'SET wk = :now', ConditionExpression: 'attribute_exists(pk)' });
  });

  it('retry state round-trips, and its error is bounded', () => {
    const r = putRetryRequest('meta', 's', { partition: 2, offset: 5, attempts: 2, nextAttemptAt: 9, lastError: 'x'.repeat(5000) });
    expect(r.Item).toMatchObject({ pk: 'subscription#s', sk: 'retry#2', o: 5, n: 2, na: 9 });
    expect(decodeRetry(r.Item as Record<string, unknown>)).toEqual({ partition: 2, offset: 5, attempts: 2, nextAttemptAt: 9, lastError: 'x'.repeat(1000) });
  });

  it('refuses a corrupt item instead of guessing', () => {
    expect(() => decodeSubscription({ pk: 'subscriptions', sk: 's', state: 'WEIRD' })).toThrow(/state/);
  });

  it('backoff doubles from retryBackoffMs and stops at 15 minutes', () => {
    expect([1, 2, 3, 4].map((n) => retryDelay(1000, n))).toEqual([1000, 2000, 4000, 8000]);
    expect(retryDelay(1000, 30)).toBe(900_000);
    expect(subscriptionGroup('s')).toBe('subscription.s');
  });
});

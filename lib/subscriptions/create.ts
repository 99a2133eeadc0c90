/**
 * `POST /v1/subscriptions`: a push subscription delivering a topic to a
 * webhook or an AWS Lambda function (an ARN, lambda-targets.ts).
 * Behaviour: validates the settings (a Lambda ARN strictly, and against the
 * deployment's allowed targets when `opts.lambdaTargets` is given); the caller needs `read` on the topic
 * (delivery consumes it as the caller) and `write` on the dead-letter topic
 * (failed records are produced there as the caller); both topics must exist.
 * Writes the subscription and its topic pointer in one transaction. The
 * secret (given or generated, 32 random bytes; Lambda targets are not signed
 * and take none given) is returned this once.
 * Delivery starts at the end of the topic (the group's `latest` reset): only
 * records produced after the create are delivered.
 * Errors: INVALID_SUBSCRIPTION, INVALID_TOPIC, UNKNOWN_TOPIC_OR_PARTITION,
 * AUTHORIZATION_FAILED, SUBSCRIPTION_ALREADY_EXISTS.
 * Cost: 2 topic reads (≤ 1 RRU each), one TransactWriteItems of 2 small
 * items (4 WRU), and the group's offsets set to the topic's end (one
 * offsets read and one commit write per partition).
 */
import { randomBytes } from 'node:crypto';
import { TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { authorize, type Principal } from '../auth/authorize';
import type { LibContext } from '../context';
import { SamsaError } from '../errors';
import type { CreatedSubscription, CreateSubscriptionBody } from '../protocol/subscription-types';
import { resetOffsets } from '../groups/reset-offsets';
import { getTopic } from '../topics/topic-item';
import { describeItem } from './describe';
import { asSubscription } from './authorizer';
import { createRequest, subscriptionGroup, type SubscriptionItem } from './items';
import { validateCreate, type CreateOptions } from './validate';

export async function createSubscription(ctx: LibContext, principal: Principal, body: CreateSubscriptionBody, opts: CreateOptions = {}): Promise<CreatedSubscription> {
  const settings = validateCreate(body, opts);
  await authorize(ctx.authorizer, principal, 'read', { type: 'topic', name: body.topic });
  await authorize(ctx.authorizer, principal, 'write', { type: 'topic', name: body.deadLetterTopic });
  const [topic] = await Promise.all([getTopic(ctx, body.topic), getTopic(ctx, body.deadLetterTopic)]);
  const item: SubscriptionItem = {
    name: body.name,
    topic: body.topic,
    topicId: topic.topicId,
    endpoint: body.endpoint,
    deadLetterTopic: body.deadLetterTopic,
    secret: body.secret ?? `whsec_${randomBytes(32).toString('base64url')}`,
    ...settings,
    state: 'ACTIVE',
    createdAt: ctx.clock.now(),
    createdBy: principal.name,
    memberEpoch: 0,
  };
  try {
    await ctx.ddb.send(new TransactWriteCommand(createRequest(ctx.tables.meta, item)));
  } catch (err) {
    if ((err as { name?: string }).name === 'TransactionCanceledException' && /ConditionalCheckFailed/.test(String((err as Error).message))) {
      throw new SamsaError('SUBSCRIPTION_ALREADY_EXISTS', `Subscription '${body.name}' already exists.`);
    }
    throw err;
  }
  // The group starts at the topic's end now, so the first delivery (triggered by the next produce) sends that produce's records.
  await resetOffsets(asSubscription(ctx, body.name), principal, subscriptionGroup(body.name), { topic: body.topic, to: 'latest' });
  return { ...describeItem(item, []), secret: item.secret };
}

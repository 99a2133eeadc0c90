/** Checks on subscription names and settings, shared by create and the SDK's messages. */
import { SamsaError } from '../errors';
import { SUBSCRIPTION_BOUNDS, type CreateSubscriptionBody } from '../protocol/subscription-types';
import { validateTopicName } from '../topics/validate';
import { isLambdaEndpoint, validateLambdaTarget } from './lambda-targets';

/** As topic names, shorter: the group name `subscription.<name>` must stay within 249 characters. */
const NAME_PATTERN = /^[A-Za-z0-9._-]{1,200}$/;
/** Plain HTTP only to this machine: the local stack's receivers. Everything else must be HTTPS. */
const LOCAL_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

export function validateSubscriptionName(name: string): void {
  if (!NAME_PATTERN.test(name) || name === '.' || name === '..') {
    throw new SamsaError('INVALID_SUBSCRIPTION', `Invalid subscription name ${JSON.stringify(name.slice(0, 250))}: use 1-200 characters from [A-Za-z0-9._-], not '.' or '..'.`);
  }
}

/** What create is told about the deployment (injected; lib reads no environment). */
export interface CreateOptions {
  /** ARN patterns of the Lambda functions this deployment may invoke (lambda-targets.ts); absent = any well-formed ARN. */
  lambdaTargets?: readonly string[];
}

/** A webhook URL, or a Lambda function ARN the deployment allows. */
export function validateEndpoint(endpoint: string, opts: CreateOptions = {}): void {
  if (isLambdaEndpoint(endpoint)) {
    validateLambdaTarget(endpoint, opts.lambdaTargets);
    return;
  }
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new SamsaError('INVALID_SUBSCRIPTION', `endpoint ${JSON.stringify(endpoint.slice(0, 200))} is not a URL.`);
  }
  if (endpoint.length > 2048) throw new SamsaError('INVALID_SUBSCRIPTION', 'endpoint may be at most 2048 characters.');
  if (url.username !== '' || url.password !== '') throw new SamsaError('INVALID_SUBSCRIPTION', 'endpoint may not carry credentials; the signature authenticates Samsa to the receiver.');
  if (url.protocol === 'https:') return;
  if (url.protocol === 'http:' && LOCAL_HOSTS.has(url.hostname)) return;
  throw new SamsaError(
    'INVALID_SUBSCRIPTION',
    `endpoint must be https:// (plain http:// only to localhost, 127.0.0.1 or [::1], for a local stack) or a Lambda function ARN; got ${url.protocol}//${url.hostname}.`,
  );
}

export type Settings = Required<Pick<CreateSubscriptionBody, 'maxRecords' | 'maxBytes' | 'lingerMs' | 'maxAttempts' | 'retryBackoffMs'>>;

/** Each setting within its bounds, defaults applied. */
export function settingsOf(body: CreateSubscriptionBody): Settings {
  const pick = (name: keyof Settings): number => {
    const b = SUBSCRIPTION_BOUNDS[name];
    const v = body[name] ?? b.default;
    if (!Number.isInteger(v) || v < b.min || v > b.max) throw new SamsaError('INVALID_SUBSCRIPTION', `${name} must be an integer from ${b.min} to ${b.max}; got ${v}.`);
    return v;
  };
  return { maxRecords: pick('maxRecords'), maxBytes: pick('maxBytes'), lingerMs: pick('lingerMs'), maxAttempts: pick('maxAttempts'), retryBackoffMs: pick('retryBackoffMs') };
}

export function validateCreate(body: CreateSubscriptionBody, opts: CreateOptions = {}): Settings {
  validateSubscriptionName(body.name);
  validateTopicName(body.topic);
  validateTopicName(body.deadLetterTopic);
  if (body.topic === body.deadLetterTopic) throw new SamsaError('INVALID_SUBSCRIPTION', 'deadLetterTopic must differ from topic, or failed records would be delivered again.');
  validateEndpoint(body.endpoint, opts);
  if (body.secret !== undefined && isLambdaEndpoint(body.endpoint)) {
    throw new SamsaError('INVALID_SUBSCRIPTION', 'secret applies to webhooks only: a Lambda target is invoked with AWS credentials, not signed. Leave it out.');
  }
  if (body.secret !== undefined && (body.secret.length < 16 || body.secret.length > 256)) {
    throw new SamsaError('INVALID_SUBSCRIPTION', 'secret must be 16 to 256 characters (or left out, to get a generated one).');
  }
  return settingsOf(body);
}

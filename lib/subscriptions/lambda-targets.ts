/**
 * AWS Lambda function targets of push subscriptions: the endpoint form and
 * the deployment's allowed targets. Pure functions, unit-tested in
 * test/subscriptions/lambda-targets.test.ts.
 *
 * Endpoint: a function ARN, `arn:<partition>:lambda:<region>:<account>:function:<name>`,
 * optionally with a qualifier (`:<alias>`, `:<version>` or `:$LATEST`), as
 * Lambda's Invoke API takes it. Anything that starts with `arn:` is taken for
 * a Lambda target and checked strictly; anything else must be a webhook URL.
 *
 * Allowed targets: ARN patterns with IAM's wildcards (`*` any run of
 * characters, `?` one), matched against the whole ARN, qualifier included,
 * exactly as IAM matches the delivery role's lambda:InvokeFunction resources
 * (cdk/constructs/subscription-delivery.ts) — so a pattern ending in `*`
 * covers a function's aliases and versions, and a plain function ARN covers
 * the unqualified function only. Absent patterns (a local stack) allow any
 * well-formed ARN.
 */
import { SamsaError } from '../errors';

export interface LambdaArn {
  partition: string;
  region: string;
  account: string;
  name: string;
  /** Alias, version or `$LATEST`; absent = the unqualified function. */
  qualifier: string | undefined;
}

const PARTITIONS = new Set(['aws', 'aws-cn', 'aws-us-gov']);
const REGION = /^[a-z]{2}(?:-[a-z]+)+-\d{1,2}$/;
const ACCOUNT = /^\d{12}$/;
/** Lambda's function name: 1-64 letters, digits, hyphens, underscores. */
const NAME = /^[A-Za-z0-9_-]{1,64}$/;
/** A version (digits), `$LATEST`, or an alias (1-128 letters, digits, hyphens, underscores). */
const QUALIFIER = /^(?:\$LATEST|[A-Za-z0-9_-]{1,128})$/;
const FORM = 'arn:aws:lambda:<region>:<account>:function:<name>[:<alias or version>]';

/** Whether an endpoint names a Lambda function (an ARN) rather than a webhook URL. */
export function isLambdaEndpoint(endpoint: string): boolean {
  return endpoint.startsWith('arn:');
}

/** The parts of a Lambda function ARN; INVALID_SUBSCRIPTION naming what is wrong otherwise. */
export function parseLambdaArn(arn: string): LambdaArn {
  const bad = (why: string) =>
    new SamsaError('INVALID_SUBSCRIPTION', `endpoint ${JSON.stringify(arn.slice(0, 200))} is not a Lambda function ARN (${FORM}): ${why}.`);
  if (arn.length > 256) throw bad('longer than 256 characters');
  const parts = arn.split(':');
  const [, partition = '', service = '', region = '', account = '', resource = '', name = '', qualifier] = parts;
  if (parts.length < 7 || parts.length > 8) throw bad(`it has ${parts.length} colon-separated parts, not 7 or 8`);
  if (!PARTITIONS.has(partition)) throw bad(`unknown partition '${partition}' (aws, aws-cn or aws-us-gov)`);
  if (service !== 'lambda') throw bad(`the service is '${service}', not lambda`);
  if (!REGION.test(region)) throw bad(`'${region}' is not a region such as us-east-1`);
  if (!ACCOUNT.test(account)) throw bad(`the account '${account}' is not 12 digits`);
  if (resource !== 'function') throw bad(`the resource type is '${resource}', not function`);
  if (!NAME.test(name)) throw bad('the function name must be 1-64 letters, digits, hyphens or underscores');
  if (qualifier !== undefined && !QUALIFIER.test(qualifier)) throw bad('the qualifier must be a version, $LATEST or an alias of 1-128 letters, digits, hyphens or underscores');
  return { partition, region, account, name, qualifier };
}

/** IAM's ARN matching: `*` any run of characters (colons included), `?` exactly one; case-sensitive. */
export function matchesTargetPattern(arn: string, pattern: string): boolean {
  const source = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${source}$`, 's').test(arn);
}

/** Whether the deployment allows `arn` as a target; `patterns` absent = any well-formed ARN. */
export function isAllowedTarget(arn: string, patterns: readonly string[] | undefined): boolean {
  return patterns === undefined || patterns.some((p) => matchesTargetPattern(arn, p));
}

/** Create's check: a well-formed function ARN the deployment allows. */
export function validateLambdaTarget(arn: string, patterns: readonly string[] | undefined): void {
  parseLambdaArn(arn);
  if (!isAllowedTarget(arn, patterns)) {
    const allowed = patterns === undefined || patterns.length === 0 ? 'none' : patterns.join(', ');
    throw new SamsaError(
      'INVALID_SUBSCRIPTION',
      `Lambda function ${arn} is not an allowed target of this deployment (samsa:subscriptionLambdaTargets allows: ${allowed}).`,
    );
  }
}

const PATTERN = /^arn:(?:aws|aws-cn|aws-us-gov|\*):lambda:(?:[a-z0-9-]+|\*):(?:\d{12}|\*):function:[A-Za-z0-9_$*?:-]+$/;

/** A pattern of samsa:subscriptionLambdaTargets: a function ARN in which region, account, name and qualifier may hold wildcards. */
export function validateTargetPattern(pattern: string): void {
  if (!PATTERN.test(pattern)) {
    throw new Error(`'${pattern}' is not a Lambda function ARN pattern such as arn:aws:lambda:us-east-1:123456789012:function:samsa-target-* (wildcards * and ? in the name).`);
  }
}

/** The patterns as the delivery and API functions receive them in their environment: comma-separated, '' = none. */
export function formatTargetPatterns(patterns: readonly string[]): string {
  return patterns.join(',');
}

export function parseTargetPatterns(raw: string): string[] {
  const patterns = raw.split(',').map((p) => p.trim()).filter((p) => p !== '');
  for (const p of patterns) validateTargetPattern(p);
  return patterns;
}

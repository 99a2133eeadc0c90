/**
 * Unit tests of Lambda targets without storage: the ARN form, the allowed
 * patterns (IAM's matching), how an invocation's outcome becomes lastError,
 * the SDK invoker's request, and the delivery metrics' EMF line.
 */
import { InvokeCommand } from '@aws-sdk/client-lambda';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { sdkLambdaInvoker } from '../../lib/subscriptions/lambda-invoke';
import {
  isAllowedTarget,
  isLambdaEndpoint,
  matchesTargetPattern,
  parseLambdaArn,
  parseTargetPatterns,
  validateLambdaTarget,
  validateTargetPattern,
} from '../../lib/subscriptions/lambda-targets';
import { functionFailure, invokeFailure, sendBatch } from '../../lib/subscriptions/send';
import { publishDeliveryMetrics } from '../../functions/subscriptions/metrics';
import { Telemetry } from '../../functions/telemetry/telemetry';

const FN = 'arn:aws:lambda:us-east-1:123456789012:function:samsa-target-orders';

describe('Lambda function ARNs', () => {
  it('parses the form Invoke takes, with or without a qualifier', () => {
    expect(parseLambdaArn(FN)).toEqual({ partition: 'aws', region: 'us-east-1', account: '123456789012', name: 'samsa-target-orders', qualifier: undefined });
    expect(parseLambdaArn(`${FN}:live`).qualifier).toBe('live');
    expect(parseLambdaArn(`${FN}:$LATEST`).qualifier).toBe('$LATEST');
    expect(parseLambdaArn('arn:aws-cn:lambda:cn-north-1:123456789012:function:a_b-C9').partition).toBe('aws-cn');
    expect(isLambdaEndpoint(FN)).toBe(true);
    expect(isLambdaEndpoint('https://example.com/hook')).toBe(false);
  });

  it.each([
    ['arn:aws:lambda:us-east-1:123456789012:function', /7 or 8/],
    ['arn:aws:sqs:us-east-1:123456789012:function:f', /service is 'sqs'/],
    ['arn:aws:lambda:useast1:123456789012:function:f', /region/],
    ['arn:aws:lambda:us-east-1:1234567890123:function:f', /12 digits/],
    ['arn:aws:lambda:us-east-1:123456789012:event-source-mapping:f', /resource type/],
    ['arn:aws:lambda:us-east-1:123456789012:function:f*', /function name/],
    ['arn:aws:lambda:us-east-1:123456789012:function:f:a/b', /qualifier/],
    ['arn:aws:lambda:us-east-1:123456789012:function:f:', /qualifier/],
    ['arn:azure:lambda:us-east-1:123456789012:function:f', /partition/],
  ])('refuses %s with INVALID_SUBSCRIPTION', (arn, why) => {
    expect(() => parseLambdaArn(arn)).toThrow(why);
    try {
      parseLambdaArn(arn);
    } catch (err) {
      expect(err).toMatchObject({ code: 'INVALID_SUBSCRIPTION' });
    }
  });
});

describe('allowed targets', () => {
  const prefix = 'arn:aws:lambda:us-east-1:123456789012:function:samsa-target-*';

  it('match as IAM does: * any run (a qualifier too), ? one character, case-sensitive, the whole ARN', () => {
    expect(matchesTargetPattern(FN, prefix)).toBe(true);
    expect(matchesTargetPattern(`${FN}:live`, prefix)).toBe(true);
    expect(matchesTargetPattern('arn:aws:lambda:us-east-1:123456789012:function:Samsa-target-x', prefix)).toBe(false);
    expect(matchesTargetPattern('arn:aws:lambda:us-east-1:999999999999:function:samsa-target-x', prefix)).toBe(false);
    expect(matchesTargetPattern('arn:aws:lambda:eu-west-1:123456789012:function:samsa-target-x', prefix)).toBe(false);
    // A plain ARN covers the unqualified function only, as an IAM resource does.
    expect(matchesTargetPattern(`${FN}:live`, FN)).toBe(false);
    expect(matchesTargetPattern(FN, FN)).toBe(true);
    expect(matchesTargetPattern('arn:aws:lambda:us-east-1:123456789012:function:f1', 'arn:aws:lambda:us-east-1:123456789012:function:f?')).toBe(true);
    expect(matchesTargetPattern('arn:aws:lambda:us-east-1:123456789012:function:f12', 'arn:aws:lambda:us-east-1:123456789012:function:f?')).toBe(false);
    // Regex characters in a pattern are literal.
    expect(matchesTargetPattern('arn:aws:lambda:us-east-1:123456789012:function:fX', 'arn:aws:lambda:us-east-1:123456789012:function:f.')).toBe(false);
    expect(matchesTargetPattern(FN, 'arn:aws:lambda:*:*:function:*')).toBe(true);
  });

  it('absent patterns allow any function; an empty list none', () => {
    expect(isAllowedTarget(FN, undefined)).toBe(true);
    expect(isAllowedTarget(FN, [])).toBe(false);
    expect(isAllowedTarget(FN, ['arn:aws:lambda:us-east-1:123456789012:function:other', prefix])).toBe(true);
    expect(() => validateLambdaTarget(FN, [])).toThrow(/not an allowed target.*allows: none/);
    expect(() => validateLambdaTarget('arn:aws:lambda:us-east-1:123456789012:function:x', [prefix])).toThrow(/not an allowed target/);
  });

  it('are read from a comma-separated list and checked for the ARN form', () => {
    expect(parseTargetPatterns('')).toEqual([]);
    expect(parseTargetPatterns(` ${prefix} , ${FN}`)).toEqual([prefix, FN]);
    expect(() => validateTargetPattern('*')).toThrow(/ARN pattern/);
    expect(() => validateTargetPattern('arn:aws:s3:::*')).toThrow(/ARN pattern/);
    expect(() => parseTargetPatterns(`${FN},arn:aws:lambda:us-east-1:123:function:f`)).toThrow(/ARN pattern/);
    validateTargetPattern('arn:aws:lambda:*:*:function:*');
  });
});

describe('an invocation as lastError', () => {
  it('names the function error and cuts a long message', () => {
    expect(functionFailure({ functionError: 'Unhandled', payload: '{"errorType":"TypeError","errorMessage":"x is undefined","trace":[]}' })).toBe(
      'Lambda function error (Unhandled): TypeError: x is undefined',
    );
    expect(functionFailure({ functionError: 'Unhandled', payload: 'not json' })).toBe('Lambda function error (Unhandled): not json');
    expect(functionFailure({ functionError: 'Handled', payload: '' })).toBe('Lambda function error (Handled)');
    expect(functionFailure({ functionError: 'Unhandled', payload: JSON.stringify({ errorMessage: 'y'.repeat(1000) }) }).length).toBeLessThan(340);
  });

  it("names Lambda's refusal with its HTTP status, or no answer", () => {
    const throttled = Object.assign(new Error('Rate Exceeded.'), { name: 'TooManyRequestsException', $metadata: { httpStatusCode: 429 } });
    expect(invokeFailure(throttled)).toBe('Lambda invoke failed: TooManyRequestsException (HTTP 429): Rate Exceeded.');
    expect(invokeFailure(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }))).toBe('Lambda invoke: no answer: Error (ECONNREFUSED)');
    expect(invokeFailure(new DOMException('aborted', 'AbortError'))).toBe('Lambda invoke: no answer: AbortError');
  });

  it('sends the batch as a RequestResponse invocation of the ARN, and acknowledges only a result without FunctionError', async () => {
    const sent: InvokeCommand[] = [];
    let functionError: string | undefined;
    const invoker = sdkLambdaInvoker({
      send: async (command) => {
        sent.push(command);
        return { $metadata: {}, StatusCode: 200, FunctionError: functionError, Payload: new TextEncoder().encode('{"errorType":"Error","errorMessage":"no"}') as never };
      },
    });
    const ports = { transport: { post: async () => ({ status: 200 }) }, scheduler: { wakeAt: async () => undefined }, lambda: invoker };
    const body = { subscription: 's', topic: 't', partition: 0, records: [] };
    const req = { sub: { endpoint: `${FN}:live`, secret: 'whsec_x' }, body, now: Date.now(), timeoutMs: 1_000 };
    expect(await sendBatch(ports, req)).toBeUndefined();
    functionError = 'Unhandled';
    expect(await sendBatch(ports, req)).toBe('Lambda function error (Unhandled): Error: no');
    expect(sent[0]!.input).toMatchObject({ FunctionName: `${FN}:live`, InvocationType: 'RequestResponse' });
    expect(JSON.parse(new TextDecoder().decode(sent[0]!.input.Payload as Uint8Array))).toEqual(body);
  });
});

describe('delivery metrics', () => {
  afterEach(() => vi.restoreAllMocks());

  it('writes one EMF line under service alone with the counts that are not 0', () => {
    const lines: string[] = [];
    const capture = (chunk: unknown) => {
      lines.push(...String(chunk).split('\n').filter((l) => l.startsWith('{')));
      return true;
    };
    vi.spyOn(process.stdout, 'write').mockImplementation(capture);
    vi.spyOn(process.stderr, 'write').mockImplementation(capture);
    const telemetry = new Telemetry({ serviceName: 'delivery-test', logLevel: 'WARN' });
    publishDeliveryMetrics(telemetry, { runs: 1, delivered: 7, failures: 0, deadLettered: 0 });
    publishDeliveryMetrics(telemetry, { runs: 2, delivered: 0, failures: 2, deadLettered: 3 });
    publishDeliveryMetrics(telemetry, { runs: 1, delivered: 0, failures: 0, deadLettered: 0 });
    const emf = lines.map((l) => JSON.parse(l)).filter((l) => l._aws !== undefined);
    expect(emf.map((l) => l._aws.CloudWatchMetrics[0].Dimensions)).toEqual([[['service']], [['service']]]);
    expect(emf[0]).toMatchObject({ service: 'delivery-test', SubscriptionRecordsDelivered: 7 });
    expect(emf[0]).not.toHaveProperty('SubscriptionDeliveryFailures');
    expect(emf[1]).toMatchObject({ SubscriptionDeliveryFailures: 2, SubscriptionRecordsDeadLettered: 3 });
    expect(lines.map((l) => JSON.parse(l)).filter((l) => l.message === 'subscription delivery')).toHaveLength(1);
  });
});

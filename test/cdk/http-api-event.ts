/**
 * API Gateway HTTP API events (payload format 2.0) and a Lambda context, shaped
 * like the ones the service sends, for invoking a bundled handler directly.
 */
import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';

const API_ID = 'a1b2c3d4e5';
const DOMAIN = `${API_ID}.execute-api.us-east-1.amazonaws.com`;

/** `routeKey` is what API Gateway matched: `POST /v1/topics`, `GET /v1/topics/{topic}`, or `$default`. */
export function httpApiEvent(
  method: string,
  path: string,
  options: {
    routeKey?: string;
    body?: unknown;
    pathParameters?: Record<string, string>;
    query?: Record<string, string>;
    headers?: Record<string, string>;
  } = {},
): APIGatewayProxyEventV2 {
  const requestId = randomUUID();
  const now = new Date();
  const headers: Record<string, string> = {
    accept: 'application/json',
    host: DOMAIN,
    'user-agent': 'samsa-bundle-test',
    'x-amzn-trace-id': `Root=1-${Math.floor(now.getTime() / 1000).toString(16)}-${randomUUID().replace(/-/g, '').slice(0, 24)}`,
    'x-forwarded-for': '203.0.113.7',
    'x-forwarded-port': '443',
    'x-forwarded-proto': 'https',
    ...options.headers,
  };
  const event: APIGatewayProxyEventV2 = {
    version: '2.0',
    routeKey: options.routeKey ?? '$default',
    rawPath: path,
    rawQueryString: '',
    headers,
    requestContext: {
      accountId: '123456789012',
      apiId: API_ID,
      domainName: DOMAIN,
      domainPrefix: API_ID,
      http: { method, path, protocol: 'HTTP/1.1', sourceIp: '203.0.113.7', userAgent: 'samsa-bundle-test' },
      requestId,
      routeKey: options.routeKey ?? '$default',
      stage: '$default',
      time: now.toISOString(),
      timeEpoch: now.getTime(),
    },
    isBase64Encoded: false,
  };
  if (options.pathParameters) event.pathParameters = options.pathParameters;
  if (options.query) {
    event.rawQueryString = new URLSearchParams(options.query).toString();
    event.queryStringParameters = options.query;
  }
  if (options.body !== undefined) {
    headers['content-type'] = 'application/json';
    event.body = JSON.stringify(options.body);
    headers['content-length'] = String(Buffer.byteLength(event.body));
  }
  return event;
}

export function lambdaContext(functionName: string, timeoutMs: number): Context {
  const deadline = Date.now() + timeoutMs;
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:us-east-1:123456789012:function:${functionName}`,
    memoryLimitInMB: '256',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: '2025/01/01/[$LATEST]0123456789abcdef',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

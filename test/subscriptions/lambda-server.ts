/**
 * A stand-in for the Lambda service in tests: Lambda's Invoke REST API
 * (`POST /2015-03-31/functions/{FunctionName}/invocations`) on a local port,
 * driven through the real @aws-sdk/client-lambda. Records every invocation
 * (function name as the SDK sent it, qualifier, payload) and answers what the
 * test scripts, as Lambda answers:
 * - `ok`: 200 with the function's result;
 * - `error`: 200 with `X-Amz-Function-Error: Unhandled` and the error JSON a
 *   Node.js function that threw returns (`errorType`, `errorMessage`, `trace`);
 * - `throttle`: 429 TooManyRequestsException (concurrency exhausted);
 * - `server`: 500 ServiceException.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export type Answer = 'ok' | 'error' | 'throttle' | 'server';

export interface Invocation {
  /** FunctionName as it arrived in the path, decoded (a full ARN, qualifier included). */
  functionName: string;
  headers: IncomingHttpHeaders;
  json: { subscription: string; topic: string; partition: number; records: { offset: number; value: { data: unknown } | null; headers: unknown[] }[] };
}

const PATH = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/;

export class LambdaServer {
  readonly invocations: Invocation[] = [];
  /** Answer per invocation, in order; when empty, `fallback`. */
  script: Answer[] = [];
  /** Answers for one function (by the name as sent), taken before `script`. */
  readonly scriptFor = new Map<string, Answer[]>();
  fallback: Answer = 'ok';
  errorMessage = 'boom';
  private server!: Server;

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const match = PATH.exec((req.url ?? '').split('?')[0]!);
        if (req.method !== 'POST' || match === null) {
          res.writeHead(404, { 'content-type': 'application/json', 'x-amzn-errortype': 'UnknownOperationException' }).end('{}');
          return;
        }
        const body = Buffer.concat(chunks).toString('utf8');
        this.invocations.push({ functionName: decodeURIComponent(match[1]!), headers: req.headers, json: JSON.parse(body) });
        const fn = decodeURIComponent(match[1]!);
        const answer = this.scriptFor.get(fn)?.shift() ?? this.script.shift() ?? this.fallback;
        const json = (status: number, headers: Record<string, string>, payload: unknown) =>
          res.writeHead(status, { 'content-type': 'application/json', 'x-amzn-requestid': 'test', ...headers }).end(JSON.stringify(payload));
        if (answer === 'ok') json(200, { 'x-amz-executed-version': '$LATEST' }, { handled: true });
        else if (answer === 'error') {
          json(200, { 'x-amz-executed-version': '$LATEST', 'x-amz-function-error': 'Unhandled' }, { errorType: 'Error', errorMessage: this.errorMessage, trace: ['Error: boom', '    at handler (index.js:1:1)'] });
        } else if (answer === 'throttle') {
          json(429, { 'x-amzn-errortype': 'TooManyRequestsException' }, { Type: 'User', message: 'Rate Exceeded.', Reason: 'ReservedFunctionConcurrentInvocationLimitExceeded' });
        } else json(500, { 'x-amzn-errortype': 'ServiceException' }, { Type: 'Service', message: 'internal' });
      });
    });
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** The invocations of one subscription. */
  of(subscription: string): Invocation[] {
    return this.invocations.filter((i) => i.json.subscription === subscription);
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

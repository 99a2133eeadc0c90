/**
 * One Lambda invocation the way the Node.js runtime makes it, run by another
 * Node than the test's (test/support/node22.ts): `require`s the bundled
 * handler (CommonJS, as in /var/task), calls it with the event and a Lambda
 * context, and exits once it answers, as a frozen instance would. Reads
 * { file, exportName, event, functionName, timeoutMs } as JSON on stdin and
 * writes { node, result } or { node, error } as JSON to fd 3, because stdout
 * carries the function's own log lines.
 */
'use strict';
const { randomUUID } = require('node:crypto');
const { readFileSync, writeSync } = require('node:fs');

const input = JSON.parse(readFileSync(0, 'utf8'));
const deadline = Date.now() + input.timeoutMs;
const context = {
  callbackWaitsForEmptyEventLoop: true,
  functionName: input.functionName,
  functionVersion: '$LATEST',
  invokedFunctionArn: `arn:aws:lambda:us-east-1:123456789012:function:${input.functionName}`,
  memoryLimitInMB: '256',
  awsRequestId: randomUUID(),
  logGroupName: `/aws/lambda/${input.functionName}`,
  logStreamName: '2025/01/01/[$LATEST]0123456789abcdef',
  getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
  done: () => undefined,
  fail: () => undefined,
  succeed: () => undefined,
};

const answer = (value) => writeSync(3, JSON.stringify({ node: process.version, ...value }));
Promise.resolve()
  .then(() => require(input.file)[input.exportName](input.event, context))
  .then(
    (result) => answer({ result }),
    (err) => answer({ error: String((err && err.stack) || err) }),
  )
  .finally(() => process.exit(0));

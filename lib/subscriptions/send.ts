/**
 * Sends one batch to a subscription's target: what a delivery run
 * (deliver.ts) does per batch, whatever the target is.
 * Behaviour: the body is the same JSON for both kinds (WebhookBody). A
 * webhook gets it as a signed POST (signature.ts); any 2xx acknowledges it.
 * A Lambda function (an ARN endpoint, lambda-targets.ts) gets it as the
 * payload of one synchronous invocation through the injected invoker; it is
 * acknowledged when the invocation returns without a function error.
 * Errors: none thrown. Anything else is a failed attempt, returned as the
 * text delivery records as lastError and in the dead-letter header: `HTTP
 * 503` or `no answer: …` for webhooks; for Lambda `Lambda function error
 * (Unhandled): <errorType>: <errorMessage>` when the function threw, `Lambda
 * invoke failed: <exception> (HTTP <status>): <message>` when Lambda refused
 * the call (throttling 429, a payload over 6 MB 413, not found 404, denied
 * 403, service errors 5xx), `Lambda invoke: no answer: …` when none came,
 * and a reason when the target is not allowed or there is no invoker. All
 * are retried with the subscription's backoff, then dead-lettered.
 * Cost: one HTTP request, or one Lambda invocation (billed to the target
 * function's account: requests and duration).
 */
import { SIGNATURE_HEADER, type WebhookBody } from '../protocol/subscription-types';
import type { SubscriptionItem } from './items';
import { isAllowedTarget, isLambdaEndpoint } from './lambda-targets';
import type { DeliveryPorts, LambdaInvokeResult } from './ports';
import { sign } from './signature';

/** The most of a function's error message kept in lastError (and the dead-letter header). */
const ERROR_TEXT_CHARS = 300;

export interface SendRequest {
  sub: Pick<SubscriptionItem, 'endpoint' | 'secret'>;
  body: WebhookBody;
  /** For the signature's timestamp (ms since the epoch). */
  now: number;
  timeoutMs: number;
}

/** Undefined when the target acknowledged the batch, else what went wrong. */
export async function sendBatch(ports: DeliveryPorts, req: SendRequest): Promise<string | undefined> {
  const text = JSON.stringify(req.body);
  return isLambdaEndpoint(req.sub.endpoint) ? invokeLambda(ports, req.sub.endpoint, text, req.timeoutMs) : postWebhook(ports, req, text);
}

async function postWebhook(ports: DeliveryPorts, req: SendRequest, text: string): Promise<string | undefined> {
  try {
    const { status } = await ports.transport.post({
      url: req.sub.endpoint,
      headers: { 'content-type': 'application/json', 'user-agent': 'samsa-webhooks/1', [SIGNATURE_HEADER]: sign(req.sub.secret, text, Math.floor(req.now / 1000)) },
      body: text,
      timeoutMs: req.timeoutMs,
    });
    return status >= 200 && status < 300 ? undefined : `HTTP ${status}`;
  } catch (err) {
    return `no answer: ${errorName(err, false)}`;
  }
}

async function invokeLambda(ports: DeliveryPorts, functionArn: string, payload: string, timeoutMs: number): Promise<string | undefined> {
  const lambda = ports.lambda;
  if (lambda === undefined) return 'Lambda targets are not available here (a local stack invokes them only when started with --lambda-endpoint URL)';
  if (!isAllowedTarget(functionArn, lambda.allowed)) return 'Lambda function not allowed by this deployment (samsa:subscriptionLambdaTargets)';
  let result: LambdaInvokeResult;
  try {
    result = await lambda.invoke({ functionArn, payload, timeoutMs });
  } catch (err) {
    return invokeFailure(err);
  }
  return result.functionError === undefined ? undefined : functionFailure(result);
}

/** `Lambda function error (Unhandled): TypeError: x is undefined`, from the error payload Lambda returns. */
export function functionFailure(result: LambdaInvokeResult): string {
  let detail = '';
  try {
    const e = JSON.parse(result.payload) as { errorType?: unknown; errorMessage?: unknown };
    const type = typeof e.errorType === 'string' ? e.errorType : undefined;
    const message = typeof e.errorMessage === 'string' ? e.errorMessage : undefined;
    detail = [type, message].filter((s) => s !== undefined).join(': ');
  } catch {
    detail = result.payload;
  }
  return `Lambda function error (${result.functionError})${detail === '' ? '' : `: ${truncate(detail)}`}`;
}

/** What Lambda (or the way to it) refused: the SDK's exception name and HTTP status, or no answer. */
export function invokeFailure(err: unknown): string {
  const status = (err as { $metadata?: { httpStatusCode?: unknown } }).$metadata?.httpStatusCode;
  if (typeof status === 'number') {
    const message = err instanceof Error && err.message !== '' ? `: ${truncate(err.message)}` : '';
    return `Lambda invoke failed: ${err instanceof Error ? err.name : 'error'} (HTTP ${status})${message}`;
  }
  return `Lambda invoke: no answer: ${errorName(err, true)}`;
}

/** The error's name and its system code (`ECONNREFUSED`): fetch sets it on the cause, the SDK on the error (`own`). */
function errorName(err: unknown, own: boolean): string {
  const cause = (err as { cause?: { code?: unknown } }).cause?.code;
  const code = own ? (err as { code?: unknown }).code : undefined;
  const detail = typeof cause === 'string' ? cause : typeof code === 'string' ? code : undefined;
  return `${err instanceof Error ? err.name : 'error'}${detail === undefined ? '' : ` (${detail})`}`;
}

function truncate(s: string): string {
  return s.length <= ERROR_TEXT_CHARS ? s : `${s.slice(0, ERROR_TEXT_CHARS - 1)}…`;
}

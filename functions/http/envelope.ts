/** The one error envelope every route returns: `{ error: { code, message, retriable, requestId, ... } }`. */
import { Logger } from '@aws-lambda-powertools/logger';
import { toSamsaError, type SamsaError } from '../../lib/errors';

export interface ErrorEnvelope {
  error: {
    code: string;
    message: string;
    retriable: boolean;
    requestId: string;
    [detail: string]: unknown;
  };
}

export function errorEnvelope(err: SamsaError, requestId: string): ErrorEnvelope {
  return { error: { ...(err.details ?? {}), code: err.code, message: err.message, retriable: err.retriable, requestId } };
}

let fallbackLogger: Logger | undefined;

/** Logs what a 5xx hides from the caller (with the stack); never the request body. */
export function logUnexpected(err: unknown, requestId: string, route: string, logger?: Logger): SamsaError {
  const samsa = toSamsaError(err);
  if (samsa.status >= 500) {
    const cause = samsa.cause ?? err;
    const log = logger ?? (fallbackLogger ??= new Logger({ serviceName: 'samsa' }));
    log.error({ message: 'unexpected error', requestId, route, code: samsa.code }, cause instanceof Error ? cause : new Error(String(cause)));
  }
  return samsa;
}

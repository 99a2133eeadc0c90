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

/**
 * Logs what a 5xx hides from the caller; never the request body. A 5xx whose
 * code the error table marks retriable (RESERVATION_ABORTED, UNAVAILABLE,
 * REQUEST_TIMED_OUT: lib/protocol/errors.ts) is an expected outcome the caller
 * retries — a reader closed a slow writer's reservation, storage throttled or
 * timed out — and is logged at WARN as 'retriable error' with its code and
 * reason. Anything else (INTERNAL_ERROR: a bug, outcome unknown) is logged at
 * ERROR as 'unexpected error' with the stack.
 */
export function logUnexpected(err: unknown, requestId: string, route: string, logger?: Logger): SamsaError {
  const samsa = toSamsaError(err);
  if (samsa.status >= 500) {
    const cause = samsa.cause ?? err;
    const log = logger ?? (fallbackLogger ??= new Logger({ serviceName: 'samsa' }));
    if (samsa.retriable) {
      const why = cause instanceof Error && cause !== samsa ? `${cause.name}: ${cause.message}` : undefined;
      log.warn({ message: 'retriable error', requestId, route, code: samsa.code, reason: samsa.message, ...(why === undefined ? {} : { cause: why }) });
    } else {
      log.error({ message: 'unexpected error', requestId, route, code: samsa.code }, cause instanceof Error ? cause : new Error(String(cause)));
    }
  }
  return samsa;
}

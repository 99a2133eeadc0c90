/** The one error envelope every route returns: `{ error: { code, message, retriable, requestId, ... } }`. */
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

/** Logs what a 5xx hides from the caller; never the request body. */
export function logUnexpected(err: unknown, requestId: string, route: string): SamsaError {
  const samsa = toSamsaError(err);
  if (samsa.status >= 500) {
    const cause = samsa.cause ?? err;
    console.error(
      JSON.stringify({
        level: 'ERROR',
        requestId,
        route,
        code: samsa.code,
        error: cause instanceof Error ? { name: cause.name, message: cause.message, stack: cause.stack } : String(cause),
      }),
    );
  }
  return samsa;
}

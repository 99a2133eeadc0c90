/**
 * The server's side of errors: the code table and SamsaError are the wire
 * contract (lib/protocol/errors.ts, re-exported here for server code), and
 * this module adds what only the server knows, turning anything thrown,
 * AWS SDK failures included, into a SamsaError.
 */
import { SamsaError, type ErrorCode } from './protocol/errors';

export { ERROR_CODES, isSamsaError, SamsaError, type ErrorCode } from './protocol/errors';

/** AWS SDK error names that mean "try again later", mapped to our codes. */
const RETRIABLE_AWS_ERRORS: Record<string, ErrorCode> = {
  ProvisionedThroughputExceededException: 'THROTTLED',
  ThrottlingException: 'THROTTLED',
  RequestLimitExceeded: 'THROTTLED',
  TransactionConflictException: 'CONCURRENT_MODIFICATION',
  InternalServerError: 'UNAVAILABLE',
  ServiceUnavailable: 'UNAVAILABLE',
  TimeoutError: 'REQUEST_TIMED_OUT',
  RequestTimeout: 'REQUEST_TIMED_OUT',
  ECONNREFUSED: 'UNAVAILABLE',
  ECONNRESET: 'UNAVAILABLE',
};

/**
 * Turns anything thrown into a SamsaError. Storage failures that AWS marks as
 * transient become retriable 429/503s; everything else is an internal error
 * whose message never carries a stack trace or AWS internals.
 */
export function toSamsaError(err: unknown): SamsaError {
  if (err instanceof SamsaError) return err;
  const name = errorName(err);
  const mapped = name === undefined ? undefined : RETRIABLE_AWS_ERRORS[name];
  if (mapped !== undefined) {
    return new SamsaError(mapped, `Storage is temporarily unavailable (${name}); retry the request.`, { cause: err });
  }
  return new SamsaError('INTERNAL_ERROR', 'Internal error; the outcome of the request is unknown.', { cause: err });
}

function errorName(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const e = err as { name?: unknown; code?: unknown };
  if (typeof e.code === 'string' && e.code in RETRIABLE_AWS_ERRORS) return e.code;
  return typeof e.name === 'string' ? e.name : undefined;
}

/**
 * Everything the SDK throws is a SamsaError. Errors the server answered with
 * are SamsaApiError subclasses picked by HTTP status, carrying the server's
 * `code`, `retriable` flag, `requestId` and machine-readable details (limits,
 * valid offset ranges, the next offset). The SDK retries by reading
 * `retriable`, never by matching messages.
 *
 * The server's codes, with their HTTP status and retriable flag, come from
 * the wire contract (lib/protocol/errors.ts): produce answers carry
 * per-record errors without a status, so the SDK reads it there to pick the
 * error class.
 */
import { ERROR_CODES, type ErrorCode as ProtocolErrorCode } from '../lib/protocol/errors';

/** A code the server declares (lib/protocol/errors.ts, the table the server answers from). */
export type KnownErrorCode = ProtocolErrorCode;

/** Codes of errors raised by the SDK itself, without a server answer. */
export type ClientErrorCode = 'NETWORK_ERROR' | 'TIMEOUT' | 'ABORTED' | 'CLOSED' | 'INVALID_ARGUMENT' | 'INVALID_RESPONSE';

export type ErrorCode = KnownErrorCode | ClientErrorCode | (string & {});

export class SamsaError extends Error {
  readonly code: ErrorCode;
  /** Whether sending the same request again may succeed. */
  readonly retriable: boolean;

  constructor(code: ErrorCode, message: string, options: { retriable?: boolean; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.retriable = options.retriable ?? false;
  }
}

/** The server answered with an error envelope (or a gateway error without one). */
export class SamsaApiError extends SamsaError {
  readonly status: number;
  readonly requestId: string | undefined;
  /** Every extra field of the error envelope, e.g. `limit`, `size`, `nextOffset`, `logStartOffset`. */
  readonly details: Readonly<Record<string, unknown>>;

  constructor(init: { code: string; message: string; status: number; retriable: boolean; requestId?: string; details?: Record<string, unknown> }) {
    super(init.code, init.message, { retriable: init.retriable });
    this.status = init.status;
    this.requestId = init.requestId;
    this.details = init.details ?? {};
  }
}

/** 400, 405, 413, 415: the request itself is wrong; retrying it cannot help. */
export class InvalidRequestError extends SamsaApiError {}
/**
 * 403 AUTHORIZATION_FAILED: the credentials are valid but no ACL allows the
 * operation (or one denies it). Also the base of AuthenticationError, so one
 * `instanceof AuthorizationError` catches every credentials problem.
 */
export class AuthorizationError extends SamsaApiError {}
/** 401 UNAUTHENTICATED: no, malformed, unknown, revoked or expired API key. The message never contains the key. */
export class AuthenticationError extends AuthorizationError {}
/** 404: unknown topic, topic id, partition, producer id, group, member or route. */
export class NotFoundError extends SamsaApiError {}
/**
 * 404 UNKNOWN_TOPIC_ID: a fetch pinned to a topic id found the topic deleted,
 * or deleted and re-created under the same name (another id). The records of
 * the pinned incarnation are gone; reading on would mean reading another log.
 */
export class UnknownTopicIdError extends NotFoundError {
  /** The id the fetch was pinned to. */
  get topicId(): string | undefined {
    return typeof this.details.topicId === 'string' ? this.details.topicId : undefined;
  }
}
/** 409: the topic exists, a producer or group member was fenced or is out of step, or a concurrent change won. */
export class ConflictError extends SamsaApiError {}
/** 412 OFFSET_MISMATCH: a conditional append lost; `nextOffset` is the partition's next offset. */
export class OffsetMismatchError extends SamsaApiError {
  get nextOffset(): number | undefined {
    return numberDetail(this.details.nextOffset);
  }
}
/** 416 OFFSET_OUT_OF_RANGE: the valid range is `logStartOffset`..`highWatermark`. */
export class OffsetOutOfRangeError extends SamsaApiError {
  get logStartOffset(): number | undefined {
    return numberDetail(this.details.logStartOffset);
  }
  get highWatermark(): number | undefined {
    return numberDetail(this.details.highWatermark);
  }
}
/**
 * 429: THROTTLED (DynamoDB or API Gateway) or QUOTA_EXCEEDED (the principal's
 * request quota). Both are retriable; the SDK waits at least the server's
 * `retry-after` (within `retry.maxDelayMs`) before retrying.
 */
export class ThrottledError extends SamsaApiError {
  /** QUOTA_EXCEEDED: how long until the quota admits a request again. */
  get retryAfterMs(): number | undefined {
    return numberDetail(this.details.retryAfterMs);
  }
}
/** 502, 503, 504. */
export class UnavailableError extends SamsaApiError {}
/** 500 and anything else unexpected from the server. */
export class InternalServerError extends SamsaApiError {}

/**
 * No answer: DNS, connection refused or reset, or an answer cut off. The
 * outcome is unknown, so `retriable` is true only for idempotent requests.
 */
export class SamsaNetworkError extends SamsaError {
  constructor(message: string, options: { retriable: boolean; cause?: unknown; code?: ErrorCode }) {
    super(options.code ?? 'NETWORK_ERROR', message, options);
  }
}

/** No answer within `timeoutMs`; the server may still have processed the request. */
export class SamsaTimeoutError extends SamsaNetworkError {
  constructor(message: string, options: { retriable: boolean }) {
    super(message, { ...options, code: 'TIMEOUT' });
  }
}

/** Builds the typed error for an error envelope, or for an error status without one (a gateway's). */
export function apiErrorFrom(status: number, body: unknown, requestId: string | undefined, idempotent: boolean): SamsaApiError {
  const envelope = isObject(body) && isObject(body.error) ? body.error : undefined;
  let init: ConstructorParameters<typeof SamsaApiError>[0];
  if (envelope !== undefined && typeof envelope.code === 'string') {
    const { code, message, retriable, requestId: bodyRequestId, ...details } = envelope;
    init = {
      code,
      message: typeof message === 'string' ? message : code,
      status,
      retriable: retriableOf(code, retriable),
      requestId: typeof bodyRequestId === 'string' ? bodyRequestId : requestId,
      details,
    };
  } else {
    // API Gateway answers throttling and integration failures itself: a 429 never reached a
    // function, but after a 502/503/504 the outcome is unknown, like a lost answer.
    const gatewayMessage = isObject(body) && typeof body.message === 'string' ? body.message : `HTTP ${status}`;
    init = {
      code: status === 429 ? 'THROTTLED' : status === 401 ? 'UNAUTHENTICATED' : status >= 502 && status <= 504 ? 'UNAVAILABLE' : status >= 500 ? 'INTERNAL_ERROR' : `HTTP_${status}`,
      message: gatewayMessage,
      status,
      retriable: status === 429 || (status >= 502 && status <= 504 && idempotent),
      requestId,
    };
  }
  return typedError(init);
}

/** The typed error for one failed record of a produce answer: `{ code, message, retriable, ...details }`. */
export function recordErrorFrom(error: Record<string, unknown>, requestId: string | undefined, fallbackStatus: number): SamsaApiError {
  const { code, message, retriable, ...details } = error;
  const name = typeof code === 'string' ? code : 'INTERNAL_ERROR';
  const status = knownCode(name) ? ERROR_CODES[name].status : fallbackStatus;
  return typedError({
    code: name,
    message: typeof message === 'string' ? message : name,
    status,
    retriable: retriableOf(name, retriable),
    requestId,
    details,
  });
}

function knownCode(code: string): code is KnownErrorCode {
  return Object.prototype.hasOwnProperty.call(ERROR_CODES, code);
}

/** The flag the server sent; the code's own when an answer lacks it (a proxy's rewrite, an older server). */
function retriableOf(code: string, sent: unknown): boolean {
  if (typeof sent === 'boolean') return sent;
  return knownCode(code) && ERROR_CODES[code].retriable;
}

function typedError(init: ConstructorParameters<typeof SamsaApiError>[0]): SamsaApiError {
  // The one code with a class of its own: a consumer must tell "this incarnation is gone" from "no such topic".
  const ErrorClass = init.code === 'UNKNOWN_TOPIC_ID' && init.status === 404 ? UnknownTopicIdError : classFor(init.status);
  return new ErrorClass(init);
}

function classFor(status: number): new (init: ConstructorParameters<typeof SamsaApiError>[0]) => SamsaApiError {
  switch (status) {
    case 400:
    case 405:
    case 413:
    case 415:
      return InvalidRequestError;
    case 401:
      return AuthenticationError;
    case 403:
      return AuthorizationError;
    case 404:
      return NotFoundError;
    case 409:
      return ConflictError;
    case 412:
      return OffsetMismatchError;
    case 416:
      return OffsetOutOfRangeError;
    case 429:
      return ThrottledError;
    case 502:
    case 503:
    case 504:
      return UnavailableError;
    default:
      return status >= 500 ? InternalServerError : status >= 400 ? InvalidRequestError : SamsaApiError;
  }
}

function numberDetail(value: unknown): number | undefined {
  return typeof value === 'number' ? value : undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

/**
 * Every error Samsa answers with, declared once for the server, the SDK, the
 * CLI and the console: code (named like Kafka's where one exists), HTTP
 * status and whether a client may retry the same request. Default to not
 * retriable: a client that retries a caller's mistake only burns money.
 *
 * SamsaError is the error the server throws; handlers turn it into the one
 * error envelope `{ error: { code, message, retriable, requestId } }`. The
 * SDK has error classes of its own (client/errors.ts) and takes only the
 * table from here. Pure and dependency-free: the SDK's types import it.
 */

export const ERROR_CODES = {
  // Request shape — the caller's mistake.
  INVALID_REQUEST: { status: 400, retriable: false },
  INVALID_JSON: { status: 400, retriable: false },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, retriable: false },
  PAYLOAD_TOO_LARGE: { status: 413, retriable: false },
  ROUTE_NOT_FOUND: { status: 404, retriable: false },
  METHOD_NOT_ALLOWED: { status: 405, retriable: false },

  // Topics.
  INVALID_TOPIC: { status: 400, retriable: false },
  INVALID_PARTITIONS: { status: 400, retriable: false },
  INVALID_CONFIG: { status: 400, retriable: false },
  TOPIC_ALREADY_EXISTS: { status: 409, retriable: false },
  UNKNOWN_TOPIC_OR_PARTITION: { status: 404, retriable: false },
  /** A fetch pinned to a topic id (KIP-516) whose incarnation was deleted, perhaps re-created under the same name. */
  UNKNOWN_TOPIC_ID: { status: 404, retriable: false },
  POLICY_VIOLATION: { status: 400, retriable: false },

  // Log.
  RECORD_TOO_LARGE: { status: 413, retriable: false },
  INVALID_RECORD: { status: 400, retriable: false },
  OFFSET_OUT_OF_RANGE: { status: 416, retriable: false },
  OFFSET_MISMATCH: { status: 412, retriable: false },
  UNKNOWN_PRODUCER_ID: { status: 404, retriable: false },
  INVALID_PRODUCER_EPOCH: { status: 409, retriable: false },
  OUT_OF_ORDER_SEQUENCE: { status: 409, retriable: false },
  DUPLICATE_SEQUENCE_MISMATCH: { status: 409, retriable: false },
  RESERVATION_ABORTED: { status: 503, retriable: true },

  // Consumer groups.
  INVALID_GROUP_ID: { status: 400, retriable: false },
  UNKNOWN_MEMBER_ID: { status: 404, retriable: false },
  /** The member was removed or its epoch is no longer valid: it must rejoin with epoch 0. */
  FENCED_MEMBER_EPOCH: { status: 409, retriable: false },
  /** The member's epoch is behind; a heartbeat brings it up to date, then it may retry. */
  STALE_MEMBER_EPOCH: { status: 409, retriable: true },
  GROUP_NOT_EMPTY: { status: 409, retriable: false },
  GROUP_ID_NOT_FOUND: { status: 404, retriable: false },
  GROUP_MAX_SIZE_REACHED: { status: 409, retriable: false },

  // Push subscriptions.
  /** A bad subscription setting: endpoint scheme or host, batch or retry bounds, secret length. */
  INVALID_SUBSCRIPTION: { status: 400, retriable: false },
  SUBSCRIPTION_NOT_FOUND: { status: 404, retriable: false },
  SUBSCRIPTION_ALREADY_EXISTS: { status: 409, retriable: false },

  // Authentication and authorization.
  /** No, malformed, unknown, revoked or expired credentials. */
  UNAUTHENTICATED: { status: 401, retriable: false },
  AUTHORIZATION_FAILED: { status: 403, retriable: false },
  INVALID_PRINCIPAL: { status: 400, retriable: false },
  INVALID_ACL: { status: 400, retriable: false },
  ACL_NOT_FOUND: { status: 404, retriable: false },
  API_KEY_NOT_FOUND: { status: 404, retriable: false },
  /** The principal's request rate is above its quota; retry after the `retry-after` header. */
  QUOTA_EXCEEDED: { status: 429, retriable: true },

  // Concurrency and infrastructure — worth retrying.
  CONCURRENT_MODIFICATION: { status: 409, retriable: true },
  THROTTLED: { status: 429, retriable: true },
  UNAVAILABLE: { status: 503, retriable: true },
  REQUEST_TIMED_OUT: { status: 503, retriable: true },
  // A bug of ours. The outcome of the request is unknown, so not retriable by default.
  INTERNAL_ERROR: { status: 500, retriable: false },
} as const satisfies Record<string, { status: number; retriable: boolean }>;

export type ErrorCode = keyof typeof ERROR_CODES;

/** What the server throws: status and retriable come from the table, so a handler cannot answer a code with another status. */
export class SamsaError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly retriable: boolean;
  /** Extra, machine-readable facts for the caller (limits, valid ranges, current offsets). */
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message: string, options: { cause?: unknown; details?: Record<string, unknown> } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'SamsaError';
    this.code = code;
    this.status = ERROR_CODES[code].status;
    this.retriable = ERROR_CODES[code].retriable;
    this.details = options.details;
  }
}

export function isSamsaError(err: unknown): err is SamsaError {
  return err instanceof SamsaError;
}

/**
 * Operational events that happen inside lib and that the caller cannot see
 * in a result: a reader closing a dead writer's reservation, an optimistic
 * write retried after a conflict, a DynamoDB throttle retried inside an
 * operation. LibContext.events receives them (functions/ turns them into
 * metrics); lib itself never depends on anyone listening.
 */

export type LibEvent =
  /** A reader wrote an abort marker over a reservation whose writer did not settle it in time. */
  | { type: 'reservationAborted'; topic: string; partition: number }
  /** An optimistic write lost a race and the operation retried it. */
  | { type: 'conflictRetried'; operation: 'groupHeartbeat' }
  /** DynamoDB throttled a request and the operation retried it. */
  | { type: 'throttleRetried'; operation: 'settleBatch' };

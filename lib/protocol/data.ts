/**
 * Keys, values and header values on the wire: `{ type, data }` as in
 * Confluent REST v3. STRING data is a string, BINARY data base64, JSON data
 * any JSON value. The type a producer used is stored with each record, so
 * fetch and poll give keys and values back the way they were sent.
 * Types and one constant only, dependency-free: the SDK's types import it;
 * the produce schema and the byte conversion are in ./records.ts.
 */

export const DATA_TYPES = ['BINARY', 'STRING', 'JSON'] as const;
export type DataType = (typeof DATA_TYPES)[number];

/** Why a stored key or value came back as BINARY although it was produced as STRING or JSON. */
export type FallbackReason = 'INVALID_UTF8' | 'INVALID_JSON' | 'NESTING_TOO_DEEP';
export interface WireFallback {
  /** The type the record was produced (stored) with. */
  storedType: 'STRING' | 'JSON';
  reason: FallbackReason;
}

/** A key, value or header value as fetch and poll answer it. */
export type WireData = {
  type: DataType;
  data: unknown;
  /**
   * Fetch and poll output only: present when the stored bytes could not be
   * rendered as their stored type, so `type` is BINARY and `data` is their
   * base64. Only records written before these checks existed, or by a
   * writer that bypassed them, can have it.
   */
  fallback?: WireFallback;
};

/** A key, value or header value as produce takes it: `fallback` is output only and refused here. */
export interface WireDataInput {
  type: DataType;
  data: unknown;
}

/**
 * Wire schemas of produce and fetch, and the conversion between wire data
 * (`{ type: JSON | STRING | BINARY, data }`, as in Confluent REST v3) and the
 * bytes the log stores. The type a producer used is stored with each record
 * (one byte), so fetch returns keys and values the way they were sent.
 *
 * Produce stores only what fetch can give back unchanged: STRING data (and
 * header names) must be well-formed UTF-16, because an unpaired surrogate
 * would be stored as U+FFFD; JSON data may nest at most MAX_JSON_NESTING
 * arrays and objects deep, because rendering deeper values recursively can
 * overflow the stack. Fetch never fails on a stored record: a key or value
 * that cannot be rendered as its type is served as BINARY with `fallback`.
 *
 * The plain types of these schemas, for code that must not depend on zod
 * (the SDK), are in ./data.ts and ./requests.ts; re-exported here.
 */
import * as z from 'zod/mini';
import { DATA_TYPES, type DataType, type WireData, type WireDataInput, type WireFallback } from './data';
import { SamsaError } from './errors';
import type { ProduceBody, ProduceRecord, WireHeaderInput } from './requests';
import type { Equal } from './response-schemas';

export { DATA_TYPES, type DataType, type FallbackReason, type WireData, type WireDataInput, type WireFallback } from './data';
export type { ProduceBody, ProduceRecord, WireHeaderInput } from './requests';

/** Produce input: strict, so `fallback` (an output-only field) is refused. */
export const wireData = z.strictObject({ type: z.enum(DATA_TYPES), data: z.unknown() });

/**
 * Deepest nesting of arrays and objects in a JSON key, value or header value:
 * a scalar nests 0 levels, `[]` and `{}` 1, `[[1]]` 2. Deeper values are
 * INVALID_RECORD on produce and BINARY with `fallback` on fetch. 100 is far
 * above real documents and far below where recursive JSON code (V8's
 * JSON.stringify overflows at ~4,000 levels) can fail.
 */
export const MAX_JSON_NESTING = 100;

export const wireHeader = z.strictObject({
  name: z.string(),
  /** A bare string is a STRING header value. */
  value: z.nullable(z.union([z.string(), wireData])),
});

export const produceRecord = z.strictObject({
  partition: z.optional(z.int()),
  key: z.optional(z.nullable(wireData)),
  value: z.optional(z.nullable(wireData)),
  headers: z.optional(z.array(wireHeader)),
  /** Milliseconds since the epoch; the server's append time when omitted. */
  timestamp: z.optional(z.int()),
});

export const produceBody = z.strictObject({
  records: z.array(produceRecord),
  producerId: z.optional(z.string()),
  producerEpoch: z.optional(z.int()),
  /** Idempotent producers: partition → the sequence number of its first record in this request. */
  baseSequences: z.optional(z.record(z.string(), z.int())),
  /**
   * Conditional append: only if the partition's next offset equals this (one
   * partition per request; all or nothing). An offset: 0 … 2^53−1.
   */
  expectedOffset: z.optional(z.int().check(z.nonnegative())),
});

// Compile-time: each schema infers exactly the plain type the SDK uses (./data.ts, ./requests.ts).
const _checks: {
  wireData: Equal<z.infer<typeof wireData>, WireDataInput>;
  wireHeader: Equal<z.infer<typeof wireHeader>, WireHeaderInput>;
  produceRecord: Equal<z.infer<typeof produceRecord>, ProduceRecord>;
  produceBody: Equal<z.infer<typeof produceBody>, ProduceBody>;
} = { wireData: true, wireHeader: true, produceRecord: true, produceBody: true };
void _checks;

const utf8 = new TextEncoder();
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

export const TYPE_IDS: Record<DataType, number> = { BINARY: 0, STRING: 1, JSON: 2 };

/** Bytes of one key, value or header value; `where` names the field in errors. */
export function toBytes(value: WireData, where: string): Uint8Array {
  switch (value.type) {
    case 'STRING':
      if (typeof value.data !== 'string') throw invalid(`${where}: STRING data must be a string`);
      checkWellFormed(value.data, `${where}: STRING data`);
      return utf8.encode(value.data);
    case 'BINARY':
      if (typeof value.data !== 'string' || !BASE64.test(value.data)) {
        throw invalid(`${where}: BINARY data must be a base64 string`);
      }
      return new Uint8Array(Buffer.from(value.data, 'base64'));
    case 'JSON': {
      if (value.data === undefined) throw invalid(`${where}: JSON data is missing`);
      // Checked before JSON.stringify, which recurses and would overflow on a deep enough value.
      if (nestsDeeperThan(value.data, MAX_JSON_NESTING)) {
        throw new SamsaError(
          'INVALID_RECORD',
          `${where}: JSON data nests arrays and objects more than ${MAX_JSON_NESTING} levels deep; the limit is ${MAX_JSON_NESTING}.`,
          { details: { limit: MAX_JSON_NESTING } },
        );
      }
      // JSON.stringify escapes unpaired surrogates (\ud800), so JSON text is always well-formed.
      return utf8.encode(JSON.stringify(value.data));
    }
  }
}

/** In a `u` regex a surrogate pair is one code point, so \p{Cs} matches only unpaired surrogates. */
const LONE_SURROGATE = /\p{Cs}/u;

/**
 * INVALID_RECORD when `text` holds an unpaired surrogate: UTF-8 cannot hold
 * one, so TextEncoder would store U+FFFD and the text would not round-trip.
 */
export function checkWellFormed(text: string, what: string): void {
  const lone = LONE_SURROGATE.exec(text);
  if (lone !== null) {
    throw invalid(`${what} holds an unpaired UTF-16 surrogate at index ${lone.index}; it cannot be stored as UTF-8 unchanged`);
  }
}

/**
 * Whether a JSON value nests arrays and objects more than `limit` levels deep.
 * Iterative with an explicit stack, so no depth can overflow the call stack;
 * it stops at the first path past the limit. Values come from JSON.parse
 * (plain, acyclic).
 */
export function nestsDeeperThan(value: unknown, limit: number): boolean {
  const stack: { node: object; depth: number }[] = [];
  if (typeof value === 'object' && value !== null) stack.push({ node: value, depth: 1 });
  while (stack.length > 0) {
    const { node, depth } = stack.pop()!;
    if (depth > limit) return true;
    const children: unknown[] = Array.isArray(node) ? node : Object.values(node);
    for (const child of children) {
      if (typeof child === 'object' && child !== null) stack.push({ node: child, depth: depth + 1 });
    }
  }
  return false;
}

export function typeFromId(id: number): DataType {
  return DATA_TYPES[id] ?? 'BINARY';
}

/**
 * Bytes back to wire data of the stored type; `forceBinary` (encoding=binary)
 * gives base64 without a fallback flag. Never throws: bytes that are not what
 * their type says (not UTF-8, not JSON, or JSON nested past MAX_JSON_NESTING)
 * come back as BINARY with `fallback`, so one stored record can never fail a
 * fetch or a group poll (a poison pill).
 */
export function fromBytes(bytes: Uint8Array, type: DataType, forceBinary: boolean): WireData {
  if (forceBinary || type === 'BINARY') return binary(bytes);
  let text: string;
  try {
    text = strictUtf8.decode(bytes);
  } catch {
    return binary(bytes, { storedType: type, reason: 'INVALID_UTF8' });
  }
  if (type === 'STRING') return { type, data: text };
  let data: unknown;
  try {
    // V8's JSON.parse is iterative; any failure here (bad text, or a parser that gave up) is a fallback.
    data = JSON.parse(text);
  } catch {
    return binary(bytes, { storedType: type, reason: 'INVALID_JSON' });
  }
  // The response is serialized recursively (c.json): a deep value would fail the whole fetch there.
  if (nestsDeeperThan(data, MAX_JSON_NESTING)) return binary(bytes, { storedType: type, reason: 'NESTING_TOO_DEEP' });
  return { type, data };
}

/**
 * Header values carry no stored type: UTF-8 text comes back as STRING,
 * anything else as BINARY (the documented rule, so without a fallback flag).
 */
export function headerFromBytes(bytes: Uint8Array, forceBinary: boolean): WireData {
  if (forceBinary) return binary(bytes);
  try {
    return { type: 'STRING', data: strictUtf8.decode(bytes) };
  } catch {
    return binary(bytes);
  }
}

function binary(bytes: Uint8Array, fallback?: WireFallback): WireData {
  const data = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
  return fallback === undefined ? { type: 'BINARY', data } : { type: 'BINARY', data, fallback };
}

function invalid(message: string): SamsaError {
  return new SamsaError('INVALID_RECORD', message);
}

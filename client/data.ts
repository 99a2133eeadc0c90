/**
 * Keys, values and header values between JavaScript and the wire form
 * `{ type: STRING | BINARY | JSON, data }` (BINARY data is base64).
 *
 * In:  a string is STRING, a Uint8Array (or Buffer) is BINARY, `{ json: v }`
 *      is JSON, an explicit wire object `{ type, data }` passes through (so
 *      does a consumed `Data`), and null is no key / a null value. Anything
 *      else (a number, `{ json }` without a value, an object with other
 *      fields) is refused rather than sent as something else.
 * Out: `{ type: 'STRING', data: string }`, `{ type: 'JSON', data: unknown }`
 *      or `{ type: 'BINARY', data: Uint8Array }`, so a consumer sees each
 *      record the way it was produced.
 */
import type { DataType, WireData, WireFallback } from '../lib/protocol/data';
import { checkFields, describe, invalid, isPlainObject } from './validate';

export type { DataType, WireData, WireFallback };

export type DataInput = string | Uint8Array | { json: unknown } | WireData | null | undefined;

export type HeaderValueInput = string | Uint8Array | null;

/** Kafka headers may repeat a name, so the list form exists besides the object form. */
export type HeadersInput = Record<string, HeaderValueInput> | { name: string; value: HeaderValueInput }[];

export type Data =
  | { type: 'STRING'; data: string }
  | { type: 'JSON'; data: unknown }
  /**
   * `fallback` is set when the record was produced as STRING or JSON but its
   * stored bytes could not be rendered as that type (see WireFallback); the
   * bytes are then delivered as they are, rather than failing the fetch.
   */
  | { type: 'BINARY'; data: Uint8Array; fallback?: WireFallback };

export interface Header {
  name: string;
  /** STRING when the bytes are UTF-8, else BINARY; null for a null header value. */
  value: Data | null;
}

const utf8 = new TextEncoder();
const utf8Decoder = new TextDecoder();

export function toWire(input: DataInput, where: string): WireData | null {
  if (input === null || input === undefined) return null;
  if (typeof input === 'string') return { type: 'STRING', data: input };
  if (input instanceof Uint8Array) return { type: 'BINARY', data: encodeBase64(input) };
  if (isPlainObject(input)) {
    const fields = Object.keys(input).sort().join();
    const { json, type, data } = input as { json?: unknown; type?: unknown; data?: unknown };
    // JSON.stringify would drop these without a word: the record would have no value.
    if (fields === 'json' && json !== undefined && typeof json !== 'function' && typeof json !== 'symbol') return { type: 'JSON', data: json };
    // The wire form, and what consumers get back: BINARY data as a Uint8Array (encoded here) and an
    // informational `fallback`, left out since the bytes are sent as what they are, BINARY.
    if (fields === 'data,type' || fields === 'data,fallback,type') {
      if (type === 'STRING' && typeof data === 'string') return { type, data };
      if (type === 'BINARY' && (typeof data === 'string' || data instanceof Uint8Array)) {
        return { type, data: typeof data === 'string' ? data : encodeBase64(data) };
      }
      if (type === 'JSON' && data !== undefined) return { type, data };
    }
  }
  throw invalid(
    `Invalid ${where}: a string, a Uint8Array, { json: value }, { type, data } or null; got ${describe(input)}.`,
  );
}

export function headersToWire(headers: HeadersInput | undefined): { name: string; value: string | WireData | null }[] | undefined {
  if (headers === undefined) return undefined;
  let list: { name: string; value: HeaderValueInput }[];
  if (Array.isArray(headers)) list = headers.map((h) => checkFields(h, { name: 't!', value: 'a!' }, 'a header'));
  else if (isPlainObject(headers)) list = Object.entries(headers).map(([name, value]) => ({ name, value }));
  else throw invalid(`Invalid headers: { name: value } or [{ name, value }]; got ${describe(headers)}.`);
  return list.map(({ name, value }) => {
    if (value !== null && typeof value !== 'string' && !(value instanceof Uint8Array)) {
      throw invalid(`Invalid value of header '${name}': a string, a Uint8Array or null; got ${describe(value)}.`);
    }
    return { name, value: value === null ? null : typeof value === 'string' ? value : { type: 'BINARY', data: encodeBase64(value) } };
  });
}

/** The bytes the server hashes for a key: UTF-8 of STRING, JSON text of JSON, raw BINARY. */
export function wireBytes(wire: WireData): Uint8Array {
  switch (wire.type) {
    case 'STRING':
      return utf8.encode(String(wire.data));
    case 'BINARY':
      return decodeBase64(String(wire.data));
    case 'JSON':
      return utf8.encode(JSON.stringify(wire.data));
  }
}

export function fromWire(wire: WireData | null | undefined): Data | null {
  if (wire === null || wire === undefined) return null;
  switch (wire.type) {
    case 'STRING':
      return { type: 'STRING', data: String(wire.data) };
    case 'JSON':
      return { type: 'JSON', data: wire.data };
    default: {
      const data = decodeBase64(String(wire.data));
      return wire.fallback === undefined ? { type: 'BINARY', data } : { type: 'BINARY', data, fallback: wire.fallback };
    }
  }
}

export function headersFromWire(headers: { name: string; value: WireData | null }[] | undefined): Header[] {
  return (headers ?? []).map((h) => ({ name: h.name, value: fromWire(h.value) }));
}

/** Text of a key or value: STRING as is, JSON as JSON text, BINARY decoded as UTF-8 (lossy). */
export function asText(data: Data | null): string | null {
  if (data === null) return null;
  if (data.type === 'STRING') return data.data;
  if (data.type === 'JSON') return JSON.stringify(data.data);
  return utf8Decoder.decode(data.data);
}

/** Bytes of a key or value, as the server stores them. */
export function asBytes(data: Data | null): Uint8Array | null {
  if (data === null) return null;
  if (data.type === 'BINARY') return data.data;
  return utf8.encode(data.type === 'STRING' ? data.data : JSON.stringify(data.data));
}

// btoa/atob exist on every platform the SDK targets; Buffer does not. Chunks keep argument lists short.
export function encodeBase64(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}

export function decodeBase64(text: string): Uint8Array {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** UTF-8 length of a string without encoding it. */
export function utf8Length(text: string): number {
  let length = text.length;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0x80) length += c >= 0x800 && (c < 0xd800 || c > 0xdfff) ? 2 : 1;
  }
  return length;
}

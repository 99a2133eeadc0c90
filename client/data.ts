/**
 * Keys, values and header values between JavaScript and the wire form
 * `{ type: STRING | BINARY | JSON, data }` (BINARY data is base64).
 *
 * In:  a string is STRING, a Uint8Array (or Buffer) is BINARY, `{ json: v }`
 *      is JSON, an explicit wire object `{ type, data }` passes through, and
 *      null or undefined is no key / a null value.
 * Out: `{ type: 'STRING', data: string }`, `{ type: 'JSON', data: unknown }`
 *      or `{ type: 'BINARY', data: Uint8Array }`, so a consumer sees each
 *      record the way it was produced.
 */
import type { DataType, WireData, WireFallback } from '../lib/protocol/data';

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
  if (typeof input === 'object') {
    if ('json' in input) return { type: 'JSON', data: input.json };
    if ('type' in input && 'data' in input && (input.type === 'STRING' || input.type === 'BINARY' || input.type === 'JSON')) {
      return { type: input.type, data: input.data };
    }
  }
  throw new TypeError(`${where} must be a string, a Uint8Array, { json: value }, { type, data } or null.`);
}

export function headersToWire(headers: HeadersInput | undefined): { name: string; value: string | WireData | null }[] | undefined {
  if (headers === undefined) return undefined;
  const list = Array.isArray(headers) ? headers : Object.entries(headers).map(([name, value]) => ({ name, value }));
  return list.map(({ name, value }) => ({
    name,
    value: value === null ? null : typeof value === 'string' ? value : { type: 'BINARY', data: encodeBase64(value) },
  }));
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

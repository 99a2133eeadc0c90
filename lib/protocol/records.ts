/**
 * Wire schemas of produce and fetch, and the conversion between wire data
 * (`{ type: JSON | STRING | BINARY, data }`, as in Confluent REST v3) and the
 * bytes the log stores. The type a producer used is stored with each record
 * (one byte), so fetch returns keys and values the way they were sent.
 */
import * as z from 'zod/mini';
import { SamsaError } from '../errors';

export const DATA_TYPES = ['BINARY', 'STRING', 'JSON'] as const;
export type DataType = (typeof DATA_TYPES)[number];

export const wireData = z.strictObject({ type: z.enum(DATA_TYPES), data: z.unknown() });
export type WireData = { type: DataType; data: unknown };

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
export type ProduceRecord = z.infer<typeof produceRecord>;

export const produceBody = z.strictObject({
  records: z.array(produceRecord),
  producerId: z.optional(z.string()),
  producerEpoch: z.optional(z.int()),
  /** Idempotent producers: partition → the sequence number of its first record in this request. */
  baseSequences: z.optional(z.record(z.string(), z.int())),
  /** Conditional append: only if the partition's next offset equals this (one partition per request). */
  expectedOffset: z.optional(z.int()),
});
export type ProduceBody = z.infer<typeof produceBody>;

const utf8 = new TextEncoder();
const strictUtf8 = new TextDecoder('utf-8', { fatal: true });
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

export const TYPE_IDS: Record<DataType, number> = { BINARY: 0, STRING: 1, JSON: 2 };

/** Bytes of one key, value or header value; `where` names the field in errors. */
export function toBytes(value: WireData, where: string): Uint8Array {
  switch (value.type) {
    case 'STRING':
      if (typeof value.data !== 'string') throw invalid(`${where}: STRING data must be a string`);
      return utf8.encode(value.data);
    case 'BINARY':
      if (typeof value.data !== 'string' || !BASE64.test(value.data)) {
        throw invalid(`${where}: BINARY data must be a base64 string`);
      }
      return new Uint8Array(Buffer.from(value.data, 'base64'));
    case 'JSON': {
      if (value.data === undefined) throw invalid(`${where}: JSON data is missing`);
      return utf8.encode(JSON.stringify(value.data));
    }
  }
}

export function typeFromId(id: number): DataType {
  return DATA_TYPES[id] ?? 'BINARY';
}

/** Bytes back to wire data of the stored type; `binary` forces base64. */
export function fromBytes(bytes: Uint8Array, type: DataType, forceBinary: boolean): WireData {
  if (!forceBinary) {
    try {
      const text = strictUtf8.decode(bytes);
      if (type === 'STRING') return { type, data: text };
      if (type === 'JSON') return { type, data: JSON.parse(text) };
    } catch {
      // Stored bytes that are not what their type says: fall back to base64 rather than fail the fetch.
    }
  }
  return { type: 'BINARY', data: Buffer.from(bytes).toString('base64') };
}

/** Header values carry no stored type: UTF-8 text comes back as STRING, anything else as BINARY. */
export function headerFromBytes(bytes: Uint8Array, forceBinary: boolean): WireData {
  return fromBytes(bytes, forceBinary ? 'BINARY' : isUtf8(bytes) ? 'STRING' : 'BINARY', forceBinary);
}

function isUtf8(bytes: Uint8Array): boolean {
  try {
    strictUtf8.decode(bytes);
    return true;
  } catch {
    return false;
  }
}

function invalid(message: string): SamsaError {
  return new SamsaError('INVALID_RECORD', message);
}

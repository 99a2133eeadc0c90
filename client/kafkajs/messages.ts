/**
 * KafkaJS messages ⇄ Samsa records.
 *
 * KafkaJS treats keys, values and header values as bytes: a string is its
 * UTF-8 encoding (`Buffer.from(s)`). So everything is produced as BINARY
 * (the bytes a KafkaJS producer would have sent, whose murmur2 hash picks the
 * same partition), and a consumer gets every key, value and header value back
 * as a Buffer, whatever type a native Samsa producer gave it. Offsets and
 * timestamps are strings, as KafkaJS has them (Kafka's are 64-bit).
 * Anything a KafkaJS message does not have is refused, never dropped.
 */
import { Buffer } from 'node:buffer';
import { asBytes, type ConsumedRecord, type Data, type Header, type ProducerRecord as SamsaRecord, type WireData } from '../index';
import { KafkaJSNonRetriableError } from './errors';
import type { Batch, IHeaders, KafkaMessage, Message } from './types';

const MESSAGE_FIELDS = new Set(['key', 'value', 'partition', 'headers', 'timestamp']);

/** Throws on option names a KafkaJS object of this kind does not have: a typo must not be silently ignored. */
export function checkKnownFields(value: object, known: readonly string[], where: string): void {
  for (const field of Object.keys(value)) {
    if (!known.includes(field)) throw new KafkaJSNonRetriableError(`Unknown option "${field}" in ${where}; known: ${known.join(', ')}.`);
  }
}

/** The Samsa record for one KafkaJS message (the partition is left to the producer unless the message names one). */
export function toSamsaRecord(topic: string, message: Message, index: number): SamsaRecord {
  const where = `message ${index} for topic "${topic}"`;
  if (typeof message !== 'object' || message === null) throw new KafkaJSNonRetriableError(`Invalid ${where}: not an object.`);
  for (const field of Object.keys(message)) {
    if (!MESSAGE_FIELDS.has(field)) {
      throw new KafkaJSNonRetriableError(`Unknown field "${field}" in ${where}: a KafkaJS message has key, value, partition, headers and timestamp.`);
    }
  }
  if (message.value === undefined) throw new KafkaJSNonRetriableError(`Invalid message without value for topic "${topic}" (${where}).`);
  const record: SamsaRecord = { topic, value: binary(message.value, `value of ${where}`) };
  if (message.key !== undefined) record.key = binary(message.key, `key of ${where}`);
  if (message.partition !== undefined && message.partition !== null) {
    if (!Number.isInteger(message.partition) || message.partition < 0) {
      throw new KafkaJSNonRetriableError(`Invalid partition ${String(message.partition)} in ${where}: a non-negative integer.`);
    }
    record.partition = message.partition;
  }
  // KafkaJS stamps messages on the client (CreateTime) unless given a timestamp.
  record.timestamp = message.timestamp === undefined || message.timestamp === null ? Date.now() : timestampOf(message.timestamp, where);
  if (message.headers !== undefined && message.headers !== null) record.headers = headersOf(message.headers, where);
  return record;
}

/** BINARY wire data, base64 by Node (the SDK passes `{ type, data }` through as is). */
function binary(input: unknown, where: string): WireData | null {
  if (input === null) return null;
  if (typeof input === 'string') return { type: 'BINARY', data: Buffer.from(input, 'utf8').toString('base64') };
  if (input instanceof Uint8Array) return { type: 'BINARY', data: Buffer.from(input.buffer, input.byteOffset, input.byteLength).toString('base64') };
  throw new KafkaJSNonRetriableError(`Invalid ${where}: a Buffer, a string or null; got ${describe(input)}.`);
}

function timestampOf(value: unknown, where: string): number {
  const ms = typeof value === 'string' && /^\d{1,16}$/.test(value) ? Number(value) : typeof value === 'number' ? value : NaN;
  if (!Number.isSafeInteger(ms) || ms < 0) {
    throw new KafkaJSNonRetriableError(`Invalid timestamp ${JSON.stringify(value)} in ${where}: milliseconds since the epoch, as a string.`);
  }
  return ms;
}

function headersOf(headers: IHeaders, where: string): { name: string; value: Uint8Array | null }[] {
  if (typeof headers !== 'object' || Array.isArray(headers)) throw new KafkaJSNonRetriableError(`Invalid headers in ${where}: an object of name → value.`);
  const out: { name: string; value: Uint8Array | null }[] = [];
  const one = (name: string, value: unknown): void => {
    if (value === undefined || value === null) out.push({ name, value: null });
    else if (typeof value === 'string') out.push({ name, value: Buffer.from(value, 'utf8') });
    else if (value instanceof Uint8Array) out.push({ name, value });
    else throw new KafkaJSNonRetriableError(`Invalid value of header "${name}" in ${where}: a Buffer, a string or an array of them; got ${describe(value)}.`);
  };
  for (const [name, value] of Object.entries(headers)) {
    // KafkaJS 2: an array is the same header name repeated, in order.
    if (Array.isArray(value)) for (const v of value) one(name, v);
    else one(name, value);
  }
  return out;
}

function describe(value: unknown): string {
  return value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value;
}

export function toBuffer(data: Data | null): Buffer | null {
  const bytes = asBytes(data);
  return bytes === null ? null : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Repeated names become arrays, in order (KafkaJS 2); a null header value is `undefined`. */
export function toKafkaHeaders(headers: Header[]): IHeaders {
  const out: IHeaders = {};
  for (const { name, value } of headers) {
    const buffer = toBuffer(value) ?? undefined;
    if (!Object.prototype.hasOwnProperty.call(out, name)) {
      out[name] = buffer;
      continue;
    }
    const previous = out[name];
    const list = Array.isArray(previous) ? previous : previous === undefined ? [] : [previous];
    if (buffer !== undefined) list.push(buffer);
    out[name] = list;
  }
  return out;
}

export function toKafkaMessage(record: ConsumedRecord): KafkaMessage {
  return {
    key: toBuffer(record.key),
    value: toBuffer(record.value),
    timestamp: String(record.timestamp),
    attributes: 0,
    offset: String(record.offset),
    headers: toKafkaHeaders(record.headers),
  };
}

/** KafkaJS's Batch: one partition's messages of a fetch, with its lag arithmetic. */
export function kafkaBatch(topic: string, partition: number, messages: KafkaMessage[], highWatermark: number): Batch {
  const last = messages.length === 0 ? highWatermark - 1 : Number(messages[messages.length - 1]!.offset);
  return {
    topic,
    partition,
    highWatermark: String(highWatermark),
    messages,
    isEmpty: () => messages.length === 0,
    firstOffset: () => messages[0]?.offset ?? null,
    lastOffset: () => String(last),
    offsetLag: () => String(Math.max(0, highWatermark - 1 - last)),
    offsetLagLow: () => (messages.length === 0 ? '0' : String(Math.max(0, highWatermark - 1 - Number(messages[0]!.offset)))),
  };
}

/** A KafkaJS offset (a string of a 64-bit integer) as a number; Samsa offsets stay below 2^53. */
export function offsetOf(value: unknown, what: string): number {
  const n = typeof value === 'string' && /^-?\d{1,16}$/.test(value) ? Number(value) : typeof value === 'number' || typeof value === 'bigint' ? Number(value) : NaN;
  if (!Number.isSafeInteger(n)) throw new KafkaJSNonRetriableError(`Invalid ${what}, expected a long received ${String(value)}`);
  return n;
}

/**
 * Binary encoding of the records of one batch (one DynamoDB item).
 *
 * Behaviour: `decodeRecords(encodeRecords(rs))` returns records equal to `rs`,
 * in order: null stays null and is distinct from empty bytes, header order and
 * duplicate header names are kept, timestamps may be any safe integer ≥ 0 in any
 * order. `encodedSize(rs)` is exactly `encodeRecords(rs).length`, so callers can
 * split a produce request into items under DynamoDB's 400 KB cap before encoding.
 * Decoding throws MalformedBatchError on any truncated, overlong or otherwise
 * inconsistent input; every step consumes at least one byte, so it always ends.
 * Decoded keys and values are views into the input buffer (no copy).
 *
 * Cost: items are billed per started KB written and read, so per-record framing
 * is kept to 2 bytes in the common case (lengths only), like Kafka's record
 * batch v2 minus what the item already provides: no per-record offsets (a
 * record's position is its offset delta), no CRC (DynamoDB stores the item
 * durably and the SDK checks every response's CRC32), no attributes byte. Timestamp deltas and header counts are written only when a
 * batch needs them.
 *
 * Layout (varint = unsigned LEB128, at most 8 bytes, value ≤ 2^53 − 1, minimal):
 *   u8 version (1) | u8 flags | varint count | varint baseTimestamp
 *   per record:
 *     [varint timestamp − baseTimestamp]   if flags & TIMESTAMP_DELTAS
 *     varint keyLength + 1 (0 = null)      | key bytes
 *     varint valueLength + 1 (0 = null)    | value bytes
 *     [varint headerCount                  if flags & HEADERS
 *      per header: varint nameLength | UTF-8 name | varint valueLength + 1 (0 = null) | value bytes]
 * baseTimestamp is the batch's minimum, so deltas are never negative even though
 * producer timestamps are not monotonic: no zigzag bit, and no value beyond
 * 2^53 − 1 (zigzag of a delta between two safe timestamps can reach 2^54 and lose
 * precision as a double). Lengths are biased by one instead of zigzagged, so a
 * length up to 126 fits one byte (zigzag: 63).
 */

export interface StoredHeader {
  key: string;
  value: Uint8Array | null;
}

export interface StoredRecord {
  /** Milliseconds since the epoch; any safe integer ≥ 0, not necessarily increasing within a batch. */
  timestamp: number;
  key: Uint8Array | null;
  value: Uint8Array | null;
  headers: StoredHeader[];
}

export class MalformedBatchError extends Error {
  constructor(message: string) {
    super(`Malformed record batch: ${message}`);
    this.name = 'MalformedBatchError';
  }
}

const FORMAT_VERSION = 1;
const TIMESTAMP_DELTAS = 0b01;
const HEADERS = 0b10;
const KNOWN_FLAGS = TIMESTAMP_DELTAS | HEADERS;
/** ceil(53 / 7): the longest varint of a safe integer. */
const MAX_VARINT_BYTES = 8;
/** A record with neither timestamp delta nor headers still has two length varints. */
const MIN_RECORD_BYTES = 2;
/** A name length and a value length. */
const MIN_HEADER_BYTES = 2;

const utf8Encoder = new TextEncoder();
// fatal: invalid UTF-8 in a header name is corruption, not something to paper over with U+FFFD.
// ignoreBOM: a leading U+FEFF is part of the name and must survive.
const utf8Decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

export function encodedSize(records: readonly StoredRecord[]): number {
  return layoutOf(records).size;
}

export function encodeRecords(records: readonly StoredRecord[]): Uint8Array {
  const { size, flags, baseTimestamp } = layoutOf(records);
  const out = new Uint8Array(size);
  let pos = 0;
  out[pos++] = FORMAT_VERSION;
  out[pos++] = flags;
  pos = writeVarint(out, pos, records.length);
  pos = writeVarint(out, pos, baseTimestamp);
  for (const record of records) {
    if (flags & TIMESTAMP_DELTAS) pos = writeVarint(out, pos, record.timestamp - baseTimestamp);
    pos = writeNullableBytes(out, pos, record.key);
    pos = writeNullableBytes(out, pos, record.value);
    if (flags & HEADERS) {
      pos = writeVarint(out, pos, record.headers.length);
      for (const header of record.headers) {
        const nameLength = utf8Length(header.key);
        pos = writeVarint(out, pos, nameLength);
        if (utf8Encoder.encodeInto(header.key, out.subarray(pos, pos + nameLength)).written !== nameLength) {
          throw new Error(`Header name ${JSON.stringify(header.key)} did not encode to its measured UTF-8 length.`);
        }
        pos += nameLength;
        pos = writeNullableBytes(out, pos, header.value);
      }
    }
  }
  if (pos !== size) throw new Error(`Batch encoding wrote ${pos} bytes, measured ${size}.`);
  return out;
}

export function decodeRecords(bytes: Uint8Array): StoredRecord[] {
  const reader = new Reader(bytes);
  const version = reader.byte('version');
  if (version !== FORMAT_VERSION) throw new MalformedBatchError(`unknown format version ${version}.`);
  const flags = reader.byte('flags');
  if ((flags & ~KNOWN_FLAGS) !== 0) throw new MalformedBatchError(`unknown flags 0x${flags.toString(16)}.`);
  const count = reader.varint('record count');
  // Rejects an absurd count before looping over it, rather than after reading to the end.
  if (count * MIN_RECORD_BYTES > reader.remaining) {
    throw new MalformedBatchError(`record count ${count} does not fit in ${reader.remaining} remaining bytes.`);
  }
  const baseTimestamp = reader.varint('base timestamp');

  const records: StoredRecord[] = [];
  for (let i = 0; i < count; i++) {
    let timestamp = baseTimestamp;
    if (flags & TIMESTAMP_DELTAS) {
      timestamp += reader.varint('timestamp delta');
      if (timestamp > Number.MAX_SAFE_INTEGER) throw new MalformedBatchError(`record ${i} timestamp exceeds 2^53 - 1.`);
    }
    const key = reader.nullableBytes('key');
    const value = reader.nullableBytes('value');
    const headers: StoredHeader[] = [];
    if (flags & HEADERS) {
      const headerCount = reader.varint('header count');
      if (headerCount * MIN_HEADER_BYTES > reader.remaining) {
        throw new MalformedBatchError(`header count ${headerCount} does not fit in ${reader.remaining} remaining bytes.`);
      }
      for (let h = 0; h < headerCount; h++) {
        const name = reader.bytes(reader.varint('header name'), 'header name');
        let headerKey: string;
        try {
          headerKey = utf8Decoder.decode(name);
        } catch {
          throw new MalformedBatchError(`record ${i} header ${h} name is not valid UTF-8.`);
        }
        headers.push({ key: headerKey, value: reader.nullableBytes('header value') });
      }
    }
    records.push({ timestamp, key, value, headers });
  }
  if (reader.remaining !== 0) throw new MalformedBatchError(`${reader.remaining} trailing bytes after ${count} records.`);
  return records;
}

interface Layout {
  size: number;
  flags: number;
  baseTimestamp: number;
}

function layoutOf(records: readonly StoredRecord[]): Layout {
  let baseTimestamp = Number.MAX_SAFE_INTEGER;
  let maxTimestamp = 0;
  let hasHeaders = false;
  for (const record of records) {
    const ts = record.timestamp;
    if (!Number.isSafeInteger(ts) || ts < 0) {
      throw new RangeError(`Record timestamp must be a safe integer ≥ 0; got ${ts}.`);
    }
    if (ts < baseTimestamp) baseTimestamp = ts;
    if (ts > maxTimestamp) maxTimestamp = ts;
    if (record.headers.length > 0) hasHeaders = true;
  }
  if (records.length === 0) baseTimestamp = 0;
  const flags = (maxTimestamp > baseTimestamp ? TIMESTAMP_DELTAS : 0) | (hasHeaders ? HEADERS : 0);

  let size = 2 + varintSize(records.length) + varintSize(baseTimestamp);
  for (const record of records) {
    if (flags & TIMESTAMP_DELTAS) size += varintSize(record.timestamp - baseTimestamp);
    size += nullableBytesSize(record.key) + nullableBytesSize(record.value);
    if (flags & HEADERS) {
      size += varintSize(record.headers.length);
      for (const header of record.headers) {
        const nameLength = utf8Length(header.key);
        size += varintSize(nameLength) + nameLength + nullableBytesSize(header.value);
      }
    }
  }
  return { size, flags, baseTimestamp };
}

function nullableBytesSize(bytes: Uint8Array | null): number {
  return bytes === null ? 1 : varintSize(bytes.length + 1) + bytes.length;
}

function varintSize(value: number): number {
  let size = 1;
  while (value >= 0x80) {
    value = Math.floor(value / 0x80);
    size++;
  }
  return size;
}

/**
 * UTF-8 length without encoding. Rejects lone surrogates: TextEncoder would
 * silently turn them into U+FFFD and the name would not survive a round trip.
 */
function utf8Length(s: string): number {
  let length = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) length += 1;
    else if (c < 0x800) length += 2;
    else if (c >= 0xd800 && c <= 0xdbff) {
      const next = s.charCodeAt(i + 1);
      if (!(next >= 0xdc00 && next <= 0xdfff)) throw new RangeError(`Header name ${JSON.stringify(s)} has a lone surrogate.`);
      length += 4;
      i++;
    } else if (c >= 0xdc00 && c <= 0xdfff) {
      throw new RangeError(`Header name ${JSON.stringify(s)} has a lone surrogate.`);
    } else length += 3;
  }
  return length;
}

// Arithmetic rather than bit operations: JS bitwise operators truncate to 32 bits,
// and timestamps need 41+ bits.
function writeVarint(out: Uint8Array, pos: number, value: number): number {
  while (value >= 0x80) {
    out[pos++] = (value % 0x80) | 0x80;
    value = Math.floor(value / 0x80);
  }
  out[pos++] = value;
  return pos;
}

function writeNullableBytes(out: Uint8Array, pos: number, bytes: Uint8Array | null): number {
  if (bytes === null) return writeVarint(out, pos, 0);
  pos = writeVarint(out, pos, bytes.length + 1);
  out.set(bytes, pos);
  return pos + bytes.length;
}

class Reader {
  private pos = 0;

  constructor(private readonly buf: Uint8Array) {}

  get remaining(): number {
    return this.buf.length - this.pos;
  }

  byte(what: string): number {
    if (this.pos >= this.buf.length) throw new MalformedBatchError(`truncated before ${what}.`);
    return this.buf[this.pos++]!;
  }

  varint(what: string): number {
    let value = 0;
    let scale = 1;
    for (let i = 0; i < MAX_VARINT_BYTES; i++) {
      const b = this.byte(what);
      value += (b & 0x7f) * scale;
      if (b < 0x80) {
        // Only the encoder's minimal form is valid: an overlong varint means the
        // bytes did not come from encodeRecords.
        if (b === 0 && i > 0) throw new MalformedBatchError(`overlong varint in ${what}.`);
        if (value > Number.MAX_SAFE_INTEGER) throw new MalformedBatchError(`${what} exceeds 2^53 - 1.`);
        return value;
      }
      scale *= 0x80;
    }
    throw new MalformedBatchError(`varint in ${what} is longer than ${MAX_VARINT_BYTES} bytes.`);
  }

  bytes(length: number, what: string): Uint8Array {
    if (length > this.remaining) {
      throw new MalformedBatchError(`${what} of ${length} bytes but only ${this.remaining} remain.`);
    }
    const view = this.buf.subarray(this.pos, this.pos + length);
    this.pos += length;
    return view;
  }

  nullableBytes(what: string): Uint8Array | null {
    const biased = this.varint(what);
    return biased === 0 ? null : this.bytes(biased - 1, what);
  }
}

/**
 * Kafka record batches, magic 2 (the only format Produce v3+ and Fetch v4+
 * carry): decoding every batch of a produce request's `records` bytes, with
 * the CRC32C over attributes…end checked and the records decompressed, and
 * encoding fetched records as one uncompressed batch. Records inside a batch
 * are varint-framed; keys, values and header values may be null.
 */
import { crc32c } from '@node-rs/crc32';
import { decompress } from './compression';
import { KafkaDecodeError, Reader, Writer } from '../protocol/wire';

export interface KafkaHeader {
  key: string;
  value: Buffer | null;
}

export interface KafkaRecord {
  offsetDelta: number;
  timestamp: number;
  key: Buffer | null;
  value: Buffer | null;
  headers: KafkaHeader[];
}

export interface RecordBatch {
  baseOffset: bigint;
  magic: number;
  compression: number;
  logAppendTime: boolean;
  transactional: boolean;
  control: boolean;
  producerId: bigint;
  producerEpoch: number;
  baseSequence: number;
  records: KafkaRecord[];
}

/** A batch whose CRC or framing is wrong (Kafka's CORRUPT_MESSAGE). */
export class CorruptBatchError extends Error {}

const HEADER_SIZE = 61;
const CRC_FROM = 21;

/** Every batch in `data` (a produce request's records); `maxBytes` bounds each batch's decompressed size. */
export function decodeBatches(data: Buffer, maxBytes: number): RecordBatch[] {
  const batches: RecordBatch[] = [];
  let at = 0;
  while (at < data.length) {
    if (data.length - at < HEADER_SIZE) throw new CorruptBatchError(`truncated batch header at byte ${at}`);
    const size = 12 + data.readInt32BE(at + 8);
    if (size < HEADER_SIZE || at + size > data.length) throw new CorruptBatchError(`batch at byte ${at} claims ${size} bytes; ${data.length - at} remain`);
    batches.push(decodeBatch(data.subarray(at, at + size), maxBytes));
    at += size;
  }
  return batches;
}

function decodeBatch(b: Buffer, maxBytes: number): RecordBatch {
  const magic = b.readInt8(16);
  if (magic !== 2) throw new CorruptBatchError(`record batch magic ${magic}; only magic 2 (Kafka 0.11+) is supported`);
  const crc = b.readUInt32BE(17);
  if (crc32c(b.subarray(CRC_FROM)) >>> 0 !== crc) throw new CorruptBatchError('record batch CRC32C mismatch');
  const attributes = b.readInt16BE(21);
  const baseTimestamp = Number(b.readBigInt64BE(27));
  const maxTimestamp = Number(b.readBigInt64BE(35));
  const count = b.readInt32BE(57);
  const batch: RecordBatch = {
    baseOffset: b.readBigInt64BE(0),
    magic,
    compression: attributes & 0x07,
    logAppendTime: (attributes & 0x08) !== 0,
    transactional: (attributes & 0x10) !== 0,
    control: (attributes & 0x20) !== 0,
    producerId: b.readBigInt64BE(43),
    producerEpoch: b.readInt16BE(51),
    baseSequence: b.readInt32BE(53),
    records: [],
  };
  const body = decompress(batch.compression, b.subarray(HEADER_SIZE), maxBytes);
  const r = new Reader(body);
  if (count < 0 || count > body.length) throw new CorruptBatchError(`record count ${count} in ${body.length} bytes`);
  try {
    for (let i = 0; i < count; i++) {
      const length = r.varint();
      const end = r.offset + length;
      r.int8(); // record attributes: unused
      const timestampDelta = r.varlong();
      const offsetDelta = r.varint();
      const key = nullableBytes(r);
      const value = nullableBytes(r);
      const headerCount = r.varint();
      const headers: KafkaHeader[] = [];
      for (let h = 0; h < headerCount; h++) {
        const k = nullableBytes(r);
        headers.push({ key: k === null ? '' : k.toString('utf8'), value: nullableBytes(r) });
      }
      if (r.offset !== end) throw new CorruptBatchError(`record ${i} is ${length} bytes long but its fields take ${length + r.offset - end}`);
      batch.records.push({ offsetDelta, timestamp: batch.logAppendTime ? maxTimestamp : baseTimestamp + timestampDelta, key, value, headers });
    }
  } catch (err) {
    if (err instanceof KafkaDecodeError) throw new CorruptBatchError(`malformed record: ${err.message}`);
    throw err;
  }
  return batch;
}

function nullableBytes(r: Reader): Buffer | null {
  const n = r.varint();
  return n < 0 ? null : Buffer.from(r.bytes(n));
}

export interface OutRecord {
  offset: number;
  timestamp: number;
  key: Uint8Array | null;
  value: Uint8Array | null;
  headers: { key: string; value: Uint8Array | null }[];
}

/**
 * One uncompressed batch holding `records` (ascending offsets, gaps allowed).
 * `lastOffset` extends the batch past its last record, so a consumer moves on
 * over aborted offsets at the end; with no records the batch is empty and
 * only moves the consumer (as a compacted-away batch does). `producer` marks
 * the batch as an idempotent producer's (tests use it to play a client).
 */
export function encodeBatch(
  records: OutRecord[],
  baseOffset: number,
  lastOffset: number,
  producer: { id: bigint; epoch: number; baseSequence: number } = { id: -1n, epoch: -1, baseSequence: -1 },
): Buffer {
  const body = new Writer();
  const base = records[0]?.offset ?? baseOffset;
  const baseTimestamp = records[0]?.timestamp ?? -1;
  let maxTimestamp = -1;
  for (const rec of records) {
    maxTimestamp = Math.max(maxTimestamp, rec.timestamp);
    const w = new Writer();
    w.int8(0).varlong(rec.timestamp - baseTimestamp).varint(rec.offset - base);
    writeNullable(w, rec.key);
    writeNullable(w, rec.value);
    w.varint(rec.headers.length);
    for (const h of rec.headers) {
      const k = Buffer.from(h.key, 'utf8');
      w.varint(k.length).bytes(k);
      writeNullable(w, h.value);
    }
    const bytes = w.toBuffer();
    body.varint(bytes.length).bytes(bytes);
  }
  const payload = body.toBuffer();
  const out = Buffer.alloc(HEADER_SIZE + payload.length);
  out.writeBigInt64BE(BigInt(base), 0);
  out.writeInt32BE(out.length - 12, 8);
  out.writeInt32BE(0, 12); // partition leader epoch: Samsa has no leaders, so always 0
  out.writeInt8(2, 16);
  out.writeInt16BE(0, 21); // no compression, create time, not transactional
  out.writeInt32BE(Math.max(lastOffset, base) - base, 23);
  out.writeBigInt64BE(BigInt(baseTimestamp), 27);
  out.writeBigInt64BE(BigInt(maxTimestamp), 35);
  out.writeBigInt64BE(producer.id, 43);
  out.writeInt16BE(producer.epoch, 51);
  out.writeInt32BE(producer.baseSequence, 53);
  out.writeInt32BE(records.length, 57);
  payload.copy(out, HEADER_SIZE);
  out.writeUInt32BE(crc32c(out.subarray(CRC_FROM)) >>> 0, 17);
  return out;
}

function writeNullable(w: Writer, b: Uint8Array | null): void {
  if (b === null) w.varint(-1);
  else w.varint(b.length).bytes(b);
}

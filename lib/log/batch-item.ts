/**
 * The batch item: one item per produce batch per partition, at its
 * reservation's seq. Records are encoded compactly (batch-codec), prefixed by
 * one type byte per record, and compressed with the topic's codec. A payload
 * larger than one DynamoDB item (400 KB) is split into chunk items and the
 * batch item becomes their manifest: the batch is visible only once the
 * manifest is written, so it appears all at once or not at all.
 *
 * Attributes: o baseOffset, n count, ra reservedAt, at append time, mt max
 * timestamp, c codec id, r payload (or ch = chunk count), w writer nonce,
 * ttl. Abort markers: o, ab = 1, ra, ttl.
 */
import type { CompressionType } from '../topics/configs';
import { chunkKeys } from '../storage/keys';
import { decodeRecords, encodeRecords, type StoredRecord } from './batch-codec';
import { codecFromId, codecId, compress, decompress } from './compression';

/** Payload bytes kept inline; the rest of the item (keys, numbers, nonce) stays far below 400 KB − this. */
export const MAX_INLINE_PAYLOAD = 380_000;
/** TTL margin past retention: TTL deletes lazily and out of order, so items outlive the log start by a day. */
export const TTL_MARGIN_MS = 24 * 3600 * 1000;

export interface TypedRecord extends StoredRecord {
  keyType: number;
  valueType: number;
}

export interface BatchItem {
  pk: string;
  sk: number;
  o: number;
  n: number;
  ra: number;
  at: number;
  mt: number;
  c: number;
  r?: Uint8Array;
  ch?: number;
  w: string;
  ttl?: number;
}

export interface MarkerItem {
  pk: string;
  sk: number;
  o: number;
  ab: 1;
  ra: number;
  ttl?: number;
}

export interface ChunkItem {
  pk: string;
  sk: number;
  d: Uint8Array;
  ttl?: number;
}

export function ttlFor(appendTime: number, retentionMs: number): number | undefined {
  return retentionMs < 0 ? undefined : Math.ceil((appendTime + retentionMs + TTL_MARGIN_MS) / 1000);
}

export function encodePayload(records: readonly TypedRecord[], compression: CompressionType): Uint8Array {
  const body = encodeRecords(records);
  const payload = new Uint8Array(records.length + body.length);
  records.forEach((r, i) => (payload[i] = (r.keyType << 2) | r.valueType));
  payload.set(body, records.length);
  return compress(compression, payload);
}

export function decodePayload(payload: Uint8Array, codec: number, count: number, maxBytes: number): TypedRecord[] {
  const raw = decompress(codecFromId(codec), payload, maxBytes);
  const records = decodeRecords(raw.subarray(count));
  if (records.length !== count) throw new Error(`batch holds ${records.length} records, expected ${count}`);
  return records.map((r, i) => {
    const t = raw[i] ?? 0;
    return { ...r, keyType: (t >> 2) & 3, valueType: t & 3 };
  });
}

export interface BuiltBatch {
  item: BatchItem;
  chunks: ChunkItem[];
}

export function buildBatch(args: {
  pk: string;
  seq: number;
  baseOffset: number;
  reservedAt: number;
  appendTime: number;
  records: readonly TypedRecord[];
  compression: CompressionType;
  retentionMs: number;
  nonce: string;
}): BuiltBatch {
  const payload = encodePayload(args.records, args.compression);
  const ttl = ttlFor(args.appendTime, args.retentionMs);
  const item: BatchItem = {
    pk: args.pk,
    sk: args.seq,
    o: args.baseOffset,
    n: args.records.length,
    ra: args.reservedAt,
    at: args.appendTime,
    mt: Math.max(...args.records.map((r) => r.timestamp)),
    c: codecId(args.compression),
    w: args.nonce,
  };
  if (ttl !== undefined) item.ttl = ttl;
  if (payload.length <= MAX_INLINE_PAYLOAD) return { item: { ...item, r: payload }, chunks: [] };
  const chunks: ChunkItem[] = [];
  for (let i = 0, start = 0; start < payload.length; i++, start += MAX_INLINE_PAYLOAD) {
    const chunk: ChunkItem = { ...chunkKeys.chunk(args.pk, args.seq, i), d: payload.subarray(start, start + MAX_INLINE_PAYLOAD) };
    if (ttl !== undefined) chunk.ttl = ttl;
    chunks.push(chunk);
  }
  return { item: { ...item, ch: chunks.length }, chunks };
}

export function markerItem(pk: string, seq: number, offset: number, now: number, retentionMs: number): MarkerItem {
  const marker: MarkerItem = { pk, sk: seq, o: offset, ab: 1, ra: now };
  const ttl = ttlFor(now, retentionMs);
  if (ttl !== undefined) marker.ttl = ttl;
  return marker;
}

/**
 * Decompression of produced record batches (attributes bits 0-2): gzip
 * through node:zlib, snappy (raw, or xerial-framed as the Java client writes
 * it) through snappyjs, lz4 frames through lz4js, zstd through fzstd — all
 * pure JavaScript, so nothing native is built. The gateway never compresses:
 * fetched batches go out uncompressed (Samsa stores records compressed with
 * the topic's own compression.type), which every client accepts.
 * Every codec refuses output past `maxBytes` (decompression bombs).
 */
import { createRequire } from 'node:module';
import { gunzipSync } from 'node:zlib';
import { decompress as zstdDecompress } from 'fzstd';

const require = createRequire(import.meta.url);
const snappy = require('snappyjs') as { uncompress(data: Uint8Array, maxLength?: number): Uint8Array };
const lz4 = require('lz4js') as { decompress(src: Uint8Array, maxSize?: number): Uint8Array; decompressBound(src: Uint8Array): number };

export const CODECS = ['none', 'gzip', 'snappy', 'lz4', 'zstd'] as const;
export type Codec = (typeof CODECS)[number];

export class UnsupportedCodecError extends Error {}

const XERIAL_MAGIC = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00]);

export function decompress(codecId: number, data: Buffer, maxBytes: number): Buffer {
  const codec = CODECS[codecId];
  let out: Uint8Array;
  switch (codec) {
    case 'none':
      return data;
    case 'gzip':
      out = gunzipSync(data, { maxOutputLength: maxBytes });
      break;
    case 'snappy':
      out = unsnappy(data, maxBytes);
      break;
    case 'lz4': {
      const bound = lz4.decompressBound(data);
      if (bound > maxBytes) throw new RangeError(`lz4 batch would decompress to ${bound} bytes (limit ${maxBytes})`);
      out = lz4.decompress(data, bound);
      break;
    }
    case 'zstd':
      out = zstdDecompress(data);
      break;
    default:
      throw new UnsupportedCodecError(`unknown compression codec ${codecId}`);
  }
  if (out.length > maxBytes) throw new RangeError(`batch decompresses to ${out.length} bytes (limit ${maxBytes})`);
  return Buffer.from(out.buffer, out.byteOffset, out.byteLength);
}

/** Raw snappy, or the xerial framing (magic, version, compat, then length-prefixed raw blocks). */
function unsnappy(data: Buffer, maxBytes: number): Uint8Array {
  if (data.length < 16 || !data.subarray(0, 8).equals(XERIAL_MAGIC)) return snappy.uncompress(data, maxBytes);
  const parts: Uint8Array[] = [];
  let total = 0;
  for (let at = 16; at < data.length; ) {
    const size = data.readInt32BE(at);
    const block = snappy.uncompress(data.subarray(at + 4, at + 4 + size), maxBytes - total);
    total += block.length;
    parts.push(block);
    at += 4 + size;
  }
  return Buffer.concat(parts);
}

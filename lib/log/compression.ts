/**
 * Batch payload compression for the topic config `compression.type`.
 *
 * Behaviour: `decompress(type, compress(type, b), max)` returns `b` for every
 * codec whenever `b.length <= max`. `decompress` never allocates more than
 * `maxOutputBytes` of output, whatever the input claims, and throws
 * CompressionError with reason 'too-large' past that bound (decompression bombs)
 * or 'corrupt' for input the codec rejects. gzip and deflate carry a checksum
 * (CRC-32, Adler-32), so corruption is detected; brotli has none and relies on
 * DynamoDB's own integrity plus the strict batch decoder behind it.
 *
 * A stored batch records its codec as a one-byte id (`codecId`), because a
 * topic's compression.type can change while older batches stay readable.
 * Ids are part of the storage format: never renumber them.
 *
 * Cost: items are billed per started KB, so compression is how a batch of JSON
 * records gets cheaper; CPU stays small (sub-millisecond per 10–25 KB batch).
 */
import { constants as bufferConstants } from 'node:buffer';
import * as zlib from 'node:zlib';
import type { CompressionType } from '../topics/configs';

export type CompressionErrorReason = 'corrupt' | 'too-large' | 'unknown-codec';

export class CompressionError extends Error {
  readonly reason: CompressionErrorReason;

  constructor(reason: CompressionErrorReason, message: string, options: { cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'CompressionError';
    this.reason = reason;
  }
}

const CODEC_IDS = { none: 0, gzip: 1, deflate: 2, brotli: 3 } as const satisfies Record<CompressionType, number>;
const CODECS_BY_ID: readonly CompressionType[] = ['none', 'gzip', 'deflate', 'brotli'];

/**
 * Brotli quality 5, measured on 50 and 100 JSON order records (~225 B each,
 * 11.0 KB and 22.9 KB) on this machine class:
 *   q4  ratio 5.48 / 5.74,   ~80 / 150 µs
 *   q5  ratio 5.73 / 6.08,  ~140 / 270 µs
 *   q6  ratio 5.75 / 6.14,  ~135 / 300 µs
 *   q11 ratio 6.36 / 7.12, ~10 / 21 ms
 *   (gzip level 6: 5.38 / 5.80, ~65 / 150 µs)
 * q5 is the knee of the curve. q11 is 70× slower, and at these sizes its
 * smaller output rounds up to the same number of started KB (2 KB and 4 KB
 * items either way), so it would buy Lambda milliseconds, not fewer write units.
 */
const BROTLI_QUALITY = 5;

export function codecId(type: CompressionType): number {
  return CODEC_IDS[type];
}

export function codecFromId(id: number): CompressionType {
  const type = Number.isInteger(id) ? CODECS_BY_ID[id] : undefined;
  if (type === undefined) throw new CompressionError('unknown-codec', `Unknown compression codec id ${id}.`);
  return type;
}

export function compress(type: CompressionType, bytes: Uint8Array): Uint8Array {
  switch (type) {
    case 'none':
      return bytes;
    case 'gzip':
      return asUint8Array(zlib.gzipSync(bytes));
    case 'deflate':
      // The zlib wrapper, not raw deflate: its 6 bytes buy an Adler-32 check on decode.
      return asUint8Array(zlib.deflateSync(bytes));
    case 'brotli':
      return asUint8Array(
        zlib.brotliCompressSync(bytes, {
          params: {
            [zlib.constants.BROTLI_PARAM_QUALITY]: BROTLI_QUALITY,
            [zlib.constants.BROTLI_PARAM_SIZE_HINT]: bytes.length,
          },
        }),
      );
  }
}

export function decompress(type: CompressionType, bytes: Uint8Array, maxOutputBytes: number): Uint8Array {
  if (!Number.isSafeInteger(maxOutputBytes) || maxOutputBytes < 0) {
    throw new RangeError(`maxOutputBytes must be a non-negative integer; got ${maxOutputBytes}.`);
  }
  if (type === 'none') {
    if (bytes.length > maxOutputBytes) throw tooLarge(type, maxOutputBytes);
    return bytes;
  }
  // zlib only accepts 1..buffer.constants.MAX_LENGTH; a bound of 0 is enforced on the
  // (at most 1-byte) result below, and no Buffer can exceed the upper clamp anyway.
  const options = { maxOutputLength: Math.min(Math.max(1, maxOutputBytes), bufferConstants.MAX_LENGTH) };
  let out: Buffer;
  try {
    switch (type) {
      case 'gzip':
        out = zlib.gunzipSync(bytes, options);
        break;
      case 'deflate':
        out = zlib.inflateSync(bytes, options);
        break;
      case 'brotli':
        out = zlib.brotliDecompressSync(bytes, options);
        break;
    }
  } catch (err) {
    // Node reports the output cap as ERR_BUFFER_TOO_LARGE (a RangeError); anything else is bad input.
    if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') throw tooLarge(type, maxOutputBytes, err);
    throw new CompressionError('corrupt', `Corrupt ${type} data: ${(err as Error).message}`, { cause: err });
  }
  if (out.length > maxOutputBytes) throw tooLarge(type, maxOutputBytes);
  return asUint8Array(out);
}

function tooLarge(type: CompressionType, maxOutputBytes: number, cause?: unknown): CompressionError {
  return new CompressionError('too-large', `Decompressed ${type} data exceeds ${maxOutputBytes} bytes.`, { cause });
}

/** A plain Uint8Array view of a Buffer (no copy), so callers and equality checks never see Buffer's extra surface. */
function asUint8Array(buffer: Buffer): Uint8Array {
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.length);
}

import { describe, expect, it } from 'vitest';
import { encodeRecords, type StoredRecord } from '../../lib/log/batch-codec';
import { codecFromId, codecId, compress, CompressionError, decompress } from '../../lib/log/compression';
import { COMPRESSION_TYPES } from '../../lib/topics/configs';

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);
const COMPRESSED_TYPES = COMPRESSION_TYPES.filter((t) => t !== 'none');

function mulberry32(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** 100 order events of ~150–300 B of JSON each, encoded as one stored batch: what a produce request typically carries. */
function orderBatch(): { batch: Uint8Array; records: number; jsonBytes: number } {
  const random = mulberry32(2024);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
  const skus = ['SKU-RED-S', 'SKU-RED-M', 'SKU-BLU-L', 'SKU-GRN-XL', 'SKU-BLK-M', 'SKU-WHT-S'];
  const names = ['Ada Lovelace', 'Grace Hopper', 'Alan Turing', 'Edsger Dijkstra', 'Barbara Liskov'];
  const records: StoredRecord[] = [];
  let jsonBytes = 0;
  for (let i = 0; i < 100; i++) {
    const items = Array.from({ length: 1 + Math.floor(random() * 3) }, () => ({
      sku: pick(skus),
      qty: 1 + Math.floor(random() * 4),
      price: Math.round(random() * 10_000) / 100,
    }));
    const value = utf8(
      JSON.stringify({
        orderId: `ord-${(100_000 + i).toString(36)}-${Math.floor(random() * 1e9).toString(16)}`,
        customer: { id: Math.floor(random() * 100_000), name: pick(names) },
        items,
        total: Math.round(items.reduce((sum, it) => sum + it.qty * it.price, 0) * 100) / 100,
        createdAt: new Date(1_764_000_000_000 + i * 1_234).toISOString(),
      }),
    );
    jsonBytes += value.length;
    records.push({ timestamp: 1_764_000_000_000 + i, key: utf8(`customer-${i % 17}`), value, headers: [] });
  }
  return { batch: encodeRecords(records), records: records.length, jsonBytes };
}

function expectCompressionError(fn: () => unknown, reason: CompressionError['reason']): void {
  let thrown: unknown;
  try {
    fn();
  } catch (err) {
    thrown = err;
  }
  expect(thrown).toBeInstanceOf(CompressionError);
  expect((thrown as CompressionError).reason).toBe(reason);
}

describe('compress / decompress round trips', () => {
  const random = mulberry32(1);
  const incompressible = Uint8Array.from({ length: 64 * 1024 }, () => Math.floor(random() * 256));
  const inputs: Array<[string, Uint8Array]> = [
    ['empty', new Uint8Array(0)],
    ['one byte', Uint8Array.of(7)],
    ['a JSON batch', orderBatch().batch],
    ['64 KB of random bytes', incompressible],
  ];

  for (const type of COMPRESSION_TYPES) {
    it.each(inputs)(`${type}: round trips %s`, (_, input) => {
      const compressed = compress(type, input);
      const restored = decompress(type, compressed, input.length);
      expect(restored).toBeInstanceOf(Uint8Array);
      expect(Buffer.from(restored).equals(Buffer.from(input))).toBe(true);
    });
  }

  it('returns the input unchanged for none', () => {
    const input = utf8('as is');
    expect(compress('none', input)).toBe(input);
    expect(decompress('none', input, 100)).toBe(input);
  });
});

describe('compression ratio on typical JSON records', () => {
  const { batch, records, jsonBytes } = orderBatch();
  const ratios = new Map(COMPRESSED_TYPES.map((type) => [type, batch.length / compress(type, batch).length]));
  const summary = [...ratios].map(([type, ratio]) => `${type} ${ratio.toFixed(2)}×`).join(', ');

  it(`compresses ${records} order records (${jsonBytes} B JSON, ${batch.length} B batch) at least 3× with each codec: ${summary}`, () => {
    expect(jsonBytes / records).toBeGreaterThanOrEqual(150);
    expect(jsonBytes / records).toBeLessThanOrEqual(300);
    for (const [type, ratio] of ratios) expect(ratio, type).toBeGreaterThanOrEqual(3);
  });
});

describe('decompress rejects corrupt input', () => {
  const { batch } = orderBatch();

  it.each(COMPRESSED_TYPES)('%s: throws corrupt on bytes that are not its format', (type) => {
    expectCompressionError(() => decompress(type, utf8('definitely not compressed data'), 1_000_000), 'corrupt');
  });

  it.each(COMPRESSED_TYPES)('%s: throws corrupt on truncated data', (type) => {
    const compressed = compress(type, batch);
    expectCompressionError(() => decompress(type, compressed.subarray(0, compressed.length - 1), 1_000_000), 'corrupt');
    expectCompressionError(() => decompress(type, compressed.subarray(0, compressed.length >> 1), 1_000_000), 'corrupt');
  });

  it.each(['gzip', 'deflate'] as const)('%s: its checksum catches a flipped bit in the payload', (type) => {
    const compressed = compress(type, batch).slice();
    compressed[compressed.length >> 1]! ^= 0x10;
    expectCompressionError(() => decompress(type, compressed, 1_000_000), 'corrupt');
  });

  it('keeps the zlib error as the cause', () => {
    try {
      decompress('gzip', utf8('nope'), 100);
      expect.unreachable();
    } catch (err) {
      expect((err as Error).cause).toBeInstanceOf(Error);
    }
  });
});

describe('decompress caps its output', () => {
  const input = orderBatch().batch;

  it.each(COMPRESSION_TYPES)('%s: throws too-large one byte past the limit, succeeds at it', (type) => {
    const compressed = compress(type, input);
    expectCompressionError(() => decompress(type, compressed, input.length - 1), 'too-large');
    expect(decompress(type, compressed, input.length)).toHaveLength(input.length);
  });

  it.each(COMPRESSED_TYPES)('%s: stops a decompression bomb at the limit', (type) => {
    const bomb = compress(type, new Uint8Array(32 * 1024 * 1024));
    expect(bomb.length).toBeLessThan(64 * 1024);
    expectCompressionError(() => decompress(type, bomb, 1024 * 1024), 'too-large');
  });

  it.each(COMPRESSION_TYPES)('%s: honours a limit of 0', (type) => {
    expect(decompress(type, compress(type, new Uint8Array(0)), 0)).toHaveLength(0);
    expectCompressionError(() => decompress(type, compress(type, Uint8Array.of(1)), 0), 'too-large');
  });

  it('rejects a limit that is not a non-negative integer', () => {
    expect(() => decompress('gzip', new Uint8Array(0), -1)).toThrow(RangeError);
    expect(() => decompress('gzip', new Uint8Array(0), 1.5)).toThrow(RangeError);
  });
});

describe('codec ids', () => {
  it('keeps the stored ids fixed, one byte each', () => {
    // Part of the storage format: batches written today must decode after any refactor.
    expect(COMPRESSION_TYPES.map((t) => [t, codecId(t)])).toEqual([
      ['none', 0],
      ['gzip', 1],
      ['deflate', 2],
      ['brotli', 3],
    ]);
  });

  it.each(COMPRESSION_TYPES)('maps %s to an id and back', (type) => {
    expect(codecFromId(codecId(type))).toBe(type);
  });

  it.each([4, 255, -1, 1.5, Number.NaN])('throws unknown-codec for id %s', (id) => {
    expectCompressionError(() => codecFromId(id), 'unknown-codec');
  });
});

import { describe, expect, it } from 'vitest';
import {
  decodeRecords,
  encodedSize,
  encodeRecords,
  MalformedBatchError,
  type StoredRecord,
} from '../../lib/log/batch-codec';

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);
const NOW = 1_764_000_000_000;

function record(overrides: Partial<StoredRecord> = {}): StoredRecord {
  return { timestamp: NOW, key: utf8('k'), value: utf8('v'), headers: [], ...overrides };
}

/** Compares bytes as base64 so a view into the encoded buffer equals a fresh Uint8Array, and megabytes compare fast. */
function normalise(records: StoredRecord[]): unknown {
  const bytes = (b: Uint8Array | null) => (b === null ? null : Buffer.from(b.buffer, b.byteOffset, b.length).toString('base64'));
  return records.map((r) => ({
    timestamp: r.timestamp,
    key: bytes(r.key),
    value: bytes(r.value),
    headers: r.headers.map((h) => ({ key: h.key, value: bytes(h.value) })),
  }));
}

function roundTrip(records: StoredRecord[]): StoredRecord[] {
  const encoded = encodeRecords(records);
  expect(encoded.length).toBe(encodedSize(records));
  const decoded = decodeRecords(encoded);
  expect(normalise(decoded)).toEqual(normalise(records));
  return decoded;
}

/** Deterministic PRNG so fuzz failures reproduce. */
function mulberry32(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('batch codec round trips', () => {
  it('keeps null distinct from empty bytes for keys and values', () => {
    const decoded = roundTrip([
      record({ key: null, value: null }),
      record({ key: new Uint8Array(0), value: new Uint8Array(0) }),
      record({ key: null, value: new Uint8Array(0) }),
      record({ key: new Uint8Array(0), value: null }),
    ]);
    expect(decoded[0]!.key).toBeNull();
    expect(decoded[0]!.value).toBeNull();
    expect(decoded[1]!.key).toEqual(new Uint8Array(0));
    expect(decoded[1]!.value).toEqual(new Uint8Array(0));
  });

  it('round trips an empty batch', () => {
    expect(decodeRecords(encodeRecords([]))).toEqual([]);
  });

  it('keeps headers in order, with duplicate names, null values and non-ASCII names', () => {
    roundTrip([
      record({
        headers: [
          { key: 'trace-id', value: utf8('abc') },
          { key: 'trace-id', value: utf8('def') },
          { key: 'empty', value: new Uint8Array(0) },
          { key: 'nothing', value: null },
          { key: '', value: utf8('unnamed') },
          { key: 'ключ', value: utf8('значение') },
          { key: '日本', value: null },
          { key: '🔑 emoji', value: Uint8Array.of(0, 255, 128) },
          { key: '\uFEFFbom-first', value: null },
        ],
      }),
      record({ headers: [] }),
      record({ headers: [{ key: 'only', value: null }] }),
    ]);
  });

  it('keeps timestamps 0 and 2^53 - 1, in either order, within one batch', () => {
    const max = Number.MAX_SAFE_INTEGER;
    roundTrip([record({ timestamp: 0 }), record({ timestamp: max }), record({ timestamp: 0 })]);
    roundTrip([record({ timestamp: max }), record({ timestamp: 0 })]);
    roundTrip([record({ timestamp: max }), record({ timestamp: max })]);
    roundTrip([record({ timestamp: 0 })]);
  });

  it('keeps decreasing and jumping producer timestamps', () => {
    roundTrip([
      record({ timestamp: NOW }),
      record({ timestamp: NOW - 1 }),
      record({ timestamp: NOW - 86_400_000 }),
      record({ timestamp: NOW + 3_600_000 }),
      record({ timestamp: 2 ** 31 }),
      record({ timestamp: 2 ** 31 - 1 }),
      record({ timestamp: 2 ** 32 + 1 }),
    ]);
  });

  it('round trips 10,000 records with mixed shapes', () => {
    const random = mulberry32(42);
    const records: StoredRecord[] = [];
    for (let i = 0; i < 10_000; i++) {
      const value = new Uint8Array(Math.floor(random() * 300));
      for (let j = 0; j < value.length; j++) value[j] = Math.floor(random() * 256);
      records.push({
        timestamp: NOW + Math.floor(random() * 20_000) - 10_000,
        key: i % 7 === 0 ? null : utf8(`key-${i}`),
        value: i % 11 === 0 ? null : value,
        headers: i % 5 === 0 ? [{ key: `h${i % 3}`, value: i % 2 ? null : utf8(String(i)) }] : [],
      });
    }
    const started = performance.now();
    const decoded = decodeRecords(encodeRecords(records));
    // Generous bound: it only catches quadratic behaviour (measured 4–20 ms here).
    expect(performance.now() - started).toBeLessThan(1_000);
    expect(normalise(decoded)).toEqual(normalise(records));
  });

  it('round trips a single 1 MB value and a single 4 MB value', () => {
    for (const size of [1024 * 1024, 4 * 1024 * 1024]) {
      const value = new Uint8Array(size);
      for (let i = 0; i < size; i += 4093) value[i] = i % 251;
      const decoded = roundTrip([record({ value })]);
      expect(decoded[0]!.value!.length).toBe(size);
    }
  });
});

describe('batch codec size', () => {
  // Kafka's record batch v2 spends ~7+ bytes of framing per record (length, attributes,
  // timestamp delta, offset delta, key/value lengths, header count) plus a 61-byte header.
  const keyOf = (i: number) => utf8(`order-${String(i).padStart(4, '0')}`); // 10 bytes
  const payload = 100 * (100 + 10);
  const records = (timestampOf: (i: number) => number): StoredRecord[] =>
    Array.from({ length: 100 }, (_, i) => ({
      timestamp: timestampOf(i),
      key: keyOf(i),
      value: new Uint8Array(100).fill(i),
      headers: [],
    }));

  const sameTimestamp = encodeRecords(records(() => NOW)).length;
  const spreadTimestamps = encodeRecords(records((i) => NOW + ((i * 37) % 120))).length;
  const perRecord = (size: number) => ((size - payload) / 100).toFixed(2);

  it(`frames 100 records of 10 B key + 100 B value sharing one timestamp in ${sameTimestamp} B (${perRecord(sameTimestamp)} B/record overhead incl. batch header)`, () => {
    expect(keyOf(0).length).toBe(10);
    expect(sameTimestamp).toBeLessThanOrEqual(payload + 100 * 6);
  });

  it(`frames them with timestamps spread over 120 ms in ${spreadTimestamps} B (${perRecord(spreadTimestamps)} B/record overhead incl. batch header)`, () => {
    expect(spreadTimestamps).toBeLessThanOrEqual(payload + 100 * 6);
  });
});

describe('batch codec rejects what it cannot encode exactly', () => {
  it.each([-1, 1.5, Number.MAX_SAFE_INTEGER + 1, Number.NaN, Number.POSITIVE_INFINITY])(
    'rejects timestamp %s',
    (timestamp) => {
      expect(() => encodeRecords([record({ timestamp })])).toThrow(RangeError);
      expect(() => encodedSize([record({ timestamp })])).toThrow(RangeError);
    },
  );

  it('rejects a header name with a lone surrogate, which UTF-8 cannot carry', () => {
    expect(() => encodeRecords([record({ headers: [{ key: 'a\uD800b', value: null }] })])).toThrow(RangeError);
    expect(() => encodeRecords([record({ headers: [{ key: '\uDC00', value: null }] })])).toThrow(RangeError);
  });
});

describe('batch codec rejects malformed input', () => {
  const small = encodeRecords([
    record({ timestamp: NOW, key: utf8('a'), value: utf8('hello'), headers: [{ key: 'h', value: utf8('x') }] }),
    record({ timestamp: NOW - 5, key: null, value: null, headers: [{ key: 'ключ', value: null }] }),
    record({ timestamp: NOW + 300, key: new Uint8Array(0), value: new Uint8Array(200), headers: [] }),
  ]);

  it('throws MalformedBatchError when truncated at every byte position', () => {
    for (let length = 0; length < small.length; length++) {
      expect(() => decodeRecords(small.subarray(0, length)), `truncated to ${length} bytes`).toThrow(
        MalformedBatchError,
      );
    }
    expect(decodeRecords(small)).toHaveLength(3);
  });

  it('throws on trailing bytes', () => {
    const padded = new Uint8Array(small.length + 1);
    padded.set(small);
    expect(() => decodeRecords(padded)).toThrow(MalformedBatchError);
  });

  it('throws on an unknown version or unknown flags', () => {
    const badVersion = small.slice();
    badVersion[0] = 2;
    expect(() => decodeRecords(badVersion)).toThrow(/version/);
    const badFlags = small.slice();
    badFlags[1] = 0x80 | badFlags[1]!;
    expect(() => decodeRecords(badFlags)).toThrow(/flags/);
  });

  it('throws on a record count that cannot fit, without looping over it', () => {
    // version 1, flags 0, count 2^53 - 1 (8-byte varint), base timestamp 0.
    const huge = Uint8Array.of(1, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x0f, 0);
    expect(() => decodeRecords(huge)).toThrow(/record count/);
  });

  it('throws on varints that are overlong, too long, or beyond 2^53 - 1', () => {
    expect(() => decodeRecords(Uint8Array.of(1, 0, 0x80, 0x00, 0))).toThrow(/overlong/);
    expect(() => decodeRecords(Uint8Array.of(1, 0, 0, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01))).toThrow(
      /longer than 8 bytes/,
    );
    // 2^53 as a base timestamp.
    expect(() => decodeRecords(Uint8Array.of(1, 0, 0, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x10))).toThrow(
      /exceeds/,
    );
  });

  it('throws when base timestamp plus delta exceeds 2^53 - 1', () => {
    const max = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x0f];
    // version 1, flags TIMESTAMP_DELTAS, count 1, base 2^53 - 1, delta 1, key null, value null.
    expect(() => decodeRecords(Uint8Array.of(1, 1, 1, ...max, 1, 0, 0))).toThrow(/timestamp/);
  });

  it('throws on a header name that is not valid UTF-8', () => {
    // version 1, flags HEADERS, count 1, base 0, key null, value null, 1 header, name [0xff], value null.
    expect(() => decodeRecords(Uint8Array.of(1, 2, 1, 0, 0, 0, 1, 1, 0xff, 0))).toThrow(/UTF-8/);
  });

  it('never hangs or returns past the input on random bytes or bit flips', () => {
    const random = mulberry32(7);
    const outcomes = { decoded: 0, rejected: 0 };
    const attempt = (bytes: Uint8Array) => {
      try {
        decodeRecords(bytes);
        outcomes.decoded++;
      } catch (err) {
        expect(err).toBeInstanceOf(MalformedBatchError);
        outcomes.rejected++;
      }
    };
    for (let i = 0; i < 2_000; i++) {
      const noise = new Uint8Array(1 + Math.floor(random() * 64));
      for (let j = 0; j < noise.length; j++) noise[j] = Math.floor(random() * 256);
      noise[0] = 1;
      attempt(noise);
      const flipped = small.slice();
      flipped[Math.floor(random() * flipped.length)]! ^= 1 << Math.floor(random() * 8);
      attempt(flipped);
    }
    expect(outcomes.rejected).toBeGreaterThan(0);
  });
});

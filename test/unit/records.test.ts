/**
 * Wire data ↔ stored bytes (lib/protocol/records.ts): what produce refuses
 * (unpaired surrogates, JSON nested past MAX_JSON_NESTING) and how fetch
 * renders bytes it cannot give back as their stored type (BINARY with
 * `fallback`, never a throw).
 */
import { describe, expect, it } from 'vitest';
import { SamsaError } from '../../lib/errors';
import { checkWellFormed, fromBytes, headerFromBytes, MAX_JSON_NESTING, nestsDeeperThan, toBytes } from '../../lib/protocol/records';

const utf8 = new TextEncoder();
const deepText = (levels: number) => '['.repeat(levels) + ']'.repeat(levels);
const deepArray = (levels: number) => JSON.parse(deepText(levels)) as unknown;
/** `{"a":{"a":…{"a":1}…}}` with `levels` objects. */
const deepObjectText = (levels: number) => '{"a":'.repeat(levels) + '1' + '}'.repeat(levels);

function refusal(fn: () => unknown): SamsaError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(SamsaError);
    return err as SamsaError;
  }
  throw new Error('expected a refusal');
}

describe('nestsDeeperThan', () => {
  it('counts arrays and objects, not scalars, and stops exactly at the limit', () => {
    expect(nestsDeeperThan(5, 0)).toBe(false);
    expect(nestsDeeperThan('x', 0)).toBe(false);
    expect(nestsDeeperThan(null, 0)).toBe(false);
    expect(nestsDeeperThan([], 0)).toBe(true);
    expect(nestsDeeperThan([], 1)).toBe(false);
    expect(nestsDeeperThan({ a: [1, { b: 2 }] }, 3)).toBe(false);
    expect(nestsDeeperThan({ a: [1, { b: 2 }] }, 2)).toBe(true);
    expect(nestsDeeperThan(deepArray(100), 100)).toBe(false);
    expect(nestsDeeperThan(deepArray(101), 100)).toBe(true);
  });

  it('finds the deep path among wide shallow ones, in arrays and objects', () => {
    const wide = { shallow: Array.from({ length: 1000 }, () => ({ x: 1 })), deep: JSON.parse(deepObjectText(150)) };
    expect(nestsDeeperThan(wide, 100)).toBe(true);
    expect(nestsDeeperThan([1, 2, deepArray(120), 3], 100)).toBe(true);
  });

  it('sees an own __proto__ key that JSON.parse creates', () => {
    const value = JSON.parse(`{"__proto__": ${deepText(200)}}`) as unknown;
    expect(nestsDeeperThan(value, 100)).toBe(true);
  });

  it('never overflows the stack, whatever the depth (a recursive walk fails here)', () => {
    // Checked against a recursive implementation: it throws RangeError at these depths.
    expect(nestsDeeperThan(deepArray(1_000_000), 100)).toBe(true);
    expect(nestsDeeperThan(JSON.parse(deepObjectText(200_000)), 100)).toBe(true);
  });
});

describe('toBytes (produce)', () => {
  it('accepts JSON nested exactly MAX_JSON_NESTING deep and stores its JSON text', () => {
    expect(MAX_JSON_NESTING).toBe(100);
    expect(new TextDecoder().decode(toBytes({ type: 'JSON', data: deepArray(100) }, 'v'))).toBe(deepText(100));
  });

  it.each([101, 4_110, 4_200, 100_000])('refuses JSON nested %i deep with INVALID_RECORD naming the limit', (levels) => {
    const err = refusal(() => toBytes({ type: 'JSON', data: deepArray(levels) }, 'records[0].value'));
    expect(err.code).toBe('INVALID_RECORD');
    expect(err.status).toBe(400);
    expect(err.message).toContain('records[0].value');
    expect(err.message).toContain('100');
    expect(err.details).toEqual({ limit: 100 });
  });

  it('refuses STRING data with an unpaired surrogate and keeps paired ones', () => {
    for (const bad of ['a\ud800b', '\udc00', 'x\ud83d', '\ude00\ud83d']) {
      const err = refusal(() => toBytes({ type: 'STRING', data: bad }, 'records[0].key'));
      expect(err.code).toBe('INVALID_RECORD');
      expect(err.message).toMatch(/records\[0\]\.key.*unpaired/);
    }
    const emoji = 'a\ud83d\ude00b';
    expect(new TextDecoder().decode(toBytes({ type: 'STRING', data: emoji }, 'v'))).toBe(emoji);
  });

  it('stores a JSON string with an unpaired surrogate as an escape, which round-trips exactly', () => {
    const bytes = toBytes({ type: 'JSON', data: { k: 'a\ud800b' } }, 'v');
    expect(fromBytes(bytes, 'JSON', false)).toEqual({ type: 'JSON', data: { k: 'a\ud800b' } });
  });

  it('checkWellFormed names the field and the index', () => {
    expect(() => checkWellFormed('ok \ud83d\ude00', 'h')).not.toThrow();
    expect(refusal(() => checkWellFormed('abc\udfff', 'records[2].headers[0].name')).message).toContain('records[2].headers[0].name holds an unpaired UTF-16 surrogate at index 3');
  });
});

describe('fromBytes (fetch) never throws on stored bytes', () => {
  const base64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64');

  it('renders JSON up to the limit as JSON', () => {
    expect(fromBytes(utf8.encode(deepText(100)), 'JSON', false)).toEqual({ type: 'JSON', data: deepArray(100) });
  });

  it.each([
    ['JSON nested past the limit', 'JSON', utf8.encode(deepText(101)), 'NESTING_TOO_DEEP'],
    ['JSON nested 200,000 deep', 'JSON', utf8.encode(deepText(200_000)), 'NESTING_TOO_DEEP'],
    ['text that is not JSON', 'JSON', utf8.encode('{"a":'), 'INVALID_JSON'],
    ['empty JSON', 'JSON', new Uint8Array(0), 'INVALID_JSON'],
    ['JSON that is not UTF-8', 'JSON', new Uint8Array([0x22, 0xff, 0x22]), 'INVALID_UTF8'],
    ['a STRING that is not UTF-8', 'STRING', new Uint8Array([0x61, 0xed, 0xa0, 0x80]), 'INVALID_UTF8'],
  ] as const)('serves %s as BINARY with a fallback flag', (_what, type, bytes, reason) => {
    expect(fromBytes(bytes, type, false)).toEqual({ type: 'BINARY', data: base64(bytes), fallback: { storedType: type, reason } });
  });

  it('flags nothing for BINARY, for encoding=binary, or for header values', () => {
    const deep = utf8.encode(deepText(500));
    expect(fromBytes(deep, 'JSON', true)).toEqual({ type: 'BINARY', data: base64(deep) });
    expect(fromBytes(deep, 'BINARY', false)).toEqual({ type: 'BINARY', data: base64(deep) });
    expect(headerFromBytes(deep, false)).toEqual({ type: 'STRING', data: deepText(500) });
    expect(headerFromBytes(new Uint8Array([0xff]), false)).toEqual({ type: 'BINARY', data: '/w==' });
  });

  it('encodes only the record, not the whole buffer a decoded record may be a view of', () => {
    const buffer = utf8.encode('xx"hi"yy');
    expect(fromBytes(buffer.subarray(2, 6), 'JSON', false)).toEqual({ type: 'JSON', data: 'hi' });
    expect(fromBytes(buffer.subarray(2, 4), 'JSON', false)).toMatchObject({ type: 'BINARY', data: Buffer.from('"h').toString('base64') });
  });
});

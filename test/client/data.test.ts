/** The SDK's wire ↔ Data conversion keeps the server's fallback flag (client/data.ts). */
import { describe, expect, it } from 'vitest';
import { fromWire } from '../../client/data';

describe('fromWire', () => {
  it('keeps `fallback` on BINARY data the server could not render as its produced type', () => {
    const fallback = { storedType: 'JSON', reason: 'NESTING_TOO_DEEP' } as const;
    expect(fromWire({ type: 'BINARY', data: 'W10=', fallback })).toEqual({ type: 'BINARY', data: new Uint8Array([0x5b, 0x5d]), fallback });
  });

  it('adds no fallback key to plain BINARY, STRING or JSON', () => {
    expect(fromWire({ type: 'BINARY', data: 'AAE=' })).toEqual({ type: 'BINARY', data: new Uint8Array([0, 1]) });
    expect(Object.keys(fromWire({ type: 'BINARY', data: 'AAE=' })!)).toEqual(['type', 'data']);
    expect(fromWire({ type: 'JSON', data: { a: 1 } })).toEqual({ type: 'JSON', data: { a: 1 } });
  });
});

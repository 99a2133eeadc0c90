/** Config names as JSON.parse delivers them: own `__proto__` keys included (lib/topics/configs.ts). */
import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../../lib/limits';
import { checkRawConfigNames, parseConfigs } from '../../lib/topics/configs';

describe('topic config names', () => {
  it.each(['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'retention.ms ', 'RETENTION.MS', ''])('refuses %j as INVALID_CONFIG', (name) => {
    const raw = JSON.parse(`{${JSON.stringify(name)}: "1"}`) as Record<string, string>;
    expect(Object.keys(raw)).toEqual([name]); // JSON.parse makes an own property even of __proto__
    expect(() => checkRawConfigNames(raw)).toThrow(expect.objectContaining({ code: 'INVALID_CONFIG' }));
    expect(() => parseConfigs(raw, DEFAULT_LIMITS)).toThrow(expect.objectContaining({ code: 'INVALID_CONFIG' }));
  });

  it('accepts the known names and leaves other shapes to the schema', () => {
    expect(() => checkRawConfigNames({ 'retention.ms': '1', 'max.message.bytes': null, 'compression.type': 'gzip' })).not.toThrow();
    for (const shape of [undefined, null, 'x', 5, ['__proto__']]) expect(() => checkRawConfigNames(shape)).not.toThrow();
  });
});

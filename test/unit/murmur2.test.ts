import { describe, expect, it } from 'vitest';
import { murmur2, partitionForKey, toPositive } from '../../lib/protocol/murmur2';

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);
const hex = (h: string): Uint8Array => Uint8Array.from(Buffer.from(h, 'hex'));

describe('murmur2', () => {
  // Kafka's own reference vectors: apache/kafka,
  // clients/src/test/java/org/apache/kafka/common/utils/UtilsTest.java, testMurmur2()
  // (read at commit f55581dc73953c3509a4702433aeeeddc2970779).
  const kafkaVectors: Array<[string, number]> = [
    ['21', -973932308],
    ['foobar', -790332482],
    ['a-little-bit-long-string', -985981536],
    ['a-little-bit-longer-string', -1486304829],
    ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
    ['abc', 479470107],
  ];
  it.each(kafkaVectors)('matches Kafka UtilsTest.testMurmur2 for %j', (input, expected) => {
    expect(murmur2(utf8(input))).toBe(expected);
  });

  // The vectors below came from Kafka's Java algorithm (Utils.murmur2 copied verbatim from
  // apache/kafka clients/src/main/java/org/apache/kafka/common/utils/Utils.java) run once on
  // the JVM (OpenJDK 17) over the UTF-8 bytes shown; that run also reproduced every vector above.
  // They cover each tail length (0..3 after 0, 1 and 2 full blocks) and bytes ≥ 0x80, where
  // Java's signed `byte` and `& 0xff` matter.
  const jvmVectors: Array<[string, string, number]> = [
    ['empty', '', 275646681],
    ['a', '61', -1563381124],
    ['ab', '6162', 316155434],
    ['abc', '616263', 479470107],
    ['abcd', '61626364', -1323649548],
    ['abcde', '6162636465', 461995741],
    ['abcdef', '616263646566', 1870650108],
    ['abcdefg', '61626364656667', -346467175],
    ['abcdefgh', '6162636465666768', -955427363],
    ['ff x1', 'ff', -311467685],
    ['ff x2', 'ffff', -1642832928],
    ['ff x3', 'ffffff', 1548199422],
    ['ff x4', 'ffffffff', 644171429],
    ['ff x5', 'ffffffffff', -363838622],
    ['ff x6', 'ffffffffffff', 28450676],
    ['ff x7', 'ffffffffffffff', -71293549],
    ['ff x8', 'ffffffffffffffff', 185950397],
    ['high 1', '80', 857690492],
    ['high 2', '8091', 627719599],
    ['high 3', '8091a2', 309046872],
    ['high 4', '8091a2b3', -838711625],
    ['high 5', '8091a2b3c4', -2136307287],
    ['high 6', '8091a2b3c4d5', 847163050],
    ['high 7', '8091a2b3c4d5e6', 1556198382],
    ['high 8', '8091a2b3c4d5e6f7', -1041061038],
    ['ключ', 'd0bad0bbd18ed187', 2122343024],
    ['日本', 'e697a5e69cac', -700811021],
    ['🔑', 'f09f9491', 2080712807],
    ['🦄🌈', 'f09fa684f09f8c88', -1639252463],
    ['Grüße, Jürgen', '4772c3bcc39f652c204ac3bc7267656e', -332023819],
  ];
  it.each(jvmVectors)('matches the JVM for %s', (label, bytesHex, expected) => {
    const bytes = hex(bytesHex);
    if (label !== 'empty' && !label.startsWith('ff') && !label.startsWith('high')) {
      // Guards the hex column against typos: it must be the label's UTF-8.
      expect(Buffer.from(bytes).toString('hex')).toBe(Buffer.from(utf8(label)).toString('hex'));
    }
    expect(murmur2(bytes)).toBe(expected);
  });

  it('returns a signed 32-bit integer', () => {
    for (let i = 0; i < 1000; i++) {
      const h = murmur2(utf8(`key-${i}`));
      expect(Number.isInteger(h)).toBe(true);
      expect(h).toBe(h | 0);
    }
  });

  it('reads only the view it is given, not the whole underlying buffer', () => {
    const buffer = utf8('xx21yy');
    expect(murmur2(buffer.subarray(2, 4))).toBe(-973932308);
  });
});

describe('toPositive', () => {
  it('clears the sign bit like Kafka, which is not Math.abs', () => {
    expect(toPositive(-973932308)).toBe(-973932308 & 0x7fffffff);
    expect(toPositive(-973932308)).not.toBe(973932308);
    expect(toPositive(-2147483648)).toBe(0);
    expect(toPositive(-1)).toBe(2147483647);
    expect(toPositive(42)).toBe(42);
  });
});

describe('partitionForKey', () => {
  // Expected partitions from the same JVM run: Utils.toPositive(Utils.murmur2(key)) % n,
  // i.e. Kafka's BuiltInPartitioner.partitionForKey.
  const partitionCounts = [1, 3, 7, 12, 100, 1024];
  const expected: Array<[string, number[]]> = [
    ['order-42', [0, 0, 1, 0, 24, 256]],
    ['customer-7', [0, 1, 6, 7, 11, 247]],
    ['ключ', [0, 2, 4, 8, 24, 624]],
    ['日本', [0, 0, 1, 3, 27, 243]],
    ['🔑', [0, 2, 5, 11, 7, 103]],
    ['21', [0, 0, 3, 0, 40, 236]],
    ['foobar', [0, 0, 0, 6, 66, 958]],
  ];
  it.each(expected)('places %j where the Java client does', (key, partitions) => {
    expect(partitionCounts.map((n) => partitionForKey(utf8(key), n))).toEqual(partitions);
  });

  it('stays within [0, numPartitions)', () => {
    for (let i = 0; i < 2000; i++) {
      const p = partitionForKey(utf8(`k${i}`), 13);
      expect(p).toBeGreaterThanOrEqual(0);
      expect(p).toBeLessThan(13);
    }
  });

  it('rejects a partition count that is not a positive integer', () => {
    expect(() => partitionForKey(utf8('k'), 0)).toThrow(RangeError);
    expect(() => partitionForKey(utf8('k'), 2.5)).toThrow(RangeError);
  });
});

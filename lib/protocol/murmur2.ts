/**
 * Kafka's key hash and keyed partition choice, bit for bit.
 *
 * Guarantees: `murmur2` returns exactly what the Java client's
 * `org.apache.kafka.common.utils.Utils.murmur2` returns for the same bytes (a
 * signed 32-bit int), and `partitionForKey` picks the partition Kafka's
 * `BuiltInPartitioner.partitionForKey` picks. A key therefore lands on the same
 * partition whether it was produced through Samsa or a Kafka client, which
 * keeps per-key ordering intact when both feed the same topic layout.
 * Pure: no allocation beyond locals, no I/O. Part of the wire contract
 * because both sides choose partitions with it: the server for produce
 * requests without one (lib/log/produce.ts), the SDK's producer on the client.
 */

const SEED = 0x9747b28c;
const M = 0x5bd1e995;
const R = 24;

export function murmur2(data: Uint8Array): number {
  const length = data.length;
  // `| 0` keeps every intermediate a signed 32-bit int, as Java's `int` is;
  // Math.imul gives the low 32 bits of the product, which a float multiply loses.
  let h = (SEED ^ length) | 0;
  const length4 = length >>> 2;

  for (let i = 0; i < length4; i++) {
    const i4 = i * 4;
    // Uint8Array elements are already Java's `b & 0xff`.
    let k = data[i4]! | (data[i4 + 1]! << 8) | (data[i4 + 2]! << 16) | (data[i4 + 3]! << 24);
    k = Math.imul(k, M);
    k ^= k >>> R;
    k = Math.imul(k, M);
    h = Math.imul(h, M);
    h ^= k;
  }

  // Java's switch falls through from 3 to 2 to 1; the multiply happens once for any tail.
  const tail = length & ~3;
  const rest = length & 3;
  if (rest === 3) h ^= data[tail + 2]! << 16;
  if (rest >= 2) h ^= data[tail + 1]! << 8;
  if (rest >= 1) {
    h ^= data[tail]!;
    h = Math.imul(h, M);
  }

  h ^= h >>> 13;
  h = Math.imul(h, M);
  h ^= h >>> 15;
  return h | 0;
}

/** Kafka's `Utils.toPositive`: clears the sign bit (not Math.abs, which differs for negatives and overflows at -2^31). */
export function toPositive(n: number): number {
  return n & 0x7fffffff;
}

export function partitionForKey(key: Uint8Array, numPartitions: number): number {
  if (!Number.isInteger(numPartitions) || numPartitions < 1) {
    throw new RangeError(`numPartitions must be a positive integer; got ${numPartitions}.`);
  }
  return toPositive(murmur2(key)) % numPartitions;
}

/**
 * Compact storage form of a set of partitions: topic id → ranges
 * ("0-15,18"). Member and group items are written on heartbeats (when due)
 * and rebalances and billed per started KB, so `<uuid>:<p>` per partition (~40 B
 * each) would cost an extra write unit for every dozen partitions owned.
 */
import { comparePartitionKeys, parsePartitionKey, partitionKey, type PartitionKey } from './assign';

export type StoredPartitions = Record<string, string>;

export function encodePartitions(keys: readonly PartitionKey[]): StoredPartitions {
  const byTopic = new Map<string, number[]>();
  for (const key of keys) {
    const { topicId, partition } = parsePartitionKey(key);
    byTopic.set(topicId, [...(byTopic.get(topicId) ?? []), partition]);
  }
  const stored: StoredPartitions = {};
  for (const [topicId, partitions] of byTopic) {
    const sorted = [...new Set(partitions)].sort((a, b) => a - b);
    const ranges: string[] = [];
    for (let i = 0; i < sorted.length; ) {
      let j = i;
      while (j + 1 < sorted.length && sorted[j + 1] === (sorted[j] as number) + 1) j++;
      ranges.push(i === j ? String(sorted[i]) : `${sorted[i]}-${sorted[j]}`);
      i = j + 1;
    }
    stored[topicId] = ranges.join(',');
  }
  return stored;
}

export function decodePartitions(stored: StoredPartitions | undefined): PartitionKey[] {
  const keys: PartitionKey[] = [];
  for (const [topicId, ranges] of Object.entries(stored ?? {})) {
    for (const range of ranges.split(',').filter((r) => r !== '')) {
      const [from, to] = range.split('-').map(Number) as [number, number | undefined];
      for (let p = from; p <= (to ?? from); p++) keys.push(partitionKey(topicId, p));
    }
  }
  return keys.sort(comparePartitionKeys);
}

import { describe, expect, it } from 'vitest';
import { assign, partitionKey, type PartitionKey } from '../../lib/groups/assign';

const keys = (topic: string, n: number) => Array.from({ length: n }, (_, p) => partitionKey(topic, p));
const all = (r: Record<string, PartitionKey[]>) => Object.values(r).flat();

describe('assignor', () => {
  it('gives every partition to exactly one member, evenly', () => {
    const r = assign({ members: { a: ['t'], b: ['t'], c: ['t'] }, partitions: { t: 10 }, previous: {} });
    expect(all(r).sort()).toEqual(keys('t', 10).sort());
    const sizes = Object.values(r).map((p) => p.length);
    expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
  });

  it('is sticky: a joining member takes only what it must', () => {
    const before = assign({ members: { a: ['t'], b: ['t'] }, partitions: { t: 6 }, previous: {} });
    const after = assign({ members: { a: ['t'], b: ['t'], c: ['t'] }, partitions: { t: 6 }, previous: before });
    expect(after.c).toHaveLength(2);
    const ownerIn = (r: Record<string, PartitionKey[]>, p: PartitionKey) => Object.keys(r).find((m) => r[m]!.includes(p));
    const moved = keys('t', 6).filter((p) => ownerIn(before, p) !== ownerIn(after, p));
    expect(moved.sort()).toEqual([...after.c!].sort());
  });

  it('hands a leaving member’s partitions to the others without moving the rest', () => {
    const before = assign({ members: { a: ['t'], b: ['t'], c: ['t'] }, partitions: { t: 9 }, previous: {} });
    const after = assign({ members: { a: ['t'], b: ['t'] }, partitions: { t: 9 }, previous: before });
    for (const p of before.a!) expect(after.a).toContain(p);
    for (const p of before.b!) expect(after.b).toContain(p);
    expect(all(after).sort()).toEqual(keys('t', 9).sort());
  });

  it('only gives members partitions of topics they subscribe to', () => {
    const r = assign({ members: { a: ['x'], b: ['x', 'y'] }, partitions: { x: 2, y: 3 }, previous: {} });
    expect(r.a!.every((p) => p.startsWith('x:'))).toBe(true);
    expect(r.b).toEqual(expect.arrayContaining(keys('y', 3)));
    expect(all(r)).toHaveLength(5);
  });

  it('picks up new partitions and drops those of deleted topics', () => {
    const before = assign({ members: { a: ['t', 'u'] }, partitions: { t: 2, u: 1 }, previous: {} });
    const after = assign({ members: { a: ['t', 'u'] }, partitions: { t: 4 }, previous: before });
    expect(after.a).toEqual(keys('t', 4));
  });

  it('is deterministic', () => {
    const input = { members: { m2: ['t'], m1: ['t'], m3: ['t'] }, partitions: { t: 7 }, previous: {} };
    expect(assign(input)).toEqual(assign(input));
  });
});

describe('stored partition sets', () => {
  it('round-trips partition sets through compact ranges', async () => {
    const { decodePartitions, encodePartitions } = await import('../../lib/groups/partition-set');
    const set = [...keys('t1', 16), partitionKey('t2', 3), partitionKey('t2', 5), partitionKey('t2', 6)];
    const stored = encodePartitions(set);
    expect(stored).toEqual({ t1: '0-15', t2: '3,5-6' });
    expect(decodePartitions(stored)).toEqual(set);
    expect(decodePartitions(encodePartitions([]))).toEqual([]);
  });
});

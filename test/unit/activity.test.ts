/**
 * The pure parts of activity marks (lib/log/activity.ts) and of what a
 * member's polls remember (lib/groups/caught-up.ts): when a writer marks,
 * the conditions that keep marks and the counter's `mt` moving forward only,
 * when a poll may skip a partition, and the stored form of its facts.
 */
import { describe, expect, it } from 'vitest';
import { partitionKey } from '../../lib/groups/assign';
import { decodeFacts, encodeFacts, FACT_TTL_MS, factsUpdate, mustRead, strongReadPays, type Facts } from '../../lib/groups/caught-up';
import { reserveUpdate } from '../../lib/log/counter';
import type { LibContext } from '../../lib/context';
import { activityKeys, markDue, marksQuery, markUpdate, MARKS_PER_ITEM, QUIET_MS, writeMark } from '../../lib/log/activity';

describe('activity marks', () => {
  it('a reservation marks when the newest landed mark is unknown or at least QUIET_MS old', () => {
    expect(markDue(10_000, undefined)).toBe(true);
    expect(markDue(10_000, 10_000 - QUIET_MS)).toBe(true);
    expect(markDue(10_000, 10_000 - QUIET_MS + 1)).toBe(false);
    // A writer whose clock is behind the mark's does not mark again.
    expect(markDue(10_000, 10_500)).toBe(false);
  });

  it('sixteen partitions share an item beside the topic’s partitions', () => {
    expect(activityKeys.item('t1', 0)).toEqual({ pk: 't1#act', sk: 0 });
    expect(activityKeys.item('t1', MARKS_PER_ITEM - 1)).toEqual({ pk: 't1#act', sk: 0 });
    expect(activityKeys.item('t1', 255)).toEqual({ pk: 't1#act', sk: 15 });
    // Never a partition's own key (`<topicId>#<p>`), its chunks or its checkpoints.
    expect(activityKeys.pk('t1')).not.toMatch(/#\d+$/);
  });

  it('a mark only moves forward and refreshes the item’s TTL', () => {
    const u = markUpdate(7, 1_000_000);
    expect(u.UpdateExpression).toBe('SET #p = :t, #ttl = :ttl');
    expect(u.ConditionExpression).toBe('attribute_not_exists(#p) OR #p < :t');
    expect(u.ExpressionAttributeNames).toEqual({ '#p': 'p7', '#ttl': 'ttl' });
    expect(u.ExpressionAttributeValues[':t']).toBe(1_000_000);
    expect(u.ExpressionAttributeValues[':ttl']).toBeGreaterThan(1_000_000 / 1000);
  });

  it('a reservation records a mark its writer saw land as the counter’s mt, in the same update', () => {
    const u = reserveUpdate(3, 1_000, 7, undefined, 900);
    expect(u.UpdateExpression).toMatch(/^ADD #seq :one, #next :n SET ra = :now, mt = :mt, /);
    expect(u.ExpressionAttributeValues).toMatchObject({ ':mt': 900, ':now': 1_000 });
    // The condition is the reservation's own: recording a mark never refuses a write.
    expect(u.ConditionExpression).toBe(reserveUpdate(3, 1_000, 7).ConditionExpression);
  });

  it('writers of one instance share the mark in flight instead of racing it (a raced mark fails its condition: a wasted write unit)', async () => {
    const sent: number[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const ddb = {
      send: async (cmd: { input: { ExpressionAttributeValues: Record<string, number> } }) => {
        sent.push(cmd.input.ExpressionAttributeValues[':t']!);
        await gate;
        return {};
      },
    };
    const ctx = { ddb, tables: { log: 'log' }, clock: { now: () => 0 } } as unknown as LibContext;
    // Reservations answer out of order: 1_000 first, then an older and a newer one, all within QUIET_MS.
    const marks = [writeMark(ctx, 't1#0', 1_000, 9_999), writeMark(ctx, 't1#0', 900, 9_999), writeMark(ctx, 't1#0', 1_500, 9_999)];
    // Another partition, and a reservation QUIET_MS after the shared mark, mark on their own.
    marks.push(writeMark(ctx, 't1#1', 1_000, 9_999), writeMark(ctx, 't1#0', 1_000 + QUIET_MS, 9_999));
    release();
    expect(await Promise.all(marks)).toEqual([true, true, true, true, true]);
    expect(sent).toEqual([1_000, 1_000, 1_000 + QUIET_MS]);
    // Once landed, a reservation it covers writes nothing.
    expect(await writeMark(ctx, 't1#0', 1_000 + QUIET_MS + 10, 9_999)).toBe(true);
    expect(sent).toHaveLength(3);
  });

  it('readers Query only the mark items of the partitions they poll, eventually consistent', () => {
    const q = marksQuery('log', 't1', 20, 40);
    expect(q.KeyConditionExpression).toBe('pk = :pk AND sk BETWEEN :from AND :to');
    expect(q.ExpressionAttributeValues).toEqual({ ':pk': 't1#act', ':from': 1, ':to': 2 });
    expect(q.ConsistentRead).toBeUndefined();
  });
});

describe('caught-up facts', () => {
  const skew = 1_000;
  const fact = { n: 100, t: 50_000 };
  const now = 60_000;

  it('a partition is skipped only at the fact’s offset, while the fact is fresh, and with no mark newer than the fact allows', () => {
    expect(mustRead(undefined, 100, undefined, now, skew)).toBe(true);
    expect(mustRead(fact, 100, undefined, now, skew)).toBe(false);
    expect(mustRead(fact, 99, undefined, now, skew)).toBe(true); // the client is elsewhere
    expect(mustRead(fact, 100, fact.t - skew - QUIET_MS - 1, now, skew)).toBe(false);
    // A reservation after the read may rely on a mark up to QUIET_MS older, on a clock up to skew behind.
    expect(mustRead(fact, 100, fact.t - skew - QUIET_MS, now, skew)).toBe(true);
    expect(mustRead(fact, 100, fact.t + 5, now, skew)).toBe(true);
    expect(mustRead(fact, 100, undefined, fact.t + FACT_TTL_MS + 1, skew)).toBe(true);
  });

  it('a strong read pays only when its fact would settle the partition', () => {
    expect(strongReadPays(undefined, now, skew)).toBe(true);
    expect(strongReadPays(now - skew - QUIET_MS - 1, now, skew)).toBe(true);
    expect(strongReadPays(now - skew - QUIET_MS, now, skew)).toBe(false);
  });

  it('facts are stored as runs per topic, rounded down to the second, and read back', () => {
    const facts: Facts = new Map();
    for (let p = 0; p < 16; p++) facts.set(partitionKey('a', p), { n: 100, t: 1_000_700 });
    facts.set(partitionKey('a', 16), { n: 7, t: 1_003_200 });
    facts.set(partitionKey('b', 3), { n: 0, t: 1_000_000 });
    facts.set(partitionKey('c', 1), { n: 5, t: 1_000_000 });
    const stored = encodeFacts(facts, (key) => !key.startsWith('c:'))!;
    expect(stored).toEqual({ b: 1000, f: { a: '0-15:100@0,16:7@3', b: '3:0@0' } });
    const back = decodeFacts(stored);
    expect(back.get(partitionKey('a', 15))).toEqual({ n: 100, t: 1_000_000 });
    expect(back.get(partitionKey('a', 16))).toEqual({ n: 7, t: 1_003_000 });
    expect(back.has(partitionKey('c', 1))).toBe(false);
    expect(back.size).toBe(18);
    // Rounding down only makes a fact older, so a poll reads more, never less.
    expect([...back.values()].every((f) => f.t <= 1_003_200)).toBe(true);
    expect(decodeFacts(undefined).size).toBe(0);
    expect(encodeFacts(new Map(), () => true)).toBeUndefined();
  });

  it('facts are written only to the member incarnation and epoch the poll served', () => {
    const u = factsUpdate({ b: 1, f: {} }, 4);
    expect(u.ConditionExpression).toBe('attribute_exists(pk) AND epoch = :e');
    expect(u.ExpressionAttributeValues).toEqual({ ':e': 4, ':ck': { b: 1, f: {} } });
    expect(factsUpdate(undefined, 4).UpdateExpression).toBe('REMOVE ck');
  });
});

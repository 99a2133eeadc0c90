/**
 * The counter requests that guard produce against a stale topic: the
 * reservation (lib/log/counter.ts) and the config-version stamp
 * (lib/topics/counters.ts), as pure request builders.
 */
import { describe, expect, it } from 'vitest';
import { CHECKPOINT_EVERY_MS, pendingCheckpoints, removeCheckpointsUpdate } from '../../lib/log/checkpoints';
import { reserveUpdate } from '../../lib/log/counter';
import { newCounterItem, stampUpdate } from '../../lib/topics/counters';

describe('reservation', () => {
  it('adds one seq and the offsets only to an existing counter whose config version the topic covers', () => {
    expect(reserveUpdate(3, 1_000, 7)).toEqual({
      UpdateExpression: 'ADD #seq :one, #next :n SET ra = :now, #ks = if_not_exists(#ks, #seq), #ka = if_not_exists(#ka, ra), #ko = if_not_exists(#ko, #next)',
      ConditionExpression: 'attribute_exists(pk) AND (attribute_not_exists(cv) OR cv <= :v)',
      ExpressionAttributeNames: { '#seq': 'seq', '#next': 'next', '#ks': 'k0s', '#ka': 'k0a', '#ko': 'k0o' },
      ExpressionAttributeValues: { ':one': 1, ':n': 3, ':now': 1_000, ':v': 7 },
      ReturnValues: 'ALL_OLD',
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    });
  });

  it('also needs the expected next offset for a conditional append', () => {
    const update = reserveUpdate(1, 1_000, 2, 40);
    expect(update.ConditionExpression).toBe('attribute_exists(pk) AND (attribute_not_exists(cv) OR cv <= :v) AND #next = :expected');
    expect(update.ExpressionAttributeValues).toMatchObject({ ':expected': 40, ':v': 2 });
  });

  it('adds the records’ JSON bytes to the counter when it is given them (the poll plan’s mean record size)', () => {
    const u = reserveUpdate(3, 1_000, 7, undefined, undefined, 780);
    expect(u.UpdateExpression).toMatch(/^ADD #seq :one, #next :n, nb :nb SET /);
    expect(u.ExpressionAttributeValues).toMatchObject({ ':nb': 780, ':n': 3 });
    expect(u.ConditionExpression).toBe(reserveUpdate(3, 1_000, 7).ConditionExpression);
  });

  it('treats an expected offset of 0 as a condition', () => {
    expect(reserveUpdate(1, 1_000, 1, 0).ConditionExpression).toContain('#next = :expected');
  });
});

describe('checkpoints on the counter', () => {
  it('the reservation records its interval’s checkpoint only if the interval has none yet, from the counter as it was', () => {
    const u = reserveUpdate(1, 5 * CHECKPOINT_EVERY_MS + 1, 1);
    // Every operand of an update is the item before it: seq and next are this reservation's, ra the previous one's.
    expect(u.UpdateExpression).toContain('#ks = if_not_exists(#ks, #seq), #ka = if_not_exists(#ka, ra), #ko = if_not_exists(#ko, #next)');
    expect(u.ExpressionAttributeNames).toMatchObject({ '#ks': 'k5s', '#ka': 'k5a', '#ko': 'k5o' });
    // Recording it never refuses a reservation.
    expect(u.ConditionExpression).toBe(reserveUpdate(1, 1_000, 1).ConditionExpression);
  });

  it('are decoded from the counter item, oldest first, ignoring incomplete ones', () => {
    expect(pendingCheckpoints({ pk: 'p', seq: 9, k7s: 8, k7a: 700, k7o: 80, k6s: 4, k6a: 600, k6o: 40, k8s: 9, k8a: 800 })).toEqual([
      { interval: 6, seq: 4, at: 600, offset: 40 },
      { interval: 7, seq: 8, at: 700, offset: 80 },
    ]);
    expect(pendingCheckpoints({ pk: 'p', seq: 3, ks: 1 })).toEqual([]);
  });

  it('copied ones are removed only from a counter that still exists', () => {
    expect(removeCheckpointsUpdate([3, 4])).toEqual({
      UpdateExpression: 'REMOVE #k0_0, #k0_1, #k0_2, #k1_0, #k1_1, #k1_2',
      ConditionExpression: 'attribute_exists(pk)',
      ExpressionAttributeNames: { '#k0_0': 'k3s', '#k0_1': 'k3a', '#k0_2': 'k3o', '#k1_0': 'k4s', '#k1_1': 'k4a', '#k1_2': 'k4o' },
    });
  });
});

describe('config version', () => {
  it('is stamped only on an existing counter, and only upwards', () => {
    expect(stampUpdate(5)).toEqual({
      UpdateExpression: 'SET cv = :v',
      ConditionExpression: 'attribute_exists(pk) AND (attribute_not_exists(cv) OR cv < :v)',
      ExpressionAttributeValues: { ':v': 5 },
    });
  });

  it('is written on every new counter', () => {
    expect(newCounterItem('id', 2, 1_000, 4)).toMatchObject({ pk: 'id#2', sk: -1, seq: 0, next: 0, cv: 4 });
  });
});

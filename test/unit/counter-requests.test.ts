/**
 * The counter requests that guard produce against a stale topic: the
 * reservation (lib/log/counter.ts) and the config-version stamp
 * (lib/topics/counters.ts), as pure request builders.
 */
import { describe, expect, it } from 'vitest';
import { reserveUpdate } from '../../lib/log/counter';
import { newCounterItem, stampUpdate } from '../../lib/topics/counters';

describe('reservation', () => {
  it('adds one seq and the offsets only to an existing counter whose config version the topic covers', () => {
    expect(reserveUpdate(3, 1_000, 7)).toEqual({
      UpdateExpression: 'ADD #seq :one, #next :n SET ra = :now',
      ConditionExpression: 'attribute_exists(pk) AND (attribute_not_exists(cv) OR cv <= :v)',
      ExpressionAttributeNames: { '#seq': 'seq', '#next': 'next' },
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

  it('treats an expected offset of 0 as a condition', () => {
    expect(reserveUpdate(1, 1_000, 1, 0).ConditionExpression).toContain('#next = :expected');
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

/**
 * The storage requests and fencing rules guarantees rest on (lib/builders.ts):
 * each default's condition, and the checker's sabotaged sets
 * (checker/sabotage.ts) — which break exactly the builder they name and
 * nothing else, so the self-test proves the checker catches that builder.
 */
import { describe, expect, it } from 'vitest';
import { sabotagedBuilders, SABOTAGES } from '../../checker/sabotage';
import { DEFAULT_BUILDERS } from '../../lib/builders';
import { commitUpdate } from '../../lib/groups/commit-requests';
import { placeEpoch, retiredEpochGet } from '../../lib/groups/incarnation';
import { settlePut } from '../../lib/log/settle-requests';

const write = { group: 'g', topicId: 't1', partition: 3, offset: 42, metadata: 'm', now: 1_000, memberId: 'a', memberEpoch: 7, joinEpoch: 5 };

describe('settling a seq', () => {
  it('puts a batch or marker only where nothing settled the seq, and returns the winner when asked', () => {
    const item = { pk: 't1#0', sk: 4, o: 10 };
    expect(settlePut('log', item, true)).toEqual({
      TableName: 'log',
      Item: item,
      ConditionExpression: 'attribute_not_exists(sk)',
      ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
    });
    // Readers' abort markers: the same condition, no ALL_OLD (their IAM allows no batch attributes back).
    expect(settlePut('log', item, false)).toEqual({ TableName: 'log', Item: item, ConditionExpression: 'attribute_not_exists(sk)' });
  });
});

describe('committing an offset', () => {
  it('lands only from the lease owner in an epoch of its live incarnation no older than the grant', () => {
    const u = commitUpdate('meta', write);
    expect(u.Key).toEqual({ pk: 'group#g', sk: 'commit#t1#3' });
    expect(u.ConditionExpression).toBe('#owner = :m AND ownerEpoch BETWEEN :join AND :e');
    expect(u.ExpressionAttributeNames).toEqual({ '#offset': 'offset', '#owner': 'owner' });
    expect(u.ExpressionAttributeValues).toEqual({ ':o': 42, ':md': 'm', ':now': 1_000, ':e': 7, ':join': 5, ':m': 'a' });
    expect(u.ReturnValuesOnConditionCheckFailure).toBe('ALL_OLD');
  });

  it('judges a commit’s epoch against the live incarnation [joinEpoch, epoch]', () => {
    expect(placeEpoch({ joinEpoch: 5, epoch: 7 }, 4)).toBe('earlier-incarnation');
    expect(placeEpoch({ joinEpoch: 5, epoch: 7 }, 5)).toBe('current');
    expect(placeEpoch({ joinEpoch: 5, epoch: 7 }, 7)).toBe('current');
    expect(placeEpoch({ joinEpoch: 5, epoch: 7 }, 8)).toBe('never-issued');
  });

  it('reads a member id’s retired epoch strongly before a join', () => {
    expect(retiredEpochGet('meta', 'g', 'a')).toEqual({ TableName: 'meta', Key: { pk: 'group#g', sk: 'retired#a' }, ConsistentRead: true });
  });
});

describe('builder sets', () => {
  it('the defaults are the functions above', () => {
    const item = { pk: 'p', sk: 1 };
    expect(DEFAULT_BUILDERS.settlePut('log', item, true)).toEqual(settlePut('log', item, true));
    expect(DEFAULT_BUILDERS.commitUpdate('meta', write)).toEqual(commitUpdate('meta', write));
    expect(DEFAULT_BUILDERS.commitIncarnation(undefined, 3)).toBeUndefined();
    expect(DEFAULT_BUILDERS.commitIncarnation({ joinEpoch: 5, epoch: 7 }, 3)).toEqual({ joinEpoch: 5, epoch: 7 });
    expect(DEFAULT_BUILDERS.retiredEpochGet('meta', 'g', 'a')).toEqual(retiredEpochGet('meta', 'g', 'a'));
    expect(Object.isFrozen(DEFAULT_BUILDERS)).toBe(true);
  });

  it('each sabotage replaces exactly the builders it names, and breaks their condition or rule', () => {
    for (const name of Object.keys(SABOTAGES) as (keyof typeof SABOTAGES)[]) {
      const b = sabotagedBuilders({ [name]: true });
      const changed = (Object.keys(DEFAULT_BUILDERS) as (keyof typeof DEFAULT_BUILDERS)[]).filter((k) => b[k] !== DEFAULT_BUILDERS[k]);
      expect(changed.sort()).toEqual(Object.keys(SABOTAGES[name]).sort());
    }
    expect(sabotagedBuilders({ unconditionalSettle: true }).settlePut('log', { pk: 'p', sk: 1 }, true).ConditionExpression).toBeUndefined();
    const unfenced = sabotagedBuilders({ unfencedCommit: true });
    expect(unfenced.commitUpdate('meta', write).ConditionExpression).toContain('OR attribute_not_exists(#owner)');
    expect(unfenced.commitIncarnation(undefined, 9)).toEqual({ joinEpoch: 0, epoch: 9 });
    const forgetful = sabotagedBuilders({ forgetIncarnations: true });
    expect(forgetful.retiredEpochGet('meta', 'g', 'a')).toBeUndefined();
    expect(forgetful.placeEpoch({ joinEpoch: 5, epoch: 7 }, 1)).toBe('current');
    expect(sabotagedBuilders({})).toEqual(DEFAULT_BUILDERS);
    expect(() => sabotagedBuilders({ noSuchBug: true } as never)).toThrow(/unknown sabotage 'noSuchBug'/);
  });
});

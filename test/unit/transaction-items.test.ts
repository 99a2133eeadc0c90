/**
 * The storage requests of a transaction (lib/log/transaction-items.ts): each
 * carries the condition of the normal write it stands for, and a
 * transaction's sequence is judged as Kafka judges a producer's.
 */
import { describe, expect, it } from 'vitest';
import { batchPut, commitUpdate, judgeSequence, stateClaim, transactionStateKey, type TransactionMemo } from '../../lib/log/transaction-items';

const memo = (s: number): TransactionMemo => ({ s, h: 'hash', p: [], c: [] });

describe('transaction requests', () => {
  it('settles each batch only at a seq nothing settled (the normal settle condition), and reads back what did', () => {
    const put = batchPut('log', { pk: 'p', sk: 4, o: 10, n: 1, ra: 1, at: 1, mt: 1, c: 0, w: 'nonce' });
    expect(put.Put.ConditionExpression).toBe('attribute_not_exists(sk)');
    expect(put.Put.ReturnValuesOnConditionCheckFailure).toBe('ALL_OLD');
  });

  it('commits an offset only for the owner of the lease, granted within the incarnation, at most at the epoch sent', () => {
    const u = commitUpdate('meta', { pk: 'group#g', sk: 'commit#t#0' }, { offset: 5 }, { memberId: 'm', epoch: 7, joinEpoch: 3 }, 1000).Update;
    expect(u.ConditionExpression).toBe('#owner = :m AND ownerEpoch BETWEEN :join AND :e');
    expect(u.ExpressionAttributeValues).toMatchObject({ ':m': 'm', ':join': 3, ':e': 7, ':o': 5, ':md': '' });
    // Only commit attributes are named (the transactions function may write no others on group items).
    const named = [...u.UpdateExpression.matchAll(/(#?\w+) = :/g)].map((m) => m[1]);
    expect(named).toEqual(['#offset', 'metadata', 'committedAt', 'commitEpoch']);
  });

  it('claims a sequence only on the state as read: the next one of the same epoch, or 0 of a newer epoch', () => {
    const same = stateClaim('meta', '17', { e: 2, ls: 4, m: memo(4) }, 2, memo(5)).Put;
    expect(same.Item).toMatchObject({ ...transactionStateKey('17'), e: 2, ls: 5 });
    expect(same.ConditionExpression).toBe('e = :e AND ls = :prev');
    expect(same.ExpressionAttributeValues).toEqual({ ':e': 2, ':prev': 4 });
    const fresh = stateClaim('meta', '17', undefined, 0, memo(0)).Put;
    expect(fresh.ConditionExpression).toBe('attribute_not_exists(pk) OR e < :e');
    const newer = stateClaim('meta', '17', { e: 2, ls: 9, m: memo(9) }, 3, memo(0)).Put;
    expect(newer.ConditionExpression).toBe('attribute_not_exists(pk) OR e < :e');
  });

  it('judges a sequence: new, a retry of the last, out of order, or fenced', () => {
    const state = { e: 2, ls: 4, m: memo(4) };
    expect(judgeSequence(undefined, 0, 0)).toEqual({ kind: 'new' });
    expect(judgeSequence(undefined, 0, 1)).toEqual({ kind: 'out-of-order', expected: 0 });
    expect(judgeSequence(state, 2, 5)).toEqual({ kind: 'new' });
    expect(judgeSequence(state, 2, 4)).toEqual({ kind: 'retry', memo: state.m });
    expect(judgeSequence(state, 2, 3)).toEqual({ kind: 'out-of-order', expected: 5 });
    expect(judgeSequence(state, 2, 7)).toEqual({ kind: 'out-of-order', expected: 5 });
    expect(judgeSequence(state, 1, 0)).toEqual({ kind: 'fenced', epoch: 2 });
    expect(judgeSequence(state, 3, 0)).toEqual({ kind: 'new' });
    expect(judgeSequence(state, 3, 1)).toEqual({ kind: 'out-of-order', expected: 0 });
  });
});

describe('the settle call', () => {
  it('is one TransactWriteItems with every action and the token, unless the self-test splits it', async () => {
    const { DEFAULT_BUILDERS } = await import('../../lib/builders');
    const { SABOTAGES } = await import('../../checker/sabotage');
    const items = [batchPut('log', { pk: 'p', sk: 1, o: 0, n: 1, ra: 1, at: 1, mt: 1, c: 0, w: 'n' }), stateClaim('meta', '1', undefined, 0, memo(0))];
    const one = DEFAULT_BUILDERS.transactWrite(items, 'token-1');
    expect(one.commands).toHaveLength(1);
    expect(one.commands[0]!.input).toEqual({ TransactItems: items, ClientRequestToken: 'token-1' });
    const split = SABOTAGES.splitTransaction.transactWrite(items);
    expect(split.commands.map((c) => Object.keys(c.input).sort())).toEqual([
      ['ConditionExpression', 'Item', 'TableName'],
      ['ConditionExpression', 'ExpressionAttributeValues', 'Item', 'TableName'],
    ]);
  });
});

import { describe, expect, it } from 'vitest';
import { decide, type AclBinding } from '../../lib/auth/acl';
import { aclAuthorizer } from '../../lib/auth/acl-authorizer';
import { PrincipalQuota } from '../../lib/auth/quota';

const alice = { name: 'alice' };
const topic = (name: string) => ({ type: 'topic', name }) as const;
const allow = (b: Partial<AclBinding>): AclBinding => ({
  principal: 'alice',
  resourceType: 'topic',
  resourceName: 'orders',
  patternType: 'literal',
  operation: 'read',
  permission: 'allow',
  ...b,
});

describe('decide', () => {
  it('denies by default and allows what a binding grants', () => {
    expect(decide([], alice, 'read', topic('orders'))).toBe('none');
    expect(decide([allow({})], alice, 'read', topic('orders'))).toBe('allow');
    expect(decide([allow({})], alice, 'write', topic('orders'))).toBe('none');
    expect(decide([allow({})], { name: 'bob' }, 'read', topic('orders'))).toBe('none');
  });

  it('matches literal names exactly, `*` as every name, and prefixes by prefix', () => {
    expect(decide([allow({})], alice, 'read', topic('orders2'))).toBe('none');
    expect(decide([allow({ resourceName: '*' })], alice, 'read', topic('anything'))).toBe('allow');
    expect(decide([allow({ resourceName: 'ord', patternType: 'prefixed' })], alice, 'read', topic('orders2'))).toBe('allow');
    expect(decide([allow({ resourceName: 'ord', patternType: 'prefixed' })], alice, 'read', topic('xord'))).toBe('none');
    // A literal '*' in a prefixed binding is a prefix like any other, not a wildcard.
    expect(decide([allow({ resourceName: '*', patternType: 'prefixed' })], alice, 'read', topic('orders'))).toBe('none');
    expect(decide([allow({ resourceType: 'group' })], alice, 'read', topic('orders'))).toBe('none');
  });

  it('lets deny win, `all` cover every operation and allows of read/write/delete/alter imply describe', () => {
    const deny = allow({ permission: 'deny' });
    expect(decide([allow({ operation: 'all' }), deny], alice, 'read', topic('orders'))).toBe('deny');
    expect(decide([allow({ operation: 'all' }), deny], alice, 'write', topic('orders'))).toBe('allow');
    expect(decide([allow({ principal: '*', operation: 'all', permission: 'deny' }), allow({})], alice, 'describe', topic('orders'))).toBe('deny');
    for (const op of ['read', 'write', 'delete', 'alter'] as const) {
      expect(decide([allow({ operation: op })], alice, 'describe', topic('orders'))).toBe('allow');
    }
    expect(decide([allow({ operation: 'create' })], alice, 'describe', topic('orders'))).toBe('none');
    // A deny of read does not deny describe.
    expect(decide([allow({ operation: 'describe' }), deny], alice, 'describe', topic('orders'))).toBe('allow');
  });
});

describe('aclAuthorizer', () => {
  it('lets super users through without loading ACLs and reloads bindings only after cacheMs', async () => {
    let now = 0;
    let loads = 0;
    let bindings: AclBinding[] = [];
    const authorize = aclAuthorizer({
      superUsers: ['root'],
      cacheMs: 1_000,
      clock: { now: () => now },
      load: async () => {
        loads++;
        return bindings;
      },
    });
    expect(await authorize({ name: 'root' }, 'delete', topic('x'))).toBe(true);
    expect(loads).toBe(0);
    expect(await authorize(alice, 'read', topic('orders'))).toBe(false);
    bindings = [allow({})];
    now = 999;
    expect(await authorize(alice, 'read', topic('orders'))).toBe(false);
    now = 1_000;
    expect(await authorize(alice, 'read', topic('orders'))).toBe(true);
    expect(loads).toBe(2);
  });

  it('does not cache a failed load', async () => {
    let fail = true;
    const authorize = aclAuthorizer({
      superUsers: [],
      cacheMs: 60_000,
      clock: { now: () => 0 },
      load: async () => {
        if (fail) throw new Error('throttled');
        return [allow({})];
      },
    });
    await expect(authorize(alice, 'read', topic('orders'))).rejects.toThrow('throttled');
    fail = false;
    expect(await authorize(alice, 'read', topic('orders'))).toBe(true);
  });
});

describe('PrincipalQuota', () => {
  it('allows a burst, then refills at the rate', () => {
    let now = 0;
    const quota = new PrincipalQuota({ ratePerSecond: 2, burst: 2 }, { now: () => now });
    quota.take(alice);
    quota.take(alice);
    expect(() => quota.take(alice)).toThrow(/quota of 2 requests\/s/);
    now = 500;
    quota.take(alice);
    expect(() => quota.take(alice)).toThrow();
    expect(() => new PrincipalQuota({ ratePerSecond: 0, burst: 1 }, { now: () => 0 }).take(alice)).not.toThrow();
  });
});

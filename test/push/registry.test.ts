/** The registry's request builders: keys, TTL and the conditions that keep a disconnected connection from coming back. */
import { describe, expect, it } from 'vitest';
import {
  addLinks,
  addSubscriptions,
  linkKey,
  removeLinks,
  splitLinkKey,
  CONNECTION_LIFETIME_MS,
  decodeConnection,
  putConnection,
  pushKeys,
  putSubscription,
  queryPartitionSubscribers,
  removeSubscriptions,
  splitPartitionKey,
} from '../../lib/push/registry';
import { parsePushClientMessage } from '../../lib/protocol/push';

describe('push registry builders', () => {
  it('a new connection never overwrites a registered one, and expires after its lifetime plus a margin', () => {
    const req = putConnection('meta', 'c1', 'alice', 1_000_000);
    expect(req.ConditionExpression).toBe('attribute_not_exists(pk)');
    expect(req.Item).toMatchObject({ pk: 'push#conn#c1', sk: 'conn', principal: 'alice' });
    expect(req.Item.ttl * 1000).toBeGreaterThan(1_000_000 + CONNECTION_LIFETIME_MS);
  });
  it('subscriptions are recorded only on a registered connection', () => {
    expect(addSubscriptions('meta', 'c1', ['t#0']).ConditionExpression).toBe('attribute_exists(pk)');
    expect(removeSubscriptions('meta', 'c1', ['t#0']).ConditionExpression).toBe('attribute_exists(pk)');
    expect(addSubscriptions('meta', 'c1', ['t#0']).ExpressionAttributeValues[':s']).toEqual(new Set(['t#0']));
  });
  it('fan-out finds a partition subscribers with one Query on its key', () => {
    expect(putSubscription('meta', 't', 3, 'c1', 'orders', 0).Item).toMatchObject({ pk: 'push#sub#t#3', sk: 'c1', topic: 'orders' });
    expect(queryPartitionSubscribers('meta', 't', 3).ExpressionAttributeValues).toEqual({ ':pk': pushKeys.subscriptionPk('t', 3) });
    expect(splitPartitionKey('a#b#12')).toEqual({ topicId: 'a#b', partition: 12 });
  });
  it('decodes a connection item and refuses a malformed one', () => {
    expect(decodeConnection('c1', { principal: 'a', connectedAt: 5, subs: new Set(['t#1']) })).toEqual({
      connectionId: 'c1',
      principal: 'a',
      connectedAt: 5,
      subs: ['t#1'],
      links: [],
    });
    expect(decodeConnection('c1', { principal: 'a', connectedAt: 5, links: new Set(['g#m#3']) })?.links).toEqual(['g#m#3']);
    expect(decodeConnection('c1', undefined)).toBeUndefined();
    expect(() => decodeConnection('c1', { principal: 7 })).toThrow(/Malformed/);
  });
  it('parses link messages: a group, a member id and an epoch the server gave', () => {
    expect(parsePushClientMessage('{"action":"link","group":"g","memberId":"m","memberEpoch":3,"id":"1"}')).toEqual({
      action: 'link', group: 'g', memberId: 'm', memberEpoch: 3, id: '1',
    });
    expect(parsePushClientMessage('{"action":"unlink","group":"g","memberId":"m"}')).toEqual({ action: 'unlink', group: 'g', memberId: 'm' });
    for (const bad of ['{"action":"link","group":"g","memberId":"m"}', '{"action":"link","group":"g","memberId":"m","memberEpoch":0}', '{"action":"link","memberId":"m","memberEpoch":1}', '{"action":"unlink","group":"g"}']) {
      expect(() => parsePushClientMessage(bad), bad).toThrow(expect.objectContaining({ code: 'INVALID_REQUEST' }));
    }
    expect(splitLinkKey(linkKey('g.1', 'm:2', 7))).toEqual({ group: 'g.1', memberId: 'm:2', epoch: 7 });
    expect(splitLinkKey('g#m')).toBeUndefined();
  });
  it('links are added and removed only on a registered connection', () => {
    for (const r of [addLinks('meta', 'c1', ['g#m#1']), removeLinks('meta', 'c1', ['g#m#1'])]) {
      expect(r.ConditionExpression).toBe('attribute_exists(pk)');
      expect(r.Key).toEqual({ pk: 'push#conn#c1', sk: 'conn' });
    }
  });
  it('parses client messages and refuses bad ones with INVALID_REQUEST', () => {
    expect(parsePushClientMessage('{"action":"subscribe","topic":"t","partitions":[1,1,2]}')).toEqual({ action: 'subscribe', topic: 't', partitions: [1, 2] });
    for (const bad of ['nope', '[]', '{"action":"x"}', '{"action":"subscribe"}', '{"action":"subscribe","topic":"t","partitions":[-1]}', '{"action":"ping","id":5}']) {
      expect(() => parsePushClientMessage(bad), bad).toThrow(expect.objectContaining({ code: 'INVALID_REQUEST' }));
    }
  });
});

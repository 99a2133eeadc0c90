/**
 * Incarnations of a member id (lib/groups/incarnation.ts): a member that left,
 * was removed by an admin or timed out, and re-joined with the SAME member id
 * (what the SDK does), must never let its earlier incarnation commit, heartbeat
 * or poll. Each path is checked against the mutation that restores the old
 * behaviour (the `forgetIncarnations` sabotage: re-joins start at the group
 * epoch and commits trust any epoch up to the lease's): every test here fails with it.
 */
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { ANONYMOUS } from '../../lib/auth/authorize';
import type { LibContext } from '../../lib/context';
import { sabotagedBuilders } from '../../checker/sabotage';
import { acquire } from '../../lib/groups/acquire';
import { commitOffsets } from '../../lib/groups/commit';
import { deleteGroup } from '../../lib/groups/delete';
import { heartbeat, type HeartbeatResult } from '../../lib/groups/heartbeat';
import { acquireLeaseRequest } from '../../lib/groups/leases';
import { retireRequest } from '../../lib/groups/incarnation';
import type { TopicPartitions } from '../../lib/protocol/groups';
import { metaKeys } from '../../lib/storage/keys';
import { ddbHook } from '../support/ddb-faults';
import { createTestStack, uniqueName, type TestStack } from '../support/stack';

let stack: TestStack;
/** Runs once, right after deleteGroup's read of the group's items: a member joining at that moment. */
let afterDeleteQuery: (() => Promise<void>) | undefined;
beforeAll(async () => {
  stack = await createTestStack({
    plugins: [
      ddbHook('initialize', async (call, next) => {
        const out = await next();
        const hook = afterDeleteQuery;
        if (call.command === 'Query' && call.input.ProjectionExpression === 'pk, sk, epoch' && hook !== undefined) {
          afterDeleteQuery = undefined;
          await hook();
        }
        return out;
      }),
    ],
  });
});

function manualClock(): { ctx: LibContext; advance(ms: number): void } {
  let now = Date.now();
  return { ctx: { ...stack.lib, clock: { now: () => now } }, advance: (ms) => (now += ms) };
}

/** The same engine with the fix removed: what the checker's self-test runs. */
const forgetful = (ctx: LibContext): LibContext => ({ ...ctx, builders: sabotagedBuilders({ forgetIncarnations: true }) });

async function topic(partitions: number): Promise<string> {
  const name = uniqueName();
  expect((await stack.call('POST', '/v1/topics', { name, partitions })).status).toBe(201);
  return name;
}

const flat = (a: TopicPartitions[]) => a.flatMap((tp) => tp.partitions.map((p) => `${tp.topic}/${p}`)).sort();

/** Joins `a` alone, then re-joins it (same id, item kept) until its epoch runs `ahead` past the group epoch. */
async function joinAhead(ctx: LibContext, g: string, t: string, ahead: number): Promise<HeartbeatResult> {
  let a = await heartbeat(ctx, ANONYMOUS, g, { memberId: 'a', memberEpoch: 0, topics: [t] });
  // A re-join while the member item lives bumps the member epoch, not the group epoch.
  for (let i = 0; i < ahead; i++) a = await heartbeat(ctx, ANONYMOUS, g, { memberId: 'a', memberEpoch: 0, topics: [t] });
  return a;
}

async function groupEpoch(g: string): Promise<number> {
  const out = await stack.lib.ddb.send(new GetCommand({ TableName: stack.tables.meta, Key: metaKeys.group(g), ConsistentRead: true }));
  return out.Item?.epoch as number;
}

async function committed(g: string, t: string, p: number): Promise<number | undefined> {
  const res = await stack.call('GET', `/v1/groups/${g}/offsets`);
  return res.body.offsets.find((o: { topic: string; partition: number }) => o.topic === t && o.partition === p)?.offset;
}

async function commit(g: string, memberId: string, memberEpoch: number, t: string, offset: number) {
  return stack.call('POST', `/v1/groups/${g}/commits`, { memberId, memberEpoch, offsets: [{ topic: t, partition: 0, offset }] });
}

/** The zombie (old incarnation, old epoch) tries everything; all of it is refused and nothing moves. */
async function expectZombieFenced(g: string, t: string, oldEpoch: number, liveOffset: number): Promise<void> {
  const c = await commit(g, 'a', oldEpoch, t, 2);
  expect(c.status).toBe(409);
  expect(c.body.error.code).toBe('FENCED_MEMBER_EPOCH');
  const hb = await stack.call('POST', `/v1/groups/${g}/heartbeat`, { memberId: 'a', memberEpoch: oldEpoch, topics: [t], owned: [{ topic: t, partitions: [0] }] });
  expect(hb.status).toBe(409);
  expect(hb.body.error.code).toBe('FENCED_MEMBER_EPOCH');
  const poll = await stack.call('POST', `/v1/groups/${g}/poll`, {
    memberId: 'a',
    memberEpoch: oldEpoch,
    topics: [t],
    commit: [{ topic: t, partition: 0, offset: 1 }],
  });
  expect(poll.status).toBe(409);
  expect(await committed(g, t, 0)).toBe(liveOffset);
}

describe('a re-joined member id is a new incarnation', () => {
  it('after a leave: the old incarnation can neither commit, heartbeat nor poll (commits never go backwards)', async () => {
    const t = await topic(1);
    const g = uniqueName('group');
    // The minimal shape: the member's epoch ran ahead of the group epoch before it left.
    const old = await joinAhead(stack.lib, g, t, 3);
    expect(old.memberEpoch).toBeGreaterThan(await groupEpoch(g));
    expect((await commit(g, 'a', old.memberEpoch, t, 12)).status).toBe(200);
    await heartbeat(stack.lib, ANONYMOUS, g, { memberId: 'a', memberEpoch: -1 });

    const again = await heartbeat(stack.lib, ANONYMOUS, g, { memberId: 'a', memberEpoch: 0, topics: [t] });
    expect(again.memberEpoch).toBeGreaterThan(old.memberEpoch);
    expect(flat(again.assignment)).toEqual([`${t}/0`]);
    expect((await commit(g, 'a', again.memberEpoch, t, 14)).status).toBe(200);
    await expectZombieFenced(g, t, old.memberEpoch, 14);
  });

  it('after an admin removes it', async () => {
    const t = await topic(1);
    const g = uniqueName('group');
    const old = await joinAhead(stack.lib, g, t, 2);
    expect((await commit(g, 'a', old.memberEpoch, t, 20)).status).toBe(200);
    expect((await stack.call('DELETE', `/v1/groups/${g}/members/a`)).status).toBe(204);

    const again = await heartbeat(stack.lib, ANONYMOUS, g, { memberId: 'a', memberEpoch: 0, topics: [t] });
    expect(again.memberEpoch).toBeGreaterThan(old.memberEpoch);
    expect((await commit(g, 'a', again.memberEpoch, t, 21)).status).toBe(200);
    await expectZombieFenced(g, t, old.memberEpoch, 21);
  });

  it('after another member removed it at its session timeout', async () => {
    const { ctx, advance } = manualClock();
    const t = await topic(1);
    const g = uniqueName('group');
    const old = await joinAhead(ctx, g, t, 2);
    expect((await commit(g, 'a', old.memberEpoch, t, 30)).status).toBe(200);
    const b = await heartbeat(ctx, ANONYMOUS, g, { memberId: 'b', memberEpoch: 0, topics: [t], sessionTimeoutMs: 60_000 });
    advance(50_000); // a's 45 s session is over; b's is not.
    const b2 = await heartbeat(ctx, ANONYMOUS, g, { memberId: 'b', memberEpoch: b.memberEpoch, topics: [t], owned: b.assignment, sessionTimeoutMs: 60_000 });
    expect(flat(b2.assignment)).toEqual([`${t}/0`]);
    // b leaves, so the partition is free for a's next incarnation.
    await heartbeat(ctx, ANONYMOUS, g, { memberId: 'b', memberEpoch: -1 });

    const again = await heartbeat(ctx, ANONYMOUS, g, { memberId: 'a', memberEpoch: 0, topics: [t] });
    expect(again.memberEpoch).toBeGreaterThan(old.memberEpoch);
    expect((await commitOffsets(ctx, ANONYMOUS, g, 'a', again.memberEpoch, [{ topic: t, partition: 0, offset: 31 }]))[0]).toMatchObject({ offset: 31 });
    const zombie = await commitOffsets(ctx, ANONYMOUS, g, 'a', old.memberEpoch, [{ topic: t, partition: 0, offset: 3 }]);
    expect(zombie[0]).toMatchObject({ error: { code: 'FENCED_MEMBER_EPOCH' } });
    await expect(heartbeat(ctx, ANONYMOUS, g, { memberId: 'a', memberEpoch: old.memberEpoch, topics: [t], owned: old.assignment })).rejects.toMatchObject({
      code: 'FENCED_MEMBER_EPOCH',
    });
    expect(await committed(g, t, 0)).toBe(31);
  });

  // Checked against: liveMember (acquire.ts) treating a timed-out owner as gone without removing it — the late
  // member then keeps heartbeating and committing while another member owns its partition, and this fails.
  it('a partition is taken from a timed-out member only after removing it, so the late member is fenced when it comes back', async () => {
    const { ctx, advance } = manualClock();
    const t = await topic(1);
    const g = uniqueName('group');
    const a = await heartbeat(ctx, ANONYMOUS, g, { memberId: 'a', memberEpoch: 0, topics: [t], sessionTimeoutMs: 2_000 });
    advance(3_000);
    // A member that joined after the taker read the members (so not in its snapshot) finds a's lease.
    const topicId = (await stack.call('GET', `/v1/topics/${t}`)).body.topicId as string;
    const taken = await acquire(ctx, g, [`${topicId}:0`], new Map([[topicId, t]]), 'b', 1, new Map());
    expect(taken).toEqual([`${topicId}:0`]);
    const late = await commitOffsets(ctx, ANONYMOUS, g, 'a', a.memberEpoch, [{ topic: t, partition: 0, offset: 5 }]);
    expect(late[0]).toMatchObject({ error: { code: 'UNKNOWN_MEMBER_ID' } });
    await expect(
      heartbeat(ctx, ANONYMOUS, g, { memberId: 'a', memberEpoch: a.memberEpoch, topics: [t], owned: a.assignment, sessionTimeoutMs: 2_000 }),
    ).rejects.toMatchObject({ code: 'UNKNOWN_MEMBER_ID' });
    const again = await heartbeat(ctx, ANONYMOUS, g, { memberId: 'a', memberEpoch: 0, topics: [t], sessionTimeoutMs: 2_000 });
    expect(again.memberEpoch).toBeGreaterThan(a.memberEpoch);
  });

  it('a member late for its session but not yet removed carries on (nobody took its partitions)', async () => {
    const { ctx, advance } = manualClock();
    const t = await topic(1);
    const g = uniqueName('group');
    const a = await heartbeat(ctx, ANONYMOUS, g, { memberId: 'a', memberEpoch: 0, topics: [t], sessionTimeoutMs: 2_000 });
    advance(3_000);
    const late = await heartbeat(ctx, ANONYMOUS, g, { memberId: 'a', memberEpoch: a.memberEpoch, topics: [t], owned: a.assignment, sessionTimeoutMs: 2_000 });
    expect(flat(late.assignment)).toEqual([`${t}/0`]);
    expect((await commitOffsets(ctx, ANONYMOUS, g, 'a', late.memberEpoch, [{ topic: t, partition: 0, offset: 5 }]))[0]).toMatchObject({ offset: 5 });
  });

  it('a re-join while the old item lives fences the previous epoch too (no lost-response fallback across incarnations)', async () => {
    const t = await topic(1);
    const g = uniqueName('group');
    const a = await heartbeat(stack.lib, ANONYMOUS, g, { memberId: 'a', memberEpoch: 0, topics: [t] });
    const again = await heartbeat(stack.lib, ANONYMOUS, g, { memberId: 'a', memberEpoch: 0, topics: [t] });
    expect(again.memberEpoch).toBeGreaterThan(a.memberEpoch);
    // Same assignment, so the old epoch would pass as "previous epoch after a lost response" were it not an old incarnation.
    await expect(heartbeat(stack.lib, ANONYMOUS, g, { memberId: 'a', memberEpoch: a.memberEpoch, topics: [t], owned: a.assignment })).rejects.toMatchObject({
      code: 'FENCED_MEMBER_EPOCH',
    });
    const c = await commitOffsets(stack.lib, ANONYMOUS, g, 'a', a.memberEpoch, [{ topic: t, partition: 0, offset: 9 }]);
    expect(c[0]).toMatchObject({ error: { code: 'FENCED_MEMBER_EPOCH' } });
  });

  it('the checker self-test sabotage restores the bug: a forgetful engine lets the zombie move the commit backwards', async () => {
    const ctx = forgetful(stack.lib);
    const t = await topic(1);
    const g = uniqueName('group');
    const old = await joinAhead(ctx, g, t, 3);
    await commitOffsets(ctx, ANONYMOUS, g, 'a', old.memberEpoch, [{ topic: t, partition: 0, offset: 12 }]);
    await heartbeat(ctx, ANONYMOUS, g, { memberId: 'a', memberEpoch: -1 });
    const again = await heartbeat(ctx, ANONYMOUS, g, { memberId: 'a', memberEpoch: 0, topics: [t] });
    expect(again.memberEpoch).toBeLessThanOrEqual(old.memberEpoch);
    await commitOffsets(ctx, ANONYMOUS, g, 'a', again.memberEpoch, [{ topic: t, partition: 0, offset: 14 }]);
    expect((await commitOffsets(ctx, ANONYMOUS, g, 'a', old.memberEpoch, [{ topic: t, partition: 0, offset: 2 }]))[0]).toMatchObject({ offset: 2 });
    expect(await committed(g, t, 0)).toBe(2);
  });
});

describe('leases left over from an earlier incarnation', () => {
  // Checked against: treating every lease of a live member id as held (acquire.ts without the joinEpoch test) makes this fail.
  it('are free for the member the partition is assigned to, even though the member id is live again', async () => {
    const t = await topic(2);
    const g = uniqueName('group');
    const a = await heartbeat(stack.lib, ANONYMOUS, g, { memberId: 'a', memberEpoch: 0, topics: [t] });
    const b = await heartbeat(stack.lib, ANONYMOUS, g, { memberId: 'b', memberEpoch: 0, topics: [t] });
    const a2 = await heartbeat(stack.lib, ANONYMOUS, g, { memberId: 'a', memberEpoch: a.memberEpoch, topics: [t], owned: a.assignment });
    await heartbeat(stack.lib, ANONYMOUS, g, { memberId: 'a', memberEpoch: a2.memberEpoch, topics: [t], owned: a2.assignment });
    const bTarget = [0, 1].find((p) => !flat(a2.assignment).includes(`${t}/${p}`))!;
    // What a zombie of an earlier incarnation of 'a' (or a removal cut short) leaves: a lease naming 'a' below its joinEpoch.
    const topicId = (await stack.call('GET', `/v1/topics/${t}`)).body.topicId as string;
    await stack.lib.ddb.send(
      new UpdateCommand({
        TableName: stack.tables.meta,
        Key: metaKeys.commit(g, topicId, bTarget),
        UpdateExpression: 'SET #o = :a, ownerEpoch = :zero',
        ExpressionAttributeNames: { '#o': 'owner' },
        ExpressionAttributeValues: { ':a': 'a', ':zero': 0 },
      }),
    );
    const b2 = await heartbeat(stack.lib, ANONYMOUS, g, { memberId: 'b', memberEpoch: b.memberEpoch, topics: [t], owned: [] });
    expect(flat(b2.assignment)).toEqual([`${t}/${bTarget}`]);
  });

  it('a take is a compare-and-set on exactly what was judged', () => {
    const mine = acquireLeaseRequest('meta', 'g', 'tid:0', 't', 'a', 7, { kind: 'mine' });
    // A zombie of an earlier incarnation has lower epochs: it can never take back what the live one holds.
    expect(mine.ConditionExpression).toBe('#owner = :m AND ownerEpoch <= :e');
    expect(mine.ExpressionAttributeValues).toMatchObject({ ':m': 'a', ':e': 7 });
    const other = acquireLeaseRequest('meta', 'g', 'tid:0', 't', 'b', 3, { kind: 'other', owner: 'a', epoch: 5 });
    // A previous owner that re-took the lease since (a new incarnation, a higher epoch) is not robbed.
    expect(other.ConditionExpression).toBe('(#owner = :old AND ownerEpoch = :oldEpoch) OR attribute_not_exists(#owner)');
    expect(other.ExpressionAttributeValues).toMatchObject({ ':old': 'a', ':oldEpoch': 5, ':m': 'b', ':e': 3 });
    expect(acquireLeaseRequest('meta', 'g', 'tid:0', 't', 'b', 3, { kind: 'free' }).ConditionExpression).toBe('attribute_not_exists(#owner)');
    const retire = retireRequest('meta', 'g', 'a', 9);
    // Only ever raised: a late retry of an older removal cannot lower the floor a re-join starts above.
    expect(retire.ConditionExpression).toBe('attribute_not_exists(lastEpoch) OR lastEpoch < :e');
    expect(retire.Key).toEqual(metaKeys.retiredMember('g', 'a'));
  });
});

describe('deleting a group while a member joins', () => {
  // Checked against: an unconditional delete of commit items (deleteGroupItemRequest) makes this fail.
  it('never deletes a lease the joiner just took: the delete answers GROUP_NOT_EMPTY and the joiner keeps its partition and commit', async () => {
    const t = await topic(1);
    const g = uniqueName('group');
    const a = await heartbeat(stack.lib, ANONYMOUS, g, { memberId: 'a', memberEpoch: 0, topics: [t] });
    expect((await commit(g, 'a', a.memberEpoch, t, 40)).status).toBe(200);
    await heartbeat(stack.lib, ANONYMOUS, g, { memberId: 'a', memberEpoch: -1 });
    let joiner: HeartbeatResult | undefined;
    afterDeleteQuery = async () => {
      joiner = await heartbeat(stack.lib, ANONYMOUS, g, { memberId: 'b', memberEpoch: 0, topics: [t] });
    };
    await expect(deleteGroup(stack.lib, ANONYMOUS, g)).rejects.toMatchObject({ code: 'GROUP_NOT_EMPTY' });
    expect(flat(joiner!.assignment)).toEqual([`${t}/0`]);
    // The joiner still owns the partition: its commit lands, and the group is still listed.
    expect((await commit(g, 'b', joiner!.memberEpoch, t, 41)).status).toBe(200);
    expect(await committed(g, t, 0)).toBe(41);
    expect((await stack.call('GET', `/v1/groups/${g}`)).status).toBe(200);
  });

  it('a deleted and re-created group still fences the earlier incarnations of its member ids', async () => {
    const t = await topic(1);
    const g = uniqueName('group');
    const old = await joinAhead(stack.lib, g, t, 4);
    await heartbeat(stack.lib, ANONYMOUS, g, { memberId: 'a', memberEpoch: -1 });
    expect((await stack.call('DELETE', `/v1/groups/${g}`)).status).toBe(204);
    expect((await stack.call('DELETE', `/v1/groups/${g}`)).status).toBe(404);
    const again = await heartbeat(stack.lib, ANONYMOUS, g, { memberId: 'a', memberEpoch: 0, topics: [t] });
    expect(again.memberEpoch).toBeGreaterThan(old.memberEpoch);
    expect((await commit(g, 'a', old.memberEpoch, t, 1)).body.error.code).toBe('FENCED_MEMBER_EPOCH');
  });
});

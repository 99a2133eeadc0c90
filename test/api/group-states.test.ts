/**
 * One vocabulary for a group's state (Kafka's: Empty, Assigning,
 * Reconciling, Stable, Dead) and one count of live members, whether the
 * group is listed or described (lib/groups/status.ts). The test walks one
 * group through every state on a clock it moves.
 */
import { DeleteCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { ANONYMOUS } from '../../lib/auth/authorize';
import type { LibContext } from '../../lib/context';
import { deleteGroup } from '../../lib/groups/delete';
import { describeGroup } from '../../lib/groups/describe';
import { heartbeat, type HeartbeatResult } from '../../lib/groups/heartbeat';
import { listGroups } from '../../lib/groups/list';
import { metaKeys } from '../../lib/storage/keys';
import { createTestStack, uniqueName, type TestStack } from '../support/stack';

let stack: TestStack;
beforeAll(async () => {
  stack = await createTestStack();
});

/** What list and describe say about the group; they must agree on state and live members. */
async function seen(ctx: LibContext, group: string): Promise<{ state: string; members: number; expired: string[] }> {
  const listed = (await listGroups(ctx, ANONYMOUS)).find((g) => g.group === group);
  expect(listed, `${group} is listed`).toBeDefined();
  const described = await describeGroup(ctx, ANONYMOUS, group);
  const live = described.members.filter((m) => !m.expired);
  expect({ state: described.state, members: live.length }, 'describe agrees with list').toEqual({ state: listed!.state, members: listed!.members });
  return { state: listed!.state, members: listed!.members, expired: described.members.filter((m) => m.expired).map((m) => m.memberId) };
}

describe('group states', () => {
  it('walks Stable, Reconciling, Assigning (a dead member still in the target), Stable, Empty and Dead, counting the same live members in list and describe', async () => {
    let now = Date.now();
    const ctx: LibContext = { ...stack.lib, clock: { now: () => now } };
    const topic = uniqueName();
    expect((await stack.call('POST', '/v1/topics', { name: topic, partitions: 2 })).status).toBe(201);
    const group = uniqueName('group');
    const beat = (memberId: string, last: HeartbeatResult | undefined, sessionTimeoutMs: number) =>
      heartbeat(ctx, ANONYMOUS, group, {
        memberId,
        memberEpoch: last?.memberEpoch ?? 0,
        topics: [topic],
        sessionTimeoutMs,
        ...(last === undefined ? {} : { owned: last.assignment }),
      });

    // a alone holds both partitions.
    let a = await beat('a', undefined, 5_000);
    expect(await seen(ctx, group)).toEqual({ state: 'Stable', members: 1, expired: [] });

    // b joins: the target splits the partitions, but a still holds the one b is to get.
    let b = await beat('b', undefined, 60_000);
    expect(await seen(ctx, group)).toEqual({ state: 'Reconciling', members: 2, expired: [] });
    a = await beat('a', a, 5_000);
    a = await beat('a', a, 5_000); // reports it gave the partition up
    b = await beat('b', b, 60_000);
    expect(b.assignment.flatMap((t) => t.partitions)).toHaveLength(1);
    expect(await seen(ctx, group)).toEqual({ state: 'Stable', members: 2, expired: [] });

    // a's session runs out and no request has removed it yet: not live, but still in the target.
    now += 10_000;
    expect(await seen(ctx, group)).toEqual({ state: 'Assigning', members: 1, expired: ['a'] });

    // b's next heartbeats remove a, recompute the target and take a's partition.
    b = await beat('b', b, 60_000);
    b = await beat('b', b, 60_000);
    expect(b.assignment.flatMap((t) => t.partitions).sort()).toEqual([0, 1]);
    expect(await seen(ctx, group)).toEqual({ state: 'Stable', members: 1, expired: [] });

    await heartbeat(ctx, ANONYMOUS, group, { memberId: 'b', memberEpoch: -1 });
    expect(await seen(ctx, group)).toEqual({ state: 'Empty', members: 0, expired: [] });

    // A delete removes the group item before the registry entry: caught in between, the group is Dead.
    await stack.lib.ddb.send(new DeleteCommand({ TableName: stack.tables.meta, Key: metaKeys.group(group) }));
    expect((await listGroups(ctx, ANONYMOUS)).find((g) => g.group === group)).toEqual({ group, members: 0, state: 'Dead' });
    await expect(describeGroup(ctx, ANONYMOUS, group)).rejects.toMatchObject({ code: 'GROUP_ID_NOT_FOUND' });
    await deleteGroup(ctx, ANONYMOUS, group);
    expect((await listGroups(ctx, ANONYMOUS)).map((g) => g.group)).not.toContain(group);
  });

  it('a first join whose target is not written yet is Assigning, not a missing group', async () => {
    let now = Date.now();
    const ctx: LibContext = { ...stack.lib, clock: { now: () => now } };
    const topic = uniqueName();
    expect((await stack.call('POST', '/v1/topics', { name: topic, partitions: 1 })).status).toBe(201);
    const group = uniqueName('group');
    const a = await heartbeat(ctx, ANONYMOUS, group, { memberId: 'a', memberEpoch: 0, topics: [topic] });
    // As between a joiner's placeholder and its first group write: the member item exists, the group item not.
    await stack.lib.ddb.send(new DeleteCommand({ TableName: stack.tables.meta, Key: metaKeys.group(group) }));
    const described = await describeGroup(ctx, ANONYMOUS, group);
    expect(described).toMatchObject({ state: 'Assigning', epoch: 0, members: [{ memberId: 'a', memberEpoch: a.memberEpoch, expired: false }] });
    expect((await listGroups(ctx, ANONYMOUS)).find((g) => g.group === group)).toEqual({ group, members: 1, state: 'Assigning' });
    now += 60_000;
    await expect(describeGroup(ctx, ANONYMOUS, group)).rejects.toMatchObject({ code: 'GROUP_ID_NOT_FOUND' });
  });
});

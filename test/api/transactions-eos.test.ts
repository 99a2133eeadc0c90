/**
 * Exactly-once consume-transform-produce: a transaction carrying a group
 * member's commits writes its output records and moves the input offsets
 * together, or — for a zombie incarnation, a member whose partition moved,
 * a removed member — does neither.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { ANONYMOUS } from '../../lib/auth/authorize';
import { heartbeat } from '../../lib/groups/heartbeat';
import type { TopicPartitions } from '../../lib/protocol/groups';
import { createTestStack, uniqueName, type TestStack } from '../support/stack';

let stack: TestStack;
beforeAll(async () => {
  stack = await createTestStack();
});

const str = (data: string) => ({ type: 'STRING', data });
const flat = (a: TopicPartitions[]) => a.flatMap((tp) => tp.partitions.map((p) => `${tp.topic}/${p}`)).sort();

async function topic(partitions: number): Promise<string> {
  const name = uniqueName();
  expect((await stack.call('POST', '/v1/topics', { name, partitions })).status).toBe(201);
  return name;
}

async function committed(group: string): Promise<Record<string, number>> {
  const res = await stack.call('GET', `/v1/groups/${group}/offsets`);
  expect(res.status).toBe(200);
  const out: Record<string, number> = {};
  for (const o of res.body.offsets as { topic: string; partition: number; offset: number }[]) out[`${o.topic}/${o.partition}`] = o.offset;
  return out;
}

/** The output topic's visible records (its partition 0), read from the log start. */
async function outputs(name: string): Promise<string[]> {
  const path = `/v1/topics/${name}/partitions/0/records?maxRecords=1000&offset=`;
  let res = await stack.call('GET', `${path}0`);
  if (res.status === 416) res = await stack.call('GET', `${path}${res.body.error.logStartOffset}`);
  expect(res.status).toBe(200);
  return res.body.records.map((r: { value: { data: string } }) => r.value.data);
}

function transform(out: string, group: string, memberId: string, memberEpoch: number, input: string, partition: number, offset: number, value: string) {
  return {
    records: [{ topic: out, partition: 0, value: str(value) }],
    groupCommit: { groupId: group, memberId, memberEpoch, offsets: [{ topic: input, partition, offset }] },
  };
}

describe('consume-transform-produce', () => {
  it('commits the input offsets and writes the outputs together', async () => {
    const input = await topic(2);
    const out = await topic(1);
    const g = uniqueName('group');
    const a = await heartbeat(stack.lib, ANONYMOUS, g, { memberId: 'a', memberEpoch: 0, topics: [input] });
    expect(flat(a.assignment)).toEqual([`${input}/0`, `${input}/1`]);
    const res = await stack.call('POST', '/v1/transactions', {
      records: [{ topic: out, partition: 0, value: str('derived-0') }, { topic: out, partition: 0, value: str('derived-1') }],
      groupCommit: { groupId: g, memberId: 'a', memberEpoch: a.memberEpoch, offsets: [{ topic: input, partition: 0, offset: 2 }, { topic: input, partition: 1, offset: 7, metadata: 'm' }] },
    });
    expect(res.status).toBe(200);
    expect(res.body.committed).toEqual([{ topic: input, partition: 0, offset: 2 }, { topic: input, partition: 1, offset: 7 }]);
    expect(await committed(g)).toEqual({ [`${input}/0`]: 2, [`${input}/1`]: 7 });
    expect(await outputs(out)).toEqual(['derived-0', 'derived-1']);
  });

  it('writes nothing and commits nothing for a zombie: an earlier incarnation of a re-joined member id', async () => {
    const input = await topic(1);
    const out = await topic(1);
    const g = uniqueName('group');
    const first = await heartbeat(stack.lib, ANONYMOUS, g, { memberId: 'a', memberEpoch: 0, topics: [input] });
    expect((await stack.call('POST', '/v1/transactions', transform(out, g, 'a', first.memberEpoch, input, 0, 1, 'v1'))).status).toBe(200);
    // The member restarts under its id (a new incarnation); the old process is still running.
    const second = await heartbeat(stack.lib, ANONYMOUS, g, { memberId: 'a', memberEpoch: 0, topics: [input] });
    expect(second.memberEpoch).toBeGreaterThan(first.memberEpoch);
    const zombie = await stack.call('POST', '/v1/transactions', transform(out, g, 'a', first.memberEpoch, input, 0, 2, 'zombie'));
    expect(zombie.status).toBe(409);
    expect(zombie.body.error.code).toBe('FENCED_MEMBER_EPOCH');
    expect(await committed(g)).toEqual({ [`${input}/0`]: 1 });
    expect(await outputs(out)).toEqual(['v1']);
    // The live incarnation carries on.
    const live = await heartbeat(stack.lib, ANONYMOUS, g, { memberId: 'a', memberEpoch: second.memberEpoch, topics: [input], owned: second.assignment });
    expect((await stack.call('POST', '/v1/transactions', transform(out, g, 'a', live.memberEpoch, input, 0, 2, 'v2'))).status).toBe(200);
    expect(await outputs(out)).toEqual(['v1', 'v2']);
  });

  it('writes nothing and commits nothing for a partition that moved to another member', async () => {
    const input = await topic(2);
    const out = await topic(1);
    const g = uniqueName('group');
    const a = await heartbeat(stack.lib, ANONYMOUS, g, { memberId: 'a', memberEpoch: 0, topics: [input] });
    const b1 = await heartbeat(stack.lib, ANONYMOUS, g, { memberId: 'b', memberEpoch: 0, topics: [input] });
    const a2 = await heartbeat(stack.lib, ANONYMOUS, g, { memberId: 'a', memberEpoch: a.memberEpoch, topics: [input], owned: a.assignment });
    await heartbeat(stack.lib, ANONYMOUS, g, { memberId: 'a', memberEpoch: a2.memberEpoch, topics: [input], owned: a2.assignment });
    const b2 = await heartbeat(stack.lib, ANONYMOUS, g, { memberId: 'b', memberEpoch: b1.memberEpoch, topics: [input], owned: [] });
    const moved = flat(b2.assignment);
    expect(moved).toHaveLength(1);
    const partition = Number(moved[0]!.split('/').pop());
    // a still believes it owns the partition it gave up (it processed a record of it before the rebalance).
    const late = await stack.call('POST', '/v1/transactions', transform(out, g, 'a', a2.memberEpoch, input, partition, 5, 'late'));
    expect(late.status).toBe(409);
    expect(late.body.error.code).toBe('FENCED_MEMBER_EPOCH');
    // A transaction mixing an owned partition with the moved one is refused as a whole.
    const kept = 1 - partition;
    const mixed = await stack.call('POST', '/v1/transactions', {
      records: [{ topic: out, partition: 0, value: str('mixed') }],
      groupCommit: { groupId: g, memberId: 'a', memberEpoch: a2.memberEpoch, offsets: [{ topic: input, partition: kept, offset: 3 }, { topic: input, partition, offset: 3 }] },
    });
    expect(mixed.status).toBe(409);
    expect(await committed(g)).toEqual({});
    expect(await outputs(out)).toEqual([]);
    // The new owner commits it.
    const ok = await stack.call('POST', '/v1/transactions', transform(out, g, 'b', b2.memberEpoch, input, partition, 5, 'by-b'));
    expect(ok.status).toBe(200);
    expect(await committed(g)).toEqual({ [`${input}/${partition}`]: 5 });
    expect(await outputs(out)).toEqual(['by-b']);
  });

  it('refuses a member that is not in the group and an epoch never issued', async () => {
    const input = await topic(1);
    const out = await topic(1);
    const g = uniqueName('group');
    const a = await heartbeat(stack.lib, ANONYMOUS, g, { memberId: 'a', memberEpoch: 0, topics: [input] });
    const stranger = await stack.call('POST', '/v1/transactions', transform(out, g, 'nobody', 1, input, 0, 1, 'x'));
    expect(stranger.status).toBe(404);
    expect(stranger.body.error.code).toBe('UNKNOWN_MEMBER_ID');
    const future = await stack.call('POST', '/v1/transactions', transform(out, g, 'a', a.memberEpoch + 5, input, 0, 1, 'x'));
    expect(future.status).toBe(409);
    expect(future.body.error.code).toBe('FENCED_MEMBER_EPOCH');
    expect(await outputs(out)).toEqual([]);
    expect(await committed(g)).toEqual({});
  });
});

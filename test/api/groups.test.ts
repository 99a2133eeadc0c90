import { DeleteCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { ANONYMOUS } from '../../lib/auth/authorize';
import type { LibContext } from '../../lib/context';
import { commitOffsets } from '../../lib/groups/commit';
import { heartbeat, type HeartbeatResult } from '../../lib/groups/heartbeat';
import type { TopicPartitions } from '../../lib/protocol/groups';
import { metaKeys } from '../../lib/storage/keys';
import { createTestStack, uniqueName, type TestStack } from '../support/stack';

let stack: TestStack;
beforeAll(async () => {
  stack = await createTestStack();
});

/** A lib context whose clock the test moves, for session and rebalance timeouts. */
function manualClock(): { ctx: LibContext; advance(ms: number): void } {
  let now = Date.now();
  return { ctx: { ...stack.lib, clock: { now: () => now } }, advance: (ms) => (now += ms) };
}

async function topic(partitions: number): Promise<string> {
  const name = uniqueName();
  expect((await stack.call('POST', '/v1/topics', { name, partitions })).status).toBe(201);
  return name;
}

const flat = (a: TopicPartitions[]) => a.flatMap((tp) => tp.partitions.map((p) => `${tp.topic}/${p}`)).sort();

describe('membership and assignment', () => {
  it('gives a lone member every partition, then splits evenly as members join', async () => {
    const { ctx } = manualClock();
    const t = await topic(4);
    const g = uniqueName('group');
    const a = await heartbeat(ctx, ANONYMOUS, g, { memberId: 'a', memberEpoch: 0, topics: [t] });
    expect(flat(a.assignment)).toEqual([`${t}/0`, `${t}/1`, `${t}/2`, `${t}/3`]);
    expect(a.memberEpoch).toBeGreaterThan(0);

    const b1 = await heartbeat(ctx, ANONYMOUS, g, { memberId: 'b', memberEpoch: 0, topics: [t] });
    // Nothing is handed to b while a still owns it.
    expect(flat(b1.assignment)).toEqual([]);
    const a2 = await heartbeat(ctx, ANONYMOUS, g, { memberId: 'a', memberEpoch: a.memberEpoch, topics: [t], owned: a.assignment });
    expect(flat(a2.assignment)).toHaveLength(2);
    expect(a2.memberEpoch).toBeGreaterThan(a.memberEpoch);
    // a reports it gave the other two up; now b gets them.
    await heartbeat(ctx, ANONYMOUS, g, { memberId: 'a', memberEpoch: a2.memberEpoch, topics: [t], owned: a2.assignment });
    const b2 = await heartbeat(ctx, ANONYMOUS, g, { memberId: 'b', memberEpoch: b1.memberEpoch, topics: [t], owned: [] });
    expect(flat(b2.assignment)).toHaveLength(2);
    expect([...flat(a2.assignment), ...flat(b2.assignment)].sort()).toEqual(flat(a.assignment));
  });

  it('hands a leaving member’s partitions to the others', async () => {
    const { ctx } = manualClock();
    const t = await topic(2);
    const g = uniqueName('group');
    const [a, b] = await settle(ctx, g, t, ['a', 'b']);
    await heartbeat(ctx, ANONYMOUS, g, { memberId: 'a', memberEpoch: -1 });
    const b2 = await heartbeat(ctx, ANONYMOUS, g, { memberId: 'b', memberEpoch: b!.memberEpoch, topics: [t], owned: b!.assignment });
    expect(flat(b2.assignment)).toEqual([`${t}/0`, `${t}/1`]);
    expect(a).toBeDefined();
  });

  it('removes a member whose session expired and fences it from heartbeats and commits', async () => {
    const { ctx, advance } = manualClock();
    const t = await topic(2);
    const g = uniqueName('group');
    const [a, b] = await settle(ctx, g, t, ['a', 'b'], 2_000);
    const aPartition = a!.assignment[0]!.partitions[0]!;
    // a commits while it owns the partition.
    expect(await commitOffsets(ctx, ANONYMOUS, g, 'a', a!.memberEpoch, [{ topic: t, partition: aPartition, offset: 5 }])).toEqual([
      { topic: t, partition: aPartition, offset: 5 },
    ]);
    advance(1_500);
    await heartbeat(ctx, ANONYMOUS, g, { memberId: 'b', memberEpoch: b!.memberEpoch, topics: [t], owned: b!.assignment, sessionTimeoutMs: 2_000 });
    advance(1_500); // a has now been silent for 3 s > 2 s
    const b2 = await heartbeat(ctx, ANONYMOUS, g, { memberId: 'b', memberEpoch: b!.memberEpoch, topics: [t], owned: b!.assignment, sessionTimeoutMs: 2_000 });
    expect(flat(b2.assignment)).toEqual([`${t}/0`, `${t}/1`]);
    // The zombie wakes up: its commit and its heartbeat are refused.
    const zombie = await commitOffsets(ctx, ANONYMOUS, g, 'a', a!.memberEpoch, [{ topic: t, partition: aPartition, offset: 3 }]);
    expect(zombie[0]).toMatchObject({ error: { code: 'UNKNOWN_MEMBER_ID' } });
    await expect(heartbeat(ctx, ANONYMOUS, g, { memberId: 'a', memberEpoch: a!.memberEpoch, topics: [t] })).rejects.toMatchObject({
      code: 'UNKNOWN_MEMBER_ID',
    });
    const offsets = await stack.call('GET', `/v1/groups/${g}/offsets`);
    expect(offsets.body.offsets).toContainEqual(expect.objectContaining({ topic: t, partition: aPartition, offset: 5 }));
  });

  it('fences a member that keeps a revoked partition past its rebalance timeout', async () => {
    const { ctx, advance } = manualClock();
    const t = await topic(2);
    const g = uniqueName('group');
    const a = await heartbeat(ctx, ANONYMOUS, g, { memberId: 'a', memberEpoch: 0, topics: [t], rebalanceTimeoutMs: 1_000 });
    const b = await heartbeat(ctx, ANONYMOUS, g, { memberId: 'b', memberEpoch: 0, topics: [t] });
    // a is asked to give one partition up but keeps reporting both as owned.
    let aNow = await heartbeat(ctx, ANONYMOUS, g, { memberId: 'a', memberEpoch: a.memberEpoch, topics: [t], owned: a.assignment, rebalanceTimeoutMs: 1_000 });
    advance(600);
    aNow = await heartbeat(ctx, ANONYMOUS, g, { memberId: 'a', memberEpoch: aNow.memberEpoch, topics: [t], owned: a.assignment, rebalanceTimeoutMs: 1_000 });
    advance(600);
    const b2 = await heartbeat(ctx, ANONYMOUS, g, { memberId: 'b', memberEpoch: b.memberEpoch, topics: [t], owned: [] });
    expect(flat(b2.assignment)).toEqual([`${t}/0`, `${t}/1`]);
    await expect(
      heartbeat(ctx, ANONYMOUS, g, { memberId: 'a', memberEpoch: aNow.memberEpoch, topics: [t], owned: a.assignment }),
    ).rejects.toMatchObject({ code: 'UNKNOWN_MEMBER_ID' });
  });

  it('accepts the previous epoch after a lost response, and fences any other epoch', async () => {
    const { ctx } = manualClock();
    const t = await topic(2);
    const g = uniqueName('group');
    const a = await heartbeat(ctx, ANONYMOUS, g, { memberId: 'a', memberEpoch: 0, topics: [t] });
    await heartbeat(ctx, ANONYMOUS, g, { memberId: 'b', memberEpoch: 0, topics: [t] });
    // This response (a's new, smaller assignment and epoch) is "lost".
    const lost = await heartbeat(ctx, ANONYMOUS, g, { memberId: 'a', memberEpoch: a.memberEpoch, topics: [t], owned: a.assignment });
    expect(lost.memberEpoch).toBeGreaterThan(a.memberEpoch);
    // a retries with its old epoch, owning only what is still assigned to it: accepted.
    const retry = await heartbeat(ctx, ANONYMOUS, g, { memberId: 'a', memberEpoch: a.memberEpoch, topics: [t], owned: lost.assignment });
    expect(retry.memberEpoch).toBe(lost.memberEpoch);
    await expect(heartbeat(ctx, ANONYMOUS, g, { memberId: 'a', memberEpoch: lost.memberEpoch + 7, topics: [t] })).rejects.toMatchObject({
      code: 'FENCED_MEMBER_EPOCH',
    });
  });

  it('picks up a partition increase and a deleted topic on the next heartbeat', async () => {
    const { ctx } = manualClock();
    const t = await topic(1);
    const gone = await topic(1);
    const g = uniqueName('group');
    const a = await heartbeat(ctx, ANONYMOUS, g, { memberId: 'a', memberEpoch: 0, topics: [t, gone] });
    expect(flat(a.assignment)).toEqual([`${gone}/0`, `${t}/0`].sort());
    await stack.call('POST', `/v1/topics/${t}/partitions`, { partitions: 3 });
    await stack.call('DELETE', `/v1/topics/${gone}`);
    const a2 = await heartbeat(ctx, ANONYMOUS, g, { memberId: 'a', memberEpoch: a.memberEpoch, topics: [t, gone], owned: a.assignment });
    expect(flat(a2.assignment)).toEqual([`${t}/0`, `${t}/1`, `${t}/2`]);
  });

  it('rejects bad requests with clear codes', async () => {
    const g = uniqueName('group');
    const cases: [unknown, string][] = [
      [{ memberId: 'a', memberEpoch: 0, topics: ['bad name'] }, 'INVALID_TOPIC'],
      [{ memberId: '', memberEpoch: 0 }, 'INVALID_REQUEST'],
      [{ memberId: 'a', memberEpoch: -2 }, 'INVALID_REQUEST'],
      [{ memberId: 'a', memberEpoch: 0, sessionTimeoutMs: 10 }, 'INVALID_REQUEST'],
      [{ memberId: 'a', memberEpoch: 3 }, 'UNKNOWN_MEMBER_ID'],
      [{ memberId: 'a' }, 'INVALID_REQUEST'],
    ];
    for (const [body, code] of cases) {
      const res = await stack.call('POST', `/v1/groups/${g}/heartbeat`, body);
      expect(res.body.error?.code, JSON.stringify(body)).toBe(code);
      expect(res.status).toBeLessThan(500);
    }
    expect((await stack.call('POST', '/v1/groups/bad%20group/heartbeat', { memberId: 'a', memberEpoch: 0 })).body.error.code).toBe('INVALID_GROUP_ID');
  });
});

describe('simultaneous joins', () => {
  it('never leaves a member assigned a partition whose lease another member took', async () => {
    const { ctx } = manualClock();
    for (let round = 0; round < 6; round++) {
      const t = await topic(4);
      const g = uniqueName('group');
      const joined = await Promise.all(['a', 'b', 'c'].map((id) => heartbeat(ctx, ANONYMOUS, g, { memberId: id, memberEpoch: 0, topics: [t] })));
      const state = new Map(joined.map((r) => [r.memberId, r]));
      for (let i = 0; i < 4; i++) {
        const next = await Promise.all(
          [...state.values()].map((r) => heartbeat(ctx, ANONYMOUS, g, { memberId: r.memberId, memberEpoch: r.memberEpoch, topics: [t], owned: r.assignment })),
        );
        for (const r of next) state.set(r.memberId, r);
      }
      const owners = new Map<string, string>();
      for (const r of state.values()) {
        for (const tp of r.assignment) {
          for (const p of tp.partitions) {
            expect(owners.get(`${p}`), `round ${round}: partition ${p} twice`).toBeUndefined();
            owners.set(`${p}`, r.memberId);
            // Whatever a member is assigned, it can commit: it holds the lease.
            const [res] = await commitOffsets(ctx, ANONYMOUS, g, r.memberId, r.memberEpoch, [{ topic: t, partition: p, offset: 0 }]);
            expect(res, `round ${round}: ${r.memberId} commit ${p}`).not.toHaveProperty('error');
          }
        }
      }
      expect(owners.size).toBe(4);
    }
  });
});

describe('commits', () => {
  it('accepts commits only from the current owner, and forgets commits of a re-created topic', async () => {
    const { ctx } = manualClock();
    const t = await topic(1);
    const g = uniqueName('group');
    const a = await heartbeat(ctx, ANONYMOUS, g, { memberId: 'a', memberEpoch: 0, topics: [t] });
    const b = await heartbeat(ctx, ANONYMOUS, g, { memberId: 'b', memberEpoch: 0, topics: [t] });
    const ok = await stack.call('POST', `/v1/groups/${g}/commits`, { memberId: 'a', memberEpoch: a.memberEpoch, offsets: [{ topic: t, partition: 0, offset: 0 }] });
    expect(ok.status).toBe(200);
    const notOwner = await stack.call('POST', `/v1/groups/${g}/commits`, { memberId: 'b', memberEpoch: b.memberEpoch, offsets: [{ topic: t, partition: 0, offset: 9 }] });
    expect(notOwner.status).toBe(409);
    expect(notOwner.body.offsets[0].error.code).toBe('FENCED_MEMBER_EPOCH');
    const unknown = await stack.call('POST', `/v1/groups/${g}/commits`, { memberId: 'a', memberEpoch: a.memberEpoch, offsets: [{ topic: t, partition: 4, offset: 1 }] });
    expect(unknown.body.offsets[0].error.code).toBe('UNKNOWN_TOPIC_OR_PARTITION');
    await stack.call('DELETE', `/v1/topics/${t}`);
    await stack.call('POST', '/v1/topics', { name: t, partitions: 1 });
    expect((await stack.call('GET', `/v1/groups/${g}/offsets`)).body.offsets).toEqual([]);
  });

  it('refuses a removed member whose removal could not release its lease (an outage between the two writes)', async () => {
    const t = await topic(1);
    const g = uniqueName('group');
    const a = await heartbeat(stack.lib, ANONYMOUS, g, { memberId: 'a', memberEpoch: 0, topics: [t] });
    expect(flat(a.assignment)).toEqual([`${t}/0`]);
    // The member item is gone, the lease still names it: what a removal cut short after its first write leaves.
    await stack.lib.ddb.send(new DeleteCommand({ TableName: stack.tables.meta, Key: metaKeys.member(g, 'a') }));
    const res = await stack.call('POST', `/v1/groups/${g}/commits`, { memberId: 'a', memberEpoch: a.memberEpoch, offsets: [{ topic: t, partition: 0, offset: 5 }] });
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('UNKNOWN_MEMBER_ID');
    expect((await stack.call('GET', `/v1/groups/${g}/offsets`)).body.offsets).toEqual([]);
  });
});

describe('poll, lag and admin over HTTP', () => {
  const str = (data: string) => ({ type: 'STRING', data });

  it('joins with a long poll, consumes, commits in the next poll, and a new member resumes from the commit', async () => {
    const t = await topic(1);
    const g = uniqueName('group');
    await stack.call('POST', `/v1/topics/${t}/records`, { records: ['r0', 'r1', 'r2'].map((v) => ({ value: str(v) })) });
    const first = await stack.call('POST', `/v1/groups/${g}/poll`, { memberId: 'c1', memberEpoch: 0, topics: [t], offsetReset: 'earliest', maxRecords: 2, maxWaitMs: 2000 });
    expect(first.status).toBe(200);
    expect(first.body.records.map((r: { value: { data: string } }) => r.value.data)).toEqual(['r0', 'r1']);
    expect(first.body.positions).toEqual([{ topic: t, partition: 0, offset: 2 }]);
    const second = await stack.call('POST', `/v1/groups/${g}/poll`, {
      memberId: 'c1',
      memberEpoch: first.body.memberEpoch,
      topics: [t],
      owned: first.body.assignment,
      positions: first.body.positions,
      commit: [{ topic: t, partition: 0, offset: 2 }],
    });
    expect(second.body.commits).toEqual([{ topic: t, partition: 0, offset: 2 }]);
    expect(second.body.records.map((r: { offset: number }) => r.offset)).toEqual([2]);

    const lag = await stack.call('GET', `/v1/groups/${g}/lag`);
    expect(lag.body).toMatchObject({ totalLag: 1, partitions: [{ topic: t, partition: 0, committedOffset: 2, highWatermark: 3, lag: 1 }] });

    // c1 "crashes" (leaves without committing 2); c2 resumes from the commit: at-least-once.
    await stack.call('POST', `/v1/groups/${g}/heartbeat`, { memberId: 'c1', memberEpoch: -1 });
    const resumed = await stack.call('POST', `/v1/groups/${g}/poll`, { memberId: 'c2', memberEpoch: 0, topics: [t], maxWaitMs: 1000 });
    expect(resumed.body.records.map((r: { value: { data: string } }) => r.value.data)).toEqual(['r2']);
  });

  it('returns from a long poll when a record arrives', async () => {
    const t = await topic(1);
    const g = uniqueName('group');
    const join = await stack.call('POST', `/v1/groups/${g}/poll`, { memberId: 'w', memberEpoch: 0, topics: [t] });
    const started = Date.now();
    const waiting = stack.call('POST', `/v1/groups/${g}/poll`, { memberId: 'w', memberEpoch: join.body.memberEpoch, topics: [t], owned: join.body.assignment, positions: join.body.positions, maxWaitMs: 5000 });
    await new Promise((r) => setTimeout(r, 300));
    await stack.call('POST', `/v1/topics/${t}/records`, { records: [{ value: str('wake') }] });
    const res = await waiting;
    expect(res.body.records.map((r: { value: { data: string } }) => r.value.data)).toEqual(['wake']);
    expect(Date.now() - started).toBeLessThan(4000);
  });

  it('waits cheaply: an idle long poll heartbeats once per interval, not once per step', async () => {
    const t = await topic(2);
    const g = uniqueName('group');
    const join = await stack.call('POST', `/v1/groups/${g}/poll`, { memberId: 'idle', memberEpoch: 0, topics: [t] });
    let memberWrites = 0;
    const send = stack.lib.ddb.send.bind(stack.lib.ddb);
    stack.lib.ddb.send = ((command: { constructor: { name: string }; input: { Item?: { sk?: unknown } } }, ...rest: unknown[]) => {
      if (command.constructor.name === 'PutCommand' && String(command.input.Item?.sk).startsWith('member#')) memberWrites++;
      return (send as (...a: unknown[]) => unknown)(command, ...rest);
    }) as typeof stack.lib.ddb.send;
    try {
      const res = await stack.call('POST', `/v1/groups/${g}/poll`, {
        memberId: 'idle', memberEpoch: join.body.memberEpoch, topics: [t], owned: join.body.assignment, positions: join.body.positions, maxWaitMs: 3000,
      });
      expect(res.body.records).toEqual([]);
      expect(join.body.heartbeatIntervalMs).toBeGreaterThan(3000);
      // The join just wrote the member's liveness: the poll writes it again only once it is due (half an
      // interval), and never once per step while it waits.
      expect(memberWrites).toBeLessThanOrEqual(1);
    } finally {
      stack.lib.ddb.send = send;
    }
  });

  it('describes and lists groups, refuses reset and delete while members live, then allows them', async () => {
    const t = await topic(2);
    const g = uniqueName('group');
    await stack.call('POST', `/v1/topics/${t}/records`, { records: [{ partition: 0, value: str('x') }, { partition: 1, value: str('y') }] });
    const join = await stack.call('POST', `/v1/groups/${g}/heartbeat`, { memberId: 'm', memberEpoch: 0, topics: [t] });
    const described = await stack.call('GET', `/v1/groups/${g}`);
    expect(described.body).toMatchObject({ group: g, state: 'Stable', members: [{ memberId: 'm', memberEpoch: join.body.memberEpoch }] });
    expect((await stack.call('GET', '/v1/groups')).body.groups).toContainEqual({ group: g, members: 1, state: 'Stable' });

    const busyReset = await stack.call('POST', `/v1/groups/${g}/offsets/reset`, { topic: t, to: 'earliest' });
    expect(busyReset.status).toBe(409);
    expect(busyReset.body.error.code).toBe('GROUP_NOT_EMPTY');
    expect((await stack.call('DELETE', `/v1/groups/${g}`)).body.error.code).toBe('GROUP_NOT_EMPTY');

    expect((await stack.call('DELETE', `/v1/groups/${g}/members/m`)).status).toBe(204);
    const reset = await stack.call('POST', `/v1/groups/${g}/offsets/reset`, { topic: t, to: 'latest' });
    expect(reset.body.offsets).toEqual([{ topic: t, partition: 0, offset: 1 }, { topic: t, partition: 1, offset: 1 }]);
    const toOffset = await stack.call('POST', `/v1/groups/${g}/offsets/reset`, { topic: t, partitions: [1], to: { offset: 0 } });
    expect(toOffset.body.offsets).toEqual([{ topic: t, partition: 1, offset: 0 }]);
    const beyond = await stack.call('POST', `/v1/groups/${g}/offsets/reset`, { topic: t, to: { offset: 99 } });
    expect(beyond.body.error.code).toBe('OFFSET_OUT_OF_RANGE');
    expect((await stack.call('GET', `/v1/groups/${g}/lag`)).body.totalLag).toBe(1);

    expect((await stack.call('DELETE', `/v1/groups/${g}`)).status).toBe(204);
    expect((await stack.call('GET', `/v1/groups/${g}`)).status).toBe(404);
    expect((await stack.call('GET', '/v1/groups')).body.groups.map((x: { group: string }) => x.group)).not.toContain(g);
  });
});

/** Joins members one by one and heartbeats until every member holds exactly its share. */
async function settle(ctx: LibContext, g: string, t: string, ids: string[], sessionTimeoutMs?: number): Promise<HeartbeatResult[]> {
  const state = new Map<string, HeartbeatResult>();
  const opts = sessionTimeoutMs === undefined ? {} : { sessionTimeoutMs };
  for (const id of ids) state.set(id, await heartbeat(ctx, ANONYMOUS, g, { memberId: id, memberEpoch: 0, topics: [t], ...opts }));
  for (let round = 0; round < 4; round++) {
    for (const id of ids) {
      const s = state.get(id)!;
      state.set(id, await heartbeat(ctx, ANONYMOUS, g, { memberId: id, memberEpoch: s.memberEpoch, topics: [t], owned: s.assignment, ...opts }));
    }
  }
  return ids.map((id) => state.get(id)!);
}

describe('impossible topic names', () => {
  it('answers a commit or poll naming a topic no topic can have with a per-offset error, not a 500 (DynamoDB refuses keys over 1 KB)', async () => {
    const t = await topic(1);
    const g = uniqueName('group');
    const joined = await stack.call('POST', `/v1/groups/${g}/heartbeat`, { memberId: 'm', memberEpoch: 0, topics: [t] });
    expect(joined.status).toBe(200);
    const huge = 'x'.repeat(70_000);
    const commit = await stack.call('POST', `/v1/groups/${g}/commits`, { memberId: 'm', memberEpoch: joined.body.memberEpoch, offsets: [{ topic: huge, partition: 0, offset: 0 }] });
    expect(commit.status).toBe(404);
    expect(commit.body.error.code).toBe('UNKNOWN_TOPIC_OR_PARTITION');
    expect(commit.body.offsets[0].error.code).toBe('UNKNOWN_TOPIC_OR_PARTITION');
    // The name is not echoed back whole.
    expect(commit.body.error.message.length).toBeLessThan(400);
    const poll = await stack.call('POST', `/v1/groups/${g}/poll`, { memberId: 'm', memberEpoch: joined.body.memberEpoch, topics: [t], commit: [{ topic: huge, partition: 0, offset: 0 }] });
    expect(poll.status).toBe(200);
    const described = await stack.call('GET', `/v1/topics/${huge.slice(0, 2_000)}`);
    expect(described.body.error.code).toBe('INVALID_TOPIC');
  });
});

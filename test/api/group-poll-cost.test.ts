/**
 * What group polls and heartbeats cost, counted call by call on the wire
 * (issue 16): an idle poll makes a constant number of requests whatever the
 * partitions it owns, a heartbeat reads its own member item and not every
 * member's, a poll fetches only the partitions with new data, and a
 * member's liveness is written only when due.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { ANONYMOUS } from '../../lib/auth/authorize';
import type { LibContext } from '../../lib/context';
import { heartbeat, type HeartbeatResult } from '../../lib/groups/heartbeat';
import { heartbeatInterval } from '../../lib/groups/state';
import { ddbHook } from '../support/ddb-faults';
import { createTestStack, uniqueName, type TestStack } from '../support/stack';

interface Call {
  command: string;
  table: string;
  input: Record<string, any>;
}

let calls: Call[] = [];
const recorder = ddbHook('wire', async (call, next) => {
  const table = call.input.TableName ?? Object.keys(call.input.RequestItems ?? {})[0] ?? '';
  calls.push({ command: call.command, table, input: call.input });
  return next();
});

let stack: TestStack;
beforeAll(async () => {
  stack = await createTestStack({ plugins: [recorder] });
});

async function counted<T>(fn: () => Promise<T>): Promise<{ result: T; calls: Call[] }> {
  calls = [];
  const result = await fn();
  const seen = calls;
  calls = [];
  return { result, calls: seen };
}

async function topic(partitions: number): Promise<string> {
  const name = uniqueName();
  expect((await stack.call('POST', '/v1/topics', { name, partitions })).status).toBe(201);
  return name;
}

type Body = { memberEpoch: number; assignment: { topic: string; partitions: number[] }[]; positions: { topic: string; partition: number; offset: number }[]; records: { partition: number; offset: number }[] };

/** A member that owns every partition of `t`, with its positions at the end of each. */
async function soleMember(t: string, g: string): Promise<Body> {
  let body: Body | undefined;
  for (let i = 0; i < 3; i++) {
    const res = await stack.call('POST', `/v1/groups/${g}/poll`, {
      memberId: 'm',
      memberEpoch: body?.memberEpoch ?? 0,
      topics: [t],
      ...(body === undefined ? {} : { owned: body.assignment, positions: body.positions }),
      offsetReset: 'latest',
    });
    expect(res.status).toBe(200);
    body = res.body as Body;
  }
  return body!;
}

const memberReads = (cs: Call[]) => cs.filter((c) => c.command === 'Query' && String(c.input.ExpressionAttributeValues?.[':m']) === 'member#');
const logReads = (cs: Call[], log: string) => cs.filter((c) => c.table === log && (c.command === 'GetItem' || c.command === 'Query'));

describe('group poll cost', () => {
  it('an idle poll of a 256-partition assignment makes a constant number of requests: its member item and one batched counter read', async () => {
    const t = await topic(256);
    const g = uniqueName('group');
    const joined = await soleMember(t, g);
    expect(joined.assignment[0]!.partitions).toHaveLength(256);
    const { result, calls: made } = await counted(() =>
      stack.call('POST', `/v1/groups/${g}/poll`, { memberId: 'm', memberEpoch: joined.memberEpoch, topics: [t], owned: joined.assignment, positions: joined.positions }),
    );
    expect(result.status).toBe(200);
    expect(result.body.records).toEqual([]);
    expect(result.body.positions).toHaveLength(256);
    // No partition is viewed or read on its own: one strong member read, ⌈256 / 100⌉ batched counter reads.
    expect(logReads(made, stack.tables.log)).toEqual([]);
    expect(made.filter((c) => c.command === 'BatchGetItem' && c.table === stack.tables.log)).toHaveLength(3);
    expect(memberReads(made)).toEqual([]);
    expect(made.filter((c) => !['GetItem', 'BatchGetItem'].includes(c.command))).toEqual([]);
    // The member item, and no topic: an idle poll resolves none.
    expect(made.filter((c) => c.command === 'GetItem').map((c) => c.input.Key.sk)).toEqual(['member#m']);
    expect(made).toHaveLength(4);
  });

  it('a poll with new data in 1 of 16 partitions fetches only that partition', async () => {
    const t = await topic(16);
    const g = uniqueName('group');
    const joined = await soleMember(t, g);
    expect(joined.assignment[0]!.partitions).toHaveLength(16);
    const records = Array.from({ length: 5 }, (_, i) => ({ partition: 5, value: { type: 'STRING', data: `r${i}` } }));
    expect((await stack.call('POST', `/v1/topics/${t}/records`, { records })).status).toBe(200);
    const { result, calls: made } = await counted(() =>
      stack.call('POST', `/v1/groups/${g}/poll`, { memberId: 'm', memberEpoch: joined.memberEpoch, topics: [t], owned: joined.assignment, positions: joined.positions }),
    );
    expect(result.body.records.map((r: { partition: number; offset: number }) => [r.partition, r.offset])).toEqual([0, 1, 2, 3, 4].map((o) => [5, o]));
    expect(result.body.positions.find((p: { partition: number }) => p.partition === 5).offset).toBe(5);
    // Every single-partition read (counter view, index, batches) is of partition 5.
    const touched = new Set(logReads(made, stack.tables.log).map((c) => String(c.input.Key?.pk ?? c.input.ExpressionAttributeValues?.[':pk'])));
    expect([...touched].map((pk) => pk.split('#')[1])).toEqual(['5']);
  });

  it('a poll between heartbeats writes nothing and reads neither the group nor its topics', async () => {
    const t = await topic(4);
    const g = uniqueName('group');
    const joined = await soleMember(t, g);
    const { calls: made } = await counted(() =>
      stack.call('POST', `/v1/groups/${g}/poll`, { memberId: 'm', memberEpoch: joined.memberEpoch, topics: [t], owned: joined.assignment, positions: joined.positions }),
    );
    expect(made.filter((c) => ['PutItem', 'UpdateItem', 'DeleteItem'].includes(c.command))).toEqual([]);
    expect(made.filter((c) => c.command === 'GetItem' && c.input.Key?.sk === 'group')).toEqual([]);
    expect(made.filter((c) => c.command === 'GetItem' && c.input.Key?.pk === 'topics')).toEqual([]);
  });
});

describe('group heartbeat cost', () => {
  it('a heartbeat of one member of a 32-member group reads its own member item, not all 32; one heartbeat per interval sweeps', async () => {
    let now = Date.now();
    const ctx: LibContext = { ...stack.lib, clock: { now: () => now } };
    const t = await topic(32);
    const g = uniqueName('group');
    const ids = Array.from({ length: 32 }, (_, i) => `m${String(i).padStart(2, '0')}`);
    const state = new Map<string, HeartbeatResult>();
    const beat = (id: string) => {
      const last = state.get(id);
      return heartbeat(ctx, ANONYMOUS, g, { memberId: id, memberEpoch: last?.memberEpoch ?? 0, topics: [t], ...(last === undefined ? {} : { owned: last.assignment }) });
    };
    for (const id of ids) state.set(id, await beat(id));
    for (let round = 0; round < 6; round++) for (const id of ids) state.set(id, await beat(id));
    expect(ids.every((id) => state.get(id)!.assignment.flatMap((tp) => tp.partitions).length === 1)).toBe(true);

    const { result, calls: made } = await counted(() => beat('m07'));
    expect(result.memberEpoch).toBe(state.get('m07')!.memberEpoch);
    expect(memberReads(made)).toEqual([]);
    const memberGets = made.filter((c) => c.command === 'GetItem' && String(c.input.Key?.sk).startsWith('member#'));
    expect(memberGets.map((c) => c.input.Key.sk)).toEqual(['member#m07']);
    // Liveness was written moments ago: nothing to write.
    expect(made.filter((c) => c.command === 'PutItem')).toEqual([]);

    // A heartbeat interval later, the first heartbeat sweeps (reads every member), the next does not.
    now += heartbeatInterval(45_000);
    const first = await counted(() => beat('m03'));
    const second = await counted(() => beat('m04'));
    expect(memberReads(first.calls)).toHaveLength(1);
    expect(memberReads(second.calls)).toEqual([]);
    // Both members were due to show they are alive: each writes its own item once.
    expect(first.calls.filter((c) => c.command === 'PutItem').map((c) => c.input.Item.sk)).toEqual(['member#m03']);
    expect(second.calls.filter((c) => c.command === 'PutItem').map((c) => c.input.Item.sk)).toEqual(['member#m04']);
  }, 120_000);
});

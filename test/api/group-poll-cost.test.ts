/**
 * What group polls and heartbeats cost, counted call by call on the wire
 * (issue 16): an idle poll makes a constant number of requests whatever the
 * partitions it owns (its member item and the topic's activity marks), and
 * still sees every record written after it, a heartbeat reads its own member item and not every
 * member's, a poll fetches only the partitions with new data, and a
 * member's liveness is written only when due.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { ANONYMOUS } from '../../lib/auth/authorize';
import type { LibContext } from '../../lib/context';
import { heartbeat, type HeartbeatResult } from '../../lib/groups/heartbeat';
import { heartbeatInterval } from '../../lib/groups/state';
import { ddbHook, ManualClock } from '../support/ddb-faults';
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

/** Each BatchGetItem of counters: the partition numbers it asked for, and whether strongly. */
const batchGets = (cs: Call[]) =>
  cs
    .filter((c) => c.command === 'BatchGetItem')
    .map((c) => Object.values(c.input.RequestItems as Record<string, { Keys: { pk: unknown }[]; ConsistentRead?: boolean }>)[0]!)
    .map((b) => ({ partitions: b.Keys.map((k) => String((k.pk as { S?: string }).S ?? k.pk).split('#')[1]!), consistent: b.ConsistentRead === true }));

/** Runs `fn` with the stack's clock 5 s ahead: writes come a while after the member last saw its partitions caught up. */
async function later<T>(fn: () => Promise<T>): Promise<T> {
  const real = stack.lib.clock;
  const clock = new ManualClock();
  clock.advance(5_000);
  stack.lib.clock = clock;
  try {
    return await fn();
  } finally {
    stack.lib.clock = real;
  }
}

const memberReads = (cs: Call[]) => cs.filter((c) => c.command === 'Query' && String(c.input.ExpressionAttributeValues?.[':m']) === 'member#');
const logReads = (cs: Call[], log: string) => cs.filter((c) => c.table === log && (c.command === 'GetItem' || c.command === 'Query'));

describe('group poll cost', () => {
  it('an idle poll of a 256-partition assignment makes a constant number of requests: its member item and one Query of the topic’s activity marks', async () => {
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
    // No counter is read: earlier polls saw every partition caught up, and no mark is newer than that.
    expect(made.filter((c) => c.command === 'BatchGetItem')).toEqual([]);
    const logCalls = made.filter((c) => c.table === stack.tables.log);
    expect(logCalls.map((c) => [c.command, String(c.input.ExpressionAttributeValues?.[':pk']).endsWith('#act'), c.input.ConsistentRead ?? false])).toEqual([['Query', true, false]]);
    expect(memberReads(made)).toEqual([]);
    // The member item, and no topic: an idle poll resolves none.
    expect(made.filter((c) => c.command === 'GetItem').map((c) => c.input.Key.sk)).toEqual(['member#m']);
    expect(made).toHaveLength(2);
  });

  it('records produced into partitions an idle member skips reach its next poll, back to back and after pauses', async () => {
    // Small clock skew: a partition is settled skew + QUIET_MS (1.05 s) after its last mark.
    const quick = await createTestStack({ plugins: [recorder], limits: { maxClockSkewMs: 50 } });
    const t = uniqueName();
    expect((await quick.call('POST', '/v1/topics', { name: t, partitions: 8 })).status).toBe(201);
    const g = uniqueName('group');
    const poll = (b: Body) => quick.call('POST', `/v1/groups/${g}/poll`, { memberId: 'm', memberEpoch: b.memberEpoch, topics: [t], owned: b.assignment, positions: b.positions, offsetReset: 'latest' });
    let body: Body = { memberEpoch: 0, assignment: [], positions: [], records: [] };
    for (let i = 0; i < 3; i++) body = (await poll(body)).body as Body;
    expect(body.assignment[0]!.partitions).toHaveLength(8);
    const idle = await counted(() => poll(body));
    expect(idle.calls.filter((c) => c.command === 'BatchGetItem')).toEqual([]);
    // Writes within one mark interval (only the first marks), and writes after the member settled the partition again.
    for (const pauseMs of [0, 0, 0, 1_200, 1_200, 1_200]) {
      if (pauseMs > 0) {
        await new Promise((r) => setTimeout(r, pauseMs));
        const settled = await poll(body);
        expect(settled.body.records).toEqual([]);
        body = { ...body, positions: settled.body.positions };
      }
      for (const partition of [3, 6]) {
        const res = await quick.call('POST', `/v1/topics/${t}/records`, { records: [{ partition, value: { type: 'STRING', data: `r${pauseMs}` } }] });
        expect(res.status).toBe(200);
        const polled = await poll(body);
        expect(polled.status).toBe(200);
        expect(polled.body.records.map((r: { partition: number; offset: number }) => [r.partition, r.offset])).toEqual([[partition, res.body.records[0].offset]]);
        body = { ...body, positions: polled.body.positions };
      }
    }
  }, 60_000);

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
    // Every single-partition read (counter, view, index, batches) is of partition 5; the rest is the topic's marks.
    const touched = new Set(logReads(made, stack.tables.log).map((c) => String(c.input.Key?.pk ?? c.input.ExpressionAttributeValues?.[':pk'])));
    expect([...touched].map((pk) => pk.split('#')[1]).sort()).toEqual(['5', 'act']);
    expect(batchGets(made).flatMap((b) => b.partitions)).toEqual(['5']);
  });

  it('a tailing member’s poll reads each counter with new data once, strongly: that read serves the fetch’s partition view', async () => {
    const t = await topic(4);
    const g = uniqueName('group');
    const joined = await soleMember(t, g);
    const records = [0, 1, 2, 3].flatMap((partition) => [0, 1].map((i) => ({ partition, value: { type: 'STRING', data: `p${partition}r${i}` } })));
    const { result, calls: made } = await later(async () => {
      expect((await stack.call('POST', `/v1/topics/${t}/records`, { records })).status).toBe(200);
      return counted(() =>
        stack.call('POST', `/v1/groups/${g}/poll`, { memberId: 'm', memberEpoch: joined.memberEpoch, topics: [t], owned: joined.assignment, positions: joined.positions }),
      );
    });
    expect(result.body.records).toHaveLength(8);
    const counterGets = made.filter((c) => c.table === stack.tables.log && c.command === 'GetItem' && c.input.Key?.sk === -1);
    expect(counterGets).toEqual([]);
    expect(batchGets(made).map((b) => [b.partitions.length, b.consistent])).toEqual([[4, true]]);
  });

  it('a partition read moments ago is read again cheaply while its mark is fresh, not strongly: only the newly written one is', async () => {
    const t = await topic(4);
    const g = uniqueName('group');
    const joined = await soleMember(t, g);
    await later(async () => {
      const poll = (positions: Body['positions']) =>
        stack.call('POST', `/v1/groups/${g}/poll`, { memberId: 'm', memberEpoch: joined.memberEpoch, topics: [t], owned: joined.assignment, positions });
      expect((await stack.call('POST', `/v1/topics/${t}/records`, { records: [{ partition: 1, value: { type: 'STRING', data: 'a' } }] })).status).toBe(200);
      const first = (await poll(joined.positions)).body as Body;
      expect(first.records.map((r) => r.partition)).toEqual([1]);
      expect((await stack.call('POST', `/v1/topics/${t}/records`, { records: [{ partition: 2, value: { type: 'STRING', data: 'b' } }] })).status).toBe(200);
      const { result, calls: made } = await counted(() => poll(first.positions));
      expect(result.body.records.map((r: { partition: number }) => r.partition)).toEqual([2]);
      const keysOf = (consistent: boolean) => batchGets(made).filter((b) => b.consistent === consistent).flatMap((b) => b.partitions);
      expect(keysOf(true)).toEqual(['2']);
      expect(keysOf(false)).toEqual(['1']);
    });
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

/**
 * Two members joining at once (as after an outage, when requests held back
 * by a dead database all complete together): the one whose heartbeat read
 * the member list before the other joined must not take the other's lease
 * as if it belonged to a dead member. Found by the checker (assignment
 * overlap, seed 11, 300 s).
 */
import { describe, expect, it } from 'vitest';
import { ANONYMOUS } from '../../lib/auth/authorize';
import { heartbeat } from '../../lib/groups/heartbeat';
import { ddbHook } from '../support/ddb-faults';
import { createTestStack, uniqueName } from '../support/stack';

describe('simultaneous joins after an outage', () => {
  it('never hands a partition to a member whose member list missed its live owner', async () => {
    let gate: Promise<void> | undefined;
    let arrived: () => void = () => undefined;
    const atLeaseRead = new Promise<void>((r) => (arrived = r));
    // Holds the first lease read (BatchGetItem on the meta table) while the gate is set.
    const hold = ddbHook('initialize', async (call, next) => {
      if (gate !== undefined && call.command === 'BatchGetItem') {
        const wait = gate;
        gate = undefined;
        arrived();
        await wait;
      }
      return next();
    });
    const stack = await createTestStack({ plugins: [hold] });
    const topic = uniqueName('race');
    expect((await stack.call('POST', '/v1/topics', { name: topic, partitions: 2 })).status).toBe(201);
    const group = uniqueName('group');

    let release: () => void = () => undefined;
    gate = new Promise<void>((r) => (release = r));
    // b reads the (empty) member list, writes its placeholder, and stops at its lease read.
    const b = heartbeat(stack.lib, ANONYMOUS, group, { memberId: 'b', memberEpoch: 0, topics: [topic] });
    await atLeaseRead;
    // a joins completely meanwhile: it sees b and takes its share of the two partitions.
    const a = await heartbeat(stack.lib, ANONYMOUS, group, { memberId: 'a', memberEpoch: 0, topics: [topic] });
    release();
    const bResult = await b;

    const ownersOf = (p: number, results: { assignment: { partitions: number[] }[] }[]) =>
      results.filter((r) => r.assignment.some((tp) => tp.partitions.includes(p))).length;
    for (const p of [0, 1]) expect(ownersOf(p, [a, bResult]), `partition ${p}`).toBeLessThanOrEqual(1);
    // And the group converges: within a few heartbeats each partition has exactly one owner.
    let epochs = { a: a.memberEpoch, b: bResult.memberEpoch };
    let owned = { a: a.assignment, b: bResult.assignment };
    for (let i = 0; i < 6; i++) {
      for (const m of ['a', 'b'] as const) {
        const r = await heartbeat(stack.lib, ANONYMOUS, group, { memberId: m, memberEpoch: epochs[m], topics: [topic], owned: owned[m] });
        epochs = { ...epochs, [m]: r.memberEpoch };
        owned = { ...owned, [m]: r.assignment };
      }
    }
    for (const p of [0, 1]) expect(ownersOf(p, [{ assignment: owned.a }, { assignment: owned.b }]), `partition ${p} at the end`).toBe(1);
  });
});

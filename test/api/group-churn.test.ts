/**
 * Randomized churn: members join, heartbeat, commit, leave, die and come
 * back as zombies while the clock moves. After every step: no partition is
 * in the assignment of two members that are live (heartbeated within their
 * session), and no committed offset ever moves backwards — zombies try to
 * commit their stale, lower offsets all the time.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { ANONYMOUS } from '../../lib/auth/authorize';
import type { LibContext } from '../../lib/context';
import { isSamsaError } from '../../lib/errors';
import { commitOffsets } from '../../lib/groups/commit';
import { heartbeat } from '../../lib/groups/heartbeat';
import { readCommits } from '../../lib/groups/offsets';
import type { TopicPartitions } from '../../lib/protocol/groups';
import { rng } from '../../bench/data';
import { createTestStack, uniqueName, type TestStack } from '../support/stack';

let stack: TestStack;
beforeAll(async () => {
  stack = await createTestStack();
});

const SESSION_MS = 3_000;
const PARTITIONS = 6;
const MEMBERS = 6;
const STEPS = 160;

interface SimMember {
  id: string;
  joined: boolean;
  paused: boolean;
  epoch: number;
  assignment: TopicPartitions[];
  lastOk: number;
  /** What this member last committed per partition: a zombie's view is stale. */
  committed: Map<number, number>;
}

describe('group churn', () => {
  const seed = Number(process.env.CHURN_SEED ?? 20261125);

  it(`keeps single ownership and monotonic commits under random churn (seed ${seed})`, async () => {
    const random = rng(seed);
    let now = Date.now();
    const ctx: LibContext = { ...stack.lib, clock: { now: () => now } };
    const topic = uniqueName();
    expect((await stack.call('POST', '/v1/topics', { name: topic, partitions: PARTITIONS })).status).toBe(201);
    const group = uniqueName('churn');
    const members: SimMember[] = Array.from({ length: MEMBERS }, (_, i) => ({
      id: `m${i}`,
      joined: false,
      paused: false,
      epoch: 0,
      assignment: [],
      lastOk: 0,
      committed: new Map(),
    }));
    const highest = new Map<number, number>(); // highest offset ever acknowledged per partition
    let acceptedCommits = 0;
    let refusedZombieCommits = 0;
    const partitionsOf = (m: SimMember) => m.assignment.flatMap((tp) => tp.partitions);

    const beat = async (m: SimMember) => {
      try {
        const res = await heartbeat(ctx, ANONYMOUS, group, {
          memberId: m.id,
          memberEpoch: m.joined ? m.epoch : 0,
          topics: [topic],
          owned: m.joined ? m.assignment : [],
          sessionTimeoutMs: SESSION_MS,
          rebalanceTimeoutMs: SESSION_MS,
        });
        Object.assign(m, { joined: true, epoch: res.memberEpoch, assignment: res.assignment, lastOk: now });
      } catch (err) {
        if (!isSamsaError(err) || !['UNKNOWN_MEMBER_ID', 'FENCED_MEMBER_EPOCH'].includes(err.code)) throw err;
        Object.assign(m, { joined: false, assignment: [] }); // fenced: it must rejoin
      }
    };

    const commit = async (m: SimMember, zombie: boolean) => {
      const offsets = partitionsOf(m).map((partition) => ({
        topic,
        partition,
        // A live owner commits past everything acknowledged; a zombie commits its own stale view.
        offset: zombie ? (m.committed.get(partition) ?? 0) : (highest.get(partition) ?? 0) + 1 + Math.floor(random() * 3),
      }));
      if (offsets.length === 0) return;
      const results = await commitOffsets(ctx, ANONYMOUS, group, m.id, m.epoch, offsets);
      for (const r of results) {
        if ('error' in r) {
          if (zombie) refusedZombieCommits++;
          continue;
        }
        acceptedCommits++;
        m.committed.set(r.partition, r.offset);
        highest.set(r.partition, Math.max(highest.get(r.partition) ?? 0, r.offset));
      }
    };

    let previous = new Map<number, number>();
    for (let step = 0; step < STEPS; step++) {
      now += Math.floor(random() * 400);
      const m = members[Math.floor(random() * MEMBERS)]!;
      const roll = random();
      if (m.paused) {
        if (roll < 0.5) {
          // The zombie wakes up: it first tries to commit what it thinks it owns, then heartbeats.
          await commit(m, true);
          m.paused = false;
          await beat(m);
        }
      } else if (!m.joined || roll < 0.55) {
        await beat(m);
      } else if (roll < 0.8) {
        await commit(m, false);
      } else if (roll < 0.88) {
        await heartbeat(ctx, ANONYMOUS, group, { memberId: m.id, memberEpoch: -1 });
        Object.assign(m, { joined: false, assignment: [] });
      } else {
        m.paused = true;
        now += SESSION_MS; // paused past its session
      }

      // Invariant 1: live members never share a partition.
      const owners = new Map<number, string>();
      for (const x of members) {
        if (!x.joined || x.paused || now - x.lastOk > SESSION_MS) continue;
        for (const p of partitionsOf(x)) {
          expect(owners.get(p), `step ${step}: partition ${p} owned by ${owners.get(p)} and ${x.id}`).toBeUndefined();
          owners.set(p, x.id);
        }
      }
      // Invariant 2: committed offsets never regress.
      const current = new Map((await readCommits(ctx, group)).map((c) => [c.partition, c.offset]));
      for (const [p, offset] of previous) {
        expect(current.get(p), `step ${step}: commit of partition ${p} went back`).toBeGreaterThanOrEqual(offset);
      }
      previous = current;
    }
    // The run exercised what it claims to.
    expect(acceptedCommits).toBeGreaterThan(20);
    expect(refusedZombieCommits).toBeGreaterThan(0);
  }, 120_000);
});

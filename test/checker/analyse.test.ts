/**
 * The checker's analysis on tiny hand-made histories: each anomaly of
 * docs/checker.md ("Anomalies") is detected, and a clean history yields zero
 * everywhere. Pure: no database, no network.
 */
import { describe, expect, it } from 'vitest';
import { analyse, type AnomalyName } from '../../checker/analyse';
import type { CommitOp, FetchOp, MembersOp, Op, PollOp, SendOp, TopicOp } from '../../checker/history';

const facts = { topics: [{ name: 't', partitions: 1, retention: false }], staleBoundMs: 1_000 };

let nextId = 0;
type Timed = { at?: [number, number]; outcome?: Op['outcome'] };
const base = (x: Timed, process = 'c') => ({ id: nextId++, process, invokeAt: x.at?.[0] ?? 0, completeAt: x.at?.[1] ?? 1, outcome: x.outcome ?? 'ok' });

const send = (values: string[], offsets: number[] | undefined, x: Timed & { process?: string; producer?: SendOp['producer'] } = {}): SendOp => ({
  ...base(x, x.process),
  f: 'send',
  topic: 't',
  partition: 0,
  values,
  ...(offsets === undefined ? {} : { offsets }),
  ...(x.producer === undefined ? {} : { producer: x.producer }),
});

const fetch = (from: number, records: [number, string | null][], x: Timed & { hwm?: number; next?: number; aborted?: [number, number][]; final?: boolean } = {}): FetchOp => {
  const next = x.next ?? (records.length > 0 ? records[records.length - 1]![0] + 1 : from);
  return {
    ...base(x, 'reader'),
    f: 'fetch',
    topic: 't',
    partition: 0,
    from,
    records,
    nextOffset: next,
    highWatermark: x.hwm ?? next,
    logStartOffset: 0,
    aborted: x.aborted ?? [],
    ...(x.final ? { final: true } : {}),
  };
};

const poll = (member: string, x: Timed & { epoch?: number; resultEpoch?: number; owned?: number[]; assignment?: number[]; positions?: Record<string, number>; next?: Record<string, number>; records?: [number, number, string][] }): PollOp => ({
  ...base(x, member),
  f: 'poll',
  group: 'g',
  member,
  topic: 't',
  epoch: x.epoch ?? 1,
  owned: x.owned ?? [],
  positions: x.positions ?? {},
  resultEpoch: x.resultEpoch ?? x.epoch ?? 1,
  assignment: x.assignment ?? [],
  records: x.records ?? [],
  nextPositions: x.next ?? {},
});

const commit = (member: string, epoch: number, offset: number, x: Timed = {}): CommitOp => ({ ...base(x, member), f: 'commit', group: 'g', member, epoch, topic: 't', partition: 0, offset });

function counts(ops: Op[]): Record<AnomalyName, number> {
  return Object.fromEntries(analyse(ops, facts).anomalies.map((a) => [a.name, a.count])) as Record<AnomalyName, number>;
}

function only(ops: Op[], name: AnomalyName): void {
  const c = counts(ops);
  expect(c[name], `${name} in ${JSON.stringify(c)}`).toBeGreaterThan(0);
}

/** A clean baseline: two sends, a fetch, a poll and commits, and the final read. */
function clean(): Op[] {
  return [
    send(['a', 'b'], [0, 1], { at: [0, 10] }),
    send(['c'], [2], { at: [11, 20] }),
    fetch(0, [[0, 'a'], [1, 'b'], [2, 'c']], { at: [30, 40] }),
    poll('m1', { at: [41, 50], epoch: 0, resultEpoch: 1, assignment: [0], next: { '0': 0 } }),
    poll('m1', { at: [51, 60], owned: [0], assignment: [0], positions: { '0': 0 }, records: [[0, 0, 'a'], [0, 1, 'b'], [0, 2, 'c']], next: { '0': 3 } }),
    commit('m1', 1, 3, { at: [61, 70] }),
    fetch(0, [[0, 'a'], [1, 'b'], [2, 'c']], { at: [5_000, 5_010], final: true }),
  ];
}

describe('checker analysis', () => {
  it('reports zero anomalies for a clean history', () => {
    expect(Object.values(counts(clean())).every((n) => n === 0), JSON.stringify(counts(clean()))).toBe(true);
  });

  it('reports a lost write: an acknowledged value missing from the final read', () => {
    only([send(['a'], [0]), send(['b'], [1]), fetch(0, [[0, 'a']], { final: true, at: [5_000, 5_001], hwm: 2, next: 1 })], 'lost-write');
  });

  it('reports a lost write in a deleted incarnation when a read passed over its offset without it', () => {
    const recreate: TopicOp = { ...base({ at: [100, 110] }, 'admin'), f: 'recreate-topic', topic: 't' };
    only([send(['a'], [0], { at: [0, 5] }), send(['b'], [1], { at: [6, 9] }), fetch(0, [[1, 'b']], { at: [20, 30] }), recreate, fetch(0, [], { final: true, at: [5_000, 5_001] })], 'lost-write');
  });

  it('does not call a write lost in a deleted incarnation when reads only started beyond it', () => {
    const recreate: TopicOp = { ...base({ at: [100, 110] }, 'admin'), f: 'recreate-topic', topic: 't' };
    const history = [send(['a'], [0], { at: [0, 5] }), send(['b'], [1], { at: [6, 9] }), fetch(1, [[1, 'b']], { at: [20, 30] }), recreate, fetch(0, [], { final: true, at: [5_000, 5_001] })];
    expect(counts(history)['lost-write']).toBe(0);
  });

  it('reports a duplicate: one value at two offsets', () => {
    only([send(['a'], [0], { producer: { id: '1', epoch: 0, seq: 0 } }), fetch(0, [[0, 'a'], [1, 'a']], { final: true, at: [5_000, 5_001] })], 'duplicate');
  });

  it('reports inconsistent offsets: one offset read with two values', () => {
    only([fetch(0, [[0, 'a']]), fetch(0, [[0, 'x']], { final: true, at: [5_000, 5_001] })], 'inconsistent-offsets');
  });

  it('reports an offset hole: a gap below the high watermark that is not an aborted range', () => {
    only([fetch(0, [[0, 'a'], [2, 'c']], { final: true, at: [5_000, 5_001] })], 'offset-hole');
  });

  it('reports an acknowledged record inside an aborted range as an offset hole', () => {
    only([send(['a'], [0]), fetch(0, [], { aborted: [[0, 1]], next: 1, at: [2, 3] })], 'offset-hole');
  });

  it('reports a nonmonotonic send: a client acknowledged offsets going backwards', () => {
    only([send(['a'], [5], { at: [0, 1] }), send(['b'], [3], { at: [2, 3] })], 'nonmonotonic-send');
  });

  it('reports a nonmonotonic poll: offsets out of order, or below the position sent', () => {
    only([poll('m1', { owned: [0], assignment: [0], positions: { '0': 5 }, records: [[0, 3, 'x']], next: { '0': 4 } })], 'nonmonotonic-poll');
    only([fetch(0, [[1, 'b'], [0, 'a']], { next: 2 })], 'nonmonotonic-poll');
  });

  it('reports a poll skip: the position moved past a record the consumer was not given', () => {
    only(
      [
        poll('m1', { owned: [0], assignment: [0], positions: { '0': 0 }, records: [[0, 0, 'a']], next: { '0': 2 } }),
        fetch(0, [[0, 'a'], [1, 'b']], { final: true, at: [5_000, 5_001] }),
      ],
      'poll-skip',
    );
  });

  it('reports an aborted read: a value whose send definitely failed was read', () => {
    only([send(['a'], undefined, { outcome: 'fail' }), fetch(0, [[0, 'a']], { final: true, at: [5_000, 5_001] })], 'aborted-read');
  });

  it('reports a stale read: a fetch long after an acknowledgement does not reach it', () => {
    only([send(['a'], [0], { at: [0, 10] }), fetch(0, [], { at: [2_000, 2_010], hwm: 0 })], 'stale-read');
  });

  it('does not report a fetch within the stale bound that stops before a fresh acknowledgement', () => {
    expect(counts([send(['a'], [0], { at: [0, 10] }), fetch(0, [], { at: [500, 510], hwm: 0 })])['stale-read']).toBe(0);
  });

  it('reports a stale read: a record read in another incarnation than the one it was sent to', () => {
    const recreate: TopicOp = { ...base({ at: [100, 110] }, 'admin'), f: 'recreate-topic', topic: 't' };
    only([send(['a'], [0], { at: [0, 5] }), recreate, fetch(0, [[0, 'a']], { at: [200, 210] })], 'stale-read');
  });

  // Checked against: counting only the attempts that can be placed in one incarnation (the code before) reports it.
  it('does not report a record read in the incarnation a send overlapping the re-create may have reached', () => {
    const recreate: TopicOp = { ...base({ at: [100, 110] }, 'admin'), f: 'recreate-topic', topic: 't' };
    // An earlier attempt with an unknown outcome in the old incarnation, the acknowledged retry across the boundary.
    const history = [send(['a'], undefined, { at: [0, 5], outcome: 'info' }), recreate, send(['a'], [0], { at: [105, 120] }), fetch(0, [[0, 'a']], { at: [200, 210] })];
    expect(counts(history)['stale-read']).toBe(0);
  });

  it('reports a stale read: the high watermark goes backwards', () => {
    only([fetch(0, [], { at: [0, 1], hwm: 5, next: 0 }), fetch(0, [], { at: [2, 3], hwm: 4, next: 0 })], 'stale-read');
  });

  it('reports a commit regression: an acknowledged commit below an earlier one', () => {
    only([commit('m1', 1, 10, { at: [0, 1] }), commit('m2', 1, 4, { at: [2, 3] })], 'commit-regression');
  });

  it('reports a fenced commit accepted: a commit with an epoch older than the partition moving on', () => {
    only(
      [
        poll('m1', { at: [0, 1], epoch: 0, resultEpoch: 1, assignment: [0] }),
        poll('m2', { at: [10, 11], epoch: 0, resultEpoch: 3, assignment: [0] }),
        commit('m1', 1, 12, { at: [20, 21] }),
        commit('m2', 3, 5, { at: [2, 3] }),
      ],
      'commit-regression',
    );
  });

  it("reports a removed member's commit accepted: the group's members no longer listed it", () => {
    const members: MembersOp = { ...base({ at: [10, 11] }, 'observer'), f: 'members', group: 'g', members: ['m2'] };
    only([poll('m1', { at: [0, 1], epoch: 0, resultEpoch: 1, assignment: [0] }), members, commit('m1', 1, 3, { at: [20, 21] })], 'commit-regression');
  });

  it('reports a group assignment overlap: a partition given to B while live A still claims it', () => {
    only(
      [
        poll('m1', { at: [0, 1], epoch: 0, resultEpoch: 1, assignment: [0] }),
        poll('m2', { at: [2, 3], epoch: 0, resultEpoch: 2, assignment: [0] }),
        poll('m1', { at: [4, 5], epoch: 1, owned: [0], assignment: [] }),
      ],
      'assignment-overlap',
    );
  });

  it('does not count a leave answered ok as proof that a member was still alive', () => {
    const ops = [
      poll('m1', { at: [0, 1], epoch: 0, resultEpoch: 1, assignment: [0] }),
      // m1 pauses past its session timeout; m2 gets the partition; m1 then leaves (ok: leaving is idempotent).
      poll('m2', { at: [10, 11], epoch: 0, resultEpoch: 2, assignment: [0] }),
      poll('m1', { at: [20, 21], epoch: -1, resultEpoch: -1, owned: [], assignment: [] }),
    ];
    expect(counts(ops)['assignment-overlap']).toBe(0);
  });

  it('does not report an overlap when A released the partition before B got it', () => {
    const ops = [
      poll('m1', { at: [0, 1], epoch: 0, resultEpoch: 1, assignment: [0] }),
      poll('m1', { at: [2, 3], epoch: 1, owned: [], assignment: [] }),
      poll('m2', { at: [4, 5], epoch: 0, resultEpoch: 2, assignment: [0] }),
      poll('m1', { at: [6, 7], epoch: 1, owned: [], assignment: [] }),
    ];
    expect(counts(ops)['assignment-overlap']).toBe(0);
  });
});

/**
 * The transactional anomalies on hand-made histories: `partial-transaction`
 * (one record of a transaction visible, another absent once healed) and
 * `eos-violation` (a committed input with zero or several outputs), and
 * clean histories that yield neither. Pure: no database, no network.
 */
import { describe, expect, it } from 'vitest';
import { analyse, type AnomalyName, type RunFacts } from '../../checker/analyse';
import type { CommittedOp, FetchOp, Op, TxnOp } from '../../checker/history';

const facts: RunFacts = {
  topics: [
    { name: 'a', partitions: 2, retention: false },
    { name: 'b', partitions: 1, retention: false },
    { name: 'in', partitions: 1, retention: false },
    { name: 'out', partitions: 1, retention: false },
  ],
  staleBoundMs: 1_000,
  eos: { group: 'g', input: 'in', output: 'out' },
};

let nextId = 0;
const base = (at: [number, number], outcome: Op['outcome'] = 'ok') => ({ id: nextId++, process: 'c', invokeAt: at[0], completeAt: at[1], outcome });

const txn = (records: [string, number, string][], outcome: Op['outcome'] = 'ok', at: [number, number] = [0, 10]): TxnOp => ({
  ...base(at, outcome),
  f: 'txn',
  records: records.map(([topic, partition, value]) => ({ topic, partition, value })),
});

const final = (topic: string, partition: number, values: (string | null)[]): FetchOp => ({
  ...base([5_000, 5_010]),
  f: 'fetch',
  topic,
  partition,
  from: 0,
  records: values.flatMap((v, i) => (v === null ? [] : [[i, v] as [number, string]])),
  nextOffset: values.length,
  highWatermark: values.length,
  logStartOffset: 0,
  aborted: values.flatMap((v, i) => (v === null ? [[i, i + 1] as [number, number]] : [])),
  final: true,
});

const committed = (offset: number): CommittedOp => ({ ...base([5_020, 5_030]), f: 'committed', group: 'g', topic: 'in', offsets: { '0': offset } });

function count(ops: Op[], name: AnomalyName): number {
  return analyse(ops, facts).anomalies.find((a) => a.name === name)!.count;
}

/** Every partition read at the end, so the checks have something to judge against. */
const finals = (a0: (string | null)[], a1: (string | null)[], b: (string | null)[], input: string[] = [], output: string[] = []) => [
  final('a', 0, a0),
  final('a', 1, a1),
  final('b', 0, b),
  final('in', 0, input),
  final('out', 0, output),
];

describe('partial-transaction', () => {
  it('is zero when every transaction is visible everywhere or nowhere, whatever its outcome', () => {
    const ops = [
      txn([['a', 0, 't1-a0'], ['a', 1, 't1-a1'], ['b', 0, 't1-b']]),
      txn([['a', 0, 't2-a0'], ['b', 0, 't2-b']], 'info'),
      txn([['a', 1, 't3-a1'], ['b', 0, 't3-b']], 'info'),
      txn([['a', 0, 't4-a0'], ['a', 1, 't4-a1']], 'fail'),
      ...finals(['t1-a0', null, 't2-a0'], ['t1-a1', null], ['t1-b', 't2-b', null]),
    ];
    expect(count(ops, 'partial-transaction')).toBe(0);
  });

  it('catches a transaction visible in one partition and aborted in another, acknowledged or not', () => {
    const acked = [txn([['a', 0, 'x-a0'], ['b', 0, 'x-b']]), ...finals(['x-a0'], [], [null])];
    expect(count(acked, 'partial-transaction')).toBe(1);
    const unknown = [txn([['a', 0, 'y-a0'], ['a', 1, 'y-a1']], 'info'), ...finals([null], ['y-a1'], [])];
    expect(count(unknown, 'partial-transaction')).toBe(1);
    // A refused transaction must leave nothing, not even half.
    const refused = [txn([['a', 1, 'z-a1'], ['b', 0, 'z-b']], 'fail'), ...finals([], [], ['z-b'])];
    expect(count(refused, 'partial-transaction')).toBe(1);
  });

  it('does not judge a transaction whose partitions the final read did not cover', () => {
    const ops = [txn([['a', 0, 'u-a0'], ['b', 0, 'u-b']]), final('a', 0, ['u-a0'])];
    expect(count(ops, 'partial-transaction')).toBe(0);
  });
});

describe('eos-violation', () => {
  it('is zero when every committed input has exactly one output (retried attempts left nothing)', () => {
    const ops = [...finals([], [], [], ['i0', 'i1', 'i2'], ['i0=>1', 'i1=>3', 'i2=>1']), committed(3)];
    expect(count(ops, 'eos-violation')).toBe(0);
    // Inputs past the committed offset are not processed yet: no output is fine.
    expect(count([...finals([], [], [], ['i0', 'i1', 'i2'], ['i0=>1']), committed(1)], 'eos-violation')).toBe(0);
  });

  it('catches a committed input without output and one with two outputs', () => {
    const ops = [...finals([], [], [], ['i0', 'i1', 'i2'], ['i0=>1', 'i2=>1', 'i2=>2']), committed(3)];
    const result = analyse(ops, facts).anomalies.find((a) => a.name === 'eos-violation')!;
    expect(result.count).toBe(2);
    expect(result.samples.map((s) => [s.kind, s.input])).toEqual([
      ['no-output', 'i1'],
      ['several-outputs', 'i2'],
    ]);
  });

  it('judges nothing without a final committed offset', () => {
    expect(count(finals([], [], [], ['i0'], []), 'eos-violation')).toBe(0);
  });
});

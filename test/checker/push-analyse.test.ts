/**
 * The push checks on hand-made histories: a push consumer's fetch that moves
 * past a record it was not given is a poll-skip; a record of a push
 * subscription's topic neither answered 2xx nor dead-lettered is a
 * webhook-loss; a post ahead of an offset never posted is a webhook-order
 * anomaly; a dead-letter record without the documented headers, or naming
 * no source record, is a dlq-mismatch. At-least-once redelivery, and a
 * record both delivered and dead-lettered, are not anomalies. Pure.
 */
import { describe, expect, it } from 'vitest';
import { analyse, type AnomalyName, type RunFacts } from '../../checker/analyse';
import type { DlqReadOp, FetchOp, Op, SendOp, WebhookOp } from '../../checker/history';

const webhook = { subscription: 's', topic: 'h', deadLetterTopic: 'd', maxAttempts: 3 };
const facts: RunFacts = { topics: [{ name: 'h', partitions: 1, retention: false }], staleBoundMs: 1_000, webhook };

let nextId = 0;
let clock = 0;
const base = (process: string) => ({ id: nextId++, process, invokeAt: clock++, completeAt: clock++, outcome: 'ok' as const });
const send = (values: string[], offsets: number[]): SendOp => ({ ...base('p'), f: 'send', topic: 'h', partition: 0, values, offsets });
const finalRead = (records: [number, string][]): FetchOp => ({
  ...base('final'),
  f: 'fetch',
  topic: 'h',
  partition: 0,
  from: 0,
  final: true,
  records,
  nextOffset: records.length,
  highWatermark: records.length,
  logStartOffset: 0,
  aborted: [],
});
const post = (records: [number, string][], answer: WebhookOp['answer'], signed = true): WebhookOp => ({ ...base('receiver'), f: 'webhook', subscription: 's', topic: 'h', partition: 0, records, signed, answer });
const dlqHeaders = (offset: number, over: Record<string, string | null> = {}) => ({
  'samsa-dlq-error': 'HTTP 500',
  'samsa-dlq-attempts': '3',
  'samsa-dlq-subscription': 's',
  'samsa-dlq-topic': 'h',
  'samsa-dlq-partition': '0',
  'samsa-dlq-offset': String(offset),
  ...over,
});
const dlq = (records: NonNullable<DlqReadOp['records']>): DlqReadOp => ({ ...base('final'), f: 'dlq-read', topic: 'd', partition: 0, records, nextOffset: records.length, highWatermark: records.length });

const log: [number, string][] = [
  [0, 'a'],
  [1, 'b'],
  [2, 'c'],
  [3, 'd'],
];
const produced = () => [send(['a', 'b'], [0, 1]), send(['c', 'd'], [2, 3]), finalRead(log)];

function counts(ops: Op[]): Partial<Record<AnomalyName, number>> {
  const out: Partial<Record<AnomalyName, number>> = {};
  for (const a of analyse(ops, facts).anomalies) if (a.count > 0) out[a.name] = a.count;
  return out;
}

describe('push analysis', () => {
  it('accepts delivery with retries, redelivery and a dead-lettered batch', () => {
    const ops = [
      ...produced(),
      post([[0, 'a'], [1, 'b']], 503),
      post([[0, 'a'], [1, 'b']], 200),
      post([[0, 'a'], [1, 'b']], 200), // at-least-once: posted again after a lost commit
      post([[2, 'c'], [3, 'd']], 500),
      post([[2, 'c'], [3, 'd']], 'hang'),
      post([[2, 'c'], [3, 'd']], 500),
      dlq([{ offset: 0, value: 'c', headers: dlqHeaders(2) }, { offset: 1, value: 'd', headers: dlqHeaders(3) }]),
    ];
    expect(counts(ops)).toEqual({});
  });

  it('reports a record neither delivered with a 2xx nor dead-lettered (a commit without a 2xx)', () => {
    const ops = [...produced(), post([[0, 'a'], [1, 'b']], 200), post([[2, 'c'], [3, 'd']], 500), dlq([{ offset: 0, value: 'c', headers: dlqHeaders(2) }])];
    const a = analyse(ops, facts).anomalies.find((x) => x.name === 'webhook-loss')!;
    expect(a.count).toBe(1);
    expect(a.samples[0]).toMatchObject({ kind: 'neither-delivered-nor-dead-lettered', offset: 3, value: 'd' });
  });

  it('reports a post whose signature does not verify', () => {
    expect(counts([...produced(), post([[0, 'a'], [1, 'b']], 200), post([[2, 'c'], [3, 'd']], 200, false), post([[2, 'c'], [3, 'd']], 200)])).toEqual({ 'webhook-loss': 1 });
  });

  it('reports a post that skips ahead of an offset never posted, and a batch with a gap', () => {
    expect(counts([...produced(), post([[2, 'c'], [3, 'd']], 200), post([[0, 'a'], [1, 'b']], 200)])).toEqual({ 'webhook-order': 1 });
    expect(counts([...produced(), post([[0, 'a'], [2, 'c']], 200), post([[1, 'b'], [3, 'd']], 200)])).toEqual({ 'webhook-order': 2 });
  });

  it('needs no post for offsets without a record (an aborted range), and reports a batch that leaves a record out', () => {
    const read: FetchOp = { ...finalRead([[2, 'c'], [3, 'd']]), nextOffset: 4, highWatermark: 4, aborted: [[0, 2]] };
    expect(counts([send(['c', 'd'], [2, 3]), read, post([[2, 'c'], [3, 'd']], 200)])).toEqual({});
    const gapped: FetchOp = { ...finalRead([[0, 'a'], [2, 'c'], [3, 'd']]), nextOffset: 4, highWatermark: 4, aborted: [[1, 2]] };
    expect(counts([send(['a'], [0]), send(['c', 'd'], [2, 3]), gapped, post([[0, 'a'], [3, 'd']], 200), post([[2, 'c']], 200)])).toEqual({ 'webhook-order': 1 });
  });

  it('reports dead-letter records with a wrong or missing header, or naming no source record', () => {
    const delivered = [post([[0, 'a'], [1, 'b']], 200), post([[2, 'c'], [3, 'd']], 200)];
    expect(counts([...produced(), ...delivered, dlq([{ offset: 0, value: 'a', headers: dlqHeaders(0, { 'samsa-dlq-attempts': '2' }) }])])).toEqual({ 'dlq-mismatch': 1 });
    expect(counts([...produced(), ...delivered, dlq([{ offset: 0, value: 'a', headers: dlqHeaders(0, { 'samsa-dlq-error': null }) }])])).toEqual({ 'dlq-mismatch': 1 });
    expect(counts([...produced(), ...delivered, dlq([{ offset: 0, value: 'zzz', headers: dlqHeaders(0) }])])).toEqual({ 'dlq-mismatch': 1 });
    expect(counts([...produced(), ...delivered, dlq([{ offset: 0, value: 'a', headers: dlqHeaders(9) }])])).toEqual({ 'dlq-mismatch': 1 });
  });

  it("reports a push consumer's fetch that moved past a record it was not given", () => {
    const pushFetch = (records: [number, string][], next: number): FetchOp => ({
      ...base('push1'),
      f: 'fetch',
      topic: 'h',
      partition: 0,
      from: 0,
      push: true,
      records,
      nextOffset: next,
      highWatermark: 4,
      logStartOffset: 0,
      aborted: [],
    });
    const delivered = [post([[0, 'a'], [1, 'b'], [2, 'c'], [3, 'd']], 200)];
    expect(counts([...produced(), ...delivered, pushFetch([[0, 'a'], [1, 'b']], 2)])).toEqual({});
    expect(counts([...produced(), ...delivered, pushFetch([[0, 'a'], [2, 'c']], 3)])['poll-skip']).toBe(1);
  });
});

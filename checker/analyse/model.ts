/**
 * What every analysis reads: the history indexed by partition. Pure — the
 * history and run facts in, an index out; no I/O and no clock.
 *
 * A partition is keyed by topic, *incarnation* and partition number: a topic
 * deleted and re-created under load is a new log (new topic id), so offsets
 * of different incarnations are unrelated. An op overlapping a delete +
 * re-create cycle cannot be attributed to either side and is left out of
 * every offset-based check (its outcome still counts where offsets do not
 * matter, e.g. a value whose send definitely failed must never be read).
 */
import type { CommitOp, FetchOp, OffsetsOp, Op, PollOp, SendOp, TopicOp } from '../history';

export interface RunFacts {
  topics: { name: string; partitions: number; /** Retention may remove old records during the run. */ retention: boolean }[];
  /**
   * The consume-transform-produce pipeline, when the run has one: its group reads `input` and writes,
   * per input record, one record to `output` whose value is `<input value>=><attempt>` (eos-violation.ts).
   */
  eos?: { group: string; input: string; output: string };
  /**
   * Real milliseconds after an acknowledgement from which every fetch must
   * include it: the abort bound, twice the tolerated clock skew, and slack.
   * Before that, only a dead writer's open reservation may hold the stable end back.
   */
  staleBoundMs: number;
  /**
   * The push subscription, when the run has one (webhook.ts): it delivers `topic` (from offset 0 of each
   * partition: it is created before anything is produced) and dead-letters to `deadLetterTopic` after `maxAttempts`.
   */
  webhook?: { subscription: string; topic: string; deadLetterTopic: string; maxAttempts: number };
}

export type AnomalyName =
  | 'lost-write'
  | 'duplicate'
  | 'inconsistent-offsets'
  | 'offset-hole'
  | 'nonmonotonic-send'
  | 'nonmonotonic-poll'
  | 'poll-skip'
  | 'aborted-read'
  | 'stale-read'
  | 'commit-regression'
  | 'assignment-overlap'
  | 'partial-transaction'
  | 'eos-violation'
  | 'webhook-loss'
  | 'webhook-order'
  | 'dlq-mismatch';

export const ANOMALIES: readonly AnomalyName[] = [
  'lost-write',
  'duplicate',
  'inconsistent-offsets',
  'offset-hole',
  'nonmonotonic-send',
  'nonmonotonic-poll',
  'poll-skip',
  'aborted-read',
  'stale-read',
  'commit-regression',
  'assignment-overlap',
  'partial-transaction',
  'eos-violation',
  'webhook-loss',
  'webhook-order',
  'dlq-mismatch',
];

export interface Finding {
  /** What kind of this anomaly, e.g. 'acked-in-aborted-range'. */
  kind: string;
  [fact: string]: unknown;
}

/** One thing a read returned at an offset: a value, or `null` for an offset inside a reported aborted range. */
export interface Observation {
  value: string | null;
  op: number;
}

export interface Ack {
  key: string;
  offset: number;
  at: number;
  op: number;
}

export interface ValueInfo {
  value: string;
  sends: SendOp[];
  /** ok if any attempt was acknowledged; fail if every attempt definitely failed; else info. */
  status: 'ok' | 'fail' | 'info';
  /** Acknowledgements from attempts that can be placed in one incarnation. */
  acks: Ack[];
  /**
   * The partition keys its attempts may have landed in: an attempt overlapping a re-create adds every
   * incarnation its window touches (it may have been served by either side of the boundary).
   */
  keys: Set<string>;
}

export interface Model {
  facts: RunFacts;
  ops: Op[];
  /** The partition key of an op on (topic, partition), or undefined if it overlaps a re-create. */
  keyOf(op: Op & { topic: string }, partition: number): string | undefined;
  /** The key of each topic's last incarnation, per partition (what the final read covers). */
  isFinal(key: string): boolean;
  values: Map<string, ValueInfo>;
  /** key → offset → what reads saw there. */
  observations: Map<string, Map<number, Observation[]>>;
  /** value → where reads saw it. */
  seenAt: Map<string, { key: string; offset: number; op: number }[]>;
  /** Ok fetches (including final reads) and their key. */
  fetches: { op: FetchOp; key: string }[];
  /** key → the final read's pages, in order. */
  finalReads: Map<string, FetchOp[]>;
  polls: PollOp[];
  commits: CommitOp[];
  offsets: OffsetsOp[];
  opsById: Map<number, Op>;
}

export const partitionKey = (topic: string, incarnation: number, partition: number) => `${topic}/${incarnation}/${partition}`;

/**
 * Who sent a group op: the member id and the client's incarnation of it. Clients may re-join under
 * the same member id (as the SDK does), and each incarnation is a member of its own for the analysis.
 */
export const memberOf = (op: { member: string; incarnation?: number }): string => (op.incarnation === undefined ? op.member : `${op.member}#${op.incarnation}`);

export function buildModel(ops: Op[], facts: RunFacts): Model {
  const recreates = new Map<string, TopicOp[]>();
  for (const op of ops) {
    if (op.f !== 'recreate-topic') continue;
    const list = recreates.get(op.topic) ?? [];
    list.push(op);
    recreates.set(op.topic, list);
  }
  const incarnationOf = (topic: string, invokeAt: number, completeAt: number): number | undefined => {
    let inc = 0;
    for (const w of recreates.get(topic) ?? []) {
      if (w.completeAt < invokeAt) inc++;
      else if (w.invokeAt <= completeAt) return undefined;
    }
    return inc;
  };
  /** Every incarnation an op's window touches: those re-created before it began, plus one per re-create it overlaps. */
  const incarnationsOf = (topic: string, invokeAt: number, completeAt: number): number[] => {
    let lo = 0;
    let hi = 0;
    for (const w of recreates.get(topic) ?? []) {
      if (w.completeAt < invokeAt) lo++;
      if (w.invokeAt <= completeAt) hi++;
    }
    return Array.from({ length: hi - lo + 1 }, (_, i) => lo + i);
  };
  const finalIncarnation = new Map<string, number>();
  for (const t of facts.topics) finalIncarnation.set(t.name, (recreates.get(t.name) ?? []).length);

  const model: Model = {
    facts,
    ops,
    keyOf(op, partition) {
      const inc = incarnationOf(op.topic, op.invokeAt, op.completeAt);
      return inc === undefined ? undefined : partitionKey(op.topic, inc, partition);
    },
    isFinal(key) {
      const [topic, inc] = key.split('/');
      return finalIncarnation.get(topic!) === Number(inc);
    },
    values: new Map(),
    observations: new Map(),
    seenAt: new Map(),
    fetches: [],
    finalReads: new Map(),
    polls: [],
    commits: [],
    offsets: [],
    opsById: new Map(ops.map((op) => [op.id, op])),
  };

  const observe = (key: string, offset: number, value: string | null, op: number) => {
    let byOffset = model.observations.get(key);
    if (byOffset === undefined) model.observations.set(key, (byOffset = new Map()));
    let list = byOffset.get(offset);
    if (list === undefined) byOffset.set(offset, (list = []));
    list.push({ value, op });
    if (value !== null) {
      let seen = model.seenAt.get(value);
      if (seen === undefined) model.seenAt.set(value, (seen = []));
      seen.push({ key, offset, op });
    }
  };

  for (const op of ops) {
    switch (op.f) {
      case 'send': {
        const key = model.keyOf(op, op.partition);
        op.values.forEach((value, i) => {
          let info = model.values.get(value);
          if (info === undefined) model.values.set(value, (info = { value, sends: [], status: 'fail', acks: [], keys: new Set() }));
          info.sends.push(op);
          for (const inc of incarnationsOf(op.topic, op.invokeAt, op.completeAt)) info.keys.add(partitionKey(op.topic, inc, op.partition));
          if (op.outcome === 'ok' && op.offsets?.[i] !== undefined && key !== undefined) {
            info.acks.push({ key, offset: op.offsets[i]!, at: op.completeAt, op: op.id });
          }
        });
        break;
      }
      case 'fetch': {
        if (op.outcome !== 'ok') break;
        const key = model.keyOf(op, op.partition);
        if (key === undefined) break;
        model.fetches.push({ op, key });
        if (op.final) {
          const pages = model.finalReads.get(key) ?? [];
          pages.push(op);
          model.finalReads.set(key, pages);
        }
        for (const [offset, value] of op.records ?? []) observe(key, offset, value, op.id);
        for (const [from, to] of op.aborted ?? []) {
          // Only the part of an aborted range inside what this fetch covered.
          const lo = Math.max(from, op.from);
          const hi = Math.min(to, op.nextOffset ?? to);
          for (let o = lo; o < hi; o++) observe(key, o, null, op.id);
        }
        break;
      }
      case 'poll': {
        model.polls.push(op);
        if (op.outcome !== 'ok') break;
        for (const [partition, offset, value] of op.records ?? []) {
          const key = model.keyOf(op, partition);
          if (key !== undefined) observe(key, offset, value, op.id);
        }
        break;
      }
      case 'commit':
        model.commits.push(op);
        break;
      case 'offsets':
        if (op.outcome === 'ok') model.offsets.push(op);
        break;
      default:
        break;
    }
  }

  for (const info of model.values.values()) {
    if (info.sends.some((s) => s.outcome === 'ok')) info.status = 'ok';
    else if (info.sends.every((s) => s.outcome === 'fail')) info.status = 'fail';
    else info.status = 'info';
  }
  for (const pages of model.finalReads.values()) pages.sort((a, b) => a.from - b.from);
  return model;
}

/** Keeps the first few findings as samples and counts all of them. */
export class Findings {
  count = 0;
  readonly samples: Finding[] = [];
  constructor(private readonly keep = 5) {}
  add(finding: Finding): void {
    this.count++;
    if (this.samples.length < this.keep) this.samples.push(finding);
  }
}

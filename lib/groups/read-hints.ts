/**
 * The counter reads of a group poll's plan (fetch-assigned.ts): which
 * partitions may have new data, and how much.
 * Behaviour: reads the counters of the partitions the member's facts do not
 * settle, in rounds of 8, 16, … from a rotating start until they hold the
 * poll's record or byte budget. A partition that surely has new data (its
 * fact says the counter was past the position, or its activity mark is
 * newer than the fact's read) or that no fact describes is
 * read strongly, whole: the fetch then views it from that read instead of
 * reading the counter again, and a strong read that finds it caught up is a
 * fact at once. One whose fact says the member was caught up is read
 * eventually consistent — strongly where that read would settle it for the
 * next polls — and, when the cheap read shows it caught up, strongly once
 * more to become a fact.
 * Errors: UNAVAILABLE when DynamoDB keeps leaving keys unprocessed.
 * Cost: 1 RRU per counter read strongly (a counter is far below 4 KB), 0.5
 * per counter read eventually consistent; ⌈partitions / 100⌉ calls a round.
 */
import type { LibContext } from '../context';
import type { CounterState } from '../log/counter';
import type { PartitionKey } from './assign';
import { mustRead, storedFact, strongReadPays, type Facts } from './caught-up';
import { readCounterHints, readCounters, type CounterHint } from './read-plan';

/** An assigned partition: its topic's name and the id of the incarnation the member holds it in. */
export interface Part {
  id: string;
  name: string;
  topicId: string;
  partition: number;
  pk: string;
  /** The group's key of the partition (topic id and number). */
  key: PartitionKey;
}

/** The member's facts (caught-up.ts) as this poll knows them; `changed` once a new one lets later polls skip a partition. */
export interface PollMemory {
  facts: Facts;
  changed: boolean;
}

export function remember(memory: PollMemory, p: Part, next: number, at: number, mark: number | undefined, skewMs: number): void {
  // As the member item will hold it (to the second): judged as stored, a fact that would not settle
  // the partition for the next polls is not worth a write (they read it again either way).
  const fact = storedFact(next, at);
  memory.facts.set(p.key, fact);
  if (!mustRead(fact, next, mark, at, skewMs)) memory.changed = true;
}

export interface Hints {
  /** id → hint of every partition read (undefined: its counter was not in the answer). */
  hints: Map<string, CounterHint | undefined>;
  /** id → the whole counter, for the partitions read strongly whole: their fetch views them from it. */
  counters: Map<string, CounterState>;
}

export function hintOfCounter(c: CounterState, ls = c.ls, lo = c.lo): CounterHint {
  return { next: c.next, seq: c.seq, ls, lo, ...(c.jsonBytes === undefined ? {} : { nb: c.jsonBytes }) };
}

export async function readHints(
  ctx: LibContext,
  toRead: readonly Part[],
  positions: Map<string, number>,
  memory: PollMemory,
  markOf: (p: Part) => number | undefined,
  budget: { maxRecords: number; maxBytes: number },
): Promise<Hints> {
  const skew = ctx.limits.maxClockSkewMs;
  const read: Hints = { hints: new Map(), counters: new Map() };
  if (toRead.length === 0) return read;
  const start = Math.floor(toRead.reduce((n, p) => n + positions.get(p.id)!, 0) / budget.maxRecords) % toRead.length;
  const ordered = [...toRead.slice(start), ...toRead.slice(0, start)];
  let records = 0;
  let bytes = 0;
  for (let i = 0, size = 8; i < ordered.length && records < budget.maxRecords && bytes < budget.maxBytes; i += size, size *= 2) {
    const chunk = ordered.slice(i, i + size);
    const at = ctx.clock.now();
    const pays = (p: Part) => strongReadPays(markOf(p), at, skew);
    const fact = (p: Part) => memory.facts.get(p.key);
    // New data for sure — the counter was past the position, or the member was caught up at the
    // position and a write was marked after that read (a tailing member's usual case) — or nothing
    // known: the fetch will need a strong read. A fact about an offset behind the position says
    // nothing of what lies beyond it: the cheap read (it is one while its mark is fresh: a fact
    // is stored only once it settles the partition).
    const sure = (p: Part) => {
      const f = fact(p);
      const mark = markOf(p);
      const position = positions.get(p.id)!;
      return f === undefined || position < f.n || (position === f.n && mark !== undefined && mark > f.t + skew);
    };
    const whole = chunk.filter(sure);
    const strong = chunk.filter((p) => !whole.includes(p) && fact(p)!.n === positions.get(p.id) && pays(p));
    const weak = chunk.filter((p) => !whole.includes(p) && !strong.includes(p));
    const [counters, strongHints, weakHints] = await Promise.all([
      readCounters(ctx, whole.map((p) => p.pk)),
      readCounterHints(ctx, strong.map((p) => p.pk), true),
      readCounterHints(ctx, weak.map((p) => p.pk)),
    ]);
    const confirm = weak.filter((p) => weakHints.get(p.pk)?.next === positions.get(p.id) && pays(p));
    const confirmedAt = ctx.clock.now();
    const confirmed = confirm.length === 0 ? new Map<string, CounterHint>() : await readCounterHints(ctx, confirm.map((p) => p.pk), true);
    const wholeHints = new Map([...counters].map(([pk, c]) => [pk, hintOfCounter(c)] as const));
    for (const [list, hints, t] of [[whole, wholeHints, at], [strong, strongHints, at], [confirm, confirmed, confirmedAt]] as const) {
      for (const p of list) {
        const h = hints.get(p.pk);
        if (h !== undefined && h.next === positions.get(p.id)) remember(memory, p, h.next, t, markOf(p), skew);
      }
    }
    for (const p of chunk) {
      const counter = counters.get(p.pk);
      if (counter !== undefined) read.counters.set(p.id, counter);
      const h = wholeHints.get(p.pk) ?? confirmed.get(p.pk) ?? strongHints.get(p.pk) ?? weakHints.get(p.pk);
      read.hints.set(p.id, h);
      const position = positions.get(p.id)!;
      // A counter not in the answer, or a position out of range: the fetch judges, with a fair share.
      const holds = h === undefined || position < h.lo || position > h.next ? 1 : h.next - position;
      records += holds;
      if (h?.nb !== undefined && h.next > 0) bytes += holds * (h.nb / h.next);
    }
  }
  return read;
}

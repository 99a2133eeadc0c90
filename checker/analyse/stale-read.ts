/**
 * Stale read:
 * - a fetch (or offsets read) whose high watermark does not pass a record
 *   acknowledged more than the stale bound before the read began (the abort
 *   bound plus clock skew: only a dead writer's open reservation may hold the
 *   stable end back, and only that long);
 * - a high watermark lower than one an earlier read (completed before this
 *   one began) already reported;
 * - a read returning a record of another incarnation of the topic (deleted
 *   and re-created under the same name).
 */
import { Findings, type Ack, type Model } from './model';

interface HwmRead {
  key: string;
  from: number;
  logStart: number;
  hwm: number;
  invokeAt: number;
  completeAt: number;
  op: number;
}

export function staleReads(m: Model): Findings {
  const found = new Findings();
  const reads: HwmRead[] = [];
  for (const { op, key } of m.fetches) {
    if (op.highWatermark === undefined) continue;
    reads.push({ key, from: op.from, logStart: op.logStartOffset ?? 0, hwm: op.highWatermark, invokeAt: op.invokeAt, completeAt: op.completeAt, op: op.id });
  }
  for (const op of m.offsets) {
    for (const [p, o] of Object.entries(op.partitions ?? {})) {
      const key = m.keyOf(op, Number(p));
      if (key !== undefined) reads.push({ key, from: 0, logStart: o.logStartOffset, hwm: o.highWatermark, invokeAt: op.invokeAt, completeAt: op.completeAt, op: op.id });
    }
  }
  const byKey = groupBy(reads, (r) => r.key);

  // Acks per key by time, with the running maximum offset.
  const acks = new Map<string, Ack[]>();
  for (const info of m.values.values()) {
    for (const a of info.acks) {
      const list = acks.get(a.key);
      if (list === undefined) acks.set(a.key, [a]);
      else list.push(a);
    }
  }
  for (const [key, list] of acks) {
    list.sort((a, b) => a.at - b.at);
    const best: Ack[] = [];
    for (const a of list) best.push(best.length > 0 && best[best.length - 1]!.offset > a.offset ? best[best.length - 1]! : a);
    for (const r of byKey.get(key) ?? []) {
      const ack = latestBefore(list, best, r.invokeAt - m.facts.staleBoundMs);
      if (ack === undefined || ack.offset < r.from || ack.offset < r.logStart) continue;
      if (r.hwm <= ack.offset) found.add({ kind: 'missed-acked-record', partition: key, offset: ack.offset, ackedAt: ack.at, readAt: r.invokeAt, highWatermark: r.hwm, op: r.op });
    }
  }

  for (const [key, list] of byKey) {
    const byComplete = [...list].sort((a, b) => a.completeAt - b.completeAt);
    const byInvoke = [...list].sort((a, b) => a.invokeAt - b.invokeAt);
    let i = 0;
    let max: HwmRead | undefined;
    for (const r of byInvoke) {
      while (i < byComplete.length && byComplete[i]!.completeAt < r.invokeAt) {
        if (max === undefined || byComplete[i]!.hwm > max.hwm) max = byComplete[i];
        i++;
      }
      if (max !== undefined && r.hwm < max.hwm) found.add({ kind: 'high-watermark-backwards', partition: key, before: max.hwm, after: r.hwm, ops: [max.op, r.op] });
    }
  }

  for (const [value, seen] of m.seenAt) {
    const info = m.values.get(value);
    if (info === undefined || info.keys.size === 0) continue;
    for (const s of seen) {
      if (!info.keys.has(s.key) && [...info.keys].every((k) => sameTopicPartition(k, s.key))) {
        found.add({ kind: 'record-of-other-incarnation', value, readIn: s.key, sentTo: [...info.keys], op: s.op });
        break;
      }
    }
  }
  return found;
}

function latestBefore(list: Ack[], best: Ack[], t: number): Ack | undefined {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (list[mid]!.at < t) lo = mid + 1;
    else hi = mid;
  }
  return lo === 0 ? undefined : best[lo - 1];
}

function sameTopicPartition(a: string, b: string): boolean {
  const [ta, , pa] = a.split('/');
  const [tb, , pb] = b.split('/');
  return ta === tb && pa === pb;
}

function groupBy<T>(items: T[], key: (t: T) => string): Map<string, T[]> {
  const map = new Map<string, T[]>();
  for (const item of items) {
    const list = map.get(key(item));
    if (list === undefined) map.set(key(item), [item]);
    else list.push(item);
  }
  return map;
}

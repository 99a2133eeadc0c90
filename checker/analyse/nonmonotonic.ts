/**
 * Nonmonotonic send: one client's acknowledged offsets in a partition go
 * backwards (each client has one request in flight, so its acknowledgements
 * are ordered), or one request's records are not at consecutive offsets.
 * Nonmonotonic poll: a poll or fetch returning a partition's offsets out of
 * order, or re-reading below the position the client sent (without a seek).
 */
import type { SendOp } from '../history';
import { Findings, type Model } from './model';

export function nonmonotonicSends(m: Model): Findings {
  const found = new Findings();
  const last = new Map<string, SendOp>();
  const sends = m.ops.filter((op): op is SendOp => op.f === 'send' && op.outcome === 'ok' && op.offsets !== undefined);
  sends.sort((a, b) => a.invokeAt - b.invokeAt);
  for (const op of sends) {
    const key = m.keyOf(op, op.partition);
    if (key === undefined) continue;
    const offsets = op.offsets!;
    if (offsets.some((o, i) => i > 0 && o !== offsets[i - 1]! + 1)) found.add({ kind: 'not-consecutive', partition: key, op: op.id, offsets });
    const id = `${op.process}|${key}`;
    const prev = last.get(id);
    last.set(id, op);
    if (prev === undefined) continue;
    const retry = prev.values[0] === op.values[0]; // an idempotent retry gets the same offsets back
    if (!retry && offsets[0]! <= prev.offsets![prev.offsets!.length - 1]!) {
      found.add({ kind: 'backwards', process: op.process, partition: key, previous: prev.offsets, now: offsets, ops: [prev.id, op.id] });
    }
  }
  return found;
}

export function nonmonotonicPolls(m: Model): Findings {
  const found = new Findings();
  const check = (key: string, offsets: number[], from: number | undefined, op: number, what: string) => {
    for (let i = 0; i < offsets.length; i++) {
      if (i > 0 && offsets[i]! <= offsets[i - 1]!) {
        found.add({ kind: `${what}-out-of-order`, partition: key, op, offsets: offsets.slice(Math.max(0, i - 2), i + 2) });
        return;
      }
    }
    if (from !== undefined && offsets.length > 0 && offsets[0]! < from) found.add({ kind: `${what}-reread`, partition: key, op, sentPosition: from, first: offsets[0] });
  };
  for (const poll of m.polls) {
    if (poll.outcome !== 'ok') continue;
    const byPartition = new Map<number, number[]>();
    for (const [p, o] of poll.records ?? []) {
      const list = byPartition.get(p);
      if (list === undefined) byPartition.set(p, [o]);
      else list.push(o);
    }
    for (const [p, offsets] of byPartition) {
      const key = m.keyOf(poll, p);
      if (key !== undefined) check(key, offsets, poll.positions[String(p)], poll.id, 'poll');
    }
  }
  for (const { op, key } of m.fetches) check(key, (op.records ?? []).map(([o]) => o), op.from, op.id, 'fetch');
  return found;
}

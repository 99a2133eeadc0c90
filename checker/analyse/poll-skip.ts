/**
 * Poll skip: a group consumer that sent position s for a partition and was
 * moved on to position n must have been given every record in [s, n). Which
 * offsets hold records is known from every read of the partition (above all
 * the final exhaustive read); aborted offsets hold none. The same holds for
 * a push consumer's fetch (`push`): it moves its position to the fetch's
 * nextOffset, whatever notification woke it, so a fetch from f that answered
 * nextOffset n must have returned every record in [f, n).
 */
import { Findings, type Model } from './model';

export function pollSkips(m: Model): Findings {
  const found = new Findings();
  for (const poll of m.polls) {
    if (poll.outcome !== 'ok') continue;
    for (const [p, next] of Object.entries(poll.nextPositions ?? {})) {
      const sent = poll.positions[p];
      if (sent === undefined || next <= sent) continue;
      const key = m.keyOf(poll, Number(p));
      if (key === undefined) continue;
      const given = new Set((poll.records ?? []).filter(([rp]) => rp === Number(p)).map(([, o]) => o));
      const known = m.observations.get(key);
      for (let o = sent; o < next; o++) {
        if (given.has(o)) continue;
        const record = known?.get(o)?.find((x) => x.value !== null);
        if (record !== undefined) {
          found.add({ kind: 'skipped-record', partition: key, member: poll.member, sentPosition: sent, nextPosition: next, skipped: o, value: record.value, op: poll.id });
          break;
        }
      }
    }
  }
  for (const { op, key } of m.fetches) {
    if (op.push !== true || op.nextOffset === undefined) continue;
    const given = new Set((op.records ?? []).map(([o]) => o));
    const known = m.observations.get(key);
    for (let o = op.from; o < op.nextOffset; o++) {
      const record = given.has(o) ? undefined : known?.get(o)?.find((x) => x.value !== null);
      if (record !== undefined) {
        found.add({ kind: 'push-fetch-skipped-record', partition: key, consumer: op.process, from: op.from, nextOffset: op.nextOffset, skipped: o, value: record.value, op: op.id });
        break;
      }
    }
  }
  return found;
}

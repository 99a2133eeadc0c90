/**
 * Offset hole: offsets are dense — below the high watermark every offset
 * holds a record or lies in a reported aborted range. A fetch that covered
 * [from, nextOffset) must account for each offset there; and no
 * acknowledged record may lie inside an aborted range any read reported.
 */
import { Findings, type Model } from './model';

export function offsetHoles(m: Model): Findings {
  const found = new Findings();
  for (const { op, key } of m.fetches) {
    const start = Math.max(op.from, op.logStartOffset ?? op.from);
    const end = op.nextOffset ?? start;
    const covered = new Set((op.records ?? []).map(([o]) => o));
    for (const [from, to] of op.aborted ?? []) for (let o = Math.max(from, start); o < Math.min(to, end); o++) covered.add(o);
    for (let o = start; o < end; o++) {
      if (!covered.has(o)) {
        found.add({ kind: op.final ? 'gap-in-final-read' : 'gap-in-fetch', partition: key, offset: o, op: op.id, from: op.from, nextOffset: end });
        break;
      }
    }
  }
  for (const info of m.values.values()) {
    for (const ack of info.acks) {
      const aborted = m.observations.get(ack.key)?.get(ack.offset)?.find((o) => o.value === null);
      if (aborted !== undefined) found.add({ kind: 'acked-in-aborted-range', value: info.value, partition: ack.key, offset: ack.offset, op: aborted.op });
    }
  }
  return found;
}

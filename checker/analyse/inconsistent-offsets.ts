/**
 * Inconsistent offsets: one offset of a partition read with two different
 * values across reads, read as a record by one fetch and inside an aborted
 * range by another, or holding a value other than the one acknowledged there.
 * (An acknowledged record inside an aborted range is an offset hole.)
 */
import { Findings, type Model } from './model';

export function inconsistentOffsets(m: Model): Findings {
  const found = new Findings();
  const flagged = new Set<string>();
  for (const [key, byOffset] of m.observations) {
    for (const [offset, seen] of byOffset) {
      const distinct = new Set(seen.map((o) => o.value));
      if (distinct.size > 1) {
        flagged.add(`${key}@${offset}`);
        found.add({
          kind: distinct.has(null) ? 'record-and-aborted' : 'two-values',
          partition: key,
          offset,
          values: [...distinct].slice(0, 3),
          ops: seen.slice(0, 4).map((o) => o.op),
        });
      }
    }
  }
  for (const info of m.values.values()) {
    for (const ack of info.acks) {
      if (flagged.has(`${ack.key}@${ack.offset}`)) continue;
      const other = m.observations.get(ack.key)?.get(ack.offset)?.find((o) => o.value !== null && o.value !== info.value);
      if (other !== undefined) {
        flagged.add(`${ack.key}@${ack.offset}`);
        found.add({ kind: 'acked-value-differs', partition: ack.key, offset: ack.offset, acked: info.value, read: other.value, op: other.op });
      }
    }
  }
  return found;
}

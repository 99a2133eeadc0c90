/**
 * Duplicate: one value stored at two offsets. Values are unique per run, and
 * a plain producer never resends one, so any value read at two places is a
 * duplicate; an idempotent producer's retries (even after `info` outcomes)
 * must never create a second copy. Two acknowledgements of one value at
 * different offsets count too.
 */
import { Findings, type Model } from './model';

export function duplicates(m: Model): Findings {
  const found = new Findings();
  for (const info of m.values.values()) {
    const places = new Map<string, { key: string; offset: number }>();
    for (const s of m.seenAt.get(info.value) ?? []) places.set(`${s.key}@${s.offset}`, s);
    for (const a of info.acks) places.set(`${a.key}@${a.offset}`, a);
    if (places.size > 1) {
      found.add({
        kind: info.sends.some((s) => s.producer !== undefined) ? 'idempotent' : 'plain',
        value: info.value,
        at: [...places.keys()].slice(0, 4),
        attempts: info.sends.length,
      });
    }
  }
  return found;
}

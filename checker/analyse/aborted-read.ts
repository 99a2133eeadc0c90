/**
 * Aborted read: a read returned a value whose every send attempt definitely
 * failed (4xx, or RESERVATION_ABORTED: the server guarantees nothing of the
 * batch is visible).
 */
import { Findings, type Model } from './model';

export function abortedReads(m: Model): Findings {
  const found = new Findings();
  for (const [value, seen] of m.seenAt) {
    const info = m.values.get(value);
    if (info?.status !== 'fail') continue;
    found.add({ kind: 'read-of-failed-send', value, at: seen[0], errors: info.sends.map((s) => s.error) });
  }
  return found;
}

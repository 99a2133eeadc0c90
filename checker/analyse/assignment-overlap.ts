/**
 * Group assignment overlap: two live members owning one partition at once.
 * Member A holds partition p from its ok response R1 that assigned p, until
 * it sends a request that no longer claims p (it released it); it stays a
 * member at least until the invocation of its last ok response other than a
 * leave (a removed member never gets another ok; a member is a member id AND
 * the client's incarnation of it, since clients re-join under the same id;
 * leaving is answered ok whether or not it was still in).
 * If another member B got an ok response assigning p that began after R1
 * completed and completed before both of those points, A and B owned p at
 * the same time — the ownership lease failed.
 */
import type { PollOp } from '../history';
import { Findings, memberOf, type Model } from './model';

export function assignmentOverlaps(m: Model): Findings {
  const found = new Findings();
  const byMember = new Map<string, PollOp[]>();
  for (const p of m.polls) {
    const id = `${p.group}|${memberOf(p)}`;
    const list = byMember.get(id);
    if (list === undefined) byMember.set(id, [p]);
    else list.push(p);
  }
  const okAssigning = m.polls.filter((p) => p.outcome === 'ok' && (p.assignment?.length ?? 0) > 0);
  const flagged = new Set<string>();
  for (const polls of byMember.values()) {
    polls.sort((a, b) => a.invokeAt - b.invokeAt);
    // A leave (epoch -1) is answered ok even for a member already removed, so it proves nothing about liveness.
    const lastOk = polls.reduce((t, p) => (p.outcome === 'ok' && p.epoch !== -1 ? Math.max(t, p.invokeAt) : t), Number.NEGATIVE_INFINITY);
    for (const r1 of polls) {
      if (r1.outcome !== 'ok') continue;
      for (const partition of r1.assignment ?? []) {
        const key = m.keyOf(r1, partition);
        if (key === undefined) continue;
        const release = polls.find((p) => p.invokeAt > r1.completeAt && !p.owned.includes(partition))?.invokeAt ?? Number.POSITIVE_INFINITY;
        const heldUntil = Math.min(release, lastOk);
        const other = okAssigning.find(
          (p) =>
            p.group === r1.group &&
            memberOf(p) !== memberOf(r1) &&
            p.invokeAt > r1.completeAt &&
            p.completeAt < heldUntil &&
            p.assignment!.includes(partition) &&
            m.keyOf(p, partition) === key,
        );
        const id = `${r1.group}|${key}|${memberOf(r1)}|${other === undefined ? '' : memberOf(other)}`;
        if (other !== undefined && !flagged.has(id)) {
          flagged.add(id);
          found.add({ kind: 'two-owners', group: r1.group, partition: key, members: [memberOf(r1), memberOf(other)], ops: [r1.id, other.id] });
        }
      }
    }
  }
  return found;
}

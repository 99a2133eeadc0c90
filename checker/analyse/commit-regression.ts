/**
 * Commit regression:
 * - an acknowledged commit lower than one acknowledged before it was sent,
 *   or a committed offset read lower than an earlier read (the workload
 *   never resets offsets or seeks backwards);
 * - a fenced commit accepted: member M committed with epoch e after another
 *   member was given the partition (its response completed after M got
 *   epoch e and before M's commit was sent). Taking the partition back would
 *   have given M a higher epoch, so the server must have refused;
 * - a removed member's commit accepted: M committed after a strongly
 *   consistent read of the group's members (begun after M got its epoch)
 *   no longer listed it. M is a member id and the client's incarnation of
 *   it: an earlier incarnation of a re-joined id is a member of its own, and
 *   its commits after the later incarnation took the partition are fenced
 *   commits like any other (the read shows ids only, so it proves an id gone).
 */
import type { CommitOp, MembersOp, PollOp } from '../history';
import { Findings, memberOf, type Model } from './model';

export function commitRegressions(m: Model): Findings {
  const found = new Findings();

  const commits = new Map<string, CommitOp[]>();
  for (const c of m.commits) {
    if (c.outcome !== 'ok') continue;
    const key = m.keyOf(c, c.partition);
    if (key === undefined) continue;
    const id = `${c.group}|${key}`;
    const list = commits.get(id);
    if (list === undefined) commits.set(id, [c]);
    else list.push(c);
  }
  for (const [id, list] of commits) {
    const byComplete = [...list].sort((a, b) => a.completeAt - b.completeAt);
    const byInvoke = [...list].sort((a, b) => a.invokeAt - b.invokeAt);
    let i = 0;
    let max: CommitOp | undefined;
    for (const c of byInvoke) {
      while (i < byComplete.length && byComplete[i]!.completeAt < c.invokeAt) {
        if (max === undefined || byComplete[i]!.offset > max.offset) max = byComplete[i];
        i++;
      }
      if (max !== undefined && c.offset < max.offset) {
        found.add({ kind: 'acked-commit-backwards', partition: id, before: max.offset, after: c.offset, members: [memberOf(max), memberOf(c)], ops: [max.id, c.id] });
      }
    }
  }

  const reads = new Map<string, { offset: number; invokeAt: number; completeAt: number; op: number }[]>();
  for (const op of m.ops) {
    if (op.f !== 'committed' || op.outcome !== 'ok') continue;
    for (const [p, offset] of Object.entries(op.offsets ?? {})) {
      const key = m.keyOf(op, Number(p));
      if (key === undefined) continue;
      const id = `${op.group}|${key}`;
      const list = reads.get(id) ?? [];
      list.push({ offset, invokeAt: op.invokeAt, completeAt: op.completeAt, op: op.id });
      reads.set(id, list);
    }
  }
  for (const [id, list] of reads) {
    list.sort((a, b) => a.invokeAt - b.invokeAt);
    for (let j = 1; j < list.length; j++) {
      const earlier = list.slice(0, j).filter((r) => r.completeAt < list[j]!.invokeAt);
      const top = earlier.reduce<(typeof list)[number] | undefined>((a, r) => (a === undefined || r.offset > a.offset ? r : a), undefined);
      if (top !== undefined && list[j]!.offset < top.offset) {
        found.add({ kind: 'committed-offset-read-backwards', partition: id, before: top.offset, after: list[j]!.offset, ops: [top.op, list[j]!.op] });
      }
    }
  }

  // Fenced commits that were accepted.
  const okPolls = m.polls.filter((p) => p.outcome === 'ok');
  const epochGiven = new Map<string, PollOp>(); // member|epoch → first ok response giving it
  for (const p of [...okPolls].sort((a, b) => a.completeAt - b.completeAt)) {
    const id = `${memberOf(p)}|${p.resultEpoch}`;
    if (!epochGiven.has(id)) epochGiven.set(id, p);
  }
  const memberReads = m.ops.filter((op): op is MembersOp => op.f === 'members' && op.outcome === 'ok');
  for (const c of m.commits) {
    if (c.outcome !== 'ok') continue;
    const given = epochGiven.get(`${memberOf(c)}|${c.epoch}`);
    if (given === undefined) continue;
    const gone = memberReads.find((r) => r.group === c.group && r.invokeAt > given.completeAt && r.completeAt < c.invokeAt && !(r.members ?? []).includes(c.member));
    if (gone !== undefined) {
      found.add({ kind: 'removed-member-commit-accepted', group: c.group, member: c.member, epoch: c.epoch, partition: c.partition, offset: c.offset, ops: [gone.id, c.id] });
      continue;
    }
    const key = m.keyOf(c, c.partition);
    const taker = okPolls.find(
      (p) =>
        p.group === c.group &&
        memberOf(p) !== memberOf(c) &&
        p.invokeAt > given.completeAt &&
        p.completeAt < c.invokeAt &&
        (p.assignment ?? []).includes(c.partition) &&
        m.keyOf(p, c.partition) === key,
    );
    if (taker !== undefined) {
      found.add({ kind: 'fenced-commit-accepted', group: c.group, partition: key, member: memberOf(c), epoch: c.epoch, offset: c.offset, newOwner: memberOf(taker), ops: [taker.id, c.id] });
    }
  }
  return found;
}

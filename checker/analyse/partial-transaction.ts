/**
 * Partial transaction: some records of one transaction are visible while
 * another of its records is absent from (or aborted in) its partition once
 * the run healed. A transaction's records appear together or not at all, in
 * every partition, whatever its outcome (an `info` transaction may have
 * committed or not, but never half). Visible means any read saw it, or the
 * final read holds it; absent means the final read of its partition, which
 * covers everything below the stable end, lacks it. Topics with retention
 * and transactions overlapping a topic re-create are not judged (a record
 * may be gone for reasons of its own).
 */
import { finalValues } from './final-values';
import { Findings, type Model } from './model';

export function partialTransactions(m: Model): Findings {
  const found = new Findings();
  const finals = finalValues(m);
  const retained = new Set(m.facts.topics.filter((t) => t.retention).map((t) => t.name));
  const finalSets = new Map([...finals].map(([k, vs]) => [k, new Set(vs)]));
  for (const op of m.ops) {
    if (op.f !== 'txn' || op.records.length < 2) continue;
    if (op.records.some((r) => retained.has(r.topic))) continue;
    const keys = op.records.map((r) => m.keyOf({ ...op, topic: r.topic }, r.partition));
    if (keys.some((k) => k === undefined || !m.isFinal(k) || !finalSets.has(k))) continue;
    const visible: string[] = [];
    const missing: string[] = [];
    op.records.forEach((r, i) => {
      const inFinal = finalSets.get(keys[i]!)!.has(r.value);
      if (inFinal || (m.seenAt.get(r.value)?.length ?? 0) > 0) visible.push(`${r.topic}/${r.partition}:${r.value}`);
      if (!inFinal) missing.push(`${r.topic}/${r.partition}:${r.value}`);
    });
    if (visible.length > 0 && missing.length > 0) {
      found.add({ kind: op.outcome === 'ok' ? 'acknowledged' : op.outcome === 'fail' ? 'refused' : 'unknown-outcome', op: op.id, visible: visible.slice(0, 4), missing: missing.slice(0, 4) });
    }
  }
  return found;
}

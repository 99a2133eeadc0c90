/**
 * EOS violation: in the consume-transform-produce pipeline (RunFacts.eos), an
 * input record the group committed past has zero outputs, or more than one,
 * in the output topic once the run healed. Every transform writes one output
 * `<input value>=><attempt>` per input together with the commit of the input's
 * next offset, so exactly one attempt per committed input may be visible —
 * across crashes, lost responses, zombies and rebalances. Inputs at or past
 * the group's final committed offset are not judged (not processed yet).
 * Needs the final reads of the input and output topics and a final `committed`
 * op of the group; without them nothing is judged.
 */
import type { CommittedOp } from '../history';
import { finalValues } from './final-values';
import { Findings, type Model } from './model';

export function eosViolations(m: Model): Findings {
  const found = new Findings();
  const eos = m.facts.eos;
  if (eos === undefined) return found;
  const committed = m.ops
    .filter((op): op is CommittedOp => op.f === 'committed' && op.outcome === 'ok' && op.group === eos.group && op.topic === eos.input)
    .sort((a, b) => a.completeAt - b.completeAt)
    .pop();
  if (committed?.offsets === undefined) return found;
  const finals = finalValues(m);
  const outputs = new Map<string, number>();
  for (const [key, values] of finals) {
    if (!key.startsWith(`${eos.output}/`)) continue;
    for (const v of values) {
      const at = v.lastIndexOf('=>');
      if (at < 0) continue;
      const input = v.slice(0, at);
      outputs.set(input, (outputs.get(input) ?? 0) + 1);
    }
  }
  for (const [key, pages] of m.finalReads) {
    if (!key.startsWith(`${eos.input}/`) || !m.isFinal(key)) continue;
    const partition = key.split('/').pop()!;
    const upTo = committed.offsets[partition] ?? 0;
    for (const page of pages) {
      for (const [offset, value] of page.records ?? []) {
        if (value === null || offset >= upTo) continue;
        const n = outputs.get(value) ?? 0;
        if (n !== 1) found.add({ kind: n === 0 ? 'no-output' : 'several-outputs', input: value, partition: Number(partition), offset, outputs: n });
      }
    }
  }
  return found;
}

/**
 * What the final read holds per partition key: the values in its pages, for
 * checks that ask "is this value in the log once the run healed". Pure.
 */
import type { Model } from './model';

/** partition key → values the final read returned there (with multiplicity). */
export function finalValues(m: Model): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const [key, pages] of m.finalReads) {
    if (!m.isFinal(key)) continue;
    const values: string[] = [];
    for (const page of pages) for (const [, v] of page.records ?? []) if (v !== null) values.push(v);
    out.set(key, values);
  }
  return out;
}

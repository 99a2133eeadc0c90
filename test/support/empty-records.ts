/** `n` records with no key, value or headers: what a test reserves room for when only the count matters. */
import type { ReservedRecord } from '../../lib/log/counter';

export function emptyRecords(n: number): ReservedRecord[] {
  return Array.from({ length: n }, () => ({ key: null, value: null, headers: [] }));
}

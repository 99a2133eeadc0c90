/**
 * The size of a record in a JSON answer, roughly: what fetch's and poll's
 * maxBytes count. Reservations add it up on the counter (`nb`), so a group
 * poll can hand out its byte budget in whole batches before reading any.
 */
import type { StoredRecord } from './batch-codec';

type Sized = Pick<StoredRecord, 'key' | 'value' | 'headers'>;

/** Base64 grows bytes by 4/3, plus field names. */
export function approxJsonSize(r: Sized): number {
  let size = 120 + ((r.key?.length ?? 0) + (r.value?.length ?? 0)) * 1.4;
  for (const h of r.headers) size += 40 + h.key.length + (h.value?.length ?? 0) * 1.4;
  return size;
}

/** The approximate JSON bytes of a batch, rounded up to a whole byte (the counter ADDs integers). */
export function batchJsonSize(records: readonly Sized[]): number {
  let total = 0;
  for (const r of records) total += approxJsonSize(r);
  return Math.ceil(total);
}

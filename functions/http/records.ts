/**
 * A fetched record as it goes over the wire, shared by fetch and group poll.
 * Never throws on stored bytes: a key or value that cannot be rendered as its
 * stored type comes back as BINARY with `fallback` (fromBytes).
 */
import type { FetchedRecord } from '../../lib/log/fetch';
import { fromBytes, headerFromBytes, typeFromId } from '../../lib/protocol/records';

export function toWireRecord(r: FetchedRecord, binary: boolean) {
  return {
    offset: r.offset,
    timestamp: r.timestamp,
    key: r.key === null ? null : fromBytes(r.key, typeFromId(r.keyType), binary),
    value: r.value === null ? null : fromBytes(r.value, typeFromId(r.valueType), binary),
    headers: r.headers.map((h) => ({ name: h.key, value: h.value === null ? null : headerFromBytes(h.value, binary) })),
  };
}

/** Key + value bytes of fetched records, as stored (for metrics). */
export function payloadBytes(records: readonly FetchedRecord[]): number {
  let bytes = 0;
  for (const r of records) bytes += (r.key?.byteLength ?? 0) + (r.value?.byteLength ?? 0);
  return bytes;
}

/** A fetched record as it goes over the wire, shared by fetch and group poll. */
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

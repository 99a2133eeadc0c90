/**
 * Dead-lettering: the records of a batch that failed its last attempt are
 * produced to the subscription's dead-letter topic through the same append
 * path as any produce (lib/log/produce.ts), as the subscription's creator,
 * with their key, value and headers, plus headers naming the error, the
 * attempt count and the source subscription, topic, partition and offset
 * (DEAD_LETTER_HEADERS). Keys keep Kafka's partitioning in that topic.
 * Errors: any record refused throws (the caller does not commit, so the
 * batch is dead-lettered again on the next run: at-least-once).
 * Cost: one produce of the batch (its size in WRU, as any produce).
 */
import type { Principal } from '../auth/authorize';
import type { LibContext } from '../context';
import { SamsaError } from '../errors';
import type { PolledRecord } from '../groups/fetch-assigned';
import { produce } from '../log/produce';
import { fromBytes, headerFromBytes, typeFromId, type WireData } from '../protocol/records';
import type { WireHeaderInput } from '../protocol/requests';
import { DEAD_LETTER_HEADERS as H, type WebhookRecord } from '../protocol/subscription-types';

export interface Failure {
  subscription: string;
  error: string;
  attempts: number;
}

export async function deadLetter(ctx: LibContext, principal: Principal, topic: string, records: readonly PolledRecord[], f: Failure): Promise<void> {
  const body = {
    records: records.map((r) => ({
      key: r.key === null ? null : produceData(r.key, r.keyType),
      value: r.value === null ? null : produceData(r.value, r.valueType),
      headers: [
        ...r.headers.map((h): WireHeaderInput => ({ name: h.key, value: h.value === null ? null : strict(headerFromBytes(h.value, false), h.value) })),
        { name: H.error, value: f.error.slice(0, 1000) },
        { name: H.attempts, value: String(f.attempts) },
        { name: H.subscription, value: f.subscription },
        { name: H.topic, value: r.topic },
        { name: H.partition, value: String(r.partition) },
        { name: H.offset, value: String(r.offset) },
      ],
    })),
  };
  const out = await produce(ctx, principal, topic, body);
  const refused = out.records.find((r) => 'error' in r);
  if (refused !== undefined && 'error' in refused) {
    throw new SamsaError(refused.error.code === 'UNKNOWN_TOPIC_OR_PARTITION' ? 'UNKNOWN_TOPIC_OR_PARTITION' : 'UNAVAILABLE', `Dead-letter produce to '${topic}' refused: ${refused.error.message}`);
  }
}

/** A stored key or value as produce takes it back: its own type, or BINARY when it cannot be rendered as that type. */
function produceData(bytes: Uint8Array, typeId: number): WireData {
  return strict(fromBytes(bytes, typeFromId(typeId), false), bytes);
}

function strict(data: WireData, bytes: Uint8Array): WireData {
  return data.fallback === undefined ? data : fromBytes(bytes, 'BINARY', true);
}

/** The webhook's view of a polled record: the fetch API's JSON form. */
export function webhookRecord(r: PolledRecord): WebhookRecord {
  return {
    offset: r.offset,
    timestamp: r.timestamp,
    key: r.key === null ? null : fromBytes(r.key, typeFromId(r.keyType), false),
    value: r.value === null ? null : fromBytes(r.value, typeFromId(r.valueType), false),
    headers: r.headers.map((h) => ({ name: h.key, value: h.value === null ? null : headerFromBytes(h.value, false) })),
  };
}

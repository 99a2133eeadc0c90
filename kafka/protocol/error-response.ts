/**
 * A Kafka error response derived from the request, for when the gateway
 * must refuse or failed a request as a whole: an API it does not serve, or
 * a handler that threw. Kafka's brokers do this per API
 * (AbstractRequest.getErrorResponse); here the schemas drive it:
 * - a response with a top-level error code carries the code there;
 * - otherwise every item the request named (topics, partitions, groups, …)
 *   comes back with the code in each of its error-code fields, identified by
 *   the request's own values (names, indexes) — a response array is matched
 *   to the request array of the same name, else to the one array left over
 *   on both sides (ProduceRequest.topicData ↔ ProduceResponse.responses),
 *   and a response field takes the request field of the same name or a
 *   known alias (partition ↔ partitionIndex ↔ index, topic ↔ name).
 * When no error code could be placed (the request named nothing, or its
 * items have no counterpart), there is no answer to give: undefined, and the
 * connection is closed, as a Kafka broker does with a request it cannot
 * parse.
 */
import type { KStruct } from './codec';
import { inRange, type FieldSpec, type MessageSpec } from './schema';

const ALIASES: Record<string, string[]> = {
  partitionIndex: ['partition', 'index', 'partitionId'],
  partition: ['partitionIndex', 'index'],
  index: ['partitionIndex', 'partition'],
  name: ['topic', 'topicName'],
  topic: ['name', 'topicName'],
  topicName: ['name', 'topic'],
};

export function errorResponse(reqSpec: MessageSpec, resSpec: MessageSpec, version: number, request: KStruct | undefined, code: number): KStruct | undefined {
  const top = resSpec.fields.find((f) => f.key === 'errorCode' && inRange(f.versions, version));
  if (top !== undefined) return { errorCode: code };
  if (request === undefined) return undefined;
  const placed = { n: 0 };
  const body = fill(resSpec.fields, reqSpec.fields, request, version, code, placed);
  return placed.n > 0 ? body : undefined;
}

function isErrorCode(f: FieldSpec): boolean {
  return f.type === 'int16' && !f.array && /(^e|E)rrorCode$/.test(f.key);
}

function structArrays(fields: FieldSpec[], version: number): FieldSpec[] {
  return fields.filter((f) => f.array && f.type === 'struct' && inRange(f.versions, version));
}

function fill(resFields: FieldSpec[], reqFields: FieldSpec[], req: KStruct, version: number, code: number, placed: { n: number }): KStruct {
  const reqArrays = structArrays(reqFields, version);
  const resArrays = structArrays(resFields, version);
  const pairs = new Map<FieldSpec, FieldSpec>();
  for (const f of resArrays) {
    const same = reqArrays.find((q) => q.key === f.key);
    if (same !== undefined) pairs.set(f, same);
  }
  const leftRes = resArrays.filter((f) => !pairs.has(f));
  const leftReq = reqArrays.filter((q) => ![...pairs.values()].includes(q));
  if (leftRes.length === 1 && leftReq.length === 1) pairs.set(leftRes[0]!, leftReq[0]!);

  const out: KStruct = {};
  for (const f of resFields) {
    if (!inRange(f.versions, version)) continue;
    if (isErrorCode(f)) {
      out[f.key] = code;
      placed.n++;
    } else if (f.array && f.type === 'struct') {
      const q = pairs.get(f);
      const items = q === undefined ? [] : ((req[q.key] as KStruct[] | null | undefined) ?? []);
      out[f.key] = items.map((item) => fill(f.fields!, q!.fields!, item, version, code, placed));
    } else if (f.type === 'struct') {
      const q = reqFields.find((x) => x.key === f.key && x.type === 'struct' && !x.array);
      out[f.key] = fill(f.fields!, q?.fields ?? [], (q === undefined ? undefined : (req[q.key] as KStruct | null)) ?? {}, version, code, placed);
    } else {
      const source = [f.key, ...(ALIASES[f.key] ?? [])].find((k) => req[k] !== undefined && reqFields.some((x) => x.key === k && x.type === f.type && x.array === f.array));
      if (source !== undefined) out[f.key] = req[source];
    }
  }
  return out;
}

/**
 * Encodes and decodes any Kafka message at any version by interpreting its
 * schema (schema.ts): fields present in the version, in order; compact
 * strings, bytes and arrays plus tagged fields in flexible versions; int64 as
 * bigint, uuid as its canonical string, bytes and records as Buffers.
 * Decoding fills fields absent from the version with their defaults, so
 * handlers read one shape for every version; encoding takes defaults for
 * fields the handler left out and skips fields the version lacks.
 */
import { inRange, type FieldSpec, type MessageSpec, type Versions } from './schema';
import { KafkaDecodeError, Reader, Writer } from './wire';

/** A decoded message or struct: Kafka's field names with a lower-case first letter. */
export type KStruct = Record<string, any>;

export const ZERO_UUID = '00000000-0000-0000-0000-000000000000';

export function decodeMessage(spec: MessageSpec, version: number, r: Reader): KStruct {
  return decodeStruct(spec.fields, version, inRange(spec.flexible, version), r);
}

export function encodeMessage(spec: MessageSpec, version: number, value: KStruct, w: Writer = new Writer()): Writer {
  encodeStruct(spec.fields, version, inRange(spec.flexible, version), value, w);
  return w;
}

function isFlexible(f: FieldSpec, flexible: boolean, version: number): boolean {
  return f.flexible === undefined ? flexible : flexible && inRange(f.flexible, version);
}

function decodeStruct(fields: FieldSpec[], version: number, flexible: boolean, r: Reader): KStruct {
  const out: KStruct = {};
  for (const f of fields) {
    if (!inRange(f.versions, version) || (flexible && inRange(f.tagged, version))) out[f.key] = defaultOf(f, version, flexible);
    else out[f.key] = decodeField(f, version, isFlexible(f, flexible, version), r);
  }
  if (flexible) {
    const count = r.uvarint();
    for (let i = 0; i < count; i++) {
      const tag = r.uvarint();
      const size = r.uvarint();
      const data = new Reader(r.bytes(size));
      const f = fields.find((x) => x.tag === tag && inRange(x.tagged, version) && inRange(x.versions, version));
      // Unknown tags are skipped, as Kafka's own readers do.
      if (f !== undefined) out[f.key] = decodeField(f, version, true, data);
    }
  }
  return out;
}

function decodeField(f: FieldSpec, version: number, flexible: boolean, r: Reader): unknown {
  const nullable = inRange(f.nullable, version);
  if (f.array) {
    const n = flexible ? r.uvarint() - 1 : r.int32();
    if (n < 0) {
      if (!nullable) throw new KafkaDecodeError(`${f.name}: null array in a non-nullable field`);
      return null;
    }
    if (n > r.remaining) throw new KafkaDecodeError(`${f.name}: array of ${n} in ${r.remaining} bytes`);
    const items = new Array(n);
    for (let i = 0; i < n; i++) items[i] = decodeValue(f, version, flexible, r);
    return items;
  }
  if (f.type === 'struct' && nullable) {
    // Nullable structs carry a presence byte.
    if (r.int8() < 0) return null;
  }
  return decodeValue(f, version, flexible, r, nullable);
}

function decodeValue(f: FieldSpec, version: number, flexible: boolean, r: Reader, nullable = false): unknown {
  switch (f.type) {
    case 'int8':
      return r.int8();
    case 'int16':
      return r.int16();
    case 'uint16':
      return r.uint16();
    case 'int32':
      return r.int32();
    case 'uint32':
      return r.uint32();
    case 'int64':
      return r.int64();
    case 'float64':
      return r.float64();
    case 'bool':
      return r.int8() !== 0;
    case 'uuid':
      return formatUuid(r.bytes(16));
    case 'string': {
      const n = flexible ? r.uvarint() - 1 : r.int16();
      if (n < 0) return nullOrThrow(f, nullable);
      return r.bytes(n).toString('utf8');
    }
    case 'bytes':
    case 'records': {
      const n = flexible ? r.uvarint() - 1 : r.int32();
      if (n < 0) return nullOrThrow(f, nullable);
      return r.bytes(n);
    }
    case 'struct':
      return decodeStruct(f.fields!, version, flexible, r);
    default:
      throw new Error(`${f.name}: unknown type ${f.type}`);
  }
}

function nullOrThrow(f: FieldSpec, nullable: boolean): null {
  if (!nullable) throw new KafkaDecodeError(`${f.name}: null in a non-nullable field`);
  return null;
}

function encodeStruct(fields: FieldSpec[], version: number, flexible: boolean, value: KStruct | undefined, w: Writer): void {
  const tagged: { tag: number; data: Buffer }[] = [];
  for (const f of fields) {
    if (!inRange(f.versions, version)) continue;
    const v = value?.[f.key];
    if (flexible && inRange(f.tagged, version)) {
      // Tagged fields are written only when they differ from their default.
      if (v === undefined || v === null || isDefault(f, v)) continue;
      tagged.push({ tag: f.tag!, data: encodeField(f, version, true, v, new Writer()).toBuffer() });
      continue;
    }
    encodeField(f, version, isFlexible(f, flexible, version), v === undefined ? defaultOf(f, version, flexible) : v, w);
  }
  if (flexible) {
    w.uvarint(tagged.length);
    for (const t of tagged.sort((a, b) => a.tag - b.tag)) w.uvarint(t.tag).uvarint(t.data.length).bytes(t.data);
  }
}

function encodeField(f: FieldSpec, version: number, flexible: boolean, v: unknown, w: Writer): Writer {
  if (f.array) {
    if (v === null) {
      if (flexible) w.uvarint(0);
      else w.int32(-1);
      return w;
    }
    const items = v as unknown[];
    if (flexible) w.uvarint(items.length + 1);
    else w.int32(items.length);
    for (const item of items) encodeValue(f, version, flexible, item, w);
    return w;
  }
  if (f.type === 'struct' && inRange(f.nullable, version)) {
    w.int8(v === null ? -1 : 1);
    if (v === null) return w;
  }
  encodeValue(f, version, flexible, v, w);
  return w;
}

function encodeValue(f: FieldSpec, version: number, flexible: boolean, v: any, w: Writer): void {
  switch (f.type) {
    case 'int8':
      w.int8(v);
      return;
    case 'int16':
      w.int16(v);
      return;
    case 'uint16':
      w.uint16(v);
      return;
    case 'int32':
      w.int32(v);
      return;
    case 'uint32':
      w.uint32(v);
      return;
    case 'int64':
      w.int64(BigInt(v));
      return;
    case 'float64':
      w.float64(v);
      return;
    case 'bool':
      w.int8(v ? 1 : 0);
      return;
    case 'uuid':
      w.bytes(parseUuid(v ?? ZERO_UUID));
      return;
    case 'string':
    case 'bytes':
    case 'records': {
      if (v === null) {
        if (flexible) w.uvarint(0);
        else if (f.type === 'string') w.int16(-1);
        else w.int32(-1);
        return;
      }
      const data = typeof v === 'string' ? Buffer.from(v, 'utf8') : (v as Uint8Array);
      if (flexible) w.uvarint(data.length + 1);
      else if (f.type === 'string') w.int16(data.length);
      else w.int32(data.length);
      w.bytes(data);
      return;
    }
    case 'struct':
      encodeStruct(f.fields!, version, flexible, v, w);
      return;
  }
}

/** The value a field has when the version lacks it or the sender left it out. */
function defaultOf(f: FieldSpec, version: number, flexible: boolean): unknown {
  const d = f.default;
  if (f.array) return d === 'null' ? null : [];
  if (d === 'null') return null;
  switch (f.type) {
    case 'int8':
    case 'int16':
    case 'uint16':
    case 'int32':
    case 'uint32':
    case 'float64':
      return d === undefined ? 0 : Number(d);
    case 'int64':
      return d === undefined ? 0n : BigInt(d);
    case 'bool':
      return d === 'true';
    case 'uuid':
      return ZERO_UUID;
    case 'string':
      return d ?? '';
    case 'bytes':
    case 'records':
      return inRange(f.nullable, version) && d === undefined ? null : Buffer.alloc(0);
    case 'struct':
      return Object.fromEntries(f.fields!.map((x) => [x.key, defaultOf(x, version, flexible)]));
  }
  return undefined;
}

function isDefault(f: FieldSpec, v: unknown): boolean {
  if (f.type === 'struct' || f.array) return false;
  const d = defaultOf(f, 0, false);
  return d === v || (typeof v === 'bigint' && d === BigInt(v));
}

function formatUuid(b: Buffer): string {
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

function parseUuid(s: string): Buffer {
  const hex = s.replace(/-/g, '');
  if (!/^[0-9a-fA-F]{32}$/.test(hex)) throw new Error(`not a UUID: ${s}`);
  return Buffer.from(hex, 'hex');
}

export type { Versions };

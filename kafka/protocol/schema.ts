/**
 * Kafka's JSON message definitions (kafka/schemas, copied from Apache Kafka)
 * parsed into the form the codec interprets: each field with its version
 * ranges, nullability, tag and default, nested structs resolved (inline or
 * from `commonStructs`). Read once per process; the files are the only
 * description of every message the gateway speaks.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const SCHEMA_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'schemas');

/** Inclusive version range; `none` is empty (min > max). */
export interface Versions {
  min: number;
  max: number;
}

export interface FieldSpec {
  /** Kafka's name ("ThrottleTimeMs"). */
  name: string;
  /** The property the codec reads and writes ("throttleTimeMs"). */
  key: string;
  /** Element type for arrays (`array` true), else the type: int8…int64, uint16, uint32, float64, bool, string, bytes, records, uuid, or `struct`. */
  type: string;
  array: boolean;
  versions: Versions;
  nullable: Versions;
  tagged: Versions;
  tag: number | undefined;
  /** A field's own flexibleVersions (the header's ClientId is never compact). */
  flexible: Versions | undefined;
  default: string | undefined;
  /** For struct and struct-array fields. */
  fields: FieldSpec[] | undefined;
}

export interface MessageSpec {
  name: string;
  type: 'request' | 'response' | 'header' | 'data';
  apiKey: number | undefined;
  valid: Versions;
  flexible: Versions;
  fields: FieldSpec[];
}

const NONE: Versions = { min: 1, max: 0 };

export function parseVersions(text: string | undefined): Versions {
  if (text === undefined || text === 'none') return NONE;
  const plus = /^(\d+)\+$/.exec(text);
  if (plus) return { min: Number(plus[1]), max: Number.POSITIVE_INFINITY };
  const range = /^(\d+)-(\d+)$/.exec(text);
  if (range) return { min: Number(range[1]), max: Number(range[2]) };
  if (/^\d+$/.test(text)) return { min: Number(text), max: Number(text) };
  throw new Error(`bad version range '${text}'`);
}

export function inRange(v: Versions, version: number): boolean {
  return version >= v.min && version <= v.max;
}

/** The files are JSON with `//` comments (Jackson's ALLOW_COMMENTS); strip them outside strings. */
export function stripComments(text: string): string {
  let out = '';
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (inString) {
      out += c;
      if (c === '\\') out += text[++i] ?? '';
      else if (c === '"') inString = false;
    } else if (c === '"') {
      inString = true;
      out += c;
    } else if (c === '/' && text[i + 1] === '/') {
      while (i < text.length && text[i] !== '\n') i++;
      out += '\n';
    } else out += c;
  }
  return out;
}

interface RawField {
  name: string;
  type: string;
  versions: string;
  nullableVersions?: string;
  taggedVersions?: string;
  tag?: number;
  flexibleVersions?: string;
  default?: string | number | boolean;
  fields?: RawField[];
}

interface RawMessage {
  name: string;
  type: MessageSpec['type'];
  apiKey?: number;
  validVersions: string;
  flexibleVersions: string;
  fields: RawField[];
  commonStructs?: { name: string; versions: string; fields: RawField[] }[];
}

const PRIMITIVES = new Set(['int8', 'int16', 'uint16', 'int32', 'uint32', 'int64', 'float64', 'bool', 'string', 'bytes', 'records', 'uuid']);

export function parseMessage(text: string): MessageSpec {
  const raw = JSON.parse(stripComments(text)) as RawMessage;
  const common = new Map((raw.commonStructs ?? []).map((s) => [s.name, s.fields]));
  const field = (f: RawField): FieldSpec => {
    const array = f.type.startsWith('[]');
    const base = array ? f.type.slice(2) : f.type;
    const primitive = PRIMITIVES.has(base);
    const inner = primitive ? undefined : (f.fields ?? common.get(base));
    if (!primitive && inner === undefined) throw new Error(`${raw.name}.${f.name}: unknown type ${f.type}`);
    return {
      name: f.name,
      key: f.name.charAt(0).toLowerCase() + f.name.slice(1),
      type: primitive ? base : 'struct',
      array,
      versions: parseVersions(f.versions),
      nullable: parseVersions(f.nullableVersions),
      tagged: parseVersions(f.taggedVersions),
      tag: f.tag,
      flexible: f.flexibleVersions === undefined ? undefined : parseVersions(f.flexibleVersions),
      default: f.default === undefined ? undefined : String(f.default),
      fields: inner?.map(field),
    };
  };
  return {
    name: raw.name,
    type: raw.type,
    apiKey: raw.apiKey,
    valid: parseVersions(raw.validVersions),
    flexible: parseVersions(raw.flexibleVersions),
    fields: raw.fields.map(field),
  };
}

let loaded: Map<string, MessageSpec> | undefined;

/** Every schema in kafka/schemas, by message name ("ProduceRequest"). */
export function schemas(): Map<string, MessageSpec> {
  if (loaded !== undefined) return loaded;
  loaded = new Map();
  for (const file of readdirSync(SCHEMA_DIR).filter((f) => f.endsWith('.json')).sort()) {
    const spec = parseMessage(readFileSync(join(SCHEMA_DIR, file), 'utf8'));
    loaded.set(spec.name, spec);
  }
  return loaded;
}

export function schema(name: string): MessageSpec {
  const spec = schemas().get(name);
  if (spec === undefined) throw new Error(`no Kafka schema ${name} in ${SCHEMA_DIR}`);
  return spec;
}

/** The request schema of an API key, served or not (undefined for a key Kafka does not define). */
export function requestSchema(apiKey: number): MessageSpec | undefined {
  for (const spec of schemas().values()) if (spec.type === 'request' && spec.apiKey === apiKey) return spec;
  return undefined;
}

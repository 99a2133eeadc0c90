/**
 * Bad input for every route of functions/http/routes.ts, as fast-check
 * arbitraries: wrong types, huge and negative numbers, offsets at and beyond
 * 2^53−1, invalid names, bad encodings, truncated JSON, oversized bodies,
 * JSON nested thousands of levels deep in any field, wrong methods and
 * content types. Shared by the in-process bad-input test
 * (test/api/bad-input.test.ts) and the HTTP fuzzer (`npm run fuzz`), with
 * the one definition of a clean refusal.
 */
import fc from 'fast-check';
import { ROUTES, type HttpMethod, type RouteId, type RouteSpec } from '../../functions/http/routes';

export const ROUTE_LIST = Object.entries(ROUTES) as [RouteId, RouteSpec][];

export function concretePath(route: RouteSpec, params: Record<string, string>): string {
  return route.path.replace(/:([A-Za-z0-9_]+)/g, (_, name: string) => encodeSegment(params[name] ?? 'x'));
}

/** Percent-encodes a path segment; a lone surrogate becomes the (invalid) UTF-8 bytes of a surrogate. */
function encodeSegment(s: string): string {
  try {
    return encodeURIComponent(s);
  } catch {
    return [...s].map((ch) => (/[\ud800-\udfff]/.test(ch) ? '%ED%A0%80' : encodeURIComponent(ch))).join('');
  }
}

/** Why a response is not a clean refusal (undefined when it is: < 500, and 4xx with the envelope and no stack). */
export function uncleanBecause(status: number, text: string): string | undefined {
  if (status >= 500) return `status ${status}`;
  if (status < 400) return undefined;
  let body: any;
  try {
    body = JSON.parse(text);
  } catch {
    return 'error body is not JSON';
  }
  const e = body?.error;
  if (typeof e?.code !== 'string' || typeof e?.message !== 'string' || typeof e?.retriable !== 'boolean') return 'no {error:{code,message,retriable}} envelope';
  if (/\n\s+at /.test(text)) return 'stack trace in the body';
  return undefined;
}

const SAFE_MAX = Number.MAX_SAFE_INTEGER;

/** Numbers a field should refuse (or clamp): negative, fractional, at and beyond 2^53−1, huge. */
export const badNumber = fc.constantFrom(-1, -0.5, 0.5, 1.5, SAFE_MAX, SAFE_MAX + 1, 2 ** 63, -(2 ** 53), 1e308, -1e308, 2 ** 31, 2 ** 31 - 1, 2 ** 32);

/** Numeric strings for query parameters and path segments. */
export const badNumericString = fc.constantFrom('-1', '0', '1.5', '9007199254740991', '9007199254740992', '9007199254740993', '1e999', '-1e999', 'NaN', 'Infinity', '0x10', ' 1', '1 ', '', '+1', '1e3', '٣', '00000000000000000000001');

/** Names that are not Kafka names, and some that are but do not exist. */
export const badName = fc.oneof(
  fc.constantFrom('', ' ', '.', '..', 'a/b', 'a b', 'ü', '%', '%00', '\u0000', '\ud800', 'x'.repeat(250), 'x'.repeat(2_000), '?', '#', 'a\nb', 'CON', '🦀'),
  fc.string({ maxLength: 300 }),
);

/**
 * A JSON value nested `levels` arrays and objects deep, kept as text until
 * the body is written (bodyText): JSON.stringify recurses and cannot write
 * it, and neither may the server read it recursively. Produce refuses JSON
 * data nested past 100 levels (MAX_JSON_NESTING) with INVALID_RECORD; any
 * depth in any field must be a clean 4xx, never a 5xx.
 */
export class DeepJson {
  constructor(
    readonly levels: number,
    readonly shape: 'array' | 'object' | 'mixed',
  ) {}

  /** JSON.stringify writes this placeholder; bodyText swaps in the deep text. */
  toJSON(): string {
    return `${DEEP_MARK}${this.levels}:${this.shape}${DEEP_MARK}`;
  }

  text(): string {
    const n = this.levels;
    if (this.shape === 'array') return '['.repeat(n) + ']'.repeat(n);
    if (this.shape === 'object') return '{"a":'.repeat(n) + '1' + '}'.repeat(n);
    // Arrays of objects; an odd depth ends in one more array.
    const pairs = Math.floor(n / 2);
    return '[{"a":'.repeat(pairs) + (n % 2 === 1 ? '[1]' : '1') + '}]'.repeat(pairs);
  }
}

const DEEP_MARK = '@@samsa-deep@@';
const DEEP_PLACEHOLDER = new RegExp(`"${DEEP_MARK}(\\d+):(array|object|mixed)${DEEP_MARK}"`, 'g');

/** A body as JSON text, with every DeepJson written out in full. */
export function bodyText(body: unknown): string {
  const text = JSON.stringify(body) ?? '';
  return text.replace(DEEP_PLACEHOLDER, (_, levels: string, shape: DeepJson['shape']) => new DeepJson(Number(levels), shape).text());
}

/** Depths around the limit (100), where the old server failed (~4,100 stored then unreadable, ~4,200 refused with 500), and far past. */
export const deepJson: fc.Arbitrary<DeepJson> = fc
  .tuple(fc.constantFrom(100, 101, 4_110, 4_200, 20_000, 200_000), fc.constantFrom('array' as const, 'object' as const, 'mixed' as const))
  .map(([levels, shape]) => new DeepJson(levels, shape));

/** Any JSON value that is the wrong thing almost everywhere (deep nesting included). */
export const badValue: fc.Arbitrary<unknown> = fc.oneof(
  badNumber,
  fc.constantFrom(null, true, false, '', 'x', [], {}, [[[[[]]]]], { type: 'BINARY', data: '!!not base64!!' }, { type: 'JSON' }, { type: 'XML', data: 1 }, { type: 'STRING', data: 5 }, '\ud800', 'x'.repeat(70_000)),
  fc.string({ maxLength: 40 }),
  fc.jsonValue({ maxDepth: 2 }),
  deepJson,
);

export type DeepField = 'key' | 'value' | 'header';

/** A produce body of one record whose JSON key, value or header value is `deep`. */
export function deepRecordBody(field: DeepField, deep: DeepJson): string {
  const data = { type: 'JSON', data: deep };
  const record =
    field === 'key'
      ? { partition: 0, key: data, value: { type: 'STRING', data: 'v' } }
      : field === 'value'
        ? { partition: 0, value: data }
        : { partition: 0, value: null, headers: [{ name: 'h', value: data }] };
  return bodyText({ records: [record] });
}

/** Deep nesting in each JSON field of a produce record. */
export const deepProduceBody: fc.Arbitrary<string> = fc
  .tuple(fc.constantFrom<DeepField>('key', 'value', 'header'), deepJson)
  .map(([field, deep]) => deepRecordBody(field, deep));

export const QUERY_KEYS = ['offset', 'maxRecords', 'maxBytes', 'maxWaitMs', 'at', 'before', 'encoding', 'topicId'] as const;

/** topicId values: well-formed ids of no topic (404 UNKNOWN_TOPIC_ID), capitals, malformed and overlong ones. */
export const badTopicId = fc.oneof(
  fc.uuid(),
  fc.uuid().map((id) => id.toUpperCase()),
  fc.constantFrom('00000000-0000-0000-0000-000000000000', '0123456789abcdef0123456789abcdef', 'zzzzzzzz-zzzz-zzzz-zzzz-zzzzzzzzzzzz', '{00000000-0000-0000-0000-000000000000}', 'AAAAAAAAAAAAAAAAAAAAAA'),
  fc.uuid().map((id) => `${id}0`),
  fc.uuid().map((id) => id.repeat(40)),
);

/** Query strings; maxWaitMs is always something that does not wait (a long poll is not a hang). */
export const badQuery: fc.Arbitrary<Record<string, string>> = fc
  .tuple(
    fc.dictionary(fc.constantFrom(...QUERY_KEYS), fc.oneof(badNumericString, fc.string({ maxLength: 25 }), fc.integer().map(String), fc.constantFrom('earliest', 'latest', 'binary', 'auto'), badTopicId)),
    fc.constantFrom('0', '-1', 'abc', '1e999', '-9007199254740993'),
  )
  .map(([q, maxWaitMs]) => ({ ...q, maxWaitMs }));

/** The classic malformed bodies every POST/PATCH route must refuse with a 4xx. */
export const MALFORMED_BODIES: [string, { body: string | Uint8Array; headers: Record<string, string> }][] = [
  ['truncated JSON', { body: '{"records": [', headers: { 'content-type': 'application/json' } }],
  ['not UTF-8', { body: new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]), headers: { 'content-type': 'application/json' } }],
  ['text/plain', { body: '{}', headers: { 'content-type': 'text/plain' } }],
  ['form', { body: 'a=1', headers: { 'content-type': 'application/x-www-form-urlencoded' } }],
  ['huge numbers', { body: '{"partitions": 1e400, "memberEpoch": 99999999999999999999, "offset": -0}', headers: { 'content-type': 'application/json' } }],
  // Past every depth where the old server failed: INVALID_RECORD on produce, unknown fields elsewhere.
  ['deep JSON key', { body: deepRecordBody('key', new DeepJson(4_200, 'array')), headers: { 'content-type': 'application/json' } }],
  ['deep JSON value', { body: deepRecordBody('value', new DeepJson(4_110, 'array')), headers: { 'content-type': 'application/json' } }],
  ['deep JSON header value', { body: deepRecordBody('header', new DeepJson(20_000, 'mixed')), headers: { 'content-type': 'application/json' } }],
];

/** A valid body per route, that the fuzzer breaks one field at a time. */
export function validBody(id: RouteId, names: { topic: string; group: string; fresh: string }): unknown {
  const { topic, group, fresh } = names;
  switch (id) {
    case 'createTopic':
      return { name: fresh, partitions: 1, configs: { 'retention.ms': '60000' } };
    case 'createPartitions':
      return { partitions: 3 };
    case 'alterTopicConfigs':
      return { configs: { 'retention.ms': '3600000' } };
    case 'produce':
      return { records: [{ partition: 0, key: { type: 'STRING', data: 'k' }, value: { type: 'JSON', data: { a: 1 } }, headers: [{ name: 'h', value: 'v' }], timestamp: 1_700_000_000_000 }] };
    case 'initProducer':
      return { producerId: '1' };
    case 'groupHeartbeat':
      return { memberId: 'fz-m', memberEpoch: 0, topics: [topic], sessionTimeoutMs: 10_000 };
    case 'groupPoll':
      return { memberId: 'fz-m', memberEpoch: 1, topics: [topic], positions: [{ topic, partition: 0, offset: 0 }], commit: [{ topic, partition: 0, offset: 1 }], maxWaitMs: 0 };
    case 'groupCommit':
      return { memberId: 'fz-m', memberEpoch: 1, offsets: [{ topic, partition: 0, offset: 1 }] };
    case 'resetGroupOffsets':
      return { topic, to: { offset: 0 } };
    default:
      return { group };
  }
}

/** Every path into a JSON value, for replacing one field. */
export function paths(value: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  if (value === null || typeof value !== 'object') return [prefix];
  const entries = Array.isArray(value) ? value.map((v, i) => [i, v] as const) : Object.entries(value);
  return [prefix, ...entries.flatMap(([k, v]) => paths(v, [...prefix, k]))];
}

export function replaceAt(value: unknown, path: (string | number)[], replacement: unknown): unknown {
  if (path.length === 0) return replacement;
  const [head, ...rest] = path;
  const copy: any = Array.isArray(value) ? [...value] : { ...(value as object) };
  copy[head!] = replaceAt(copy[head!], rest, replacement);
  return copy;
}

/** One field of a valid body replaced by a bad value (or removed, or an unknown field added). */
export function brokenBody(valid: unknown): fc.Arbitrary<unknown> {
  const all = paths(valid);
  return fc.oneof(
    fc.tuple(fc.nat(all.length - 1), badValue).map(([i, v]) => replaceAt(valid, all[i]!, v)),
    fc.nat(all.length - 1).map((i) => replaceAt(valid, all[i]!, undefined)),
    fc.tuple(fc.string({ minLength: 1, maxLength: 10 }), badValue).map(([k, v]) => ({ ...(valid as object), [`x${k}`]: v })),
  );
}

export interface FuzzRequest {
  route: RouteId;
  method: HttpMethod | 'PUT' | 'HEAD' | 'OPTIONS';
  path: string;
  query: Record<string, string>;
  headers: Record<string, string>;
  /** A string body, raw bytes (bad encodings), or none. */
  body?: string | Uint8Array;
  what: string;
}

let oversizedBody: string | undefined;
/** A produce body above the 5 MiB request limit (built once, on first use). */
function oversized(): string {
  return (oversizedBody ??= `{"records":[{"value":{"type":"STRING","data":"${'x'.repeat(6 * 1024 * 1024)}"}}]}`);
}

const OTHER_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;
const CONTENT_TYPES = ['application/json', 'application/json; charset=utf-8', 'text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/xml', ''];

/**
 * A bad request for `id`: path parameters valid or bad, a bad query, and for
 * routes with a body a broken valid body (any field may become deeply nested
 * JSON), random JSON, truncated JSON, bad UTF-8, an oversized body or deep
 * nesting (for produce also in each JSON key, value and header value);
 * sometimes the wrong method or content type. `names.topic`/`group` exist; the fuzzer never deletes them.
 */
export function badRequest(id: RouteId, names: { topic: string; group: string }): fc.Arbitrary<FuzzRequest> {
  const route = ROUTES[id] as RouteSpec;
  const destructive = id === 'deleteTopic' || id === 'deleteGroup';
  const name = (real: string) => (destructive ? badName : fc.oneof({ weight: 3, arbitrary: fc.constant(real) }, { weight: 2, arbitrary: badName }));
  const params = fc.record({
    topic: name(names.topic),
    group: name(names.group),
    partition: fc.oneof(fc.constantFrom('0', '1'), badNumericString),
    member: badName,
  });
  const hasBody = route.method === 'POST' || route.method === 'PATCH';
  const fresh = fc.string({ minLength: 1, maxLength: 8 }).map((s) => `fz-new-${Buffer.from(s).toString('hex').slice(0, 12)}`);
  const jsonBody: fc.Arbitrary<string | Uint8Array | undefined> = !hasBody
    ? fc.constant(undefined)
    : fresh.chain((f) => {
        const valid = validBody(id, { ...names, fresh: f });
        const text = JSON.stringify(valid);
        return fc.oneof(
          { weight: 6, arbitrary: brokenBody(valid).map(bodyText) },
          ...(id === 'produce' ? [{ weight: 2, arbitrary: deepProduceBody }] : []),
          { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)) },
          { weight: 1, arbitrary: fc.nat(Math.max(0, text.length - 1)).map((n) => text.slice(0, n)) },
          { weight: 1, arbitrary: fc.constantFrom<string | Uint8Array>(new Uint8Array([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d]), '\ufeff{}', 'null', '[]', '"x"', '{"a":1,"a":2}', '['.repeat(20_000) + ']'.repeat(20_000)) },
          { weight: 1, arbitrary: fc.constant(null).map(oversized) },
        );
      });
  return fc
    .record({
      params,
      query: route.method === 'GET' || route.method === 'DELETE' ? badQuery : fc.constant({} as Record<string, string>),
      body: jsonBody,
      contentType: fc.oneof({ weight: 8, arbitrary: fc.constant('application/json') }, { weight: 2, arbitrary: fc.constantFrom(...CONTENT_TYPES) }),
      wrongMethod: fc.oneof({ weight: 9, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: fc.constantFrom(...OTHER_METHODS) }),
    })
    .map(({ params: p, query, body, contentType, wrongMethod }) => {
      const method = wrongMethod ?? route.method;
      const headers: Record<string, string> = {};
      if (body !== undefined && contentType !== '') headers['content-type'] = contentType;
      const size = body === undefined ? 0 : typeof body === 'string' ? body.length : body.byteLength;
      return {
        route: id,
        method,
        path: concretePath(route, p),
        query,
        headers,
        ...(body === undefined ? {} : { body }),
        what: `${method} ${route.path} ${contentType} body ${size} B`,
      };
    });
}

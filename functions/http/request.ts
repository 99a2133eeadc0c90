/** Reads request bodies, path and query parameters the same strict way on every route. */
import type { Context } from 'hono';
import { SamsaError } from '../../lib/errors';
import type { Limits } from '../../lib/limits';

const JSON_TYPE = /^application\/(?:[\w.+-]+\+)?json\s*(?:;|$)/i;

/**
 * Parses a JSON body: 415 for another content type, 413 past the limit, 400 for malformed JSON.
 * With `optional` (a route whose body may be left out, e.g. POST /v1/producers), a body that is
 * empty or only whitespace is `undefined` whatever its content type: `curl -X POST` sends none,
 * and clients that always send `content-type: application/json` send it with an empty body.
 */
export async function readJson(c: Context, limits: Limits, options: { optional?: boolean } = {}): Promise<unknown> {
  const declared = Number(c.req.header('content-length') ?? '0');
  if (declared > limits.maxRequestBytes) throw tooLarge(declared, limits);
  const type = c.req.header('content-type') ?? '';
  const isJson = JSON_TYPE.test(type);
  if (!isJson && options.optional !== true) throw unsupportedType(type);
  const bytes = new Uint8Array(await c.req.arrayBuffer());
  if (bytes.byteLength > limits.maxRequestBytes) throw tooLarge(bytes.byteLength, limits);
  if (options.optional === true && bytes.every(isJsonWhitespace)) return undefined;
  if (!isJson) throw unsupportedType(type);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new SamsaError('INVALID_JSON', 'Request body is not valid UTF-8.');
  }
  if (text.trim() === '') throw new SamsaError('INVALID_JSON', 'Request body is empty; expected a JSON object.');
  try {
    // V8's JSON.parse is iterative, so any depth that fits maxRequestBytes parses; were a parser to give up on
    // depth (RangeError), this catch still makes it a 400. Free-form JSON reaches recursive code (JSON.stringify)
    // only through toBytes, which bounds its depth first (MAX_JSON_NESTING in lib/protocol/records.ts).
    return JSON.parse(text);
  } catch (err) {
    throw new SamsaError('INVALID_JSON', `Request body is not valid JSON: ${(err as Error).message}`);
  }
}

/** Space, tab, line feed, carriage return: the only whitespace JSON allows around a value. */
function isJsonWhitespace(byte: number): boolean {
  return byte === 0x20 || byte === 0x09 || byte === 0x0a || byte === 0x0d;
}

function unsupportedType(type: string): SamsaError {
  return new SamsaError('UNSUPPORTED_MEDIA_TYPE', `Content-Type must be application/json; got ${type === '' ? 'none' : `'${type.slice(0, 100)}'`}.`);
}

function tooLarge(size: number, limits: Limits): SamsaError {
  return new SamsaError(
    'PAYLOAD_TOO_LARGE',
    `Request body is ${size} bytes; the limit is ${limits.maxRequestBytes} bytes.`,
    { details: { limit: limits.maxRequestBytes, size } },
  );
}

/** A path parameter the route template guarantees; Hono has already URL-decoded it. */
export function pathParam(c: Context, name: string): string {
  const value = c.req.param(name);
  if (value === undefined) throw new SamsaError('INVALID_REQUEST', `Missing path parameter '${name}'.`);
  return value;
}

/**
 * Validates wire input against a zod/mini schema and turns every problem into
 * one readable 400 that names the fields, with a specific code where the
 * first bad field has one (e.g. `partitions` → INVALID_PARTITIONS).
 *
 * The message is for a person reading it in a terminal: field paths as in
 * JavaScript (`records[0].value.data`), JSON kinds (a string, an integer, an
 * object), and never zod's vocabulary (issue codes, `nonoptional`, `record`).
 * `details.fields` keeps the dotted paths for programs.
 */
import type { $ZodIssue } from 'zod/v4/core';
import type * as z from 'zod/mini';
import { SamsaError, type ErrorCode } from './errors';

export function parseInput<S extends z.ZodMiniType>(
  schema: S,
  data: unknown,
  fieldCodes: Record<string, ErrorCode> = {},
): z.infer<S> {
  const result = schema.safeParse(data);
  if (result.success) return result.data;
  const issues = result.error.issues;
  const first = issues[0];
  const field = first === undefined ? undefined : String(first.path[0] ?? '');
  const code = (field !== undefined && fieldCodes[field]) || 'INVALID_REQUEST';
  throw new SamsaError(code, `Invalid request: ${issues.slice(0, 5).map((i) => describeIssue(i, data)).join('; ')}.`, {
    details: { fields: issues.slice(0, 20).map((i) => (i.path.length === 0 ? 'body' : i.path.join('.'))) },
  });
}

/** One issue as a phrase: `<where> <what is wrong>`; `data` is the whole input, `at` where the issue's path starts. */
export function describeIssue(issue: $ZodIssue, data: unknown, at: readonly PropertyKey[] = []): string {
  const path = [...at, ...issue.path];
  const where = fieldName(path);
  const value = valueAt(data, path);
  switch (issue.code) {
    case 'invalid_type': {
      const wanted = KINDS[issue.expected];
      if (value === undefined) return wanted === undefined ? `${where} is required` : `${where} is required (${wanted})`;
      return `${where} ${wanted === undefined ? 'has the wrong type' : `must be ${wanted}`} (got ${shown(value)})`;
    }
    case 'unrecognized_keys': {
      const names = issue.keys.map((k) => `'${k}'`).join(', ');
      const fields = issue.keys.length > 1 ? 'fields' : 'field';
      return path.length === 0 ? `unknown ${fields} ${names}` : `${where} has unknown ${fields} ${names}`;
    }
    case 'too_big':
      return `${where} must ${bound(issue.origin, issue.inclusive === false ? 'less than' : 'at most', issue.maximum)}`;
    case 'too_small':
      return `${where} must ${bound(issue.origin, issue.inclusive === false ? 'more than' : 'at least', issue.minimum)}`;
    case 'invalid_value':
      return issue.values.length === 1 ? `${where} must be ${literal(issue.values[0])}` : `${where} must be one of ${issue.values.map(literal).join(', ')}`;
    case 'invalid_format':
      return `${where} ${FORMATS[issue.format] ?? 'is not in the expected format'}`;
    case 'not_multiple_of':
      return `${where} must be a multiple of ${String(issue.divisor)}`;
    case 'invalid_union':
      return describeUnion(issue.errors, data, path, where);
    case 'invalid_key':
      return `${where} has a key that is not allowed`;
    case 'invalid_element':
      return `${where} has an element that is not allowed`;
    default:
      return `${where} is not valid`;
  }
}

/**
 * A value that matches none of a union's forms. When the value has the shape
 * of exactly one form (its problems are all inside the value), what is wrong
 * inside it is the useful answer; otherwise the forms the field accepts.
 */
function describeUnion(alternatives: readonly (readonly $ZodIssue[])[], data: unknown, path: readonly PropertyKey[], where: string): string {
  const shaped = alternatives.filter((alt) => alt.length > 0 && alt.every((i) => i.path.length > 0));
  if (shaped.length === 1) return describeIssue(shaped[0]![0]!, data, path);
  const forms = [...new Set(alternatives.flatMap((alt) => formsOf(alt)))];
  if (forms.length === 0) return `${where} is not any of the forms it may take`;
  return `${where} must be ${forms.length === 1 ? forms[0] : `${forms.slice(0, -1).join(', ')} or ${forms.at(-1)}`}`;
}

/** What one union alternative accepts, read off the issues it raised at the union's own level. */
function formsOf(issues: readonly $ZodIssue[]): string[] {
  const root = issues.filter((i) => i.path.length === 0);
  for (const issue of root) {
    if (issue.code === 'invalid_value') return issue.values.map(literal);
    if (issue.code === 'invalid_type' && KINDS[issue.expected] !== undefined) return [KINDS[issue.expected]!];
  }
  // An object alternative the value was an object for: name the fields it needs.
  const required = issues.filter((i) => i.code === 'invalid_type' && i.path.length === 1).map((i) => `'${String(i.path[0])}'`);
  if (required.length > 0) return [`an object with ${required.join(' and ')}`];
  return root.some((i) => i.code === 'unrecognized_keys') ? ['an object'] : [];
}

/** JSON kinds, as the API documents them; zod's other type names (nonoptional, never, …) have no plain equivalent. */
const KINDS: Partial<Record<string, string>> = {
  string: 'a string',
  number: 'a number',
  int: 'an integer',
  bigint: 'an integer',
  boolean: 'true or false',
  array: 'an array',
  tuple: 'an array',
  object: 'an object',
  record: 'an object',
  map: 'an object',
  null: 'null',
};

const FORMATS: Partial<Record<string, string>> = {
  uuid: 'must be a UUID',
  guid: 'must be a UUID',
  email: 'must be an e-mail address',
  url: 'must be a URL',
  datetime: 'must be an ISO 8601 date and time',
  date: 'must be an ISO 8601 date',
  base64: 'must be base64',
  base64url: 'must be base64url',
  regex: 'contains characters or a form that is not allowed',
};

/** The value that was sent: scalars as JSON (long strings cut short), arrays and objects by kind. */
function shown(value: unknown): string {
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object' && value !== null) return 'an object';
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === 'number' && !Number.isFinite(value)) return String(value);
  return JSON.stringify(value) ?? typeof value;
}

function bound(origin: string, relation: string, limit: number | bigint): string {
  const n = String(limit);
  const one = n === '1';
  if (origin === 'string') return `be ${relation} ${n} character${one ? '' : 's'} long`;
  if (origin === 'array' || origin === 'set') return `hold ${relation} ${n} item${one ? '' : 's'}`;
  return `be ${relation} ${n}`;
}

function literal(value: unknown): string {
  return typeof value === 'string' ? `"${value}"` : String(value);
}

/** `records[0].value.data`; `body` for the body itself. */
function fieldName(path: readonly PropertyKey[]): string {
  if (path.length === 0) return 'body';
  return path.map((key, i) => (typeof key === 'number' ? `[${key}]` : `${i === 0 ? '' : '.'}${String(key)}`)).join('');
}

function valueAt(data: unknown, path: readonly PropertyKey[]): unknown {
  let value = data;
  for (const key of path) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

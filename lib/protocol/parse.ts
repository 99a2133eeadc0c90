/**
 * Validates wire input against a zod/mini schema and turns every problem into
 * one readable 400 that names the fields, with a specific code where the
 * first bad field has one (e.g. `partitions` → INVALID_PARTITIONS).
 */
import type { $ZodIssue } from 'zod/v4/core';
import type * as z from 'zod/mini';
import { SamsaError, type ErrorCode } from '../errors';

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

export function describeIssue(issue: $ZodIssue, data: unknown): string {
  const where = issue.path.length === 0 ? 'body' : issue.path.join('.');
  switch (issue.code) {
    case 'invalid_type':
      return valueAt(data, issue.path) === undefined
        ? `${where} is required (${article(issue.expected)})`
        : `${where} must be ${article(issue.expected)}`;
    case 'unrecognized_keys':
      return `${where === 'body' ? 'unknown field' : `${where} has unknown field`}${issue.keys.length > 1 ? 's' : ''} ${issue.keys.join(', ')}`;
    case 'too_big':
      return `${where} must be at most ${String(issue.maximum)}${issue.origin === 'string' ? ' characters' : issue.origin === 'array' ? ' items' : ''}`;
    case 'too_small':
      return `${where} must be at least ${String(issue.minimum)}${issue.origin === 'string' ? ' characters' : issue.origin === 'array' ? ' items' : ''}`;
    case 'invalid_value':
      return `${where} must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    case 'invalid_format':
      return `${where} has an invalid format (${issue.format})`;
    case 'invalid_union':
      return `${where} has an invalid type or shape`;
    default:
      return `${where} is invalid`;
  }
}

function valueAt(data: unknown, path: PropertyKey[]): unknown {
  let value = data;
  for (const key of path) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<PropertyKey, unknown>)[key];
  }
  return value;
}

function article(expected: string): string {
  if (expected === 'int') return 'an integer';
  return /^[aeiou]/.test(expected) ? `an ${expected}` : `a ${expected}`;
}

/** Strict query-string parsing: integers only, with bounds, and errors that name the parameter. */
import type { Context } from 'hono';
import { SamsaError } from '../../lib/errors';

export function intParam(
  c: Context,
  name: string,
  options: { min: number; max: number; default?: number },
): number {
  const raw = c.req.query(name);
  if (raw === undefined || raw === '') {
    if (options.default !== undefined) return options.default;
    throw new SamsaError('INVALID_REQUEST', `Query parameter '${name}' is required.`);
  }
  if (!/^-?\d{1,20}$/.test(raw)) {
    throw new SamsaError('INVALID_REQUEST', `Query parameter '${name}' must be an integer; got '${raw.slice(0, 40)}'.`);
  }
  const value = Number(raw);
  if (!Number.isSafeInteger(value) || value < options.min || value > options.max) {
    throw new SamsaError('INVALID_REQUEST', `Query parameter '${name}' must be between ${options.min} and ${options.max}; got ${raw}.`, {
      details: { parameter: name, min: options.min, max: options.max },
    });
  }
  return value;
}

export function enumParam<T extends string>(c: Context, name: string, values: readonly T[], fallback: T): T {
  const raw = c.req.query(name);
  if (raw === undefined || raw === '') return fallback;
  if (!(values as readonly string[]).includes(raw)) {
    throw new SamsaError('INVALID_REQUEST', `Query parameter '${name}' must be one of ${values.join(', ')}; got '${raw.slice(0, 40)}'.`);
  }
  return raw as T;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** An optional UUID (a topic id); lowercased, the form ids are minted in, so a copy in capitals still matches. */
export function uuidParam(c: Context, name: string): string | undefined {
  const raw = c.req.query(name);
  if (raw === undefined || raw === '') return undefined;
  if (!UUID.test(raw)) {
    throw new SamsaError('INVALID_REQUEST', `Query parameter '${name}' must be a UUID such as describe or fetch returns; got '${raw.slice(0, 40)}'.`, {
      details: { parameter: name },
    });
  }
  return raw.toLowerCase();
}

/** A path segment that must be a partition number. */
export function partitionParam(c: Context): number {
  const raw = c.req.param('partition') ?? '';
  if (!/^\d{1,10}$/.test(raw) || !Number.isSafeInteger(Number(raw))) {
    throw new SamsaError('UNKNOWN_TOPIC_OR_PARTITION', `Partition '${raw.slice(0, 40)}' is not a partition number.`);
  }
  return Number(raw);
}

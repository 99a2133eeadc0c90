/**
 * Argument checks of the public SDK calls, made before anything is sent. A
 * field the SDK does not know is refused, never ignored: an ignored field can
 * be a record stored without its value (`messages: [...]` KafkaJS-style, `val`
 * for `value`) or an option that silently does not apply (`fromBeginning`).
 * Each call declares its fields once, as name → kind; the keys are the
 * fields it knows. Everything here throws SamsaError INVALID_ARGUMENT.
 */
import { SamsaError } from './errors';

/**
 * What a field holds; a trailing `!` makes it required (undefined is missing,
 * null is a value). `a|b` is one of those strings. Codes: see KINDS.
 */
export type Fields = Record<string, string>;

type Kind = [test: (v: any) => boolean, what: string];

const count = (min: number) => (v: unknown) => Number.isSafeInteger(v) && (v as number) >= min;
const name = (v: unknown) => typeof v === 'string' && v !== '';

const KINDS: Record<string, Kind> = {
  s: [name, 'a non-empty string'],
  t: [(v) => typeof v === 'string', 'a string'],
  i: [count(0), 'a non-negative integer'],
  p: [count(1), 'a positive integer'],
  n: [(v) => typeof v === 'number' && v >= 0 && v < Infinity, 'a non-negative number'],
  b: [(v) => typeof v === 'boolean', 'true or false'],
  f: [(v) => typeof v === 'function', 'a function'],
  o: [isPlainObject, 'a plain object'],
  S: [(v) => Array.isArray(v) && v.every(name), 'an array of non-empty strings'],
  I: [(v) => Array.isArray(v) && v.every(count(0)), 'an array of non-negative integers'],
  T: [(v) => count(0)(v instanceof Date ? v.getTime() : v), 'a valid Date or milliseconds since the epoch (a non-negative integer)'],
  a: [() => true, ''],
};

export function invalid(message: string): SamsaError {
  return new SamsaError('INVALID_ARGUMENT', message);
}

/**
 * `value` as a plain object holding only `fields`, each of its kind, and every
 * required one; `where` names the call in messages and `hint` (a sentence)
 * says how to do what the caller probably meant.
 */
export function checkFields<T>(value: T, fields: Fields, where: string, hint = ''): T {
  const known = Object.keys(fields);
  const also = `${hint && ' '}${hint}`;
  if (!isPlainObject(value)) throw invalid(`${where} takes an object { ${known.join(', ')} }; got ${describe(value)}.${also}`);
  for (const field of Object.keys(value)) {
    if (!known.includes(field)) throw invalid(`Unknown field '${field}' in ${where}: it has ${known.join(', ')}.${also}`);
  }
  for (const field of known) {
    const spec = fields[field]!;
    const v = value[field];
    if (v === undefined) {
      if (spec.endsWith('!')) throw invalid(`Missing field '${field}' in ${where}.${also}`);
      continue;
    }
    const code = spec.replace('!', '');
    const options = code.split('|');
    const [test, what] = KINDS[code] ?? [(x: unknown) => options.includes(x as string), options.map((o) => `'${o}'`).join(' or ')];
    if (!test(v)) throw invalid(`Invalid ${field} in ${where}: ${what}; got ${describe(v)}.`);
  }
  return value;
}

/** An object literal (or Object.create(null)), from any realm: not an array, a class instance, a Map or a Buffer. */
export function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === null || Object.getPrototypeOf(proto) === null;
}

/** A value as a message shows it, without printing a whole object or a long string. */
export function describe(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  if (v instanceof Date) return `a Date (${String(v)})`;
  if (Array.isArray(v)) return 'an array';
  if (typeof v === 'object' && v !== null) return isPlainObject(v) ? `{ ${Object.keys(v).join(', ')} }` : `a ${v.constructor?.name ?? 'object'}`;
  return typeof v === 'function' ? 'a function' : String(v);
}

/** The handlers of either consumer's run(): exactly one of eachMessage and eachBatch, nothing else. */
export function checkHandlers(handlers: { eachMessage?: unknown; eachBatch?: unknown }, where: string): void {
  checkFields(handlers, { eachMessage: 'f', eachBatch: 'f' }, where);
  if ((handlers.eachMessage === undefined) === (handlers.eachBatch === undefined)) throw invalid(`${where} needs exactly one of eachMessage and eachBatch.`);
}

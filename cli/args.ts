/** Command-line parsing on node:util parseArgs: global options anywhere, then per-command options, strictly. */
import { parseArgs } from 'node:util';
import { UsageError } from './usage';

type OptionSpec = { type: 'string' | 'boolean'; short?: string; multiple?: boolean };
export type OptionSpecs = Record<string, OptionSpec>;

export const GLOBAL_OPTIONS = {
  url: { type: 'string' },
  'api-key': { type: 'string' },
  json: { type: 'boolean' },
  'timeout-ms': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'boolean' },
} as const satisfies OptionSpecs;

export interface Parsed {
  command: string | undefined;
  positionals: string[];
  values: Record<string, string | boolean | string[] | undefined>;
}

/** The first argument that is neither an option nor the value of a global option. */
export function findCommand(argv: string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') return argv[i + 1];
    if (!arg.startsWith('-') || arg === '-') return arg;
    const name = arg.replace(/^--?/, '');
    const spec = (GLOBAL_OPTIONS as OptionSpecs)[name];
    if (spec?.type === 'string') i++;
  }
  return undefined;
}

export function parse(argv: string[], commandOptions: OptionSpecs): Parsed {
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      options: { ...GLOBAL_OPTIONS, ...commandOptions },
      allowPositionals: true,
      strict: true,
    });
    const [command, ...rest] = positionals;
    return { command, positionals: rest, values: values as Parsed['values'] };
  } catch (err) {
    // parseArgs explains the problem well; drop its advice about '--' which rarely applies.
    throw new UsageError((err as Error).message.replace(/\. To specify a positional argument.*$/s, '.').replace(/\.$/, ''));
  }
}

export function intOption(values: Parsed['values'], name: string, min = 0): number | undefined {
  const raw = values[name];
  if (raw === undefined) return undefined;
  if (typeof raw !== 'string' || !/^\d+$/.test(raw) || !Number.isSafeInteger(Number(raw)) || Number(raw) < min) {
    throw new UsageError(`--${name} must be an integer of at least ${min}; got '${String(raw)}'`);
  }
  return Number(raw);
}

export function stringOption(values: Parsed['values'], name: string): string | undefined {
  const raw = values[name];
  return typeof raw === 'string' ? raw : undefined;
}

export function listOption(values: Parsed['values'], name: string): string[] {
  const raw = values[name];
  return Array.isArray(raw) ? raw : [];
}

/** `k=v` pairs of a repeatable option. */
export function pairs(values: Parsed['values'], name: string): [string, string][] {
  return listOption(values, name).map((pair) => {
    const at = pair.indexOf('=');
    if (at < 1) throw new UsageError(`--${name} takes key=value; got '${pair}'`);
    return [pair.slice(0, at), pair.slice(at + 1)];
  });
}

export function positional(parsed: Parsed, index: number, what: string): string {
  const value = parsed.positionals[index];
  if (value === undefined || value === '') throw new UsageError(`missing ${what}`);
  return value;
}

export function noMorePositionals(parsed: Parsed, count: number): void {
  const extra = parsed.positionals.slice(count);
  if (extra.length > 0) throw new UsageError(`unexpected argument '${extra[0]}'`);
}

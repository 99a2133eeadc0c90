/**
 * The documentation's example convention, as pure functions: which fenced
 * blocks of a Markdown file are examples, which is the expected output of
 * which, and how an output is compared (by shape, not by volatile values).
 *
 * - ```sh            executed with bash -euo pipefail, in document order
 * - ```sh no-run     not executed (AWS only, long-running, …), but must parse (bash -n)
 * - ```ts            executed with tsx when it imports '@samsa/client' (else not an example)
 * - ```<lang> output the expected output of the example right before it:
 *     json output  stdout is one or more JSON values; each must have the shape of
 *                  the expected one at the same position: same object keys, same
 *                  value types, same array lengths; numbers and strings are free
 *                  (offsets, ids, times) except upper-case identifiers such as
 *                  error codes and value types (`OFFSET_MISMATCH`, `JSON`) and
 *                  booleans, which must be equal
 *     other output stdout lines against expected lines: a run of digits matches
 *                  any run of digits, `…` matches anything within a line; same line count
 */

export type ExampleKind = 'sh' | 'ts' | 'sh-parse';

export interface Example {
  kind: ExampleKind;
  code: string;
  /** 1-based line of the opening fence. */
  line: number;
  output?: { lang: string; text: string; line: number };
}

interface Fence {
  info: string[];
  code: string;
  line: number;
}

function fences(markdown: string): Fence[] {
  const lines = markdown.split('\n');
  const out: Fence[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)(`{3,}|~{3,})(.*)$/.exec(lines[i]!);
    if (open === null) continue;
    const [, indent, marker, info] = open;
    const body: string[] = [];
    let j = i + 1;
    for (; j < lines.length; j++) {
      const line = lines[j]!;
      if (line.trim().startsWith(marker!) && line.trim().replace(/[`~]/g, '') === '') break;
      body.push(line.startsWith(indent!) ? line.slice(indent!.length) : line);
    }
    out.push({ info: info!.trim().split(/\s+/).filter((w) => w !== ''), code: body.join('\n'), line: i + 1 });
    i = j;
  }
  return out;
}

/** The examples of a document, each with the output block that follows it, in document order. */
export function examplesOf(markdown: string): Example[] {
  const examples: Example[] = [];
  let last: Example | undefined;
  for (const fence of fences(markdown)) {
    const [lang = '', ...flags] = fence.info;
    if (flags.includes('output')) {
      if (last === undefined || last.output !== undefined) {
        throw new Error(`line ${fence.line}: an output block must directly follow the example it belongs to`);
      }
      last.output = { lang, text: fence.code, line: fence.line };
      continue;
    }
    last = undefined;
    const noRun = flags.includes('no-run');
    if (lang === 'sh' || lang === 'bash') {
      last = { kind: noRun ? 'sh-parse' : 'sh', code: fence.code, line: fence.line };
    } else if ((lang === 'ts' || lang === 'typescript') && !noRun && /from\s+['"]@samsa\/client(\/[\w-]+)?['"]/.test(fence.code)) {
      last = { kind: 'ts', code: fence.code, line: fence.line };
    }
    if (last !== undefined) examples.push(last);
  }
  return examples;
}

/** JSON values in a text, one after another (whitespace between them). */
export function parseJsonStream(text: string): unknown[] {
  const values: unknown[] = [];
  let i = 0;
  const skip = () => {
    while (i < text.length && /\s/.test(text[i]!)) i++;
  };
  skip();
  while (i < text.length) {
    const start = i;
    let depth = 0;
    let inString = false;
    for (; i < text.length; i++) {
      const c = text[i]!;
      if (inString) {
        if (c === '\\') i++;
        else if (c === '"') inString = false;
        if (!inString && depth === 0) {
          i++;
          break;
        }
        continue;
      }
      if (c === '"') inString = true;
      else if (c === '{' || c === '[') depth++;
      else if (c === '}' || c === ']') {
        depth--;
        if (depth === 0) {
          i++;
          break;
        }
      } else if (depth === 0 && /\s/.test(c)) break;
    }
    values.push(JSON.parse(text.slice(start, i)));
    skip();
  }
  return values;
}

function kindOf(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v;
}

/** Where `actual` differs in shape from `expected` (undefined when it does not). */
export function shapeMismatch(expected: unknown, actual: unknown, path = '$'): string | undefined {
  if (kindOf(expected) !== kindOf(actual)) return `${path}: expected ${kindOf(expected)}, got ${JSON.stringify(actual)}`;
  const exact = typeof expected === 'boolean' || (typeof expected === 'string' && /^[A-Z][A-Z0-9_]*$/.test(expected));
  if (exact && expected !== actual) return `${path}: expected ${JSON.stringify(expected)}, got ${JSON.stringify(actual)}`;
  if (Array.isArray(expected)) {
    const a = actual as unknown[];
    if (a.length !== expected.length) return `${path}: expected ${expected.length} elements, got ${a.length}: ${JSON.stringify(a)}`;
    for (let i = 0; i < a.length; i++) {
      const m = shapeMismatch(expected[i], a[i], `${path}[${i}]`);
      if (m !== undefined) return m;
    }
  } else if (kindOf(expected) === 'object') {
    const e = expected as Record<string, unknown>;
    const a = actual as Record<string, unknown>;
    const ek = Object.keys(e).sort();
    const ak = Object.keys(a).sort();
    if (ek.join() !== ak.join()) return `${path}: expected keys ${ek.join(', ')}, got ${ak.join(', ')}`;
    for (const k of ek) {
      const m = shapeMismatch(e[k], a[k], `${path}.${k}`);
      if (m !== undefined) return m;
    }
  }
  return undefined;
}

function lines(text: string): string[] {
  const all = text.split('\n').map((l) => l.trimEnd());
  while (all.length > 0 && all[0] === '') all.shift();
  while (all.length > 0 && all.at(-1) === '') all.pop();
  return all;
}

/** A pattern for one expected line: digit runs and `…` are wildcards. */
function linePattern(expected: string): RegExp {
  const parts = expected.split(/(\d+|…)/).map((part) => {
    if (part === '…') return '.*';
    if (/^\d+$/.test(part)) return '\\d+';
    return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  });
  return new RegExp(`^${parts.join('')}$`);
}

/** Why `actual` does not match the expected output block (undefined when it does). */
export function outputMismatch(output: { lang: string; text: string }, actual: string): string | undefined {
  if (output.lang === 'json') {
    let values: unknown[];
    try {
      values = parseJsonStream(actual);
    } catch (err) {
      return `output is not JSON (${(err as Error).message}):\n${actual}`;
    }
    const expected = parseJsonStream(output.text);
    if (values.length !== expected.length) return `expected ${expected.length} JSON values, got ${values.length}:\n${actual}`;
    for (let i = 0; i < values.length; i++) {
      const m = shapeMismatch(expected[i], values[i], `value ${i + 1}`);
      if (m !== undefined) return m;
    }
    return undefined;
  }
  const want = lines(output.text);
  const got = lines(actual);
  if (want.length !== got.length) return `expected ${want.length} lines, got ${got.length}:\n${got.join('\n')}`;
  for (let i = 0; i < want.length; i++) {
    if (!linePattern(want[i]!).test(got[i]!)) return `line ${i + 1}: expected ${JSON.stringify(want[i])}, got ${JSON.stringify(got[i])}`;
  }
  return undefined;
}

/**
 * The benchmark's result shapes: every figure it reports is a Row (name,
 * target, actual, unit, pass). A row with a target passes or fails by
 * comparing its measured value with the target — never by hand — and a row
 * without one (throughput, latency) just reports. Scenarios also describe
 * their measurements as TableRows (several figures of one variant), which
 * become one Row per figure.
 */
import { round } from './stats';

export type Comparator = '<=' | '>=' | '=';

export interface Target {
  op: Comparator;
  value: number;
}

export interface Row {
  /** Scenario key (a section of the generated page). */
  section: string;
  name: string;
  /** null: a figure reported without a target. */
  target: Target | null;
  /** The measured value; NaN when it could not be measured (a row with a target then fails). */
  actual: number;
  unit: string;
  /** null when there is no target. */
  pass: boolean | null;
  note?: string;
}

export function meets(actual: number, target: Target): boolean {
  if (!Number.isFinite(actual)) return false;
  if (target.op === '<=') return actual <= target.value;
  if (target.op === '>=') return actual >= target.value;
  return actual === target.value;
}

/** A row; `target` as [op, value] or undefined for a figure without one. */
export function row(
  section: string,
  name: string,
  actual: number,
  unit: string,
  target?: readonly [Comparator, number],
  note?: string,
): Row {
  const t = target === undefined ? null : { op: target[0], value: target[1] };
  return {
    section,
    name,
    target: t,
    actual: Number.isFinite(actual) ? round(actual, 5) : actual,
    unit,
    pass: t === null ? null : meets(actual, t),
    ...(note === undefined || note === '' ? {} : { note }),
  };
}

/** Several figures of one measured variant (throughput, latency, units per record), as scenarios collect them. */
export interface TableRow {
  scenario: string;
  variant: string;
  recordsPerSec?: number;
  /** Record value bytes per second (HTTP grid). */
  mbPerSec?: number;
  p50Ms?: number;
  p99Ms?: number;
  wruPerRecord?: number;
  rruPerRecord?: number;
  /** Sequential write round trips per request. */
  writesPerRequest?: number;
  /** Per operation (one heartbeat, commit, poll…) rather than per record. */
  rruPerOp?: number;
  wruPerOp?: number;
  /** Every DynamoDB round trip (reads and writes) per operation. */
  roundTripsPerOp?: number;
  note?: string;
}

const FIGURES: readonly (readonly [keyof TableRow, string, string])[] = [
  ['recordsPerSec', 'records/s', 'records/s'],
  ['mbPerSec', 'MB/s', 'MB/s'],
  ['p50Ms', 'p50', 'ms'],
  ['p99Ms', 'p99', 'ms'],
  ['wruPerRecord', 'WRU/record', 'WRU'],
  ['rruPerRecord', 'RRU/record', 'RRU'],
  ['writesPerRequest', 'writes/request', 'calls'],
  ['rruPerOp', 'RRU/operation', 'RRU'],
  ['wruPerOp', 'WRU/operation', 'WRU'],
  ['roundTripsPerOp', 'DynamoDB calls/operation', 'calls'],
];

/** One Row (without a target) per figure of a TableRow; the note goes on the first. */
export function figureRows(t: TableRow): Row[] {
  const out: Row[] = [];
  for (const [key, label, unit] of FIGURES) {
    const v = t[key];
    if (typeof v !== 'number') continue;
    out.push(row(t.scenario, `${t.variant}: ${label}`, v, unit, undefined, out.length === 0 ? t.note : undefined));
  }
  return out;
}

export interface ScenarioOutput {
  /** JSON key under `scenarios` and the rows' section. */
  key: string;
  /** The scenario's own detail (typed by the scenario; stored as is in latest.json). */
  json: unknown;
  /** Figures without a target. */
  rows: TableRow[];
  /** Rows with a target (PASS/FAIL), made with row(). */
  checks: Row[];
  notes: string[];
}

/** Every Row of a scenario: its targets first, then its figures. */
export function rowsOf(o: ScenarioOutput): Row[] {
  return [...o.checks, ...o.rows.flatMap(figureRows)];
}

export const targetText = (t: Target | null, unit: string): string =>
  t === null ? '—' : `${t.op === '<=' ? '≤' : t.op === '>=' ? '≥' : '='} ${formatNumber(t.value)} ${unit}`.trimEnd();

export const resultText = (r: Row): string => (r.pass === null ? '' : r.pass ? 'PASS' : 'FAIL');

export function formatNumber(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  const abs = Math.abs(x);
  if (abs >= 1000) return Math.round(x).toLocaleString('en-US');
  if (abs >= 100) return String(round(x, 1));
  if (abs >= 1) return String(round(x, 3));
  return String(round(x, 5));
}

/** The plain-text table the run prints: every row with its target and result. */
export function renderTable(rows: readonly Row[]): string {
  const header = ['section', 'row', 'target', 'measured', 'result'];
  const body = rows.map((r) => [r.section, r.name, targetText(r.target, r.unit), `${formatNumber(r.actual)} ${r.unit}`, resultText(r)]);
  return renderGrid(header, body);
}

function renderGrid(header: string[], body: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i] as number))
      .join(' | ')
      .trimEnd();
  const sep = widths.map((w) => '-'.repeat(w)).join('-+-');
  return [line(header), sep, ...body.map(line)].join('\n');
}

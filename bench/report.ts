/** Shared result shapes and the plain-text table the benchmark prints. */
import { round } from './stats';

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

export interface Check {
  name: string;
  target: string;
  actual: string;
  pass: boolean;
}

export interface ScenarioOutput {
  /** JSON key under `scenarios`. */
  key: string;
  json: unknown;
  rows: TableRow[];
  checks: Check[];
  notes: string[];
}

const fmt = (x: number | undefined, digits: number): string =>
  x === undefined ? '' : Number.isFinite(x) ? round(x, digits).toFixed(digits) : String(x);

export function renderTable(rows: TableRow[]): string {
  // Per-operation columns appear only when some row has them (the groups scenario).
  const perOp = rows.some((r) => r.rruPerOp !== undefined || r.wruPerOp !== undefined || r.roundTripsPerOp !== undefined);
  const mb = rows.some((r) => r.mbPerSec !== undefined);
  const header = ['scenario', 'variant', 'records/s', ...(mb ? ['MB/s'] : []), 'p50 ms', 'p99 ms', 'WRU/rec', 'RRU/rec', 'writes/req'];
  if (perOp) header.push('RRU/op', 'WRU/op', 'RT/op');
  header.push('note');
  const body = rows.map((r) => [
    r.scenario,
    r.variant,
    r.recordsPerSec === undefined ? '' : Math.round(r.recordsPerSec).toString(),
    ...(mb ? [fmt(r.mbPerSec, 2)] : []),
    fmt(r.p50Ms, 1),
    fmt(r.p99Ms, 1),
    fmt(r.wruPerRecord, 4),
    fmt(r.rruPerRecord, 4),
    fmt(r.writesPerRequest, 2),
    ...(perOp ? [fmt(r.rruPerOp, 2), fmt(r.wruPerOp, 2), fmt(r.roundTripsPerOp, 2)] : []),
    r.note ?? '',
  ]);
  const right = header.map((_, i) => i >= 2 && i < header.length - 1);
  return renderGrid(header, body, right);
}

export function renderChecks(checks: Check[]): string {
  const header = ['target', 'required', 'measured', 'result'];
  const body = checks.map((c) => [c.name, c.target, c.actual, c.pass ? 'PASS' : '**FAIL**']);
  return renderGrid(header, body, [false, false, false, false]);
}

function renderGrid(header: string[], body: string[][], rightAlign: boolean[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (rightAlign[i] ? c.padStart(widths[i] as number) : c.padEnd(widths[i] as number)))
      .join(' | ')
      .trimEnd();
  const sep = widths.map((w) => '-'.repeat(w)).join('-+-');
  return [line(header), sep, ...body.map(line)].join('\n');
}

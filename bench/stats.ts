/** Percentiles and small numeric helpers for the benchmark (nearest-rank percentiles). */

export interface LatencySummary {
  n: number;
  p50Ms: number;
  p99Ms: number;
  meanMs: number;
  maxMs: number;
}

/** Nearest-rank percentile of `values` (unsorted is fine); NaN for an empty list. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1] as number;
}

export function summarize(latenciesMs: readonly number[]): LatencySummary {
  const n = latenciesMs.length;
  const sum = latenciesMs.reduce((a, b) => a + b, 0);
  return {
    n,
    p50Ms: round(percentile(latenciesMs, 50), 2),
    p99Ms: round(percentile(latenciesMs, 99), 2),
    meanMs: round(n === 0 ? Number.NaN : sum / n, 2),
    maxMs: round(n === 0 ? Number.NaN : Math.max(...latenciesMs), 2),
  };
}

export function round(x: number, digits = 4): number {
  if (!Number.isFinite(x)) return x;
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}

/** a / b, or NaN when b is 0. */
export function ratio(a: number, b: number): number {
  return b === 0 ? Number.NaN : a / b;
}

/**
 * The bench's row and round-trip arithmetic (bench/report.ts, bench/spans.ts)
 * and its generated pages: docs/benchmarks.md and docs/cost.md must be exactly
 * what bench/docs.ts renders from the committed bench/results/latest.json, so
 * no figure in them can be edited by hand or drift from the measured run.
 * No benchmark runs here.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderBenchmarksPage, renderCostPage } from '../../bench/docs';
import { figureRows, meets, row } from '../../bench/report';
import type { BenchResult } from '../../bench/result';
import { criticalPath } from '../../bench/spans';

describe('rows', () => {
  it('pass or fail by comparing the measured value with the target', () => {
    expect(row('s', 'at most', 2, 'round trips', ['<=', 2]).pass).toBe(true);
    expect(row('s', 'at most', 2.01, 'round trips', ['<=', 2]).pass).toBe(false);
    expect(row('s', 'at least', 3, '×', ['>=', 3]).pass).toBe(true);
    expect(row('s', 'at least', 2.9, '×', ['>=', 3]).pass).toBe(false);
    expect(row('s', 'exactly', 0, 'anomalies', ['=', 0]).pass).toBe(true);
    expect(row('s', 'exactly', 1, 'anomalies', ['=', 0]).pass).toBe(false);
  });

  it('fail when the value could not be measured, and have no result without a target', () => {
    expect(row('s', 'unmeasured', Number.NaN, 'RRU', ['<=', 1]).pass).toBe(false);
    expect(meets(Number.POSITIVE_INFINITY, { op: '>=', value: 0 })).toBe(false);
    const r = row('s', 'throughput', 1234.5, 'records/s');
    expect(r.target).toBeNull();
    expect(r.pass).toBeNull();
  });

  it('turn each figure of a measured variant into its own row', () => {
    const rows = figureRows({ scenario: 'produce', variant: '100×100B', recordsPerSec: 5000, p50Ms: 8, wruPerRecord: 0.13, note: 'n' });
    expect(rows.map((r) => [r.name, r.actual, r.unit])).toEqual([
      ['100×100B: records/s', 5000, 'records/s'],
      ['100×100B: p50', 8, 'ms'],
      ['100×100B: WRU/record', 0.13, 'WRU'],
    ]);
    expect(rows[0]?.note).toBe('n');
  });
});

describe('sequential round trips', () => {
  const span = (start: number, end: number) => ({ command: 'GetItem', start, end });

  it('count calls one after another, and parallel calls once', () => {
    expect(criticalPath([])).toBe(0);
    expect(criticalPath([span(0, 1), span(1, 2), span(2, 3)])).toBe(3);
    // Two calls in parallel, then one: two round trips.
    expect(criticalPath([span(0, 2), span(0.5, 1.5), span(2, 3)])).toBe(2);
  });

  it('follow the longest chain, not the first calls to finish', () => {
    // a long call in parallel with a chain of three short ones, then a last call after both.
    expect(criticalPath([span(0, 10), span(0, 1), span(1, 2), span(2, 3), span(10, 11)])).toBe(4);
  });
});

describe('generated pages', () => {
  const result = JSON.parse(readFileSync('bench/results/latest.json', 'utf8')) as BenchResult;

  it('docs/benchmarks.md is what the committed results render', () => {
    expect(readFileSync('docs/benchmarks.md', 'utf8')).toBe(renderBenchmarksPage(result));
  });

  it('docs/cost.md is what the committed results render', () => {
    expect(readFileSync('docs/cost.md', 'utf8')).toBe(renderCostPage(result));
  });

  it('shows every failing row as FAIL', () => {
    const page = renderBenchmarksPage(result);
    for (const r of result.rows.filter((x) => x.pass === false)) expect(page).toContain(`| ${r.name.replace(/\|/g, '\\|')} |`);
    const fails = page.split('\n').filter((l) => l.includes('| **FAIL** |')).length;
    expect(fails).toBe(result.rows.filter((x) => x.pass === false).length);
  });
});

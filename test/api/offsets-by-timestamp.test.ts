/**
 * Offset for a timestamp over many batches (lib/log/list-offsets.ts): the
 * index is read in rounds of growing, parallel segments, and the answer is
 * Kafka's — the first batch whose running maximum timestamp reaches T, then
 * its first record reaching T — checked against a brute-force reading of the
 * same data, with rounds and segments small enough that every answer takes
 * several of each. Also: the round trips stay logarithmic.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { offsetForTimestamp } from '../../lib/log/list-offsets';
import { resolvePartition } from '../../lib/log/partition';
import { viewPartition } from '../../lib/log/partition-view';
import { BY_OFFSET_INDEX } from '../../lib/storage/schema';
import { callCounter, ddbHook, type CallLog } from '../support/ddb-faults';
import { createTestStack, uniqueName, type TestStack } from '../support/stack';

let stack: TestStack;
let log: CallLog;
const spans: { start: number; end: number }[] = [];
/** When set, byOffset index Queries return pages of at most this many entries, as DynamoDB's 1 MB pages do. */
let indexPage: number | undefined;
beforeAll(async () => {
  const counter = callCounter();
  const pages = ddbHook('initialize', async (call, next) =>
    indexPage !== undefined && call.command === 'Query' && call.input.IndexName === BY_OFFSET_INDEX ? next({ ...call.input, Limit: indexPage }) : next(),
  );
  const timing = ddbHook('wire', async (_call, next) => {
    const span = { start: performance.now(), end: Number.POSITIVE_INFINITY };
    spans.push(span);
    try {
      return await next();
    } finally {
      span.end = performance.now();
    }
  });
  stack = await createTestStack({ plugins: [pages, counter.plugin, timing] });
  log = counter.log;
});

/** The longest chain of calls each starting after the previous one ended. */
function sequentialRoundTrips(): number {
  const sorted = [...spans].sort((a, b) => a.start - b.start);
  const depth: number[] = [];
  sorted.forEach((s, i) => {
    let before = 0;
    for (let j = 0; j < i; j++) if ((sorted[j] as { end: number }).end <= s.start) before = Math.max(before, depth[j] as number);
    depth.push(before + 1);
  });
  return Math.max(0, ...depth);
}

const BASE = 1_700_000_000_000;
const str = (data: string) => ({ type: 'STRING', data });

/** Deterministic timestamps, rising with noise, with early and late outliers. */
function batchTimestamps(batches: number): number[][] {
  let seed = 12345;
  const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  return Array.from({ length: batches }, (_, b) => {
    const count = 1 + Math.floor(next() * 3);
    return Array.from({ length: count }, () => {
      if (b === 3) return 900_000; // an early batch far ahead of the rest: its running max stands for many later ones
      return b * 10_000 + Math.floor(next() * 25_000) - 5_000;
    });
  });
}

/** Kafka's rule, by brute force (timestamps relative to BASE). */
function expected(batches: number[][], t: number, fromOffset = 0): { offset: number; timestamp: number } | null {
  let offset = 0;
  for (const batch of batches) {
    if (Math.max(...batch) >= t) {
      const i = batch.findIndex((ts, j) => ts >= t && offset + j >= fromOffset);
      if (i >= 0) return { offset: offset + i, timestamp: BASE + (batch[i] as number) };
    }
    offset += batch.length;
  }
  return null;
}

async function producedTopic(batches: number[][]): Promise<string> {
  const name = uniqueName('ts');
  expect((await stack.call('POST', '/v1/topics', { name })).status).toBe(201);
  for (const batch of batches) {
    const res = await stack.call('POST', `/v1/topics/${name}/records`, { records: batch.map((ts) => ({ value: str(String(ts)), timestamp: BASE + ts })) });
    expect(res.status).toBe(200);
  }
  return name;
}

describe('offset for a timestamp over many batches', () => {
  const batches = batchTimestamps(60);
  let name: string;
  beforeAll(async () => {
    name = await producedTopic(batches);
  });

  // Checked against: stopping at the first batch whose own max reaches T by a binary search over `mt`
  // (skipping the entries before it) makes the outlier cases fail.
  it('answers as Kafka does, with rounds of 2 entries growing fourfold and segments of 3', async () => {
    const ref = await resolvePartition(stack.lib, name, 0);
    const view = await viewPartition(stack.lib, ref);
    const all = [...new Set(batches.flat())].sort((a, b) => a - b);
    const targets = [-10_000, ...all.flatMap((ts) => [ts - 1, ts, ts + 1]), 900_001];
    for (const t of targets) {
      const found = await offsetForTimestamp(stack.lib, ref, view, BASE + t, { firstEntries: 2, segmentEntries: 3 });
      expect({ t, found: found ?? null }).toEqual({ t, found: expected(batches, t) });
    }
  });

  it('gives the same answers through the API', async () => {
    for (const t of [0, 35_000, 200_000, 500_000, 900_000, 900_001]) {
      const res = await stack.call('GET', `/v1/topics/${name}/partitions/0/offsets?at=${BASE + t}`);
      expect(res.status).toBe(200);
      const want = expected(batches, t);
      expect(res.body).toMatchObject(want === null ? { offset: null } : want);
    }
  });

  it('respects a log start inside a batch', async () => {
    const other = await producedTopic([[10, 900, 20, 30], [40], [950, 5]]);
    expect((await stack.call('DELETE', `/v1/topics/${other}/partitions/0/records?before=2`)).status).toBe(200);
    const ref = await resolvePartition(stack.lib, other, 0);
    const view = await viewPartition(stack.lib, ref);
    const scan = { firstEntries: 1, segmentEntries: 1 };
    // Batch 0 reaches 900 only below the log start: the next batch reaching it is batch 2.
    expect(await offsetForTimestamp(stack.lib, ref, view, BASE + 800, scan)).toEqual({ offset: 5, timestamp: BASE + 950 });
    expect(await offsetForTimestamp(stack.lib, ref, view, BASE + 25, scan)).toEqual({ offset: 3, timestamp: BASE + 30 });
    expect(await offsetForTimestamp(stack.lib, ref, view, BASE + 951, scan)).toBeUndefined();
  });
});

describe('round trips', () => {
  let name: string;
  beforeAll(async () => {
    name = uniqueName('ts-long');
    expect((await stack.call('POST', '/v1/topics', { name })).status).toBe(201);
    for (let i = 0; i < 1_000; i += 50) {
      await Promise.all(
        Array.from({ length: 50 }, (_, j) =>
          stack.call('POST', `/v1/topics/${name}/records`, { records: [{ value: str('x'), timestamp: BASE + (i + j) * 1_000 }] }),
        ),
      );
    }
  }, 120_000);

  it('reads 1,000 batches in a logarithmic number of sequential rounds', async () => {
    const ref = await resolvePartition(stack.lib, name, 0);
    const view = await viewPartition(stack.lib, ref);
    expect(view.stableEnd).toBe(1_000);
    log.reset();
    spans.length = 0;
    // Produced 50 at a time in parallel, offsets are not in timestamp order: Kafka's rule decides.
    const found = await offsetForTimestamp(stack.lib, ref, view, BASE + 990_000, { firstEntries: 10, segmentEntries: 100 });
    expect(found?.timestamp).toBeGreaterThanOrEqual(BASE + 990_000);
    // Rounds of 10, 40, 160, 640 and 2,560 entries (the later ones in parallel segments), then the batch.
    expect(log.attempts.get('Query') ?? 0).toBeGreaterThan(10);
    expect(sequentialRoundTrips()).toBeLessThanOrEqual(6);
  });

  // Checked against: following each short page with the next one (a chain of 20 pages here) fails, and so does
  // splitting only after a short page (5 round trips: round 2 pays its own short page first).
  it('stays logarithmic when DynamoDB cuts index pages short (1 MB pages of large batches)', async () => {
    const ref = await resolvePartition(stack.lib, name, 0);
    const view = await viewPartition(stack.lib, ref);
    indexPage = 50;
    try {
      for (const t of [500_000, 990_000]) {
        log.reset();
        spans.length = 0;
        const found = await offsetForTimestamp(stack.lib, ref, view, BASE + t);
        expect(found?.timestamp).toBeGreaterThanOrEqual(BASE + t);
        expect(found?.timestamp).toBeLessThan(BASE + t + 50_000);
        expect(log.attempts.get('Query') ?? 0).toBeGreaterThanOrEqual(20);
        // Round 1: its page, then its rest in parallel pieces; round 2: split up front by that page's size; the batch.
        expect(sequentialRoundTrips()).toBeLessThanOrEqual(4);
      }
    } finally {
      indexPage = undefined;
    }
  });
});

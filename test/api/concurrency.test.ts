/**
 * Many producers on one partition, with a consumer polling meanwhile, then
 * an exhaustive read: the history checks of docs/checker.md (lost writes,
 * duplicates, offset holes, nonmonotonic sends and polls, poll skips, HW
 * regressions) and zero wasted (failed conditional) writes.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { BY_OFFSET_INDEX } from '../../lib/storage/schema';
import { callCounter, ddbHook } from '../support/ddb-faults';
import { createTestStack, uniqueName, type TestStack } from '../support/stack';

const PRODUCERS = 16;
const REQUESTS = 10;

const counter = callCounter();
let indexItemsRead = 0;
const indexReads = ddbHook('initialize', async (call, next) => {
  const result = await next();
  if (call.command === 'Query' && call.input.IndexName === BY_OFFSET_INDEX) indexItemsRead += result.output.Items?.length ?? 0;
  return result;
});

let stack: TestStack;
beforeAll(async () => {
  stack = await createTestStack({ plugins: [counter.plugin, indexReads] });
});

/** Deterministic record counts (mulberry32). */
function prng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Ack {
  producer: number;
  value: string;
  offset: number;
}

describe(`${PRODUCERS} concurrent producers on one partition`, () => {
  it('acknowledges every record exactly once at its offset, dense, in per-producer order, with zero wasted writes', async () => {
    const name = uniqueName('concurrency');
    expect((await stack.call('POST', '/v1/topics', { name, partitions: 1 })).status).toBe(201);
    counter.log.reset();

    const acks: Ack[] = [];
    const failures: unknown[] = [];
    let producing = true;

    const producers = Array.from({ length: PRODUCERS }, async (_, p) => {
      const random = prng(p + 1);
      let n = 0;
      for (let r = 0; r < REQUESTS; r++) {
        const count = 1 + Math.floor(random() * 20);
        const batch = Array.from({ length: count }, () => `p${p}-${n++}`);
        const res = await stack.call('POST', `/v1/topics/${name}/records`, {
          records: batch.map((v) => ({ partition: 0, value: { type: 'STRING', data: v } })),
        });
        if (res.status !== 200) {
          failures.push(res.body);
          continue;
        }
        res.body.records.forEach((rec: { offset: number }, i: number) => acks.push({ producer: p, value: batch[i]!, offset: rec.offset }));
      }
    });

    // A consumer polling from 0 while the producers run.
    const polled = new Map<number, string>();
    const hwSeen: number[] = [];
    const consumer = (async () => {
      let next = 0;
      for (;;) {
        const done = !producing;
        const res = await stack.call('GET', `/v1/topics/${name}/partitions/0/records?offset=${next}&maxRecords=37`);
        expect(res.status).toBe(200);
        expect(res.body.abortedRanges).toEqual([]);
        hwSeen.push(res.body.highWatermark);
        for (const rec of res.body.records) {
          // No skip, no re-read, no reordering: exactly the next offset every time.
          expect(rec.offset).toBe(next);
          polled.set(rec.offset, rec.value.data);
          next = rec.offset + 1;
        }
        expect(res.body.nextOffset).toBe(next);
        expect(next).toBeLessThanOrEqual(res.body.highWatermark);
        if (done && next === res.body.highWatermark) return next;
      }
    })();

    await Promise.all(producers);
    producing = false;
    const consumedUpTo = await consumer;

    expect(failures).toEqual([]);
    const total = acks.length;
    expect(total).toBeGreaterThan(PRODUCERS * REQUESTS);

    // Zero wasted writes: one reservation and one batch put per request, no condition ever failed.
    expect(counter.log.conditionFailures).toEqual([]);
    expect(counter.log.reservations).toBe(PRODUCERS * REQUESTS);
    expect(counter.log.batchPuts).toBe(PRODUCERS * REQUESTS);
    expect(counter.log.markerPuts).toBe(0);

    // Exhaustive read.
    const log: { offset: number; value: string }[] = [];
    let offset = 0;
    let hw = -1;
    while (hw < 0 || offset < hw) {
      const res = await stack.call('GET', `/v1/topics/${name}/partitions/0/records?offset=${offset}&maxRecords=500`);
      expect(res.status).toBe(200);
      expect(res.body.abortedRanges).toEqual([]);
      expect(res.body.highWatermark).toBeGreaterThanOrEqual(Math.max(hw, 0));
      hw = res.body.highWatermark;
      for (const rec of res.body.records) log.push({ offset: rec.offset, value: rec.value.data });
      offset = res.body.nextOffset;
    }
    expect(hw).toBe(total);
    expect(consumedUpTo).toBe(total);

    // Dense offsets 0..HW-1, no holes.
    expect(log.map((r) => r.offset)).toEqual(Array.from({ length: total }, (_, i) => i));
    // Every acknowledged value exactly once, at the offset it was acknowledged with.
    const byValue = new Map<string, number[]>();
    for (const r of log) byValue.set(r.value, [...(byValue.get(r.value) ?? []), r.offset]);
    const wrong = acks.filter((a) => byValue.get(a.value)?.length !== 1 || byValue.get(a.value)?.[0] !== a.offset);
    expect(wrong).toEqual([]);
    expect(byValue.size).toBe(total);
    // The consumer saw exactly what the final read sees.
    for (const r of log) expect(polled.get(r.offset)).toBe(r.value);
    // The high watermark never went backwards.
    for (let i = 1; i < hwSeen.length; i++) expect(hwSeen[i]).toBeGreaterThanOrEqual(hwSeen[i - 1]!);

    // Per producer: acknowledged offsets increase, and the log holds its values in send order.
    for (let p = 0; p < PRODUCERS; p++) {
      const mine = acks.filter((a) => a.producer === p);
      for (let i = 1; i < mine.length; i++) expect(mine[i]!.offset).toBeGreaterThan(mine[i - 1]!.offset);
      const inLog = log.filter((r) => r.value.startsWith(`p${p}-`)).map((r) => r.value);
      expect(inLog).toEqual(mine.map((a) => a.value));
      expect(inLog).toEqual(Array.from({ length: mine.length }, (_, i) => `p${p}-${i}`));
    }

    // A reader at the tail pays for what is new, not for the whole partition's index.
    await stack.call('POST', `/v1/topics/${name}/records`, { records: [{ partition: 0, value: { type: 'STRING', data: 'tail' } }] });
    indexItemsRead = 0;
    const tail = await stack.call('GET', `/v1/topics/${name}/partitions/0/records?offset=${total}`);
    expect(tail.body.records.map((r: { value: { data: string } }) => r.value.data)).toEqual(['tail']);
    expect(indexItemsRead).toBeLessThanOrEqual(2);
  });
});

/**
 * Scenario backlog: the first fetch after 1,000 batches nobody has read. 1,000
 * one-record batches are produced (8 producers, not measured) into a fresh
 * partition, then one fetch of one record from offset 0 (maxRecords=1, so
 * what it reads of the log is one batch): it pays for walking the stable end
 * over every batch settled since the last reader (lib/log/partition-view.ts)
 * before it returns. Measured: its sequential DynamoDB round trips, calls,
 * capacity and time; then the same fetch again, with nothing left to walk. The same after 100 unread batches:
 * "bounded" means the first fetch's round trips do not grow with the backlog
 * (the target: at most 2 more after 1,000 batches than after 100).
 */
import { summarizeTally } from '../capacity';
import { eventBatch, rng } from '../data';
import { concurrentLoops, type BenchEnv } from '../env';
import { row, type Row, type ScenarioOutput } from '../report';
import { round } from '../stats';

const BACKLOGS = [100, 1_000];
const BATCHES = 1_000;

export async function runBacklog(env: BenchEnv): Promise<ScenarioOutput> {
  const random = rng(1000);
  const runs = [];
  for (const backlog of BACKLOGS) {
    const topic = await env.createTopic(1, {}, 'backlog');
    const bodies = Array.from({ length: backlog }, (_, i) => JSON.stringify({ records: eventBatch(1, 100, `b-${backlog}-${i}`, random) }));
    let next = 0;
    await concurrentLoops(8, backlog, 120_000, async () => {
      const i = next++;
      if (i >= bodies.length) return;
      const res = await env.call('POST', `/v1/topics/${topic}/records`, bodies[i]);
      if (res.status !== 200) throw new Error(`backlog populate: HTTP ${res.status} ${JSON.stringify(res.body)}`);
    });
    const fetchOnce = async () => {
      const before = env.meter.snapshot();
      const t0 = performance.now();
      const m = await env.spans.measure(() => env.call('GET', `/v1/topics/${topic}/partitions/0/records?offset=0&maxRecords=1`));
      const ms = performance.now() - t0;
      if (m.result.status !== 200) throw new Error(`backlog fetch: HTTP ${m.result.status} ${JSON.stringify(m.result.body)}`);
      const s = summarizeTally(env.meter.since(before));
      return {
        commands: m.commands,
        ms: round(ms, 1),
        sequential: m.sequential,
        calls: s.roundTrips,
        rru: s.rru,
        wru: s.wru,
        records: ((m.result.body?.records ?? []) as unknown[]).length,
        highWatermark: m.result.body?.highWatermark as number,
      };
    };
    const first = await fetchOnce();
    const second = await fetchOnce();
    if (first.highWatermark !== backlog) throw new Error(`backlog: high watermark ${first.highWatermark}, expected ${backlog}`);
    runs.push({ backlog, first, second });
  }
  const small = runs[0] as (typeof runs)[number];
  const big = runs[1] as (typeof runs)[number];
  const checks: Row[] = [
    row('backlog', `first fetch (maxRecords 1) after ${BATCHES.toLocaleString('en-US')} unread one-record batches: sequential DynamoDB round trips`, big.first.sequential, 'round trips', undefined, `${big.first.calls} calls, ${big.first.rru} RRU + ${big.first.wru} WRU, ${big.first.records} records returned; the same fetch once nothing is left to walk: ${big.second.sequential} round trips`),
    row('backlog', `first fetch: growth of its round trips from ${small.backlog} to ${big.backlog} unread batches (bounded)`, big.first.sequential - small.first.sequential, 'round trips', ['<=', 2], `${small.backlog}: ${small.first.sequential}, ${big.backlog}: ${big.first.sequential}`),
    row('backlog', `first fetch after ${BATCHES.toLocaleString('en-US')} unread batches: time`, big.first.ms, 'ms', undefined, `after ${small.backlog}: ${small.first.ms} ms; this machine against DynamoDB Local`),
  ];
  return { key: 'backlog', json: { backlogs: BACKLOGS, recordsPerBatch: 1, runs }, rows: [], checks, notes: [] };
}

/**
 * Scenario offsets-by-time: the offset for a timestamp (GET …/offsets?at=T)
 * on a long partition. Records carry timestamps BASE + 10 ms × their write
 * order; 8 producers write them in batches (not measured), so the log holds
 * `records` records in records ÷ recordsPerBatch batches (index entries).
 * Lookups of timestamps at 10 %, 50 % and 90 % of the log and past its end
 * are measured when a tenth of the log is written and again when all of it
 * is: sequential DynamoDB round trips (bench/spans.ts), calls and RRU. The
 * lookup reads the index in rounds four times larger each
 * (lib/log/list-offsets.ts), each round's short pages split and read in
 * parallel, so its round trips grow with log₄ of the batches; the targets are ⌈log₂ batches⌉ and a growth of at most 3 round
 * trips for a log ten times longer.
 */
import { summarizeTally } from '../capacity';
import { eventBatch, rng } from '../data';
import { concurrentLoops, type BenchEnv } from '../env';
import { row, type Row, type ScenarioOutput } from '../report';
import { round } from '../stats';

const BASE = 1_767_225_600_000;
const STEP_MS = 10;
const FRACTIONS = [0.1, 0.5, 0.9, 1.1];

export async function runOffsetsByTime(env: BenchEnv, p: { records: number; recordsPerBatch: number }): Promise<ScenarioOutput> {
  const topic = await env.createTopic(1, {}, 'offsets-by-time');
  const random = rng(31337);
  let written = 0;
  /** Where each batch landed: batches are written by concurrent loops, so batch i need not sit at offset i × its size. */
  const landedAt: number[] = [];
  const writeUpTo = async (target: number) => {
    let next = written / p.recordsPerBatch;
    const last = target / p.recordsPerBatch;
    await concurrentLoops(8, last, 300_000, async () => {
      const i = next++;
      if (i >= last) return;
      const records = eventBatch(p.recordsPerBatch, 100, `t-${i}`, random).map((r, j) => ({ ...r, timestamp: BASE + (i * p.recordsPerBatch + j) * STEP_MS }));
      const res = await env.call('POST', `/v1/topics/${topic}/records`, { records });
      if (res.status !== 200) throw new Error(`offsets-by-time populate: HTTP ${res.status} ${JSON.stringify(res.body)}`);
      landedAt[i] = (res.body.records as { offset: number }[])[0]!.offset;
    });
    written = target;
  };
  const measureAt = async (records: number) => {
    // A fetch first, so the stable end is walked: what is measured is the lookup, not the backlog.
    await env.call('GET', `/v1/topics/${topic}/partitions/0/records?offset=0&maxRecords=1`);
    const lookups = [];
    for (const f of FRACTIONS) {
      const at = BASE + Math.round(records * f) * STEP_MS;
      const before = env.meter.snapshot();
      const m = await env.spans.measure(() => env.call('GET', `/v1/topics/${topic}/partitions/0/offsets?at=${at}`));
      if (m.result.status !== 200) throw new Error(`offsets-by-time lookup: HTTP ${m.result.status} ${JSON.stringify(m.result.body)}`);
      const s = summarizeTally(env.meter.since(before));
      const offset = m.result.body?.offset as number | null | undefined;
      const expected = f > 1 ? records : expectedOffset(Math.round(records * f) / p.recordsPerBatch, records / p.recordsPerBatch);
      lookups.push({ fraction: f, offset: offset ?? null, expected, sequential: m.sequential, calls: s.roundTrips, rru: s.rru, commands: m.commands.join(' ') });
    }
    const wrong = lookups.filter((l) => l.fraction <= 1 && l.offset !== l.expected).length;
    return { records, batches: records / p.recordsPerBatch, lookups, maxSequential: Math.max(...lookups.map((l) => l.sequential)), wrongOffsets: wrong };
  };
  /**
   * Kafka's answer for the first timestamp of batch `i` (batches hold increasing, disjoint timestamp ranges):
   * the first batch in offset order whose maximum reaches it is the one at the lowest offset among batches ≥ i,
   * and its first record is the first one at or after the timestamp.
   */
  const expectedOffset = (i: number, batches: number) => Math.min(...landedAt.slice(i, batches));
  await writeUpTo(p.records / 10);
  const tenth = await measureAt(p.records / 10);
  await writeUpTo(p.records);
  const full = await measureAt(p.records);
  const n = full.batches;
  const checks: Row[] = [
    row('offsets-by-time', `offset for a timestamp, ${full.records.toLocaleString('en-US')} records in ${n.toLocaleString('en-US')} batches: sequential DynamoDB round trips (worst lookup)`, full.maxSequential, 'round trips', ['<=', Math.ceil(Math.log2(n))], `target ⌈log₂ ${n}⌉; ${full.lookups.map((l) => `${Math.round(l.fraction * 100)} %: ${l.sequential} RT, ${l.calls} calls, ${l.rru} RRU`).join('; ')}`),
    row('offsets-by-time', 'offset for a timestamp: growth of the worst lookup for a log ten times longer', full.maxSequential - tenth.maxSequential, 'round trips', ['<=', 3], `${tenth.records.toLocaleString('en-US')} records: ${tenth.maxSequential}; ${full.records.toLocaleString('en-US')} records: ${full.maxSequential}`),
    row('offsets-by-time', 'offset for a timestamp: lookups answering another offset than the first record at or after T', tenth.wrongOffsets + full.wrongOffsets, 'lookups', ['=', 0]),
    row('offsets-by-time', `offset for a timestamp, ${full.records.toLocaleString('en-US')} records: RRU of the worst lookup`, Math.max(...full.lookups.map((l) => l.rru)), 'RRU'),
  ];
  return { key: 'offsets-by-time', json: { recordsPerBatch: p.recordsPerBatch, stepMs: STEP_MS, tenth, full, roundedLog2: round(Math.log2(n), 2) }, rows: [], checks, notes: [] };
}

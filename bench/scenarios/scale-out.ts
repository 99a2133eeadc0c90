/**
 * Scenario scale-out: the same load — `producers` concurrent HTTP producers
 * sending `requests` batches of 100 records of 100 B in all, no key and no
 * partition (each request goes to one random partition, like Kafka's sticky
 * partitioner) — against topics of 1, 4 and 16 partitions; rounds in
 * alternating order so drifting background load hits every level alike.
 * Reports goodput, latency, WRU per record, how evenly the partitions filled,
 * checks that the high watermarks add up to the acknowledged records, and the
 * modelled AWS write ceiling (≈ 1,000 WCU/s per partition key): on DynamoDB
 * Local there is no per-key limit, so the measured goodput shows the engine's
 * overhead per partition, and the ceiling shows what more partitions buy on AWS.
 */
import { mergeTallies, type Tally } from '../capacity';
import { eventBatch, rng } from '../data';
import { concurrentLoops, type BenchEnv } from '../env';
import type { HttpStack } from '../http';
import type { Profile } from '../profile';
import { row, type Row, type ScenarioOutput } from '../report';
import { round, summarize } from '../stats';
import { produceFigures } from './produce';

const RECORDS_PER_BATCH = 100;
const VALUE_BYTES = 100;
/** Write capacity of one DynamoDB partition key on AWS: 1,000 WCU per second (AWS DynamoDB developer guide, partition limits). */
export const WCU_PER_PARTITION_KEY = 1_000;

interface Round {
  partitions: number;
  acknowledged: number;
  failed: number;
  elapsedMs: number;
  latenciesMs: number[];
  tally: Tally;
  highWatermarks: number[];
}

async function runRound(env: BenchEnv, http: HttpStack, p: Profile['scaleOut'], partitions: number, round: number): Promise<Round> {
  const topic = await env.createTopic(partitions, {}, `scale-${partitions}-r${round}`);
  const random = rng(partitions * 7 + round);
  const perProducer = Math.ceil(p.requests / p.producers);
  const bodies = Array.from({ length: p.producers * perProducer }, (_, i) =>
    JSON.stringify({ records: eventBatch(RECORDS_PER_BATCH, VALUE_BYTES, `s${partitions}r${round}-${i}`, random) }),
  );
  let acknowledged = 0;
  let failed = 0;
  const before = env.meter.snapshot();
  const loop = await concurrentLoops(p.producers, perProducer, 60_000, async (w, i) => {
    const res = await http.request('POST', `/v1/topics/${topic}/records`, bodies[w * perProducer + i]);
    if (res.status === 200) acknowledged += RECORDS_PER_BATCH;
    else failed++;
  });
  const tally = env.meter.since(before);
  const offsets = await env.call('GET', `/v1/topics/${topic}/offsets`);
  if (offsets.status !== 200) throw new Error(`scale-out offsets: HTTP ${offsets.status} ${JSON.stringify(offsets.body)}`);
  const list = (offsets.body.partitions ?? offsets.body) as { partition: number; highWatermark: number }[];
  return {
    partitions,
    acknowledged,
    failed,
    elapsedMs: loop.elapsedMs,
    latenciesMs: loop.latenciesMs,
    tally,
    highWatermarks: list.map((x) => x.highWatermark),
  };
}

export async function runScaleOut(env: BenchEnv, http: HttpStack, profile: Profile): Promise<ScenarioOutput & { goodputAt: Map<number, number> }> {
  const p = profile.scaleOut;
  const order: number[] = [];
  for (let r = 0; r < p.rounds; r++) order.push(...(r % 2 === 0 ? p.partitions : [...p.partitions].reverse()));
  const rounds: Round[] = [];
  for (const [i, partitions] of order.entries()) rounds.push(await runRound(env, http, p, partitions, i));

  const goodputAt = new Map<number, number>();
  const rows = p.partitions.map((partitions) => {
    const rs = rounds.filter((r) => r.partitions === partitions);
    const acknowledged = rs.reduce((s, r) => s + r.acknowledged, 0);
    const failed = rs.reduce((s, r) => s + r.failed, 0);
    const elapsedMs = rs.reduce((s, r) => s + r.elapsedMs, 0);
    const requests = rs.reduce((s, r) => s + r.latenciesMs.length, 0);
    const f = produceFigures(mergeTallies(...rs.map((r) => r.tally)), requests, requests * RECORDS_PER_BATCH);
    const lat = summarize(rs.flatMap((r) => r.latenciesMs));
    const goodput = round((acknowledged / elapsedMs) * 1000, 1);
    goodputAt.set(partitions, goodput);
    const fills = rs.flatMap((r) => r.highWatermarks);
    const hwMatches = rs.every((r) => r.highWatermarks.reduce((a, b) => a + b, 0) === r.acknowledged);
    return {
      partitions,
      producers: p.producers,
      rounds: rs.length,
      requests,
      failedRequests: failed,
      acknowledgedRecords: acknowledged,
      goodputRecordsPerSec: goodput,
      p50Ms: lat.p50Ms,
      p99Ms: lat.p99Ms,
      wruPerRecord: f.wruPerRecord,
      wastedWru: f.wastedWru,
      roundTripsPerRequest: f.allRoundTripsPerProduce,
      recordsPerPartitionMin: Math.min(...fills),
      recordsPerPartitionMax: Math.max(...fills),
      highWatermarksAddUp: hwMatches,
      /** AWS: partitions × 1,000 WCU/s ÷ WRU per record. */
      awsCeilingRecordsPerSec: Math.round((partitions * WCU_PER_PARTITION_KEY) / f.wruPerRecord),
    };
  });
  const g1 = goodputAt.get(p.partitions[0] as number) ?? 0;
  const checks: Row[] = [
    row('scale-out', 'scale-out 1/4/16 partitions: failed requests and high watermarks that do not add up', rows.reduce((n, r) => n + r.failedRequests + (r.highWatermarksAddUp ? 0 : 1), 0), 'anomalies', ['=', 0]),
    row('scale-out', 'scale-out 1/4/16 partitions: wasted WRU (failed conditional writes)', rows.reduce((n, r) => n + r.wastedWru, 0), 'WRU', ['=', 0], rows.map((r) => `${r.partitions}p: ${r.wastedWru}`).join(', ')),
  ];
  return {
    key: 'scale-out',
    goodputAt,
    json: {
      via: `real HTTP, ${p.producers} concurrent producers, ${RECORDS_PER_BATCH}×${VALUE_BYTES} B per request, no key (one random partition per request)`,
      caveat:
        'DynamoDB Local has no per-partition-key limit, so more partitions cannot raise local goodput (one Java process, 2 cores); the AWS ceiling column models ≈ 1,000 WCU/s per partition key.',
      rows,
    },
    rows: rows.map((r) => ({
      scenario: 'scale-out',
      variant: `${r.partitions} partition${r.partitions === 1 ? '' : 's'}, ${r.producers} producers`,
      recordsPerSec: r.goodputRecordsPerSec,
      p50Ms: r.p50Ms,
      p99Ms: r.p99Ms,
      wruPerRecord: r.wruPerRecord,
      note:
        `goodput ×${round(r.goodputRecordsPerSec / g1, 2)} vs 1 partition; AWS ceiling ≈ ${r.awsCeilingRecordsPerSec.toLocaleString('en-US')} rec/s; ` +
        `records/partition ${r.recordsPerPartitionMin}–${r.recordsPerPartitionMax}` +
        (r.failedRequests > 0 ? `; ${r.failedRequests} FAILED` : ''),
    })),
    checks,
    notes: [
      'scale-out: on DynamoDB Local more partitions cannot raise goodput (no per-key limit; one Java process on 2 cores); on AWS each partition key adds ≈ 1,000 WCU/s, the modelled ceiling.',
    ],
  };
}

/**
 * Scenario large-records: the fetch of one large record against the least
 * DynamoDB could charge for it. One record of 64 KB and one of 900 KB
 * (STRING values of random text, nearly incompressible, compression none),
 * each alone in a fresh topic, are fetched from their offset with the HTTP
 * defaults, several times. The minimum is an eventually consistent read of
 * the record's value bytes: ⌈bytes / 4 KB⌉ × 0.5 RRU (DynamoDB's read unit);
 * a raw baseline reads the same stored items (batch item and its chunks)
 * eventually consistently by key, without the engine.
 */
import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { logKeys } from '../../lib/storage/keys';
import { getTopic } from '../../lib/topics/topic-item';
import { summarizeTally } from '../capacity';
import { eventValue, rng } from '../data';
import type { BenchEnv } from '../env';
import { row, type Row, type ScenarioOutput, type TableRow } from '../report';
import { ratio, round, summarize } from '../stats';

const SIZES = [64 * 1024, 900 * 1024];
const FETCHES = 8;

export async function runLargeRecords(env: BenchEnv): Promise<ScenarioOutput> {
  const random = rng(6464);
  const results = [];
  for (const bytes of SIZES) {
    const topic = await env.createTopic(1, {}, `large-${bytes >> 10}k`);
    const value = eventValue(bytes, `large-${bytes}`, random);
    const put = await env.call('POST', `/v1/topics/${topic}/records`, { records: [{ value: { type: 'STRING', data: value } }] });
    if (put.status !== 200) throw new Error(`large-records produce ${bytes} B: HTTP ${put.status} ${JSON.stringify(put.body)}`);
    // One unmeasured fetch: the reader's first pass over a fresh partition (stable cursor) is not what a record costs.
    await env.call('GET', `/v1/topics/${topic}/partitions/0/records?offset=0`);
    const latencies: number[] = [];
    const sequential: number[] = [];
    const before = env.meter.snapshot();
    for (let i = 0; i < FETCHES; i++) {
      const t0 = performance.now();
      const m = await env.spans.measure(() => env.call('GET', `/v1/topics/${topic}/partitions/0/records?offset=0`));
      latencies.push(performance.now() - t0);
      sequential.push(m.sequential);
      const got = (m.result.body?.records ?? []) as { value: { data: string } }[];
      if (m.result.status !== 200 || got.length !== 1 || got[0]?.value.data.length !== value.length) {
        throw new Error(`large-records fetch ${bytes} B: HTTP ${m.result.status}, ${got.length} records`);
      }
    }
    const s = summarizeTally(env.meter.since(before));
    const rruPerFetch = s.rru / FETCHES;
    const minimum = Math.ceil(bytes / 4096) * 0.5;

    // Raw: the partition's stored items (batch + chunks), eventually consistent, no engine.
    const ref = await getTopic(env.lib, topic);
    const rawBefore = env.meter.snapshot();
    let startKey: Record<string, unknown> | undefined;
    do {
      const out = await env.doc.send(
        new QueryCommand({
          TableName: env.tables.log,
          KeyConditionExpression: 'pk = :pk AND sk >= :zero',
          ExpressionAttributeValues: { ':pk': logKeys.partitionPk(ref.topicId, 0), ':zero': 0 },
          ExclusiveStartKey: startKey,
        }),
      );
      startKey = out.LastEvaluatedKey;
    } while (startKey !== undefined);
    const rawRru = summarizeTally(env.meter.since(rawBefore)).rru;
    const lat = summarize(latencies);
    results.push({
      bytes,
      fetches: FETCHES,
      rruPerFetch: round(rruPerFetch, 3),
      minimumRru: minimum,
      ratioToMinimum: round(ratio(rruPerFetch, minimum), 3),
      rawQueryRru: rawRru,
      sequentialRoundTrips: round(sequential.reduce((a, x) => a + x, 0) / FETCHES, 2),
      callsPerFetch: round(s.roundTrips / FETCHES, 2),
      p50Ms: lat.p50Ms,
      p99Ms: lat.p99Ms,
    });
  }
  const kb = (b: number) => `${b / 1024} KB`;
  const checks: Row[] = results.flatMap((r) => [
    row('large-records', `fetch of one ${kb(r.bytes)} record: RRU ÷ the minimum`, r.ratioToMinimum, '×', ['<=', 1.2], `${r.rruPerFetch} RRU per fetch; minimum ⌈${r.bytes} B / 4 KB⌉ × 0.5 = ${r.minimumRru} RRU; raw Query of the stored items ${r.rawQueryRru} RRU`),
    row('large-records', `fetch of one ${kb(r.bytes)} record: sequential DynamoDB round trips`, r.sequentialRoundTrips, 'round trips', undefined, `${r.callsPerFetch} calls`),
  ]);
  const rows: TableRow[] = results.map((r) => ({ scenario: 'large-records', variant: `one ${kb(r.bytes)} record`, p50Ms: r.p50Ms, p99Ms: r.p99Ms, rruPerOp: r.rruPerFetch }));
  return { key: 'large-records', json: { via: 'Hono app.request, GET …/records?offset=0 (defaults)', results }, rows, checks, notes: [] };
}

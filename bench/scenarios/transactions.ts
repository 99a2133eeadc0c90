/**
 * Transactions (POST /v1/transactions), beside the plain operations they replace:
 *  - produce: 4 partitions × 25 records of 100 B in one transaction (with a
 *    producer id, epoch and sequence, as the SDK sends it), against the same
 *    100 records in one plain produce request. Billed WRU per record, the
 *    sequential DynamoDB round trips of the transaction request, p50/p99.
 *  - transform: consume-transform-produce, 25 records a step. The
 *    transactional step is one group poll plus one transaction with the
 *    output records and the input offset; the plain (at-least-once) step is
 *    one group poll that commits the previous step's offset plus one plain
 *    produce. WRU + RRU per input record of each.
 *
 * Billing: DynamoDB bills each item of a TransactWriteItems twice (prepare
 * and commit); DynamoDB Local does not report that, nor the items' sizes, so
 * the meter estimates the billed units from the items sent
 * (transactWriteBilledUnits in bench/capacity.ts, with the AWS source), and
 * `billed()` counts those instead of Local's figure; every other call is billed
 * as reported.
 */
import type { Tally } from '../capacity';
import { summarizeTally } from '../capacity';
import { perMillionRecords } from '../cost';
import { eventBatch, rng } from '../data';
import { sequentialLoop, type BenchEnv } from '../env';
import { row, type Row, type ScenarioOutput, type TableRow } from '../report';
import { percentile, round, summarize } from '../stats';

const PARTITIONS = 4;
const PER_PARTITION = 25;
const VALUE_BYTES = 100;
const RECORDS = PARTITIONS * PER_PARTITION;
const TRANSFORM_BATCH = 25;
/** Billed WRU and RRU of a tally: TransactWriteItems at the meter's estimate of what AWS bills, not Local's figure. */
export function billed(tally: Tally): { wru: number; rru: number; transactWru: number } {
  const s = summarizeTally(tally);
  const t = tally.byCommand.TransactWriteItems;
  return { wru: s.wru - (t?.capacityUnits ?? 0) + (t?.billedTransactUnits ?? 0), rru: s.rru, transactWru: t?.billedTransactUnits ?? 0 };
}

export interface TransactionFigures {
  plainWruPerRecord: number;
  txWruPerRecord: number;
  txRruPerRecord: number;
  ratio: number;
  medianSequential: number;
  maxSequential: number;
  commands: string[];
  /** DynamoDB calls and the units DynamoDB Local reported, per request (before the transactional factor). */
  byCommandPerRequest: Record<'plain' | 'transaction', Record<string, { calls: number; reportedUnits: number; billedUnits?: number }>>;
  p50Ms: number;
  p99Ms: number;
  transactions: number;
  failed: number;
  transform: {
    plainUnitsPerRecord: number;
    plainWruPerRecord: number;
    plainRruPerRecord: number;
    txUnitsPerRecord: number;
    txWruPerRecord: number;
    txRruPerRecord: number;
    /** In-process handler ms per input record (both requests of a step), the proxy for billed Lambda time. */
    plainMsPerRecord: number;
    txMsPerRecord: number;
    steps: number;
    failed: number;
  };
  /** Mean in-process handler ms per request: the plain produce, the transaction. */
  plainMsPerRequest: number;
  txMsPerRequest: number;
  /** $ per million records (bench/cost.ts perMillionRecords). */
  usd: { plain: ReturnType<typeof perMillionRecords>; transaction: ReturnType<typeof perMillionRecords>; plainStep: ReturnType<typeof perMillionRecords>; transactionalStep: ReturnType<typeof perMillionRecords> };
}

export async function runTransactions(env: BenchEnv, maxMs = 15_000): Promise<ScenarioOutput> {
  const random = rng(424242);
  const batch = (tag: string) =>
    Array.from({ length: PARTITIONS }, (_, p) => eventBatch(PER_PARTITION, VALUE_BYTES, `${tag}-${p}`, random).map((r) => ({ ...r, partition: p }))).flat();

  // Plain: the same 100 records in one produce request.
  const plainTopic = await env.createTopic(PARTITIONS, {}, 'tx-plain');
  await env.call('POST', `/v1/topics/${plainTopic}/records`, { records: batch('warm') });
  const plainBodies = Array.from({ length: 30 }, (_, i) => JSON.stringify({ records: batch(`p${i}`) }));
  const plainBefore = env.meter.snapshot();
  const plainLoop = await sequentialLoop(plainBodies.length, maxMs / 3, async (i) => {
    await env.call('POST', `/v1/topics/${plainTopic}/records`, plainBodies[i]);
  });
  const plainTally = env.meter.since(plainBefore);
  const plain = billed(plainTally);
  const plainWruPerRecord = plain.wru / (plainLoop.completed * RECORDS);

  // Transactional: one producer, sequences 0, 1, 2, … as the SDK numbers them.
  const txTopic = await env.createTopic(PARTITIONS, {}, 'tx');
  const init = (await env.call('POST', '/v1/producers')).body as { producerId: string; producerEpoch: number };
  let sequence = 0;
  const txBody = (records: unknown[], extra: object = {}) =>
    JSON.stringify({ records, producerId: init.producerId, producerEpoch: init.producerEpoch, sequence: sequence++, ...extra });
  await env.call('POST', '/v1/transactions', txBody(batch('warm').map((r) => ({ ...r, topic: txTopic }))));
  const txRecords = Array.from({ length: 200 }, (_, i) => batch(`t${i}`).map((r) => ({ ...r, topic: txTopic })));
  const sequential: number[] = [];
  let commands: string[] = [];
  let failed = 0;
  const txBefore = env.meter.snapshot();
  const txLoop = await sequentialLoop(txRecords.length, maxMs / 2, async (i) => {
    const m = await env.spans.measure(() => env.call('POST', '/v1/transactions', txBody(txRecords[i]!)));
    sequential.push(m.sequential);
    if (i === 0) commands = m.commands;
    if (m.result.status !== 200) failed++;
  });
  const txTally = env.meter.since(txBefore);
  const tx = billed(txTally);
  const perTransaction = (t: Tally, n: number) => Object.fromEntries(Object.entries(t.byCommand).map(([c, v]) => [c, { calls: round(v.calls / n, 2), reportedUnits: round(v.capacityUnits / n, 2), ...(c === 'TransactWriteItems' ? { billedUnits: round(v.billedTransactUnits / n, 2) } : {}) }]));
  const txWruPerRecord = tx.wru / (txLoop.completed * RECORDS);
  const lat = summarize(txLoop.latenciesMs);

  const transform = await runTransform(env, batch, txBody, maxMs / 3);
  const { FUNCTION_AREAS } = await import('../../cdk/function-areas');
  const mean = (xs: number[]) => (xs.length === 0 ? Number.NaN : xs.reduce((a, x) => a + Math.max(1, Math.ceil(x)), 0) / xs.length);
  const plainMsPerRequest = mean(plainLoop.latenciesMs);
  const txMsPerRequest = mean(txLoop.latenciesMs);
  const txMb = FUNCTION_AREAS.transactions.memorySize;
  const usd = {
    plain: perMillionRecords({ wruPerRecord: plainWruPerRecord, rruPerRecord: plain.rru / (plainLoop.completed * RECORDS), requestsPerRecord: 1 / RECORDS, billedMsPerRecord: plainMsPerRequest / RECORDS, memoryMb: FUNCTION_AREAS.produce.memorySize }),
    transaction: perMillionRecords({ wruPerRecord: txWruPerRecord, rruPerRecord: tx.rru / (txLoop.completed * RECORDS), requestsPerRecord: 1 / RECORDS, billedMsPerRecord: txMsPerRequest / RECORDS, memoryMb: txMb }),
    // A step is two requests (poll + produce or transaction) for TRANSFORM_BATCH input records.
    plainStep: perMillionRecords({ wruPerRecord: transform.plainWruPerRecord, rruPerRecord: transform.plainRruPerRecord, requestsPerRecord: 2 / TRANSFORM_BATCH, billedMsPerRecord: transform.plainMsPerRecord, memoryMb: FUNCTION_AREAS.groups.memorySize }),
    transactionalStep: perMillionRecords({ wruPerRecord: transform.txWruPerRecord, rruPerRecord: transform.txRruPerRecord, requestsPerRecord: 2 / TRANSFORM_BATCH, billedMsPerRecord: transform.txMsPerRecord, memoryMb: txMb }),
  };

  const f: TransactionFigures = {
    plainWruPerRecord: round(plainWruPerRecord, 4),
    txWruPerRecord: round(txWruPerRecord, 4),
    txRruPerRecord: round(tx.rru / (txLoop.completed * RECORDS), 4),
    ratio: round(txWruPerRecord / plainWruPerRecord, 3),
    medianSequential: percentile(sequential, 50),
    maxSequential: Math.max(0, ...sequential),
    commands,
    byCommandPerRequest: { plain: perTransaction(plainTally, plainLoop.completed), transaction: perTransaction(txTally, txLoop.completed) },
    p50Ms: lat.p50Ms,
    p99Ms: lat.p99Ms,
    transactions: txLoop.completed,
    failed,
    transform,
    plainMsPerRequest: round(plainMsPerRequest, 2),
    txMsPerRequest: round(txMsPerRequest, 2),
    usd,
  };
  const shape = `${PARTITIONS} partitions × ${PER_PARTITION} records of ${VALUE_BYTES} B`;
  const checks: Row[] = [
    row(
      'transactions',
      `transactional produce (${shape}): billed WRU per record ÷ plain produce's`,
      f.ratio,
      '×',
      ['<=', 2.2],
      `${f.txWruPerRecord} vs ${f.plainWruPerRecord} WRU/record, TransactWriteItems billed at 2 × each item's 1 KB units and its index entry's (estimated from the items sent; Local does not report it). Expected below 2: the batch items (and the producer state) are written transactionally at twice the units, the per-partition offset reservations are plain updates as in a produce; 2.2 leaves room for the producer-state item a plain produce does not write`,
    ),
    row(
      'transactions',
      `transactional produce (${shape}): sequential DynamoDB round trips per request (median)`,
      f.medianSequential,
      'round trips',
      ['<=', 3],
      `max ${f.maxSequential}; calls of one request: ${f.commands.join(', ')}. Expected 3: the reservations in parallel, the strong read of the producer state, one TransactWriteItems`,
    ),
    row('transactions', 'transactional produce: requests that failed', f.failed, 'requests', ['=', 0]),
    row(
      'transactions',
      `consume-transform-produce, ${TRANSFORM_BATCH} records a step: billed WRU + RRU per input record ÷ the plain (at-least-once) step's`,
      round(transform.txUnitsPerRecord / transform.plainUnitsPerRecord, 3),
      '×',
      ['<=', 2.2],
      `${transform.txUnitsPerRecord} vs ${transform.plainUnitsPerRecord} units/record (${transform.txWruPerRecord} WRU + ${transform.txRruPerRecord} RRU); transactional: group poll + one transaction with the records and the offset; plain: group poll committing the previous offset + plain produce. The writes at most double (transactional factor), the poll's reads do not` +
        (transform.failed > 0 ? `; ${transform.failed} steps FAILED` : ''),
    ),
    row(
      'transactions',
      `transactional produce (${shape}): modelled $ per million records`,
      usd.transaction.total,
      '$',
      ['<=', round(2.2 * usd.plain.total, 4)],
      `plain produce of the same records: $${usd.plain.total} (${round(usd.transaction.total / usd.plain.total, 2)} ×). DynamoDB writes $${usd.transaction.components.dynamoWrites} vs $${usd.plain.components.dynamoWrites}; one API Gateway request and Lambda invocation per ${RECORDS} records; Lambda time = in-process handler time (${f.txMsPerRequest} vs ${f.plainMsPerRequest} ms per request) at ${txMb} vs ${FUNCTION_AREAS.produce.memorySize} MB. Target: 2.2 × plain, as for the units`,
    ),
    row(
      'transactions',
      `consume-transform-produce, ${TRANSFORM_BATCH} records a step: modelled $ per million input records`,
      usd.transactionalStep.total,
      '$',
      ['<=', round(2.2 * usd.plainStep.total, 4)],
      `plain (at-least-once) step: $${usd.plainStep.total} (${round(usd.transactionalStep.total / usd.plainStep.total, 2)} ×); two requests per step of ${TRANSFORM_BATCH} records (poll + transaction or produce)`,
    ),
  ];
  const rows: TableRow[] = [
    { scenario: 'transactions', variant: `plain produce ${PARTITIONS}×${PER_PARTITION}×${VALUE_BYTES}B`, wruPerRecord: f.plainWruPerRecord, note: 'one produce request with the same 100 records' },
    {
      scenario: 'transactions',
      variant: `transaction ${PARTITIONS}×${PER_PARTITION}×${VALUE_BYTES}B`,
      recordsPerSec: round(((txLoop.completed - failed) * RECORDS * 1000) / txLoop.elapsedMs, 1),
      p50Ms: f.p50Ms,
      p99Ms: f.p99Ms,
      wruPerRecord: f.txWruPerRecord,
      rruPerRecord: f.txRruPerRecord,
      note: `billed (TransactWriteItems: 2 × each item's units); ${f.medianSequential} sequential round trips`,
    },
    { scenario: 'transactions', variant: `transform step ${TRANSFORM_BATCH} records, transactional`, wruPerRecord: transform.txWruPerRecord, rruPerRecord: transform.txRruPerRecord, note: 'group poll + transaction with the offset' },
  ];
  return {
    key: 'transactions',
    json: f,
    rows,
    checks,
    notes: [
      'transactions: DynamoDB bills each item of a TransactWriteItems twice (prepare and commit; https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/transaction-apis.html); DynamoDB Local reports neither that nor the items\' sizes for a multi-item transaction, so the bench bills each TransactWriteItems at 2 × the 1 KB write units of every item sent and of its global secondary index entry (bench/capacity.ts transactWriteBilledUnits; the plain half of that estimate equals what Local reports for a plain put of the same item, test/bench/capacity.test.ts).',
    ],
  };
}

interface Poll {
  memberId: string;
  memberEpoch: number;
  assignment: { topic: string; partitions: number[] }[];
  records: unknown[];
  positions: { topic: string; partition: number; offset: number }[];
}

/** One group member on a 1-partition input topic; each step polls 25 records and writes 25 outputs. */
async function runTransform(
  env: BenchEnv,
  batch: (tag: string) => { value: unknown; partition: number }[],
  txBody: (records: unknown[], extra?: object) => string,
  maxMs: number,
): Promise<TransactionFigures['transform']> {
  const input = await env.createTopic(1, {}, 'tx-in');
  const output = await env.createTopic(PARTITIONS, {}, 'tx-out');
  const steps = 20;
  // Inputs for both runs (plain first, then transactional), 100 records a request.
  for (let i = 0; i < (2 * steps * TRANSFORM_BATCH) / RECORDS + 1; i++) {
    await env.call('POST', `/v1/topics/${input}/records`, { records: batch(`in${i}`).map(({ value }) => ({ value, partition: 0 })) });
  }
  const group = `${input}-g`;
  let member = { memberId: `${group}-m`, memberEpoch: 0, owned: [] as Poll['assignment'] };
  const poll = async (commit?: { topic: string; partition: number; offset: number }[]): Promise<Poll> => {
    const res = await env.call('POST', `/v1/groups/${group}/poll`, {
      memberId: member.memberId,
      memberEpoch: member.memberEpoch,
      topics: [input],
      owned: member.owned,
      sessionTimeoutMs: 60_000,
      maxRecords: TRANSFORM_BATCH,
      maxWaitMs: 0,
      offsetReset: 'earliest',
      ...(commit === undefined ? {} : { commit }),
    });
    const body = res.body as Poll;
    member = { memberId: body.memberId, memberEpoch: body.memberEpoch, owned: body.assignment };
    return body;
  };
  for (let i = 0; i < 10 && !member.owned.some((a) => a.partitions.length > 0); i++) await poll();
  const next = (p: Poll) => p.positions.filter((x) => x.topic === input);
  const outputs = (p: Poll) => p.records.map((_, i) => ({ topic: output, partition: i % PARTITIONS, value: { type: 'STRING', data: 'x'.repeat(VALUE_BYTES) } }));

  // Plain, at least once: each poll commits what the previous step produced.
  let failed = 0;
  let plainRecords = 0;
  let pending: { topic: string; partition: number; offset: number }[] | undefined;
  const plainBefore = env.meter.snapshot();
  const plainLoop = await sequentialLoop(steps, maxMs / 2, async () => {
    const p = await poll(pending);
    plainRecords += p.records.length;
    const res = await env.call('POST', `/v1/topics/${output}/records`, { records: outputs(p).map(({ partition, value }) => ({ partition, value })) });
    if (res.status !== 200 || p.records.length === 0) failed++;
    pending = next(p);
  });
  const plain = billed(env.meter.since(plainBefore));
  await poll(pending); // the last plain step's commit, outside the figures

  let txRecords = 0;
  const txBefore = env.meter.snapshot();
  const loop = await sequentialLoop(steps, maxMs / 2, async () => {
    const p = await poll();
    txRecords += p.records.length;
    const res = await env.call('POST', '/v1/transactions', txBody(outputs(p), { groupCommit: { groupId: group, memberId: member.memberId, memberEpoch: member.memberEpoch, offsets: next(p) } }));
    if (res.status !== 200 || p.records.length === 0) failed++;
  });
  const tx = billed(env.meter.since(txBefore));
  const ms = (xs: number[]) => xs.reduce((a, x) => a + Math.max(1, Math.ceil(x)), 0);
  return {
    plainUnitsPerRecord: round((plain.wru + plain.rru) / Math.max(1, plainRecords), 4),
    plainWruPerRecord: round(plain.wru / Math.max(1, plainRecords), 4),
    plainRruPerRecord: round(plain.rru / Math.max(1, plainRecords), 4),
    plainMsPerRecord: round(ms(plainLoop.latenciesMs) / Math.max(1, plainRecords), 4),
    txMsPerRecord: round(ms(loop.latenciesMs) / Math.max(1, txRecords), 4),
    txUnitsPerRecord: round((tx.wru + tx.rru) / Math.max(1, txRecords), 4),
    txWruPerRecord: round(tx.wru / Math.max(1, txRecords), 4),
    txRruPerRecord: round(tx.rru / Math.max(1, txRecords), 4),
    steps: loop.completed,
    failed,
  };
}

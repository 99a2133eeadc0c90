/**
 * The cost model: what 1 million records of 1 KB, written once and read once,
 * cost on AWS (us-east-1, on-demand list prices, no free tiers), computed
 * from what this run measured — capacity units (ConsumedCapacity), requests,
 * request and response sizes, handler wall time — next to published peer
 * prices for the same work. Every price carries its source; every assumption
 * is listed in ASSUMPTIONS and printed with the results.
 */
import { row, type Row } from './report';
import type { CellResult } from './scenarios/http-produce';
import type { LogBytes } from './scenarios/logs';
import { round } from './stats';

/** When the prices below were looked up (the run date of the first full run that used them). */
export const PRICE_DATE = '2026-11-25';
export const REGION = 'us-east-1 (US East, N. Virginia)';

const GIB = 1024 ** 3;
const HOURS_PER_MONTH = 730;
const DAYS_PER_MONTH = 30.4;

export interface Source {
  id: string;
  what: string;
  url: string;
  note?: string;
}

export const SOURCES: Source[] = [
  {
    id: 'ddb',
    what: 'DynamoDB on-demand: $0.625 per million WRU, $0.125 per million RRU, storage $0.25/GB-month',
    url: 'https://aws.amazon.com/dynamodb/pricing/on-demand/',
    note: 'us-east-1 on-demand rates since November 2024',
  },
  {
    id: 'pitr',
    what: 'DynamoDB continuous backups (PITR): $0.20 per GB-month of table size',
    url: 'https://finops.com.py/services/dynamodb/backups',
    note: 'billing model: https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/backup-restore-billing.html',
  },
  {
    id: 'apigw',
    what: 'API Gateway HTTP API: $1.00 per million requests (first 300 M), metered in 512 KB increments',
    url: 'https://docs.aws.amazon.com/whitepapers/latest/best-practices-api-gateway-private-apis-integration/cost-optimization.html',
    note: 'price table: https://aws.amazon.com/api-gateway/pricing/',
  },
  {
    id: 'apigw-ws',
    what: 'API Gateway WebSocket APIs: $1.00 per million messages sent or received (first 1 billion/month; $0.80 above), metered in 32 KB increments; $0.25 per million connection minutes',
    url: 'https://aws.amazon.com/api-gateway/pricing/',
    note: 'the page renders its rate table dynamically (its text: "pay for messages transferred and connection minutes", "messages are metered in 32 KB increments"); the us-east-1 rates are the AWS Price List usage types USE1-ApiGatewayMessage and USE1-ApiGatewayMinute as quoted in public cost tooling',
  },
  {
    id: 'scheduler',
    what: 'EventBridge Scheduler: $1.00 per million scheduled invocations after 14 million free per month (what a subscription retry or linger wake-up would cost on AWS)',
    url: 'https://aws.amazon.com/eventbridge/pricing/',
    note: 'AWS Price List (AWSEvents, "ScheduledInvocation": "$0 for the first 14 million scheduled invocations", then per million; $1.25 in Tokyo)',
  },
  {
    id: 'lambda',
    what: 'Lambda arm64: $0.0000133334 per GB-second (first 7.5 billion GB-s/month), $0.20 per million requests',
    url: 'https://aws.amazon.com/lambda/pricing/',
    note: 'the page renders its rate table dynamically; the arm64 rate is quoted from https://cloudchipr.com/blog/aws-lambda-pricing (US East, N. Virginia)',
  },
  {
    id: 'logs',
    what: 'CloudWatch Logs (standard class): ingestion $0.50/GB, storage $0.03/GB-month',
    url: 'https://c3x.dev/blog/cloudwatch-logs-cost-optimization',
    note: 'price page: https://aws.amazon.com/cloudwatch/pricing/',
  },
  {
    id: 'lambda-logs',
    what: 'Lambda JSON log format: platform.start and platform.report lines per invocation at system log level INFO',
    url: 'https://docs.aws.amazon.com/lambda/latest/dg/monitoring-cloudwatchlogs-logformat.html',
  },
  {
    id: 'egress',
    what: 'Data transfer out from AWS to the internet: $0.09 per GB (first 10 TB/month; the first 100 GB/month of an account are free), also for API Gateway responses',
    url: 'https://aws.amazon.com/ec2/pricing/on-demand/#Data_Transfer',
    note: 'API Gateway: "data transfer out is charged at the EC2 data transfer rates" (https://aws.amazon.com/api-gateway/pricing/)',
  },
  {
    id: 'xray',
    what: 'X-Ray: $5.00 per million traces recorded; default sampling 1 request/s + 5 % of the rest',
    url: 'https://aws.amazon.com/xray/pricing/',
    note: 'sampling rule: https://docs.aws.amazon.com/xray/latest/devguide/xray-console-sampling.html',
  },
  {
    id: 'kinesis',
    what: 'Kinesis Data Streams on-demand (Standard): $0.04 per stream-hour, $0.08/GB ingested (each record rounded up to 1 KB), $0.04/GB retrieved, 24 h retention included',
    url: 'https://aws.amazon.com/kinesis/data-streams/pricing/',
    note: 'the page renders its rate table dynamically; rates as hard-coded for us-east-1 (2025) in public cost tooling (functions/analyzers/cost/pricing/kinesis.py, found via code search)',
  },
  {
    id: 'kinesis-adv',
    what: 'Kinesis On-demand Advantage: no per-stream charge, ingest/retrieval/extended retention "at least 60% lower" than On-demand Standard; account-level mode with a minimum-throughput billing commitment, positioned for ≥ 10 MiB/s aggregate',
    url: 'https://docs.aws.amazon.com/streams/latest/dev/how-do-i-size-a-stream.html',
    note: 'https://aws.amazon.com/blogs/big-data/amazon-kinesis-data-streams-launches-on-demand-advantage-for-instant-throughput-increases-and-streaming-at-scale',
  },
  {
    id: 'sqs',
    what: 'SQS standard: $0.40 per million requests (first 100 B/month), each 64 KB chunk of a payload billed as one request; batches of up to 10 messages',
    url: 'https://cloudburn.io/blog/amazon-sqs-pricing',
    note: 'price page: https://aws.amazon.com/sqs/pricing/ (US East, March 2026)',
  },
  {
    id: 'msk',
    what: 'MSK Serverless: $0.75 per cluster-hour, $0.0015 per partition-hour, $0.10/GiB in, $0.05/GiB out, $0.10/GiB-month storage',
    url: 'https://gist.github.com/EverettBerry/d24aa940ad43c313803248cea6366682',
    note: 'billing dimensions: https://aws.amazon.com/msk/pricing/ (cluster-hours, partition-hours, data in/out, storage)',
  },
];

export const PRICES = {
  wruPerMillion: 0.625,
  rruPerMillion: 0.125,
  storagePerGibMonth: 0.25,
  pitrPerGibMonth: 0.2,
  apiGatewayPerMillion: 1.0,
  wsMessagesPerMillion: 1.0,
  wsMessageUnitBytes: 32 * 1024,
  wsConnectionMinutesPerMillion: 0.25,
  schedulerPerMillion: 1.0,
  lambdaArmPerGbSecond: 0.0000133334,
  lambdaRequestsPerMillion: 0.2,
  logsIngestPerGib: 0.5,
  logsStoragePerGibMonth: 0.03,
  xrayPerMillionTraces: 5.0,
  egressPerGb: 0.09,
  kinesis: { streamHour: 0.04, inPerGib: 0.08, outPerGib: 0.04, recordRoundingBytes: 1024 },
  /** "At least 60 % lower" per GB: an upper bound. */
  kinesisAdvantageFactor: 0.4,
  sqs: { perMillion: 0.4, chunkBytes: 64 * 1024, batch: 10 },
  msk: { clusterHour: 0.75, partitionHour: 0.0015, inPerGib: 0.1, outPerGib: 0.05, storagePerGibMonth: 0.1 },
};

export const ASSUMPTIONS = {
  records: 1_000_000,
  recordBytes: 1024,
  /** Topic default retention.ms (7 days) + the TTL margin (1 day) + TTL deletion lag ("typically within a few days": 2). */
  retentionDaysStored: 7 + 1 + 2,
  /** Keys-only-ish GSI entry per batch (pk, sk, o, n, ra, mt + 100 B index overhead). */
  gsiBytesPerBatch: 200,
  /** PITR is on for both tables in the stack (lib/storage/schema.ts). */
  pitr: true,
  logRetentionMonths: 1,
  /** Active tracing, default sampling: the 1 req/s reservoir is ignored (it matters only at low rates). */
  xraySampleRate: 0.05,
  /** An idle consumer long-polls with the maximum wait: requests per hour = 3600 / 20. */
  idleLongPollWaitSeconds: 20,
  /** Peers with an hourly charge: the work done within one hour (stream/cluster deleted after) vs a stream/cluster kept all month. */
  burstHours: 1,
  mskPartitions: 1,
};

export const ASSUMPTION_TEXT: string[] = [
  `Work: ${ASSUMPTIONS.records.toLocaleString('en-US')} records of ${ASSUMPTIONS.recordBytes} B JSON, written once by producers sending batches of the stated size, read once by one sequential consumer with fetch defaults (maxRecords 10,000, maxBytes 1 MiB). Region ${REGION}, list prices of ${PRICE_DATE}, no free tiers. Data transfer is its own line (egress, below); the peers are compared without it (it applies to every option alike).`,
  'DynamoDB capacity: measured ConsumedCapacity of this run for the same cells (produce: counter, batch item, index entry, topic read; read: partition view, index, batch Query, cursor writes).',
  'API Gateway: one billed request per 512 KB of the larger of request and response body (the response side is conservative; AWS meters "requests in 512 KB increments").',
  'Lambda duration: handler wall time measured on this machine against DynamoDB Local — a PROXY for billed duration (AWS DynamoDB latency, Lambda CPU share at 512 MB and cold starts differ) — each invocation rounded up to 1 ms, at the configured memory (cdk/function-areas.ts), arm64 price. Init (cold start) time is not included: with steady traffic few instances start.',
  `Storage: the items this run's engine writes (bytes per record measured from the built items, + 100 B per item + ${ASSUMPTIONS.gsiBytesPerBatch} B of index entry per batch), kept ${ASSUMPTIONS.retentionDaysStored} days (7-day default retention + 1 day TTL margin + ~2 days until TTL deletes), as a fraction of a ${DAYS_PER_MONTH}-day month.`,
  `Point-in-time recovery: on (as the stack deploys it), $0.20 per GB-month of the same table size.`,
  `CloudWatch Logs: the bytes the handlers log per request, measured (the logs scenario: the structured request line and the EMF metric lines of the deployed Telemetry), plus Lambda's JSON platform lines per invocation (start + report at INFO, counted from lines in the documented format), $0.50/GB ingested + $0.03/GB-month for a ${ASSUMPTIONS.logRetentionMonths}-month retention.`,
  'Egress: the measured response bytes of every produce and fetch request, at the internet data-transfer-out rate ($0.09/GB; the account\'s free 100 GB/month ignored). Clients inside the same region reading over a private path pay no transfer; the line is shown so that the bill of internet clients is complete.',
  `X-Ray: active tracing with the default rule, ${ASSUMPTIONS.xraySampleRate * 100} % of invocations traced at $5.00 per million (the 1 req/s reservoir and the 100k/month free traces ignored).`,
  'Compression: gzip rows use topic compression.type gzip; the ratio is measured on this run\'s JSON records (bench/data.ts jsonDoc: ids, timestamps, order lines, free text) and stated per row.',
  `Idle consumers are NOT free: a long poll keeps a handler busy for its whole wait. Per idle consumer-hour: 3,600 s × function memory in GB-s + ${3600 / ASSUMPTIONS.idleLongPollWaitSeconds} requests (at ${ASSUMPTIONS.idleLongPollWaitSeconds} s waits) + the measured capacity of the re-checks (see the idle rows).`,
  `Peers with an hourly charge are shown twice: the work done within ${ASSUMPTIONS.burstHours} h with the stream/cluster existing only then, and the stream/cluster kept for a ${HOURS_PER_MONTH}-hour month. Kinesis keeps 24 h of data at no charge (Samsa's storage line covers 10 days); SQS is a queue (no replay, one consumer group per queue); MSK Serverless with ${ASSUMPTIONS.mskPartitions} partition, 7 days of storage.`,
];

export interface Memory {
  produceMb: number;
  fetchMb: number;
  groupsMb: number;
}

export interface SamsaCost {
  recordsPerRequest: number;
  batchKb: number;
  codec: string;
  compressionRatio: number;
  produceRequests: number;
  fetchRequests: number;
  components: {
    dynamoWrites: number;
    dynamoReads: number;
    storage: number;
    pitr: number;
    apiGateway: number;
    lambdaRequests: number;
    lambdaCompute: number;
    logs: number;
    egress: number;
    xray: number;
  };
  total: number;
  hourlyCharge: number;
  inputs: Record<string, number>;
}

/** The modelled bill of 1 M × 1 KB written and read once, for one measured 1 KB cell (with its read-back). */
export function samsaCost(cell: CellResult, memory: Memory, logBytes: LogBytes): SamsaCost | undefined {
  const rb = cell.readBack;
  if (cell.skipped !== undefined || rb === undefined || cell.wruPerRecord === undefined || cell.raw === undefined) return undefined;
  const N = ASSUMPTIONS.records;
  const b = cell.recordsPerRequest;
  const produceRequests = Math.ceil(N / b);
  const fetchRequests = Math.ceil(N / Math.max(1, rb.recordsPerFullFetch));
  const invocations = produceRequests + fetchRequests;
  const gbSeconds =
    produceRequests * ((cell.billedMsPerRequest ?? 0) / 1000) * (memory.produceMb / 1024) + N * (rb.billedMsPerRecord / 1000) * (memory.fetchMb / 1024);
  const storedGib = (N * cell.raw.storedBytesPerRecord + produceRequests * ASSUMPTIONS.gsiBytesPerBatch) / GIB;
  const monthsStored = ASSUMPTIONS.retentionDaysStored / DAYS_PER_MONTH;
  const logGib =
    (produceRequests * logBytes.produce + fetchRequests * logBytes.fetch + invocations * logBytes.platformPerInvocation) / GIB;
  const egressGb = (produceRequests * (cell.responseBytes ?? Number.NaN) + fetchRequests * rb.responseBytesPerFetch) / 1e9;
  const components = {
    dynamoWrites: (N * (cell.wruPerRecord + rb.wruPerRecord) * PRICES.wruPerMillion) / 1e6,
    dynamoReads: (N * ((cell.rruPerRecord ?? 0) + rb.rruPerRecord) * PRICES.rruPerMillion) / 1e6,
    storage: storedGib * monthsStored * PRICES.storagePerGibMonth,
    pitr: ASSUMPTIONS.pitr ? storedGib * monthsStored * PRICES.pitrPerGibMonth : 0,
    apiGateway: ((produceRequests * (cell.apiGatewayUnitsPerRequest ?? 1) + fetchRequests * rb.apiGatewayUnitsPerFullFetch) * PRICES.apiGatewayPerMillion) / 1e6,
    lambdaRequests: (invocations * PRICES.lambdaRequestsPerMillion) / 1e6,
    lambdaCompute: gbSeconds * PRICES.lambdaArmPerGbSecond,
    logs: logGib * (PRICES.logsIngestPerGib + PRICES.logsStoragePerGibMonth * ASSUMPTIONS.logRetentionMonths),
    egress: egressGb * PRICES.egressPerGb,
    xray: (invocations * ASSUMPTIONS.xraySampleRate * PRICES.xrayPerMillionTraces) / 1e6,
  };
  const total = Object.values(components).reduce((a, x) => a + x, 0);
  return {
    recordsPerRequest: b,
    batchKb: round((b * cell.recordBytes) / 1024, 1),
    codec: cell.codec,
    compressionRatio: cell.compressionRatio ?? 1,
    produceRequests,
    fetchRequests,
    components: Object.fromEntries(Object.entries(components).map(([k, v]) => [k, round(v, 5)])) as SamsaCost['components'],
    total: round(total, 4),
    hourlyCharge: 0,
    inputs: {
      produceWruPerRecord: cell.wruPerRecord,
      produceRruPerRecord: cell.rruPerRecord ?? 0,
      fetchRruPerRecord: rb.rruPerRecord,
      fetchWruPerRecord: rb.wruPerRecord,
      produceBilledMsPerRequest: cell.billedMsPerRequest ?? 0,
      fetchBilledMsPerRecord: rb.billedMsPerRecord,
      recordsPerFetch: rb.recordsPerFullFetch,
      apiGatewayUnitsPerProduce: cell.apiGatewayUnitsPerRequest ?? 1,
      apiGatewayUnitsPerFetch: rb.apiGatewayUnitsPerFullFetch,
      storedBytesPerRecord: cell.raw.storedBytesPerRecord,
      lambdaGbSeconds: round(gbSeconds, 2),
      logBytesPerProduce: logBytes.produce + logBytes.platformPerInvocation,
      logBytesPerFetch: logBytes.fetch + logBytes.platformPerInvocation,
      responseBytesPerProduce: cell.responseBytes ?? Number.NaN,
      responseBytesPerFetch: rb.responseBytesPerFetch,
    },
  };
}

export interface PeerCost {
  name: string;
  /** The same work done within `burstHours`, the hourly resource existing only then. */
  burst: number;
  /** The same work in a month with the stream/cluster/queue kept all month. */
  month: number;
  /** Fixed charge per month of existence, whatever the volume. */
  fixedPerMonth: number;
  /** Volume-proportional price per million 1 KB records. */
  perMillion: number;
  note: string;
  source: string;
}

export function peerCosts(): PeerCost[] {
  const N = ASSUMPTIONS.records;
  const k = PRICES.kinesis;
  const kinesisGib = (N * Math.ceil(ASSUMPTIONS.recordBytes / k.recordRoundingBytes) * k.recordRoundingBytes) / GIB;
  const kPerM = kinesisGib * (k.inPerGib + k.outPerGib);
  const dataGib = (N * ASSUMPTIONS.recordBytes) / GIB;
  const m = PRICES.msk;
  const mskPerM = dataGib * (m.inPerGib + m.outPerGib + m.storagePerGibMonth * (7 / DAYS_PER_MONTH));
  const mskHourly = m.clusterHour + m.partitionHour * ASSUMPTIONS.mskPartitions;
  const sqsRequests = 3 * Math.ceil(N / PRICES.sqs.batch) * Math.ceil((PRICES.sqs.batch * ASSUMPTIONS.recordBytes) / PRICES.sqs.chunkBytes);
  const sqsPerM = (sqsRequests * PRICES.sqs.perMillion) / 1e6;
  const h = ASSUMPTIONS.burstHours;
  return [
    {
      name: 'Kinesis Data Streams on-demand (Standard)',
      burst: round(kPerM + k.streamHour * h, 4),
      month: round(kPerM + k.streamHour * HOURS_PER_MONTH, 4),
      fixedPerMonth: round(k.streamHour * HOURS_PER_MONTH, 2),
      perMillion: round(kPerM, 4),
      note: `${round(kinesisGib, 3)} GiB in + out; $${k.streamHour}/stream-hour`,
      source: 'kinesis',
    },
    {
      name: 'Kinesis On-demand Advantage (≥ 60 % off per GB, bound)',
      burst: round(kPerM * PRICES.kinesisAdvantageFactor, 4),
      month: round(kPerM * PRICES.kinesisAdvantageFactor, 4),
      fixedPerMonth: 0,
      perMillion: round(kPerM * PRICES.kinesisAdvantageFactor, 4),
      note: 'no stream-hour; account-level mode with a minimum-throughput commitment (for ≥ 10 MiB/s aggregate), so not for low volume',
      source: 'kinesis-adv',
    },
    {
      name: 'SQS standard, batches of 10',
      burst: round(sqsPerM, 4),
      month: round(sqsPerM, 4),
      fixedPerMonth: 0,
      perMillion: round(sqsPerM, 4),
      note: `${sqsRequests.toLocaleString('en-US')} requests (send, receive, delete batches); a queue, not a log: no replay, one consumer group`,
      source: 'sqs',
    },
    {
      name: 'MSK Serverless',
      burst: round(mskPerM + mskHourly * h, 4),
      month: round(mskPerM + mskHourly * HOURS_PER_MONTH, 4),
      fixedPerMonth: round(mskHourly * HOURS_PER_MONTH, 2),
      perMillion: round(mskPerM, 4),
      note: `$${m.clusterHour}/cluster-hour + ${ASSUMPTIONS.mskPartitions} partition; ${round(dataGib, 3)} GiB in, out, 7 days stored`,
      source: 'msk',
    },
  ];
}

/** Monthly volume (millions of 1 KB records) above which `peer` is cheaper than Samsa at `samsaPerMillion`; undefined if never or always. */
export function breakEvenMillions(samsaPerMillion: number, peer: PeerCost): number | undefined {
  if (samsaPerMillion <= peer.perMillion) return undefined;
  return round(peer.fixedPerMonth / (samsaPerMillion - peer.perMillion), 1);
}

/** What one consumer costs per hour while it long-polls an idle partition. */
export function idleConsumerPerHour(memoryMb: number, rruPerSecond: number, wruPerSecond: number, logBytesPerRequest: number) {
  const polls = 3600 / ASSUMPTIONS.idleLongPollWaitSeconds;
  const parts = {
    lambdaCompute: 3600 * (memoryMb / 1024) * PRICES.lambdaArmPerGbSecond,
    requests: (polls * (PRICES.apiGatewayPerMillion + PRICES.lambdaRequestsPerMillion)) / 1e6,
    capacity: (3600 * (rruPerSecond * PRICES.rruPerMillion + wruPerSecond * PRICES.wruPerMillion)) / 1e6,
    logs: (polls * logBytesPerRequest * PRICES.logsIngestPerGib) / GIB,
  };
  const perHour = Object.values(parts).reduce((a, x) => a + x, 0);
  return {
    perHour: round(perHour, 5),
    perMonth: round(perHour * HOURS_PER_MONTH, 2),
    parts: Object.fromEntries(Object.entries(parts).map(([key, v]) => [key, round(v, 6)])),
  };
}

export const MONTH_HOURS = HOURS_PER_MONTH;

export interface IdleInput {
  fetch: { rruPerSecond: number; wruPerSecond: number };
  groupPoll: { rruPerSecond: number; wruPerSecond: number };
}

/** The `cost` section of the results: Samsa per measured 1 KB cell, peers, break-evens, idle consumers, verdict. */
export function buildCost(cells: CellResult[], memory: Memory, idle: IdleInput | undefined, logBytes: LogBytes) {
  const samsa = cells
    .filter((c) => c.recordBytes === 1024)
    .map((c) => samsaCost(c, memory, logBytes))
    .filter((c): c is SamsaCost => c !== undefined)
    .sort((a, b) => (a.codec === b.codec ? a.recordsPerRequest - b.recordsPerRequest : a.codec === 'none' ? -1 : 1));
  const peers = peerCosts();
  const breakEven = samsa.flatMap((c) =>
    peers
      .filter((p) => p.fixedPerMonth > 0)
      .map((p) => ({ recordsPerRequest: c.recordsPerRequest, codec: c.codec, peer: p.name, millionsPerMonth: breakEvenMillions(c.total, p) })),
  );
  const idleConsumer =
    idle === undefined
      ? undefined
      : {
          fetch: idleConsumerPerHour(memory.fetchMb, idle.fetch.rruPerSecond, idle.fetch.wruPerSecond, logBytes.fetch + logBytes.platformPerInvocation),
          groupPoll: idleConsumerPerHour(memory.groupsMb, idle.groupPoll.rruPerSecond, idle.groupPoll.wruPerSecond, logBytes.poll + logBytes.platformPerInvocation),
        };
  const h = samsa.find((c) => c.recordsPerRequest === 64 && c.codec === 'none');
  const hz = samsa.find((c) => c.recordsPerRequest === 64 && c.codec === 'gzip');
  const one = samsa.find((c) => c.recordsPerRequest === 1 && c.codec === 'none');
  const kinesis = peers[0] as PeerCost;
  const adv = peers[1] as PeerCost;
  const sqs = peers[2] as PeerCost;
  const msk = peers[3] as PeerCost;
  const perSecond = (millionsPerMonth: number) => (millionsPerMonth * 1e6) / (HOURS_PER_MONTH * 3600);
  const verdict: string[] = [];
  if (h !== undefined) {
    const beK = breakEvenMillions(h.total, kinesis);
    const beKz = hz === undefined ? undefined : breakEvenMillions(hz.total, kinesis);
    const beM = breakEvenMillions(h.total, msk);
    verdict.push(
      `Cheaper at low and bursty volume, and idle: at 64 KB batches Samsa costs ${usd(h.total)} per million 1 KB records (${usd(hz?.total)} with gzip JSON) and nothing per hour, so a topic that is idle most of the month costs only its stored bytes. A Kinesis on-demand stream costs ${usd(kinesis.fixedPerMonth)}/month just to exist and MSK Serverless ${usd(msk.fixedPerMonth)}/month: Samsa is cheaper below ${beK === undefined ? 'any volume' : `${Math.round(beK).toLocaleString('en-US')} M records/month (≈ ${Math.round(perSecond(beK))} records/s sustained)`} than Kinesis${beKz === undefined ? '' : ` (${Math.round(beKz).toLocaleString('en-US')} M/month with gzip)`}, and below ${beM === undefined ? 'any volume' : `${Math.round(beM).toLocaleString('en-US')} M/month`} than MSK Serverless.`,
    );
    if (hz !== undefined) {
      verdict.push(
        `Compressed JSON: topic compression gzip makes Samsa ×${round(h.total / hz.total, 1)} cheaper on this JSON (payload ×${hz.compressionRatio} smaller; DynamoDB bills stored bytes). Kinesis bills each record rounded up to 1 KB, so compressing 1 KB records one by one saves nothing there (only client-side aggregation does).`,
      );
    }
    verdict.push(
      `Not cheaper at sustained high volume: Kinesis on-demand's volume price is ${usd(kinesis.perMillion)} per million 1 KB records in + out (${usd(PRICES.kinesis.inPerGib + PRICES.kinesis.outPerGib)}/GiB) against Samsa's ${usd(h.total)}, dominated by DynamoDB's 1 WRU per started KB written (${usd(h.components.dynamoWrites)}); above the break-even Kinesis wins, and On-demand Advantage (≤ ${usd(adv.perMillion)}/M, no stream charge, but a minimum-throughput commitment for ≥ 10 MiB/s) wins at every volume it is sold for. SQS is cheaper per message (${usd(sqs.perMillion)}/M batched) but is a queue: no replay, no offsets, one consumer group per queue.`,
    );
  }
  if (one !== undefined) {
    verdict.push(
      `Batch at the client: one record per request costs ${usd(one.total)} per million — every request pays API Gateway (${usd(one.components.apiGateway)}), Lambda (${usd(one.components.lambdaRequests + one.components.lambdaCompute)}), logs and X-Ray (${usd(one.components.logs + one.components.xray)}), and a single 1 KB record costs ${round(one.inputs.produceWruPerRecord ?? 0, 2)} WRU (counter 1, item 2 with its metadata, index entry 1: ${usd(one.components.dynamoWrites)}).`,
    );
  }
  if (idleConsumer !== undefined) {
    verdict.push(
      `Long-polling consumers are not free when idle: a consumer long-polling an empty partition without pause costs ≈ ${usd(idleConsumer.fetch.perMonth)}/month (${usd(idleConsumer.groupPoll.perMonth)} with a group poll), because the handler is busy for the whole wait — ${Math.round((idleConsumer.fetch.perMonth / kinesis.fixedPerMonth) * 100)} % of a Kinesis on-demand stream's fixed charge, per consumer. Near-zero idle cost needs consumers that wait on WebSocket notifications instead (priced above, under *Consumers that wait on notifications*) or back off between empty polls.`,
    );
  }
  return {
    priceDate: PRICE_DATE,
    region: REGION,
    prices: PRICES,
    sources: SOURCES,
    assumptions: ASSUMPTION_TEXT,
    assumptionValues: ASSUMPTIONS,
    memoryMb: { produce: memory.produceMb, fetch: memory.fetchMb, groups: memory.groupsMb },
    logBytes,
    samsa,
    peers,
    breakEven,
    idleConsumer,
    headline: h === undefined ? undefined : { variant: '64×1KB none', total: h.total, gzipTotal: hz?.total, hourlyCharge: 0 },
    verdict,
  };
}

function usd(x: number | undefined): string {
  if (x === undefined || !Number.isFinite(x)) return '–';
  return x >= 100 ? `$${Math.round(x).toLocaleString('en-US')}` : x >= 1 ? `$${x.toFixed(2)}` : `$${x.toFixed(3)}`;
}

export type CostModel = ReturnType<typeof buildCost>;

/** The model's rows: the headline bill (with its target) and what an idle long-polling consumer costs. */
export function costRows(cost: CostModel): Row[] {
  const rows: Row[] = [];
  const h = cost.headline;
  rows.push(
    row('cost', 'modelled AWS bill, 1 M × 1 KB records written and read once, 64 KB batches', h?.total ?? Number.NaN, '$', ['<=', 1], h?.gzipTotal === undefined ? undefined : `gzip JSON: $${h.gzipTotal}; no hourly charge`),
  );
  for (const c of cost.samsa) {
    rows.push(row('cost', `modelled bill per 1 M × 1 KB, ${c.recordsPerRequest} records/request, ${c.codec}`, c.total, '$', undefined, `logs $${c.components.logs}, egress $${c.components.egress}`));
  }
  if (cost.idleConsumer !== undefined) {
    rows.push(
      row('cost', 'one consumer long-polling an idle partition without pause (fetch), per month', cost.idleConsumer.fetch.perMonth, '$', undefined, 'the handler is busy for the whole wait'),
      row('cost', 'one group member long-polling idle partitions without pause, per month', cost.idleConsumer.groupPoll.perMonth, '$'),
    );
  }
  return rows;
}

/** One way of doing some work, per record, as measured: DynamoDB units, requests, billed handler time. */
export interface PerRecordUse {
  wruPerRecord: number;
  rruPerRecord: number;
  /** HTTP API requests (and Lambda invocations) per record. */
  requestsPerRecord: number;
  /** Billed Lambda milliseconds per record (handler wall time, proxy for billed duration). */
  billedMsPerRecord: number;
  memoryMb: number;
}

/**
 * $ per million records of a measured way of working: DynamoDB units, one API
 * Gateway request and one Lambda invocation per request, Lambda GB-s (logs,
 * egress, X-Ray left out: the same per request whichever way). Used for the
 * transactional produce and the consume-transform-produce step beside their
 * plain counterparts (bench/scenarios/transactions.ts).
 */
export function perMillionRecords(u: PerRecordUse) {
  const N = 1e6;
  const components = {
    dynamoWrites: (N * u.wruPerRecord * PRICES.wruPerMillion) / 1e6,
    dynamoReads: (N * u.rruPerRecord * PRICES.rruPerMillion) / 1e6,
    apiGateway: (N * u.requestsPerRecord * PRICES.apiGatewayPerMillion) / 1e6,
    lambdaRequests: (N * u.requestsPerRecord * PRICES.lambdaRequestsPerMillion) / 1e6,
    lambdaCompute: ((N * u.billedMsPerRecord) / 1000) * (u.memoryMb / 1024) * PRICES.lambdaArmPerGbSecond,
  };
  const total = Object.values(components).reduce((a, x) => a + x, 0);
  return { total: round(total, 4), components: Object.fromEntries(Object.entries(components).map(([k, v]) => [k, round(v, 4)])) as typeof components };
}

/**
 * Webhook delivery throughput and cost: a push subscription delivering a
 * topic to a local HTTP receiver (answers 200, counts records and bytes).
 *
 * How: the subscription is created, then RECORDS records of 1 KB are
 * produced (100 a request) with no delivery running, then the delivery
 * handler the Lambda runs (functions/subscriptions/stream-handler.ts) is
 * invoked with wake-up events, one run after another, until the receiver has
 * every record — so the timed window and the metered DynamoDB units are the
 * delivery's alone (no produce, no fan-out in them). Each run is one Lambda
 * invocation with the run's wall time as billed duration.
 * On AWS each settled stream batch also invokes the function once (one
 * Query of the topic's subscriptions, 0.5 RRU, then a run or a wake-up for
 * the run in progress); the cost adds that per produced batch.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { deliveryHandler } from '../../functions/subscriptions/stream-handler';
import { fetchTransport, type DeliveryPorts } from '../../lib/subscriptions/ports';
import { summarizeTally } from '../capacity';
import { eventBatch, rng } from '../data';
import type { BenchEnv } from '../env';
import { PUSH_MEMORY_MB, billedMs, priceUsage, type Usage } from '../push-cost';
import { PRICES } from '../cost';
import { round } from '../stats';
import type { LogBytes } from './logs';

const RECORDS = 2_000;
const PER_REQUEST = 100;
const RECORD_BYTES = 1024;

export interface WebhookFigures {
  records: number;
  delivered: number;
  runs: number;
  elapsedMs: number;
  recordsPerSec: number;
  posts: number;
  postedBytes: number;
  rruPerRecord: number;
  wruPerRecord: number;
  usdPerMillion: number;
  parts: Record<string, number>;
}

export async function measureWebhook(env: BenchEnv, logs: LogBytes): Promise<WebhookFigures> {
  let received = 0;
  const receiver: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { records?: unknown[] };
      received += body.records?.length ?? 0;
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', () => r()));
  try {
    const port = (receiver.address() as AddressInfo).port;
    const topic = await env.createTopic(1, {}, 'push-hook');
    const dlq = await env.createTopic(1, {}, 'push-hook-dlq');
    const name = `${topic}-sub`;
    const created = await env.call('POST', '/v1/subscriptions', { name, topic, endpoint: `http://127.0.0.1:${port}/hook`, deadLetterTopic: dlq });
    if (created.status !== 201 && created.status !== 200) throw new Error(`create subscription: HTTP ${created.status} ${JSON.stringify(created.body)}`);
    const random = rng(1717);
    for (let i = 0; i < RECORDS / PER_REQUEST; i++) {
      const res = await env.call('POST', `/v1/topics/${topic}/records`, { records: eventBatch(PER_REQUEST, RECORD_BYTES, `hook-${i}`, random) });
      if (res.status !== 200) throw new Error(`produce: HTTP ${res.status}`);
    }

    let posts = 0;
    let postedBytes = 0;
    const ports: DeliveryPorts = {
      transport: {
        post: (req) => {
          posts++;
          postedBytes += Buffer.byteLength(req.body);
          return fetchTransport.post(req);
        },
      },
      scheduler: { wakeAt: async () => undefined },
    };
    const handle = deliveryHandler(env.lib, ports, 25_000);
    const runMs: number[] = [];
    const before = env.meter.snapshot();
    const t0 = performance.now();
    for (let i = 0; i < 50 && received < RECORDS; i++) {
      const s = performance.now();
      await handle({ subscription: name });
      runMs.push(performance.now() - s);
    }
    const elapsedMs = performance.now() - t0;
    const units = summarizeTally(env.meter.since(before));
    const n = Math.max(1, received);
    const batches = RECORDS / PER_REQUEST;
    // Per million records: the runs measured, plus one stream-triggered invocation with its Query per produced batch.
    const scale = 1e6 / n;
    const usage: Usage = {
      httpRequests: 0,
      wsMessages: 0,
      lambda: [{ invocations: (runMs.length + batches) * scale, billedMs: (billedMs(runMs) + batches) * scale, memoryMb: PUSH_MEMORY_MB.delivery }],
      rru: (units.rru + 0.5 * batches) * scale,
      wru: units.wru * scale,
      logBytes: (runMs.length + batches) * scale * logs.platformPerInvocation,
    };
    const priced = priceUsage(usage);
    const egress = ((postedBytes * scale) / 1e9) * PRICES.egressPerGb;
    return {
      records: RECORDS,
      delivered: received,
      runs: runMs.length,
      elapsedMs: round(elapsedMs, 1),
      recordsPerSec: round((received * 1000) / elapsedMs, 1),
      posts,
      postedBytes,
      rruPerRecord: round(units.rru / n, 4),
      wruPerRecord: round(units.wru / n, 4),
      usdPerMillion: round(priced.total + egress, 4),
      parts: { ...Object.fromEntries(Object.entries(priced.parts).map(([k, v]) => [k, round(v, 5)])), egress: round(egress, 5) },
    };
  } finally {
    await new Promise<void>((r) => receiver.close(() => r()));
  }
}

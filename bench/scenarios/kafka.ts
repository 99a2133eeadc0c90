/**
 * Scenario kafka: the Kafka gateway (kafka/server.ts, as npm start runs it)
 * over the bench's metered lib context, driven by KafkaJS, beside the HTTP
 * rows. SASL/PLAIN with the bench principal's API key, so ACLs apply as over
 * HTTP.
 *  - produce: one KafkaJS producer (acks -1, no compression) sends batches of
 *    `recordsPerBatch` records of 100 B to a one-partition topic, one send in
 *    flight: records/s and WRU/RRU per record.
 *  - fetch: a KafkaJS consumer group of one member reads the topic from the
 *    beginning until it has every record: records/s (from its first record to
 *    its last) and RRU/WRU per record, including the group's own traffic
 *    (join, sync, heartbeats, offset commits) while it consumes.
 */
import { randomUUID } from 'node:crypto';
import { Kafka, logLevel } from 'kafkajs';
import { ApiKeyAuthenticator } from '../../lib/auth/authenticate';
import { startKafkaGateway } from '../../kafka/server';
import { summarizeTally } from '../capacity';
import { markAllowance, WRITE_FLOOR_100x100 } from './produce';
import { eventValue, rng } from '../data';
import type { BenchEnv } from '../env';
import { row, type Row, type ScenarioOutput, type TableRow } from '../report';
import { round, summarize } from '../stats';

const VALUE_BYTES = 100;

export async function runKafka(env: BenchEnv, p: { records: number; recordsPerBatch: number }): Promise<ScenarioOutput> {
  const keys = new ApiKeyAuthenticator(env.lib, 0);
  const gateway = await startKafkaGateway(env.lib, { port: 0, authenticate: (key: string) => keys.authenticate(key) });
  const apiKey = (env.authHeaders.authorization ?? '').replace(/^Bearer /, '');
  const kafka = new Kafka({
    clientId: 'samsa-bench',
    brokers: [`127.0.0.1:${gateway.port}`],
    logLevel: logLevel.NOTHING,
    sasl: { mechanism: 'plain', username: 'bench', password: apiKey },
    retry: { retries: 3, initialRetryTime: 100 },
  });
  const topic = await env.createTopic(1, {}, 'kafka');
  const random = rng(9092);
  const batches = Math.ceil(p.records / p.recordsPerBatch);
  const messages = Array.from({ length: batches }, (_, b) =>
    Array.from({ length: p.recordsPerBatch }, (_, i) => ({ value: eventValue(VALUE_BYTES, `k-${b}-${i}`, random) })),
  );
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  const consumer = kafka.consumer({ groupId: `bench-kafka-${randomUUID().slice(0, 8)}`, sessionTimeout: 30_000, heartbeatInterval: 3_000, maxWaitTimeInMs: 100 });
  try {
    await producer.connect();
    await producer.send({ topic, acks: -1, messages: [{ value: 'warm-up' }] }); // metadata and connection, not measured
    const latencies: number[] = [];
    const produceBefore = env.meter.snapshot();
    const produceStart = performance.now();
    for (const batch of messages) {
      const t0 = performance.now();
      await producer.send({ topic, acks: -1, messages: batch });
      latencies.push(performance.now() - t0);
    }
    const produceMs = performance.now() - produceStart;
    const produced = summarizeTally(env.meter.since(produceBefore));
    const records = batches * p.recordsPerBatch;
    const lat = summarize(latencies);

    const total = records + 1;
    let consumed = 0;
    let firstAt = 0;
    let lastAt = 0;
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    const consumeBefore = env.meter.snapshot();
    const t0 = performance.now();
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`kafka: consumed ${consumed} of ${total} records in 120 s`)), 120_000);
      void consumer
        .run({
          eachBatch: async ({ batch }) => {
            if (consumed === 0) firstAt = performance.now();
            consumed += batch.messages.length;
            lastAt = performance.now();
            if (consumed >= total) {
              clearTimeout(timer);
              resolve();
            }
          },
        })
        .catch(reject);
    });
    const joinMs = firstAt - t0;
    const consumeMs = Math.max(1, lastAt - firstAt);
    const fetched = summarizeTally(env.meter.since(consumeBefore));
    const result = {
      records,
      recordsPerBatch: p.recordsPerBatch,
      valueBytes: VALUE_BYTES,
      produce: {
        recordsPerSec: round((records / produceMs) * 1000, 1),
        p50MsPerSend: lat.p50Ms,
        p99MsPerSend: lat.p99Ms,
        wruPerRecord: round(produced.wru / records, 5),
        rruPerRecord: round(produced.rru / records, 5),
        callsPerSend: round(produced.roundTrips / batches, 2),
      },
      fetch: {
        records: consumed,
        msToFirstRecord: round(joinMs, 1),
        recordsPerSec: round((consumed / consumeMs) * 1000, 1),
        rruPerRecord: round(fetched.rru / consumed, 5),
        wruPerRecord: round(fetched.wru / consumed, 5),
      },
    };
    const checks: Row[] = [
      row(
        'kafka',
        `KafkaJS produce ${p.recordsPerBatch}×${VALUE_BYTES}B through the gateway: WRU/record`,
        result.produce.wruPerRecord,
        'WRU',
        ['<=', round(WRITE_FLOOR_100x100 + markAllowance(produceMs, records), 5)],
        `same target as the HTTP produce of 100×100B: its write floor ${WRITE_FLOOR_100x100} + one activity mark per QUIET_MS of the ${round(produceMs / 1000, 2)} s produce, per record`,
      ),
      row('kafka', `KafkaJS consumer group reading ${consumed.toLocaleString('en-US')} records of ${VALUE_BYTES} B through the gateway: RRU/record`, result.fetch.rruPerRecord, 'RRU', ['<=', 0.015], `${result.fetch.wruPerRecord} WRU/record (offset commits, heartbeats); first record after ${result.fetch.msToFirstRecord} ms (join and sync)`),
    ];
    const rows: TableRow[] = [
      { scenario: 'kafka', variant: `KafkaJS produce ${p.recordsPerBatch}×${VALUE_BYTES}B, acks -1`, recordsPerSec: result.produce.recordsPerSec, p50Ms: lat.p50Ms, p99Ms: lat.p99Ms, rruPerRecord: result.produce.rruPerRecord, note: `${result.produce.callsPerSend} DynamoDB calls per send` },
      { scenario: 'kafka', variant: 'KafkaJS consumer group fetch', recordsPerSec: result.fetch.recordsPerSec },
    ];
    return { key: 'kafka', json: { via: 'kafka/server.ts startKafkaGateway on the bench lib context, KafkaJS 2 with SASL/PLAIN', ...result }, rows, checks, notes: [] };
  } finally {
    await consumer.disconnect().catch(() => undefined);
    await producer.disconnect().catch(() => undefined);
    await gateway.close();
  }
}

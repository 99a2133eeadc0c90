/**
 * Checker clients that speak Kafka: KafkaJS producers (a client nobody here
 * wrote) talking to a Kafka gateway that runs on one of the stack's handler
 * instances — so its DynamoDB faults, clock skew and crash points hit the
 * gateway too — recording the same `send` ops as the HTTP producers. The
 * lost-write, duplicate, offset and order analyses therefore cover records
 * that came in through the Kafka door, and the HTTP group consumers and
 * fetchers read them (poll-skip and commit analyses cover their delivery).
 *
 * - Plain (`kplain`): KafkaJS with retries off, so each value is sent in one
 *   request only (a retry could legitimately store it twice); any error is
 *   `info` — KafkaJS does not say whether a request that failed was stored.
 * - Idempotent (`kidem`): KafkaJS's idempotent producer with its own
 *   retries, which resend the batch under the same sequence, so the
 *   gateway's deduplication is what keeps a retried batch single. An error
 *   after its retries is `info`, and the producer is then replaced by a new
 *   one (a new producer id): KafkaJS would give the next batch the same
 *   sequence as the one that may have been stored, which the server would
 *   answer as that batch's retry.
 * Acknowledged offsets are the partition's base offset + i: a Kafka batch
 * is appended at consecutive offsets, and the analyses check that against
 * what reads return.
 */
import { Kafka, logLevel, type Producer } from 'kafkajs';
import type { SendOp } from '../history';
import { sleep } from './api';
import { Client, type ClientContext } from './client';
import type { ProduceTarget } from './producers';

export class KafkaJsProducer extends Client {
  private readonly kafka: Kafka;
  /** Incremented per KafkaJS producer instance (each takes a new producer id when idempotent). */
  private incarnation = 0;

  constructor(
    name: string,
    ctx: ClientContext,
    private readonly target: ProduceTarget,
    bootstrap: string,
    private readonly idempotent: boolean,
  ) {
    super(name, ctx);
    this.kafka = new Kafka({
      clientId: name,
      brokers: [bootstrap],
      logLevel: logLevel.NOTHING,
      connectionTimeout: 3_000,
      requestTimeout: 10_000,
      retry: idempotent ? { retries: 3, initialRetryTime: 100, maxRetryTime: 1_000 } : { retries: 0 },
    });
  }

  async run(): Promise<void> {
    let producer: Producer | undefined;
    while (!this.ctx.stopped()) {
      if (producer === undefined) {
        producer = await this.connect();
        if (producer === undefined) {
          await sleep(200);
          continue;
        }
      }
      const partition = this.ctx.random.int(this.target.partitions);
      const values = Array.from({ length: 1 + this.ctx.random.int(4) }, () => this.nextValue());
      // KafkaJS's idempotent producer requires acks=all; the plain one also tries acks=1.
      const acks = !this.idempotent && this.ctx.random.chance(0.3) ? 1 : -1;
      const complete = this.ctx.history.invoke<SendOp>({
        f: 'send',
        process: this.name,
        topic: this.target.name,
        partition,
        values,
        // KafkaJS keeps its producer id and sequences to itself; the incarnation tells instances apart.
        ...(this.idempotent ? { producer: { id: `kafkajs-${this.name}-${this.incarnation}`, epoch: 0, seq: -1 } } : {}),
      });
      try {
        const [meta] = await producer.send({ topic: this.target.name, acks, messages: values.map((value) => ({ partition, value })) });
        const base = Number(meta?.baseOffset ?? Number.NaN);
        if (meta === undefined || meta.partition !== partition || meta.errorCode !== 0 || !Number.isSafeInteger(base)) {
          complete({ outcome: 'info', error: `unexpected answer ${JSON.stringify(meta)}` });
        } else complete({ outcome: 'ok', offsets: values.map((_, i) => base + i) });
      } catch (err) {
        complete({ outcome: 'info', error: kafkaErrorName(err) });
        if (this.idempotent) {
          await producer.disconnect().catch(() => undefined);
          producer = undefined;
        }
      }
      await sleep(this.ctx.random.int(40));
    }
    await producer?.disconnect().catch(() => undefined);
  }

  private async connect(): Promise<Producer | undefined> {
    const producer = this.kafka.producer({ idempotent: this.idempotent, allowAutoTopicCreation: false, ...(this.idempotent ? { maxInFlightRequests: 1 } : {}) });
    try {
      await producer.connect();
      this.incarnation++;
      return producer;
    } catch {
      await producer.disconnect().catch(() => undefined);
      return undefined;
    }
  }
}

/** KafkaJS's error type (e.g. UNKNOWN_SERVER_ERROR), or its class name. */
function kafkaErrorName(err: unknown): string {
  const e = err as { type?: string; name?: string; cause?: { type?: string; name?: string } };
  return e.cause?.type ?? e.cause?.name ?? e.type ?? e.name ?? 'error';
}

/**
 * Producers on shared partitions, one request in flight each.
 * - PlainProducer: non-idempotent; never resends a value (a retry could
 *   legitimately duplicate it), so any value seen twice is a duplicate.
 *   Now and then it sends one ~400 KB record, stored as chunks + manifest
 *   (so the `produce.afterChunks` crash point is reached too); the padding
 *   follows a '|' and is not part of the value the history records.
 * - IdempotentProducer: producer id + epoch + per-partition sequences;
 *   resends the *same* batch after an unknown outcome (dropped response,
 *   timeout, 5xx) or a retriable refusal, so the server's deduplication is
 *   what keeps it from being stored twice. When it gives up on a batch, it
 *   bumps its epoch and restarts its sequences, as Kafka's producer does.
 */
import type { SendOp } from '../history';
import { sleep, type ApiResult } from './api';
import { Client, type ClientContext } from './client';

export interface ProduceTarget {
  name: string;
  partitions: number;
}

abstract class Producer extends Client {
  constructor(
    name: string,
    ctx: ClientContext,
    protected readonly target: ProduceTarget,
  ) {
    super(name, ctx);
  }

  protected async send(partition: number, values: string[], producer?: SendOp['producer'], padding = 0): Promise<ApiResult> {
    const complete = this.ctx.history.invoke<SendOp>({ f: 'send', process: this.name, topic: this.target.name, partition, values, ...(producer === undefined ? {} : { producer }) });
    const body = {
      ...(producer === undefined ? {} : { producerId: producer.id, producerEpoch: producer.epoch, baseSequences: { [String(partition)]: producer.seq } }),
      records: values.map((data) => ({ partition, value: { type: 'STRING', data: padding > 0 ? `${data}|${'x'.repeat(padding)}` : data } })),
    };
    const res = await this.ctx.api.call('POST', `/v1/topics/${this.target.name}/records`, body);
    const offsets = res.outcome === 'ok' ? (res.body?.records ?? []).map((r: { offset: number }) => r.offset) : undefined;
    complete({ outcome: res.outcome, ...(res.error === undefined ? {} : { error: res.error }), ...(offsets === undefined ? {} : { offsets }) });
    return res;
  }

  protected batch(): { partition: number; values: string[] } {
    const partition = this.ctx.random.int(this.target.partitions);
    return { partition, values: Array.from({ length: 1 + this.ctx.random.int(4) }, () => this.nextValue()) };
  }
}

/** Above lib/log/batch-item.ts MAX_INLINE_PAYLOAD (380 KB), below the default max.message.bytes. */
const LARGE_RECORD_PADDING = 400_000;

export class PlainProducer extends Producer {
  async run(): Promise<void> {
    while (!this.ctx.stopped()) {
      const { partition, values } = this.batch();
      if (this.ctx.random.chance(0.02)) await this.send(partition, values.slice(0, 1), undefined, LARGE_RECORD_PADDING);
      else await this.send(partition, values);
      await sleep(this.ctx.random.int(40));
    }
  }
}

export class IdempotentProducer extends Producer {
  private id = '';
  private epoch = 0;
  private sequences = new Map<number, number>();

  async run(): Promise<void> {
    while (!this.ctx.stopped() && !(await this.init())) await sleep(200);
    while (!this.ctx.stopped()) {
      const { partition, values } = this.batch();
      const seq = this.sequences.get(partition) ?? 0;
      let done = false;
      for (let attempt = 0; attempt < 8 && !done; attempt++) {
        if (attempt > 0) await sleep(Math.min(2_000, 50 * 2 ** attempt));
        const res = await this.send(partition, values, { id: this.id, epoch: this.epoch, seq });
        if (res.outcome === 'ok') {
          this.sequences.set(partition, seq + values.length);
          done = true;
        } else if (res.outcome === 'fail' && res.body?.error?.retriable !== true) {
          break; // refused for good: fence this epoch below (aborted reservations and quotas are retried)
        }
        if (this.ctx.stopped() && !done) break;
      }
      if (!done) while (!(await this.init(this.id)) && !this.ctx.stopped()) await sleep(200);
      await sleep(this.ctx.random.int(40));
    }
  }

  /** A new producer id, or a new epoch of ours (fencing whatever of the old epoch is still in flight). */
  private async init(bump?: string): Promise<boolean> {
    const res = await this.ctx.api.call('POST', '/v1/producers', bump === undefined ? {} : { producerId: bump });
    if (res.outcome !== 'ok') return false;
    this.id = String(res.body.producerId);
    this.epoch = Number(res.body.producerEpoch);
    this.sequences = new Map();
    return true;
  }
}

/** A plain producer at a few records a second (a push subscription's topic: a webhook is slower than a log). */
export class SlowProducer extends Producer {
  async run(): Promise<void> {
    while (!this.ctx.stopped()) {
      const { partition, values } = this.batch();
      await this.send(partition, values);
      await sleep(50 + this.ctx.random.int(150));
    }
  }
}

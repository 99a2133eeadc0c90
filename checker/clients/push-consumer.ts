/**
 * A push consumer: reads every partition of a topic from offset 0, waking on
 * WebSocket notifications (docs/push.md) instead of polling — the protocol
 * the SDK's partition consumer follows: connect to /v1/ws, subscribe to the
 * topic, and on `notify` for a partition whose high watermark is past the
 * position, fetch from the position until caught up. A safety poll reads
 * every partition when no notification came for `safetyPollMs`, so a lost
 * notification only delays. The connection is re-opened (and the topic
 * re-subscribed, with a full catch-up) whenever it closes.
 *
 * Every read is a recorded fetch marked `push`: lost-write, order
 * (nonmonotonic-poll) and poll-skip cover it — its position moves to each
 * fetch's nextOffset, so a fetch that skipped a record loses it for good.
 */
import WebSocket from 'ws';
import { sleep } from './api';
import { Client, type ClientContext } from './client';
import { recordedFetch } from './readers';
import type { ProduceTarget } from './producers';

export interface PushConsumerOptions {
  wsUrl: string;
  target: ProduceTarget;
  safetyPollMs: number;
}

export class PushConsumer extends Client {
  private readonly positions = new Map<number, number>();
  /** Partitions a notification said have records past the position. */
  private readonly due = new Set<number>();
  private wake: (() => void) | undefined;
  private ws: WebSocket | undefined;
  readonly stats = { notifications: 0, notifiedReads: 0, safetyPolls: 0, connects: 0 };

  constructor(
    name: string,
    ctx: ClientContext,
    private readonly options: PushConsumerOptions,
  ) {
    super(name, ctx);
  }

  async run(): Promise<void> {
    const { target, safetyPollMs } = this.options;
    for (let p = 0; p < target.partitions; p++) this.positions.set(p, 0);
    let lastPoll = 0;
    while (!this.ctx.stopped()) {
      if (this.ws === undefined || this.ws.readyState === WebSocket.CLOSED) {
        await this.connect();
        lastPoll = 0; // whatever was notified while disconnected is lost: catch up
      }
      let partitions: number[];
      let safety = false;
      if (this.due.size > 0) {
        this.stats.notifiedReads++;
        partitions = [...this.due];
        this.due.clear();
      } else if (Date.now() - lastPoll >= safetyPollMs) {
        this.stats.safetyPolls++;
        safety = true;
        partitions = [...this.positions.keys()];
      } else {
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, Math.max(10, safetyPollMs - (Date.now() - lastPoll)));
          this.wake = () => {
            clearTimeout(t);
            resolve();
          };
        });
        this.wake = undefined;
        continue;
      }
      for (const p of partitions) await this.catchUp(p);
      // The safety interval counts from the end of a full read (and a notified read restarts it, as the SDK's does).
      if (safety || partitions.length > 0) lastPoll = Date.now();
    }
    this.ws?.terminate();
  }

  /** Fetches from the position until the fetch reaches the high watermark it reports. */
  private async catchUp(partition: number): Promise<void> {
    for (let i = 0; i < 20 && !this.ctx.stopped(); i++) {
      const from = this.positions.get(partition)!;
      const res = await recordedFetch(this.ctx, this.name, this.options.target.name, partition, from, false, true);
      if (res.outcome !== 'ok') {
        await sleep(100);
        return; // the next notification or safety poll tries again
      }
      const { nextOffset, highWatermark } = res.body as { nextOffset: number; highWatermark: number };
      this.positions.set(partition, nextOffset);
      if (nextOffset >= highWatermark) return;
    }
  }

  private async connect(): Promise<void> {
    this.stats.connects++;
    const ws = new WebSocket(this.options.wsUrl);
    this.ws = ws;
    ws.on('message', (data) => {
      let message: { type?: string; topic?: string; partition?: number; highWatermark?: number };
      try {
        message = JSON.parse(String(data));
      } catch {
        return;
      }
      if (message.type !== 'notify' || message.topic !== this.options.target.name || typeof message.partition !== 'number') return;
      this.stats.notifications++;
      if ((message.highWatermark ?? 0) > (this.positions.get(message.partition) ?? 0)) {
        this.due.add(message.partition);
        this.wake?.();
      }
    });
    ws.on('error', () => undefined); // 'close' follows; the loop reconnects
    const opened = await new Promise<boolean>((resolve) => {
      ws.once('open', () => resolve(true));
      ws.once('close', () => resolve(false));
    });
    if (!opened) {
      await sleep(200 + this.ctx.random.int(300));
      return;
    }
    // A refused or unanswered subscribe (an outage) closes the connection: the loop connects again.
    const subscribed = await new Promise<boolean>((resolve) => {
      const t = setTimeout(() => resolve(false), 5_000);
      ws.on('message', (data) => {
        const text = String(data);
        if (!text.includes('"id":"sub"')) return;
        clearTimeout(t);
        resolve(text.includes('"subscribed"'));
      });
      ws.once('close', () => resolve(false));
      ws.send(JSON.stringify({ action: 'subscribe', topic: this.options.target.name, id: 'sub' }));
    });
    if (!subscribed) ws.terminate();
  }
}

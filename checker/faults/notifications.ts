/**
 * The notification nemesis: wraps the fan-out's SendPort (the local
 * PostToConnection) and the fan-out stream handler the checker's stack
 * registers, so production code sees only a port and a handler. When on it
 * drops notifications (reports them sent), delays them, sends them twice,
 * swaps one with the next to the same connection, and kills a fan-out
 * invocation part-way: the sends after a random point are lost and the
 * handler then fails, so the stream retries the batch (duplicates). A
 * notification is only a hint: push consumers must still read everything,
 * in order, within their safety poll.
 */
import type { DynamoDBStreamEvent } from 'aws-lambda';
import type { SendPort } from '../../lib/push/fan-out';
import type { Random } from './random';

export interface NotificationRates {
  drop: number;
  delay: number;
  duplicate: number;
  reorder: number;
  /** Per fan-out invocation. */
  kill: number;
}

export const NO_NOTIFICATION_FAULTS: NotificationRates = { drop: 0, delay: 0, duplicate: 0, reorder: 0, kill: 0 };

type Handler = (event: DynamoDBStreamEvent) => Promise<void>;

export class NotificationChaos {
  rates: NotificationRates = { ...NO_NOTIFICATION_FAULTS };
  readonly fired = { sent: 0, dropped: 0, delayed: 0, duplicated: 0, reordered: 0, killedInvocations: 0, lostToKills: 0 };
  /** One held-back message per connection, sent after the next one (or after a short wait). */
  private readonly held = new Map<string, { data: string; timer: NodeJS.Timeout }>();
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(private readonly random: Random) {}

  /** The SendPort the fan-out gets: every fault but the kill, which needs the invocation (`handler`). */
  wrap(send: SendPort): SendPort {
    return async (connectionId, data) => {
      const r = this.rates;
      if (this.random.chance(r.drop)) {
        this.fired.dropped++;
        return 'sent';
      }
      if (this.random.chance(r.delay)) {
        this.fired.delayed++;
        this.later(100 + this.random.int(1_500), () => send(connectionId, data));
        return 'sent';
      }
      if (this.random.chance(r.reorder) && !this.held.has(connectionId)) {
        this.fired.reordered++;
        const timer = setTimeout(() => this.release(connectionId, send), 300);
        this.held.set(connectionId, { data, timer });
        return 'sent';
      }
      const result = await send(connectionId, data);
      this.fired.sent++;
      if (result === 'sent' && this.random.chance(r.duplicate)) {
        this.fired.duplicated++;
        await send(connectionId, data);
      }
      if (this.held.has(connectionId)) await this.release(connectionId, send); // the held one now arrives after this one
      return result;
    };
  }

  /** The fan-out stream handler, `make(send)` per invocation, killed part-way now and then. */
  handler(make: (send: SendPort) => Handler, send: SendPort): Handler {
    const wrapped = this.wrap(send);
    return async (event) => {
      if (!this.random.chance(this.rates.kill)) return make(wrapped)(event);
      this.fired.killedInvocations++;
      let left = this.random.int(3);
      await make(async (connectionId, data) => {
        if (left-- > 0) return wrapped(connectionId, data);
        this.fired.lostToKills++;
        return 'sent'; // the function is dead: nothing more goes out
      })(event);
      throw new Error('checker: fan-out invocation killed part-way');
    };
  }

  /** Forgets everything still held or delayed (lost, as any notification may be), for closing the stack. */
  stop(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    for (const { timer } of this.held.values()) clearTimeout(timer);
    this.held.clear();
  }

  private async release(connectionId: string, send: SendPort): Promise<void> {
    const h = this.held.get(connectionId);
    if (h === undefined) return;
    clearTimeout(h.timer);
    this.held.delete(connectionId);
    await send(connectionId, h.data).catch(() => 'gone');
  }

  private later(ms: number, f: () => Promise<unknown>): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      void f().catch(() => undefined);
    }, ms);
    this.timers.add(timer);
  }
}

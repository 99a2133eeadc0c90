/**
 * How a linked group member waits between polls (client/group-consumer.ts):
 * on notifications for the partitions it owns instead of a long poll.
 *
 * Behaviour: `sync` keeps one watch per owned partition (subscribing and
 * unsubscribing as the assignment changes). `wait(ms)` resolves when a
 * notification for a watched partition arrived since `armed()` was called
 * (so one that lands while a poll is in flight is not missed), when the
 * socket opened or closed (links and notifications may have changed), when
 * `interrupt()` is called (seek, resume, close), or after `ms` — the safety
 * poll, which is also the member's heartbeat: a lost notification only
 * delays delivery until then, and every record still comes from the poll.
 */
import type { Notifications } from './notifications';

export class GroupWake {
  private readonly watches = new Map<string, () => void>();
  private news = false;
  private wake: (() => void) | undefined;
  private readonly offState: () => void;

  constructor(readonly notifications: Notifications) {
    this.offState = notifications.onStateChange(() => this.interrupt());
  }

  /** Watches exactly these partitions (keys as the consumer's: topic NUL partition). */
  sync(keys: Iterable<string>): void {
    const wanted = new Set(keys);
    for (const [k, stop] of this.watches) {
      if (!wanted.has(k)) {
        stop();
        this.watches.delete(k);
      }
    }
    for (const k of wanted) {
      if (this.watches.has(k)) continue;
      const at = k.indexOf('\u0000');
      this.watches.set(k, this.notifications.watch(k.slice(0, at), Number(k.slice(at + 1)), () => this.interrupt()));
    }
  }

  /** Called as a poll starts: news from now on wakes the next wait. */
  armed(): void {
    this.news = false;
  }

  wait(ms: number): Promise<void> {
    if (this.news) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      const self = this;
      function done() {
        clearTimeout(timer);
        if (self.wake === done) self.wake = undefined;
        resolve();
      }
      this.wake = done;
    });
  }

  interrupt(): void {
    this.news = true;
    this.wake?.();
  }

  close(): void {
    this.offState();
    this.sync([]);
    this.interrupt();
  }
}

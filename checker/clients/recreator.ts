/**
 * Deletes a topic and re-creates it under the same name while producers and
 * fetchers keep using it. The whole cycle (delete until gone, create until
 * it exists) is one history op: anything overlapping it cannot be placed in
 * either incarnation; anything after it must never see the old records.
 */
import type { TopicOp } from '../history';
import { callUntil, sleep } from './api';
import { Client, type ClientContext } from './client';

export class Recreator extends Client {
  enabled = true;

  constructor(
    name: string,
    ctx: ClientContext,
    private readonly topic: { name: string; partitions: number; configs?: Record<string, string> },
    private readonly everyMs: [number, number],
  ) {
    super(name, ctx);
  }

  async run(): Promise<void> {
    const [lo, hi] = this.everyMs;
    for (;;) {
      const wait = lo + this.ctx.random.int(hi - lo);
      for (let t = 0; t < wait && !this.ctx.stopped(); t += 100) await sleep(100);
      if (this.ctx.stopped()) return;
      if (!this.enabled) continue;
      const complete = this.ctx.history.invoke<TopicOp>({ f: 'recreate-topic', process: this.name, topic: this.topic.name });
      const gone = await callUntil(this.ctx.api, 'DELETE', `/v1/topics/${this.topic.name}`, undefined, (r) => r.outcome === 'ok' || r.error === 'UNKNOWN_TOPIC_OR_PARTITION');
      const created = await callUntil(
        this.ctx.api,
        'POST',
        '/v1/topics',
        { name: this.topic.name, partitions: this.topic.partitions, ...(this.topic.configs === undefined ? {} : { configs: this.topic.configs }) },
        (r) => r.outcome === 'ok' || r.error === 'TOPIC_ALREADY_EXISTS',
      );
      const ok = (gone.outcome === 'ok' || gone.error === 'UNKNOWN_TOPIC_OR_PARTITION') && (created.outcome === 'ok' || created.error === 'TOPIC_ALREADY_EXISTS');
      complete({ outcome: ok ? 'ok' : 'info' });
    }
  }
}

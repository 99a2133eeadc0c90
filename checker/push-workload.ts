/**
 * The push part of a run (own stack only): push consumers on the main topic
 * that wake on WebSocket notifications (clients/push-consumer.ts), and a
 * push subscription delivering its own topic to the checker's webhook
 * receiver, dead-lettering to a second topic (clients/webhook.ts). At the
 * end, after the faults are healed, the subscription is drained and the
 * dead-letter topic read with its headers for analyse/webhook.ts.
 */
import { randomBytes } from 'node:crypto';
import type { RunFacts } from './analyse';
import { callUntil, type Api } from './clients/api';
import type { Client, ClientContext } from './clients/client';
import { SlowProducer, type ProduceTarget } from './clients/producers';
import { PushConsumer } from './clients/push-consumer';
import { createSubscription, dlqRead, drainSubscription, WebhookReceiver, type HookSpec } from './clients/webhook';
import type { NemesisTargets } from './faults/nemesis';
import type { Random } from './faults/random';
import type { HistoryRecorder } from './history';
import type { CheckerStack } from './stack/stack';

export interface PushWorkload {
  /** The subscription's source topic: produced, read finally and analysed like every other topic. */
  topic: ProduceTarget & { retention: false };
  targets: Pick<NemesisTargets, 'notifications' | 'webhook'>;
  facts: NonNullable<RunFacts['webhook']>;
  /** Drains the subscription and reads the dead-letter topic; then closes the receiver. */
  finish(log: (line: string) => void): Promise<void>;
  stats(): Record<string, unknown>;
}

const MAX_ATTEMPTS = 3;
const DLQ_PARTITIONS = 1;
/** The end-of-run drain fails when delivery stops moving for 30 s, and ends after 5 minutes in all. */
const DRAIN = { stallMs: 30_000, maxMs: 300_000 };

export async function setupPush(
  stack: CheckerStack,
  api: Api,
  history: HistoryRecorder,
  random: Random,
  runId: string,
  add: (role: string, make: (name: string) => Client) => void,
  ctx: (name: string) => ClientContext,
  pushConsumers: number,
  mainTopic: ProduceTarget,
): Promise<PushWorkload> {
  const push = stack.push!;
  const hook: HookSpec = {
    subscription: `chk-${runId}-sub`,
    topic: `chk-${runId}-hook`,
    deadLetterTopic: `chk-${runId}-dlq`,
    maxAttempts: MAX_ATTEMPTS,
    secret: `whsec_${randomBytes(24).toString('base64url')}`,
  };
  const topic = { name: hook.topic, partitions: 2, retention: false as const };
  for (const [name, partitions] of [[hook.topic, topic.partitions], [hook.deadLetterTopic, DLQ_PARTITIONS]] as const) {
    const res = await callUntil(api, 'POST', '/v1/topics', { name, partitions }, (r) => r.outcome === 'ok' || r.error === 'TOPIC_ALREADY_EXISTS');
    if (res.outcome !== 'ok' && res.error !== 'TOPIC_ALREADY_EXISTS') throw new Error(`could not create topic ${name}: ${res.error}`);
  }
  // The stack's post timeout is 2 s: a hang outlasts it, so a hung post is always a failed attempt.
  const receiver = new WebhookReceiver(history, random.fork('receiver'), hook, 2_500, () => stack.faults.clocks.now());
  await receiver.start();
  await createSubscription(api, hook, receiver.url);

  add('hookplain', (name) => new SlowProducer(name, ctx(name), topic));
  const consumers: PushConsumer[] = [];
  for (let i = 0; i < pushConsumers; i++) {
    add('push', (name) => {
      const c = new PushConsumer(name, ctx(name), { wsUrl: push.wsUrl, target: mainTopic, safetyPollMs: 2_000 });
      consumers.push(c);
      return c;
    });
  }
  let drained: { drained: boolean; state?: unknown; lastRun?: unknown } | undefined;
  return {
    topic,
    targets: { notifications: push.notifications, webhook: receiver },
    facts: { subscription: hook.subscription, topic: hook.topic, deadLetterTopic: hook.deadLetterTopic, maxAttempts: MAX_ATTEMPTS },
    async finish(log) {
      const started = Date.now();
      drained = await drainSubscription(api, push.deliverNow, hook, DRAIN);
      log(`push subscription ${drained.drained ? 'drained' : `NOT drained (${JSON.stringify(drained.state)}; last run: ${JSON.stringify(drained.lastRun)})`} in ${Date.now() - started} ms`);
      for (let p = 0; p < DLQ_PARTITIONS; p++) await dlqRead(api, history, hook.deadLetterTopic, p);
      await receiver.close();
    },
    stats() {
      const sum = (k: keyof PushConsumer['stats']) => consumers.reduce((s, c) => s + c.stats[k], 0);
      return {
        notifications: push.notifications.fired,
        streamErrors: push.streamErrors,
        pushConsumers: { notifications: sum('notifications'), notifiedReads: sum('notifiedReads'), safetyPolls: sum('safetyPolls'), connects: sum('connects') },
        webhook: {
          ...receiver.stats,
          deadLettered: history.ops.reduce((n, op) => n + (op.f === 'dlq-read' && op.outcome === 'ok' ? (op.records?.length ?? 0) : 0), 0),
          drained,
        },
      };
    },
  };
}

/**
 * The nemesis: a fault schedule drawn from the seed (which faults, when, for
 * how long — the same seed gives the same schedule), executed against the
 * checker's stack and clients, and healed completely at the end. Every step
 * is also written to the history, so a report can be read against it.
 */
import type { GroupConsumer } from '../clients/consumer';
import type { Recreator } from '../clients/recreator';
import type { HistoryRecorder } from '../history';
import type { StackFaults } from '../stack/stack';
import { CALM } from './chaos';
import type { WebhookReceiver } from '../clients/webhook';
import { NO_NOTIFICATION_FAULTS, type NotificationChaos } from './notifications';
import type { Random } from './random';

export const FAULTS = [
  'ddb-errors',
  'ddb-lost-responses',
  'slow-settle',
  'stale-reads',
  'index-lag',
  'crash',
  'drop-responses',
  'clock-skew',
  'kill-dynamo',
  'pause-members',
  'kick-members',
  'time-jump',
  'recreate-topic',
  'group-churn',
  'notifications',
  'webhook-errors',
] as const;
export type FaultName = (typeof FAULTS)[number];

export const FAULT_HELP: Record<FaultName, string> = {
  'ddb-errors': 'DynamoDB throttling, ProvisionedThroughputExceeded, 5xx and timeouts before the call reaches the table (SDK middleware)',
  'ddb-lost-responses': 'a DynamoDB write is applied and its response lost (timeout after the write; SDK retries it)',
  'slow-settle': 'batch puts held back past the abort bound (a paused handler resuming), so readers abort their reservation first',
  'stale-reads': 'eventually consistent Queries miss the newest items of a partition',
  'index-lag': 'the byOffset index misses the newest items of a partition',
  crash: 'handlers die at every crash point of lib/log/crash-points.ts',
  'drop-responses': 'the HTTP response is dropped after the handler committed (clients retry)',
  'clock-skew': 'handler instances get different clocks (within maxClockSkewMs)',
  'kill-dynamo': 'DynamoDB Local killed with SIGKILL and restarted on the same port and data directory',
  'pause-members': 'a group member pauses past its session timeout, then resumes as a zombie committing stale offsets — half the time after re-joining under the same member id',
  'kick-members': 'an admin removes a group member (DELETE /v1/groups/{g}/members/{m}); it re-joins under the same member id, then its old incarnation comes back committing and polling with the old epoch',
  'time-jump': 'every handler clock jumps a day ahead: retention expires records and TTL deletes expired items out of order',
  'recreate-topic': 'a topic is deleted and re-created with the same name under load',
  'group-churn': 'members join, leave and die without leaving',
  notifications: 'WebSocket notifications dropped, delayed, duplicated and reordered, and fan-out invocations killed part-way (retried by the stream)',
  'webhook-errors': "the push subscription's webhook receiver answers some posts 503 and some not at all (the sender times out)",
};

/** Faults that need the checker's own stack (they act on its middleware, handlers or DynamoDB process). */
const SERVER_SIDE = new Set<FaultName>(['ddb-errors', 'ddb-lost-responses', 'slow-settle', 'stale-reads', 'index-lag', 'crash', 'drop-responses', 'clock-skew', 'kill-dynamo', 'time-jump', 'notifications', 'webhook-errors']);
const WINDOWED: FaultName[] = ['ddb-errors', 'ddb-lost-responses', 'slow-settle', 'stale-reads', 'index-lag', 'crash', 'drop-responses', 'clock-skew'];

export interface Step {
  at: number;
  fault: FaultName;
  action: 'start' | 'stop' | 'event';
}

export function usableFaults(faults: readonly FaultName[], ownStack: boolean, dynamoKillable: boolean): FaultName[] {
  return faults.filter((f) => (ownStack || !SERVER_SIDE.has(f)) && (f !== 'kill-dynamo' || dynamoKillable));
}

/** The schedule: overlapping windows of 1–3 faults with calm gaps, plus point events. */
export function planFaults(random: Random, durationMs: number, faults: readonly FaultName[], intensity = 1): Step[] {
  const on = new Set(faults);
  const steps: Step[] = [];
  const windowed = WINDOWED.filter((f) => on.has(f));
  for (let t = 500; windowed.length > 0 && t < durationMs - 500; ) {
    const length = 1_500 + random.int(3_500);
    const chosen = new Set(Array.from({ length: 1 + random.int(3) }, () => random.pick(windowed)));
    for (const fault of chosen) {
      steps.push({ at: t, fault, action: 'start' });
      steps.push({ at: Math.min(t + length, durationMs), fault, action: 'stop' });
    }
    t += length + 300 + random.int(1_500);
  }
  if (on.has('kill-dynamo')) {
    const kills = Math.max(1, Math.floor(durationMs / 30_000));
    for (let i = 0; i < kills; i++) steps.push({ at: Math.round(durationMs * (0.15 + 0.7 * random())), fault: 'kill-dynamo', action: 'event' });
  }
  if (on.has('pause-members')) {
    for (let t = (1_000 + random.int(2_000)) / intensity; t < durationMs - 1_000; t += (3_000 + random.int(5_000)) / intensity) steps.push({ at: t, fault: 'pause-members', action: 'event' });
  }
  if (on.has('kick-members')) {
    for (let t = (1_500 + random.int(2_000)) / intensity; t < durationMs - 1_000; t += (4_000 + random.int(6_000)) / intensity) steps.push({ at: t, fault: 'kick-members', action: 'event' });
  }
  if (on.has('time-jump')) steps.push({ at: Math.round(durationMs * 0.4), fault: 'time-jump', action: 'event' });
  for (const f of ['recreate-topic', 'group-churn'] as const) {
    if (on.has(f)) steps.push({ at: 0, fault: f, action: 'start' }, { at: durationMs, fault: f, action: 'stop' });
  }
  // Not stopped: the failing receiver stays failing through the end-of-run drain (see Nemesis.heal).
  if (on.has('webhook-errors')) steps.push({ at: 0, fault: 'webhook-errors', action: 'start' });
  // Drawn after everything else, so adding it left the other faults' schedule of a seed as it was.
  if (on.has('notifications')) {
    for (let t = 1_000; t < durationMs - 1_000; ) {
      const length = 2_000 + random.int(4_000);
      steps.push({ at: t, fault: 'notifications', action: 'start' }, { at: Math.min(t + length, durationMs), fault: 'notifications', action: 'stop' });
      t += length + 1_000 + random.int(3_000);
    }
  }
  return steps.sort((a, b) => a.at - b.at);
}

export interface NemesisTargets {
  stack: StackFaults | undefined;
  consumers: GroupConsumer[];
  recreators: Recreator[];
  churn: { on: boolean };
  abortAfterMs: number;
  maxClockSkewMs: number;
  sessionTimeoutMs: number;
  /** Multiplies every fault probability (capped at 0.5) and the frequency of pauses; 1 by default. */
  intensity: number;
  /** With push on the own stack: the notification nemesis, and the push subscription's receiver. */
  notifications?: NotificationChaos;
  webhook?: WebhookReceiver;
}

export class Nemesis {
  private readonly pending: Promise<unknown>[] = [];
  private healed = false;

  constructor(
    private readonly targets: NemesisTargets,
    private readonly history: HistoryRecorder,
    private readonly random: Random,
  ) {}

  /** Runs the schedule in real time from now; resolves when its last step ran. */
  async run(plan: Step[]): Promise<void> {
    const start = Date.now();
    for (const step of plan) {
      const wait = step.at - (Date.now() - start);
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      this.apply(step.fault, step.action);
    }
  }

  /** Switches every fault off and waits for a restarting DynamoDB. Clocks keep any jump: time never goes back. */
  async heal(): Promise<void> {
    this.healed = true;
    const s = this.targets.stack;
    if (s !== undefined) {
      s.chaos.rates = { ...CALM };
      s.lag.staleItems = 0;
      s.lag.indexLagItems = 0;
      s.crash.probability = 0;
      s.front.dropRate = 0;
      s.clocks.skews.fill(0);
      s.reaper.enabled = false;
    }
    this.targets.churn.on = false;
    if (this.targets.notifications) this.targets.notifications.rates = { ...NO_NOTIFICATION_FAULTS };
    // The webhook receiver's failures are not healed: they are the receiver's behaviour, not the stack's, and most
    // posts happen in the end-of-run drain (stream-triggered delivery lags under load); every batch ends 2xx or dead-lettered.
    for (const r of this.targets.recreators) r.enabled = false;
    await Promise.all(this.pending);
    this.history.event({ f: 'nemesis', process: 'nemesis', fault: 'all', action: 'stop', detail: 'healed' });
  }

  private apply(fault: FaultName, action: Step['action']): void {
    const on = action !== 'stop';
    const t = this.targets;
    const rate = (p: number) => (on ? Math.min(0.5, p * t.intensity) : 0);
    const s = t.stack;
    let detail: string | undefined;
    switch (fault) {
      case 'ddb-errors':
        if (s) s.chaos.rates.before = rate(0.03);
        break;
      case 'ddb-lost-responses':
        if (s) s.chaos.rates.after = rate(0.03);
        break;
      case 'slow-settle':
        if (s) {
          s.chaos.rates.slowSettle = rate(0.1);
          // Lands well after readers may abort the reservation (abort bound + skew).
          s.chaos.rates.slowMs = 2 * (t.abortAfterMs + 2 * t.maxClockSkewMs) + 1_000;
        }
        break;
      case 'stale-reads':
        if (s) s.lag.staleItems = on ? 2 : 0;
        break;
      case 'index-lag':
        if (s) s.lag.indexLagItems = on ? 3 : 0;
        break;
      case 'crash':
        if (s) s.crash.probability = rate(0.05);
        break;
      case 'drop-responses':
        if (s) s.front.dropRate = rate(0.05);
        break;
      case 'clock-skew':
        if (s) {
          for (let i = 0; i < s.clocks.skews.length; i++) s.clocks.skews[i] = on ? Math.round((this.random() - 0.5) * t.maxClockSkewMs) : 0;
          detail = s.clocks.skews.join(',');
        }
        break;
      case 'kill-dynamo':
        if (s) {
          const downMs = 300 + this.random.int(1_500);
          detail = `down ${downMs} ms`;
          this.pending.push(
            s.dynamo.killAndRestart(downMs).then(() => this.history.event({ f: 'nemesis', process: 'nemesis', fault, action: 'event', detail: 'restarted' })),
          );
        }
        break;
      case 'pause-members': {
        // Only a member that owns partitions makes an interesting zombie; wait for one if none does yet.
        // Someone must be left to take its partitions over while it sleeps.
        const awake = t.consumers.filter((c) => !c.paused);
        const live = awake.length < 2 ? [] : awake.filter((c) => c.owns);
        if (live.length === 0 && !this.healed) {
          setTimeout(() => this.apply(fault, action), 500);
          return;
        }
        if (live.length > 0) {
          const victim = this.random.pick(live);
          // Long enough that the member is removed (and its partitions move on) before it resumes.
          victim.pauseMs = Math.round(1.5 * t.sessionTimeoutMs) + this.random.int(1_000);
          detail = `${victim.name} for ${victim.pauseMs} ms`;
        }
        break;
      }
      case 'kick-members': {
        const owning = t.consumers.filter((c) => !c.paused && !c.kickPending && c.owns);
        if (owning.length > 0) {
          const victim = this.random.pick(owning);
          victim.kickPending = true;
          detail = victim.name;
        }
        break;
      }
      case 'time-jump':
        if (s) {
          s.clocks.jumpMs += 25 * 3_600_000;
          s.reaper.enabled = true;
          detail = `+${s.clocks.jumpMs} ms`;
        }
        break;
      case 'recreate-topic':
        for (const r of t.recreators) r.enabled = on;
        break;
      case 'group-churn':
        t.churn.on = on;
        break;
      case 'notifications':
        if (t.notifications) t.notifications.rates = { drop: rate(0.2), delay: rate(0.2), duplicate: rate(0.2), reorder: rate(0.2), kill: rate(0.15) };
        break;
      case 'webhook-errors':
        if (t.webhook) {
          t.webhook.failRate = rate(0.1);
          t.webhook.hangRate = rate(0.03);
        }
        break;
    }
    this.history.event({ f: 'nemesis', process: 'nemesis', fault, action, ...(detail === undefined ? {} : { detail }) });
  }
}

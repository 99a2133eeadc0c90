/**
 * The push-subscription workload: a webhook receiver the checker runs, the
 * subscription that delivers a topic to it, the end-of-run drain, and the
 * final read of the dead-letter topic.
 *
 * The receiver verifies every post's signature with the subscription's
 * secret, records what it got and what it answered (`webhook` ops), and
 * answers 2xx — except: a batch holding a poison value (every value whose
 * counter is ≡ 3 mod 11) always gets 500, so its records must end in the
 * dead-letter topic; and while the nemesis's `webhook-errors` is on, some
 * posts get 503 and some no answer at all (the socket is closed after the
 * sender's post timeout). analyse/webhook.ts checks the result.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { verify } from '../../lib/subscriptions/signature';
import type { DlqReadOp, HistoryRecorder, WebhookOp } from '../history';
import type { Random } from '../faults/random';
import { callUntil, sleep, type Api } from './api';
import { valueOf } from './readers';

/** Values the receiver always refuses. */
export const isPoison = (value: string): boolean => Number(value.split(':').pop()) % 11 === 3;

export interface HookSpec {
  subscription: string;
  topic: string;
  deadLetterTopic: string;
  maxAttempts: number;
  secret: string;
}

export class WebhookReceiver {
  /** Switched by the nemesis (`webhook-errors`). */
  failRate = 0;
  hangRate = 0;
  readonly stats = { posts: 0, ok: 0, poisoned: 0, failed: 0, hung: 0, badSignature: 0 };
  url = '';
  private server: Server | undefined;

  constructor(
    private readonly history: HistoryRecorder,
    private readonly random: Random,
    private readonly hook: HookSpec,
    /** Longer than the sender's post timeout: a hang is a timeout, never a late answer. */
    private readonly hangMs: number,
    /** The handlers' time (a time-jump moves it): signatures are stamped with it. */
    private readonly now: () => number = Date.now,
  ) {}

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => void this.answer(Buffer.concat(chunks).toString('utf8'), String(req.headers['samsa-signature'] ?? ''), res));
    });
    await new Promise<void>((done) => this.server!.listen(0, '127.0.0.1', done));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/hook`;
  }

  private async answer(body: string, signature: string, res: import('node:http').ServerResponse): Promise<void> {
    this.stats.posts++;
    const signed = verify(this.hook.secret, body, signature, Math.floor(this.now() / 1000));
    let parsed: { subscription?: string; topic?: string; partition?: number; records?: { offset: number; value: { type?: string; data: unknown } | null }[] };
    try {
      parsed = JSON.parse(body);
    } catch {
      parsed = {};
    }
    const records = (parsed.records ?? []).map((r) => [r.offset, valueOf(r)] as [number, string]);
    const complete = this.history.invoke<WebhookOp>({
      f: 'webhook',
      process: 'receiver',
      subscription: parsed.subscription ?? '?',
      topic: parsed.topic ?? '?',
      partition: parsed.partition ?? -1,
      records,
      signed,
    });
    let status: number | 'hang';
    if (!signed) {
      this.stats.badSignature++;
      status = 401;
    } else if (records.some(([, v]) => isPoison(v))) {
      this.stats.poisoned++;
      status = 500;
    } else if (this.random.chance(this.hangRate)) {
      this.stats.hung++;
      status = 'hang';
    } else if (this.random.chance(this.failRate)) {
      this.stats.failed++;
      status = 503;
    } else {
      this.stats.ok++;
      status = 200;
    }
    if (status === 'hang') {
      await sleep(this.hangMs);
      res.socket?.destroy();
    } else {
      res.writeHead(status, { 'content-type': 'text/plain' }).end(status === 200 ? 'ok' : 'no');
    }
    complete({ outcome: 'ok', answer: status });
  }

  close(): Promise<void> {
    return new Promise((done) => {
      if (this.server === undefined) return done();
      this.server.close(() => done());
      this.server.closeAllConnections();
    });
  }
}

/** Creates the subscription (before anything is produced to its topic, so it delivers from offset 0). */
export async function createSubscription(api: Api, hook: HookSpec, endpoint: string): Promise<void> {
  const body = {
    name: hook.subscription,
    topic: hook.topic,
    endpoint,
    deadLetterTopic: hook.deadLetterTopic,
    secret: hook.secret,
    // Small batches: a batch with one poison value is dead-lettered whole.
    maxRecords: 3,
    maxAttempts: hook.maxAttempts,
    retryBackoffMs: 100,
  };
  const res = await callUntil(api, 'POST', '/v1/subscriptions', body, (r) => r.outcome === 'ok' || r.error === 'SUBSCRIPTION_ALREADY_EXISTS');
  if (res.outcome !== 'ok' && res.error !== 'SUBSCRIPTION_ALREADY_EXISTS') throw new Error(`could not create subscription ${hook.subscription}: ${res.error}`);
}

/**
 * After the faults are healed: runs delivery until no partition of the subscription has a failing
 * batch and no record is left past its committed offsets (a fetch from there finds none: lag alone
 * would count an aborted tail, which holds no record to commit past). It gives up when delivery makes
 * no progress (no committed offset or attempt count changes) for `stallMs`, or after `maxMs` in all:
 * the backlog the run leaves depends on how fast delivery kept up under the faults (batches of 3 on a
 * loaded DynamoDB Local), so a fixed time would fail a drain that is still moving, while a stall is
 * what this is here to catch. Returns the last state read; what is left undelivered is then reported
 * by webhook-loss.
 */
export async function drainSubscription(
  api: Api,
  deliverNow: (name: string) => Promise<unknown>,
  hook: HookSpec,
  limits: { stallMs: number; maxMs: number },
): Promise<{ drained: boolean; state?: unknown; lastRun?: unknown }> {
  const end = Date.now() + limits.maxMs;
  let state: unknown;
  let lastRun: unknown;
  let progressAt = Date.now();
  let seen = '';
  while (Date.now() < end && Date.now() - progressAt < limits.stallMs) {
    lastRun = await deliverNow(hook.subscription);
    const res = await api.call('GET', `/v1/subscriptions/${hook.subscription}`);
    const parts = res.outcome === 'ok' ? (res.body.partitions as { partition: number; committedOffset: number; lag: number; attempts: number; lastError: string | null }[]) : undefined;
    if (parts !== undefined) {
      state = parts.map((p) => ({ partition: p.partition, committedOffset: p.committedOffset, lag: p.lag, attempts: p.attempts, lastError: p.lastError }));
      const now = JSON.stringify(parts.map((p) => [p.committedOffset, p.attempts]));
      if (now !== seen) {
        seen = now;
        progressAt = Date.now();
      }
      let left = parts.some((p) => p.attempts > 0);
      for (const p of parts) {
        if (left) break;
        const rest = await api.call('GET', `/v1/topics/${hook.topic}/partitions/${p.partition}/records?offset=${Math.max(0, p.committedOffset)}&maxRecords=1&maxWaitMs=0`);
        left = rest.outcome !== 'ok' || (rest.body.records as unknown[]).length > 0;
      }
      if (!left) return { drained: true, state, lastRun };
    }
    await sleep(500);
  }
  return { drained: false, state, lastRun };
}

/** Reads a dead-letter partition from 0 to its high watermark, with every record's headers. */
export async function dlqRead(api: Api, history: HistoryRecorder, topic: string, partition: number): Promise<void> {
  let from = 0;
  for (let attempts = 0; attempts < 100; attempts++) {
    const complete = history.invoke<DlqReadOp>({ f: 'dlq-read', process: 'final', topic, partition });
    const res = await api.call('GET', `/v1/topics/${topic}/partitions/${partition}/records?offset=${from}&maxRecords=500&maxWaitMs=0`);
    if (res.outcome !== 'ok') {
      complete({ outcome: res.outcome, ...(res.error === undefined ? {} : { error: res.error }) });
      await sleep(200);
      continue;
    }
    type WireHeader = { name: string; value: { type: string; data: string } | null };
    const b = res.body as { records: { offset: number; value: { type: string; data: unknown } | null; headers?: WireHeader[] }[]; nextOffset: number; highWatermark: number };
    const records = b.records.map((r) => ({
      offset: r.offset,
      value: valueOf(r),
      headers: Object.fromEntries((r.headers ?? []).map((h) => [h.name, h.value === null ? null : h.value.type === 'BINARY' ? Buffer.from(h.value.data, 'base64').toString('utf8') : String(h.value.data)])),
    }));
    complete({ outcome: 'ok', records, nextOffset: b.nextOffset, highWatermark: b.highWatermark });
    if (b.nextOffset >= b.highWatermark) return;
    from = b.nextOffset;
  }
}

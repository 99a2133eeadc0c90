/**
 * The checker's push workload must be able to fail: a run whose webhook
 * transport reports 200 before the receiver answered (sabotage
 * ackBeforeAnswer: delivery commits batches the receiver refused, so they
 * are neither delivered nor dead-lettered) must report webhook-loss. And a
 * run of the real engine with the notification nemesis and the failing
 * receiver must report nothing, having really delivered, dead-lettered and
 * notified. Both run side by side on the test DynamoDB Local.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { runCheck, type CheckOptions, type CheckResult } from '../../checker/check';

const dir = mkdtempSync(join(tmpdir(), 'samsa-check-push-'));

function check(name: string, seed: number, extra: Partial<CheckOptions>): Promise<CheckResult> {
  return runCheck({
    seed,
    durationMs: 10_000,
    resultsDir: join(dir, name),
    faults: ['notifications', 'webhook-errors'],
    dynamoEndpoint: inject('dynamoEndpoint'),
    instances: 2,
    abortAfterMs: 1_500,
    maxClockSkewMs: 100,
    sessionTimeoutMs: 2_000,
    scale: 0.3,
    intensity: 2,
    kafkaClients: 0,
    log: () => undefined,
    ...extra,
  });
}

const count = (r: CheckResult, name: string) => r.analysis.anomalies.find((a) => a.name === name)!.count;
const push = (r: CheckResult) => (
    r.faultsFired as {
      push: {
        notifications: { dropped: number; delayed: number; duplicated: number; reordered: number };
        pushConsumers: { notifications: number };
        webhook: { ok: number; poisoned: number; deadLettered: number };
      };
    }
  ).push;

let clean: CheckResult;
let acking: CheckResult;
beforeAll(async () => {
  process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
  [clean, acking] = await Promise.all([check('clean', 21, {}), check('ack-before-answer', 22, { sabotage: { ackBeforeAnswer: true } })]);
}, 240_000);

describe('checker self-test: push', () => {
  it('reports nothing for the real engine with notifications dropped, delayed, duplicated, reordered and killed, and a failing webhook', () => {
    expect(clean.analysis.anomalies.filter((a) => a.count > 0), clean.reportPath).toEqual([]);
    expect(clean.analysis.stats.finalRead.missing).toEqual([]);
    const p = push(clean);
    expect(p.webhook.ok, clean.reportPath).toBeGreaterThan(0);
    // Poison records always fail: they must have reached the dead-letter topic (dlq-mismatch checked their headers).
    expect(p.webhook.poisoned, clean.reportPath).toBeGreaterThan(0);
    expect(p.webhook.deadLettered, clean.reportPath).toBeGreaterThan(0);
    expect(p.pushConsumers.notifications, clean.reportPath).toBeGreaterThan(0);
    expect(p.notifications.dropped + p.notifications.delayed + p.notifications.duplicated + p.notifications.reordered, clean.reportPath).toBeGreaterThan(0);
  });

  it('reports webhook-loss when delivery commits batches before the receiver answered', () => {
    expect(count(acking, 'webhook-loss'), acking.reportPath).toBeGreaterThan(0);
    expect(acking.valid).toBe(false);
  });
});

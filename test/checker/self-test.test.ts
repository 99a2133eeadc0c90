/**
 * A checker that cannot fail proves nothing: the real checker, run briefly
 * against deliberately broken engines (a builder set with one storage request
 * or fencing rule broken: checker/sabotage.ts, lib/builders.ts), must report the
 * anomalies each plants — and report zero for the real engine under faults.
 * The sabotaged runs go side by side on the test DynamoDB Local; the clean
 * one follows on its own, which the nemesis can kill.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { runCheck, type CheckOptions, type CheckResult } from '../../checker/check';
import { FAULTS, type FaultName } from '../../checker/faults/nemesis';
import type { Sabotage } from '../../checker/sabotage';

const dir = mkdtempSync(join(tmpdir(), 'samsa-check-'));

function check(name: string, seed: number, faults: FaultName[], extra: Partial<CheckOptions> & { sabotage?: Sabotage } = {}): Promise<CheckResult> {
  return runCheck({
    seed,
    durationMs: 8_000,
    resultsDir: join(dir, name),
    faults,
    dynamoEndpoint: inject('dynamoEndpoint'),
    instances: 2,
    abortAfterMs: 1_500,
    maxClockSkewMs: 100,
    sessionTimeoutMs: 2_000,
    scale: 0.5,
    log: () => undefined,
    // The sabotaged runs plant storage and group anomalies; push (test/checker/push-self-test.test.ts) would only load the machine.
    push: extra.sabotage === undefined,
    ...extra,
  });
}

const count = (r: CheckResult, name: string) => r.analysis.anomalies.find((a) => a.name === name)!.count;

/**
 * A sabotaged run that happened to plant nothing (on a loaded machine a short run makes few
 * operations) proves nothing either way: run again with the next seed, up to three runs. The
 * assertions below still need the checker to report the planted anomalies.
 */
async function checkUntil(
  planted: (r: CheckResult) => boolean,
  name: string,
  seed: number,
  faults: FaultName[],
  extra: Partial<CheckOptions> & { sabotage?: Sabotage },
): Promise<CheckResult> {
  let result = await check(name, seed, faults, extra);
  for (let attempt = 1; attempt < 3 && !planted(result); attempt++) result = await check(`${name}-${attempt}`, seed + 100 * attempt, faults, extra);
  return result;
}

let clean: CheckResult;
let unconditional: CheckResult;
let idempotenceOff: CheckResult;
let unfenced: CheckResult;
let forgetful: CheckResult;
beforeAll(async () => {
  process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
  [unconditional, idempotenceOff, unfenced, forgetful] = await Promise.all([
    checkUntil((r) => count(r, 'offset-hole') > 0 && count(r, 'inconsistent-offsets') + count(r, 'lost-write') > 0, 'unconditional-settle', 12, ['slow-settle'], { sabotage: { unconditionalSettle: true }, intensity: 5, scale: 0.3 }),
    checkUntil((r) => count(r, 'duplicate') > 0, 'ignore-idempotence', 13, ['drop-responses', 'ddb-lost-responses'], { sabotage: { ignoreIdempotence: true }, intensity: 10, scale: 0.3 }),
    checkUntil((r) => count(r, 'commit-regression') > 0, 'unfenced-commit', 14, ['pause-members'], {
      sabotage: { unfencedCommit: true },
      intensity: 3,
      scale: 0.5,
      durationMs: 10_000,
      sessionTimeoutMs: 4_000,
    }),
    // The engine before re-joined member ids were fenced: epochs restart at the group epoch after a removal.
    checkUntil((r) => count(r, 'commit-regression') + count(r, 'assignment-overlap') > 0, 'forget-incarnations', 15, ['kick-members', 'pause-members'], {
      sabotage: { forgetIncarnations: true },
      intensity: 4,
      scale: 0.5,
      durationMs: 12_000,
      sessionTimeoutMs: 4_000,
    }),
  ]);
  // Every fault, kill-dynamo included: this run spawns its own on-disk DynamoDB Local (the shared one cannot be killed).
  // It runs after the sabotaged runs, whose anomalies were missed more often with its Java starting and restarting beside them.
  clean = await check('clean', 11, [...FAULTS], { dynamoEndpoint: undefined });
}, 240_000);

describe('checker self-test', () => {
  // Checked against: restarting DynamoDB Local in memory after the kill (checker/stack/dynamo.ts), and never applying
  // retention (mayExpire false in lib/log/partition-view.ts, so TTL deletes under the log start after the time jump):
  // both make this run fail (its final reads never complete).
  it('reports zero anomalies for the real engine under faults, and reads every partition at the end', () => {
    expect(clean.analysis.anomalies.filter((a) => a.count > 0), clean.reportPath).toEqual([]);
    expect(clean.analysis.stats.finalRead.missing).toEqual([]);
    expect(clean.analysis.stats.values.ok).toBeGreaterThan(20);
    expect(clean.valid).toBe(true);
    // DynamoDB Local really was killed, and the clocks jumped a day (the nemesis runs every planned step).
    expect(clean.faultsFired, clean.reportPath).toMatchObject({ dynamoKills: 1 });
    expect(clean.plan.filter((s) => s.fault === 'time-jump')).toHaveLength(1);
  });

  it('reports acked records in aborted ranges and inconsistent offsets when a seq can be settled twice', () => {
    expect(count(unconditional, 'offset-hole'), unconditional.reportPath).toBeGreaterThan(0);
    expect(count(unconditional, 'inconsistent-offsets') + count(unconditional, 'lost-write'), unconditional.reportPath).toBeGreaterThan(0);
    expect(unconditional.valid).toBe(false);
  });

  it('reports duplicates when idempotent retries are written again', () => {
    expect(count(idempotenceOff, 'duplicate'), idempotenceOff.reportPath).toBeGreaterThan(0);
    expect(idempotenceOff.valid).toBe(false);
  });

  it('reports commit regressions when a re-joined member id\'s earlier incarnation can still commit', () => {
    expect(forgetful.faultsFired, forgetful.reportPath).toMatchObject({ sameIdComebacks: expect.any(Number) });
    expect(count(forgetful, 'commit-regression') + count(forgetful, 'assignment-overlap'), forgetful.reportPath).toBeGreaterThan(0);
    expect(forgetful.valid).toBe(false);
  });

  it('reports commit regressions when fenced members can commit', () => {
    expect(count(unfenced, 'commit-regression'), unfenced.reportPath).toBeGreaterThan(0);
    expect(unfenced.valid).toBe(false);
  });
});

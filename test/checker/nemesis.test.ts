/** The fault schedule is a function of the seed: the same seed gives the same plan, another seed another one. */
import { describe, expect, it } from 'vitest';
import { FAULTS, planFaults, usableFaults } from '../../checker/faults/nemesis';
import { seeded } from '../../checker/faults/random';

describe('nemesis schedule', () => {
  it('is reproducible from the seed and covers every fault', () => {
    const a = planFaults(seeded(7).fork('nemesis'), 60_000, FAULTS);
    expect(planFaults(seeded(7).fork('nemesis'), 60_000, FAULTS)).toEqual(a);
    expect(planFaults(seeded(8).fork('nemesis'), 60_000, FAULTS)).not.toEqual(a);
    expect(new Set(a.map((s) => s.fault))).toEqual(new Set(FAULTS));
    expect(a.every((s, i) => i === 0 || s.at >= a[i - 1]!.at)).toBe(true);
  });

  it('leaves out server-side faults when checking a stack it did not start', () => {
    expect(usableFaults(FAULTS, false, false)).toEqual(['pause-members', 'kick-members', 'recreate-topic', 'group-churn']);
    expect(usableFaults(FAULTS, false, false)).not.toContain('notifications');
    expect(usableFaults(FAULTS, true, false)).not.toContain('kill-dynamo');
  });
});

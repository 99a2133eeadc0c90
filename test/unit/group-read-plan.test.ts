/**
 * The pure parts of a group poll's read plan and of the group item's
 * writes (lib/groups/read-plan.ts, sweep.ts, target.ts): which partitions a
 * poll fetches with what budget, and the conditions that keep the sweep
 * marker and the target from overwriting what they did not see.
 */
import { describe, expect, it } from 'vitest';
import { counterHintsRequest, planReads, type Candidate } from '../../lib/groups/read-plan';
import { claimSweepRequest, markSweepRequest, sweepDue } from '../../lib/groups/sweep';
import { writeTargetRequest } from '../../lib/groups/target';
import { emptyGroup } from '../../lib/groups/state';

/** A counter whose log holds `batches` batches of `perBatch` records from offset 0. */
const hint = (batches: number, perBatch: number) => ({ next: batches * perBatch, seq: batches, ls: 0, lo: 0 });

describe('planReads', () => {
  it('fetches only partitions whose position is not the counter’s next offset, and those it cannot judge', () => {
    const candidates: Candidate[] = [
      { id: 'a', position: 300, hint: hint(3, 100) }, // at the end
      { id: 'b', position: 100, hint: hint(3, 100) }, // 200 new
      { id: 'c', position: 0, hint: undefined }, // counter not in the answer
      { id: 'd', position: 900, hint: hint(3, 100) }, // beyond the end: the fetch judges (out of range)
    ];
    const ids = planReads(candidates, 500, 1_000_000).map((s) => s.id).sort();
    expect(ids).toEqual(['b', 'c', 'd']);
  });

  it('asks for nothing when nothing moved', () => {
    expect(planReads([{ id: 'a', position: 5, hint: hint(1, 5) }], 500, 1_000)).toEqual([]);
  });

  it('gives each partition what it holds while the budget lasts, a partial one whole batches, and splits bytes in proportion', () => {
    const candidates: Candidate[] = [
      { id: 'a', position: 0, hint: hint(10, 100) },
      { id: 'b', position: 0, hint: hint(10, 100) },
    ];
    const shares = planReads(candidates, 500, 1_000);
    expect(shares.reduce((n, s) => n + s.maxRecords, 0)).toBe(500);
    for (const s of shares) expect(s.maxRecords % 100).toBe(0);
    expect(shares.reduce((n, s) => n + s.maxBytes, 0)).toBeLessThanOrEqual(1_000);
    // A budget below one batch still serves one partition (a fetch returns at least one record anyway).
    expect(planReads(candidates, 20, 1_000)).toHaveLength(1);
    // Small partitions all fit.
    const small = planReads([0, 1, 2, 3].map((i) => ({ id: `p${i}`, position: 0, hint: hint(1, 10) })), 500, 1_000);
    expect(small.map((s) => s.maxRecords)).toEqual([10, 10, 10, 10]);
  });

  it('hands out the byte budget in whole batches too, at each partition’s mean record size, never more than maxBytes in all', () => {
    // 256 partitions of one 100-record batch, 260 B a record in JSON: 1 MiB holds 40 whole batches.
    const sized = (i: number): Candidate => ({ id: `p${i}`, position: 0, hint: { ...hint(1, 100), nb: 26_000 } });
    const shares = planReads(Array.from({ length: 256 }, (_, i) => sized(i)), 10_000, 1_048_576);
    expect(shares).toHaveLength(40);
    for (const s of shares) {
      expect(s.maxRecords).toBe(100);
      expect(s.maxBytes).toBeGreaterThanOrEqual(26_000); // the whole batch fits its share
    }
    expect(shares.reduce((n, s) => n + s.maxBytes, 0)).toBeLessThanOrEqual(1_048_576);
    // Without sizes (counters older than nb) the bytes are split in proportion, as before.
    const unsized = planReads(Array.from({ length: 4 }, (_, i) => ({ id: `q${i}`, position: 0, hint: hint(1, 100) })), 10_000, 1_000);
    expect(unsized.map((s) => s.maxBytes)).toEqual([250, 250, 250, 250]);
  });

  it('turns round robin when the budget runs out, so no partition starves', () => {
    const positions = [0, 0, 0];
    const served: string[] = [];
    for (let poll = 0; poll < 9; poll++) {
      const shares = planReads(positions.map((position, i) => ({ id: String(i), position, hint: hint(100, 100) })), 100, 1_000_000);
      expect(shares).toHaveLength(1);
      served.push(shares[0]!.id);
      positions[Number(shares[0]!.id)]! += shares[0]!.maxRecords;
    }
    expect(served.filter((s) => s === '0')).toHaveLength(3);
    expect(served.filter((s) => s === '1')).toHaveLength(3);
    expect(served.filter((s) => s === '2')).toHaveLength(3);
  });

  it('reads counters eventually consistently (half price), with the attributes the plan needs', () => {
    const req = counterHintsRequest('log', ['t#0', 't#1']);
    const items = req.RequestItems!.log!;
    expect(items.ConsistentRead).toBeUndefined();
    expect(items.Keys).toEqual([{ pk: 't#0', sk: -1 }, { pk: 't#1', sk: -1 }]);
    expect(items.ProjectionExpression).toBe('#pk, #next, #seq, #ls, #lo, #nb');
  });
});

describe('sweep marker and target writes', () => {
  it('a sweep is due after one interval, and at once after a removal’s mark or a clock far behind', () => {
    const g = { ...emptyGroup(0), sweptAt: 10_000 };
    expect(sweepDue(g, 12_000, 5_000)).toBe(false);
    expect(sweepDue(g, 15_000, 5_000)).toBe(true);
    expect(sweepDue({ ...g, sweptAt: 0 }, 12_000, 5_000)).toBe(true);
    expect(sweepDue(g, 4_000, 5_000)).toBe(true);
  });

  it('a claim holds only over the marker read; a mark never creates a group', () => {
    expect(claimSweepRequest('meta', 'g', 7, 9)).toMatchObject({ ConditionExpression: 'sweptAt = :seen', ExpressionAttributeValues: { ':seen': 7, ':now': 9 } });
    expect(claimSweepRequest('meta', 'g', undefined, 9).ConditionExpression).toBe('attribute_exists(pk) AND attribute_not_exists(sweptAt)');
    expect(markSweepRequest('meta', 'g')).toMatchObject({ UpdateExpression: 'SET sweptAt = :zero', ConditionExpression: 'attribute_exists(pk)' });
  });

  it('a target write holds only over the epoch and the marker it read', () => {
    const next = { ...emptyGroup(1), epoch: 4 };
    expect(writeTargetRequest('meta', 'g', undefined, next).ConditionExpression).toBe('attribute_not_exists(pk)');
    expect(writeTargetRequest('meta', 'g', { ...emptyGroup(0), epoch: 3, sweptAt: 0 }, next)).toMatchObject({
      ConditionExpression: 'epoch = :old AND sweptAt = :swept',
      ExpressionAttributeValues: { ':old': 3, ':swept': 0 },
    });
    expect(writeTargetRequest('meta', 'g', { ...emptyGroup(0), epoch: 3 }, next).ConditionExpression).toBe('epoch = :old AND attribute_not_exists(sweptAt)');
  });
});

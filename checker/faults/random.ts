/**
 * Seeded randomness for the checker: every schedule and every random choice
 * of a run derives from `--seed`, so a run's fault schedule is reproducible
 * (thread interleavings, of course, are not).
 */
import { rng } from '../../bench/data';

export interface Random {
  (): number;
  int(maxExclusive: number): number;
  pick<T>(items: readonly T[]): T;
  chance(p: number): boolean;
  /** An independent stream, e.g. one per client, so clients do not perturb each other's choices. */
  fork(label: string): Random;
}

export function seeded(seed: number): Random {
  const next = rng(seed);
  const random = (() => next()) as Random;
  random.int = (max) => Math.floor(next() * max);
  random.pick = (items) => items[Math.floor(next() * items.length)]!;
  random.chance = (p) => next() < p;
  random.fork = (label) => {
    let h = seed >>> 0;
    for (const c of label) h = Math.imul(h ^ c.charCodeAt(0), 0x01000193) >>> 0;
    return seeded(h);
  };
  return random;
}

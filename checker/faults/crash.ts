/**
 * Kills handlers at the engine's named crash points (lib/log/crash-points.ts):
 * after the reservation, after the producer state, after chunks, after the
 * batch put — each chosen with the configured probability while enabled.
 * The request then ends as a 500 (its outcome unknown to the client), and
 * whatever it left behind must be recovered by other requests.
 */
import { InjectedCrash, type CrashPoint } from '../../lib/log/crash-points';
import type { Random } from './random';

export class CrashInjector {
  probability = 0;
  readonly fired: Partial<Record<CrashPoint, number>> = {};

  constructor(private readonly random: Random) {}

  readonly hook = (point: CrashPoint): void => {
    if (this.probability > 0 && this.random.chance(this.probability)) {
      this.fired[point] = (this.fired[point] ?? 0) + 1;
      throw new InjectedCrash(point);
    }
  };
}

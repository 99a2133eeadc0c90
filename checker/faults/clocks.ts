/**
 * Handler-instance clocks: real time plus a per-instance skew (kept within
 * the limit the engine tolerates, `maxClockSkewMs`) plus a jump shared by
 * every instance. The jump moves "now" forward by more than a day so that
 * retention expires records and DynamoDB TTL may delete items — which never
 * happens within a real-time run otherwise.
 */
import type { Clock } from '../../lib/context';

export class InstanceClocks {
  readonly skews: number[];
  jumpMs = 0;

  constructor(instances: number) {
    this.skews = new Array<number>(instances).fill(0);
  }

  clock(instance: number): Clock {
    return { now: () => Date.now() + this.skews[instance]! + this.jumpMs };
  }

  /** "Now" as an unskewed instance sees it (for the TTL reaper). */
  now(): number {
    return Date.now() + this.jumpMs;
  }
}

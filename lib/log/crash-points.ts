/**
 * Named points where a writer can die. Tests (and the checker) pass a
 * `crash` hook in LibContext that throws at one of them, to prove that
 * nothing acknowledged is lost and readers move past the gap. Production
 * never sets the hook.
 */
export type CrashPoint =
  | 'produce.afterReserve'
  | 'produce.afterProducerState'
  | 'produce.afterChunks'
  | 'produce.afterBatchPut';

export class InjectedCrash extends Error {
  constructor(readonly point: CrashPoint) {
    super(`injected crash at ${point}`);
    this.name = 'InjectedCrash';
  }
}

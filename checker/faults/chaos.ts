/**
 * DynamoDB faults injected by AWS SDK middleware inside the SDK retry loop
 * (so `ctx.ddb` retries them as it would real ones, `ctx.ddbOnce` does not):
 * - errors *before* a call reaches the database: throttling,
 *   ProvisionedThroughputExceeded, 5xx, timeouts;
 * - errors *after* a write was applied (the response is lost): the engine
 *   must treat the outcome as unknown and resolve it (nonces, ALL_OLD);
 * - slow batch puts that land after readers may have aborted their
 *   reservation (a paused handler resuming): the conditional put must lose.
 * Rates are switched on and off by the nemesis; everything is off unless the
 * checker enables it.
 */
import { awsError, ddbHook, isBatchPut, type DdbCall } from './ddb-middleware';
import type { Random } from './random';

const WRITES = new Set(['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem', 'TransactWriteItems']);
const BEFORE_ERRORS = ['ProvisionedThroughputExceededException', 'ThrottlingException', 'InternalServerError', 'ServiceUnavailable', 'TimeoutError'] as const;

export interface ChaosRates {
  /** Probability that a call fails before reaching DynamoDB. */
  before: number;
  /** Probability that a write is applied and its response then lost (TimeoutError). */
  after: number;
  /** Probability that a batch put is held back for `slowMs` before it is sent. */
  slowSettle: number;
  slowMs: number;
}

export const CALM: ChaosRates = { before: 0, after: 0, slowSettle: 0, slowMs: 0 };

export class DdbChaos {
  rates: ChaosRates = { ...CALM };
  /** What fired, for the report. */
  readonly fired: Record<string, number> = {};

  constructor(private readonly random: Random) {}

  readonly plugin = ddbHook('wire', async (call: DdbCall, next) => {
    const r = this.rates;
    if (r.before > 0 && this.random.chance(r.before)) {
      const name = this.random.pick(BEFORE_ERRORS);
      this.count(`before:${name}`);
      throw serviceError(name);
    }
    if (r.slowSettle > 0 && isBatchPut(call) && this.random.chance(r.slowSettle)) {
      this.count('slow-settle');
      await new Promise((done) => setTimeout(done, r.slowMs));
    }
    if (r.after > 0 && WRITES.has(call.command) && this.random.chance(r.after)) {
      await next();
      this.count(`after:${call.command}`);
      throw awsError('TimeoutError', 'injected: the write was applied, its response lost');
    }
    return next();
  });

  private count(what: string): void {
    this.fired[what] = (this.fired[what] ?? 0) + 1;
  }
}

function serviceError(name: string): Error {
  const err = awsError(name);
  const status = name === 'ProvisionedThroughputExceededException' || name === 'ThrottlingException' ? 400 : name === 'TimeoutError' ? undefined : 500;
  if (status !== undefined) (err as unknown as { $metadata: { httpStatusCode: number } }).$metadata = { httpStatusCode: status };
  return err;
}

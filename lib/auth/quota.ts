/**
 * Per-principal request quota: a token bucket per principal in this
 * instance's memory. Like Kafka's broker quotas it is enforced by each
 * serving instance on its own, so a principal's total rate is at most
 * `ratePerSecond` × the instances serving it; the functions' reserved
 * concurrency bounds that count, and API Gateway's route throttles bound the
 * total. It needs no storage and costs nothing per request.
 */
import type { Clock } from '../context';
import { SamsaError } from '../errors';
import type { Principal } from './authorize';

export interface QuotaSettings {
  /** Sustained requests per second per principal per instance; 0 disables the quota. */
  ratePerSecond: number;
  /** Requests a principal may make at once after being idle. */
  burst: number;
}

const MAX_PRINCIPALS = 10_000;

export class PrincipalQuota {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    private readonly settings: QuotaSettings,
    private readonly clock: Clock,
  ) {}

  /** Takes one request's token, or throws QUOTA_EXCEEDED saying when to come back. */
  take(principal: Principal): void {
    const { ratePerSecond, burst } = this.settings;
    if (ratePerSecond <= 0) return;
    const now = this.clock.now();
    let bucket = this.buckets.get(principal.name);
    if (bucket === undefined) {
      if (this.buckets.size >= MAX_PRINCIPALS) this.buckets.clear();
      bucket = { tokens: burst, at: now };
      this.buckets.set(principal.name, bucket);
    }
    bucket.tokens = Math.min(burst, bucket.tokens + ((now - bucket.at) / 1000) * ratePerSecond);
    bucket.at = now;
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return;
    }
    const retryAfterMs = Math.ceil(((1 - bucket.tokens) / ratePerSecond) * 1000);
    throw new SamsaError(
      'QUOTA_EXCEEDED',
      `Principal '${principal.name}' is over its quota of ${ratePerSecond} requests/s (burst ${burst}); retry in ${retryAfterMs} ms.`,
      { details: { ratePerSecond, burst, retryAfterMs } },
    );
  }
}

/**
 * Exponential backoff with full jitter (AWS Architecture Blog, "Exponential
 * Backoff And Jitter"): attempt n waits a uniformly random time in
 * [0, min(maxDelayMs, initialDelayMs · 2^n)], so clients that failed together
 * do not retry together. Bounded by `retries`.
 */
import { checkFields } from './validate';

export interface RetryOptions {
  /** Retries after the first attempt; 0 disables retrying. Default 5. */
  retries: number;
  /** Cap of the first backoff. Default 100 ms. */
  initialDelayMs: number;
  /** Cap of any backoff. Default 5,000 ms. */
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryOptions = { retries: 5, initialDelayMs: 100, maxDelayMs: 5_000 };

const RETRY_FIELDS = { retries: 'i', initialDelayMs: 'n', maxDelayMs: 'n' } satisfies Record<keyof RetryOptions, string>;

/** `partial` over `base`; a field left undefined keeps the base's value. */
export function retryOptions(partial: Partial<RetryOptions> = {}, base: RetryOptions = DEFAULT_RETRY): RetryOptions {
  const { retries, initialDelayMs, maxDelayMs } = checkFields(partial, RETRY_FIELDS, 'retry options');
  return { retries: retries ?? base.retries, initialDelayMs: initialDelayMs ?? base.initialDelayMs, maxDelayMs: maxDelayMs ?? base.maxDelayMs };
}

/** The wait before retry number `attempt` (0-based). */
export function backoffDelay(attempt: number, options: RetryOptions, random: () => number = Math.random): number {
  const cap = Math.min(options.maxDelayMs, options.initialDelayMs * 2 ** attempt);
  return Math.floor(random() * cap);
}

/** Resolves after `ms`, or rejects with the signal's reason when it aborts first. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

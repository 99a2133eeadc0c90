/**
 * What a consumer run does when `eachMessage` / `eachBatch` throws, as
 * KafkaJS's runner retrier: back off (exponential, KafkaJS's 0.2 jitter) and
 * fetch the same messages again; after `retries` consecutive failures crash
 * with KafkaJSNumberOfRetriesExceeded (the consumer then restarts), or at
 * once with KafkaJSNonRetriableError for an error marked `retriable: false`
 * or a programming error (TypeError, RangeError, ReferenceError, SyntaxError),
 * after which KafkaJS does not restart.
 */
import { KafkaJSNonRetriableError, KafkaJSNumberOfRetriesExceeded, type KafkaJSError } from './errors';

export interface HandlerRetry {
  retries: number;
  initialRetryTime: number;
  maxRetryTime: number;
  multiplier: number;
}

const UNRECOVERABLE = new Set(['RangeError', 'ReferenceError', 'SyntaxError', 'TypeError']);

/** The outcome of the `failures`-th consecutive failure (0-based). */
export function failureOutcome(error: unknown, failures: number, retry: HandlerRetry): { crash: KafkaJSError } | { delayMs: number } {
  const cause = error instanceof Error ? error : new Error(String(error));
  const nonRetriable = UNRECOVERABLE.has(cause.name) || (cause as { retriable?: unknown }).retriable === false;
  const delay = Math.min(retry.maxRetryTime, retry.initialRetryTime * retry.multiplier ** failures);
  if (nonRetriable) return { crash: new KafkaJSNonRetriableError(cause, { cause }) };
  if (failures >= retry.retries) return { crash: new KafkaJSNumberOfRetriesExceeded(cause, { retryCount: failures, retryTime: delay }) };
  return { delayMs: Math.round(delay * (0.8 + Math.random() * 0.4)) };
}

/** A wait that `wake()` cuts short (a stopping consumer must not sit out a 30 s backoff). */
export class Backoff {
  private wakeUp: (() => void) | undefined;

  wait(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      const self = this;
      function done(): void {
        clearTimeout(timer);
        self.wakeUp = undefined;
        resolve();
      }
      this.wakeUp = done;
    });
  }

  wake(): void {
    this.wakeUp?.();
  }
}

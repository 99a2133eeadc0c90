/**
 * Sequential DynamoDB round trips of a request: an AWS SDK middleware records
 * when every call starts and ends, and the critical path is the longest chain
 * of calls each starting after the previous one ended — the round trips the
 * request had to wait for one after another. Calls sent in parallel
 * (Promise.all, a BatchGet next to a Query) overlap and count once.
 * A retried call is one span (its attempts are sequential, but the meter in
 * capacity.ts counts them as round trips).
 */
import type { InitializeHandler, InitializeHandlerArguments, MetadataBearer, Pluggable } from '@smithy/types';

export interface Span {
  command: string;
  start: number;
  end: number;
}

/** Length of the longest chain of spans, each starting at or after the previous one's end. */
export function criticalPath(spans: readonly Span[]): number {
  const sorted = [...spans].sort((a, b) => a.end - b.end);
  // depth[i]: the longest chain ending with sorted[i]. Spans ending earlier are before it in the list.
  const depth: number[] = [];
  let best = 0;
  sorted.forEach((s, i) => {
    let before = 0;
    for (let j = 0; j < i; j++) if ((sorted[j] as Span).end <= s.start) before = Math.max(before, depth[j] as number);
    depth.push(before + 1);
    best = Math.max(best, before + 1);
  });
  return best;
}

export class CallSpans {
  private spans: Span[] = [];

  readonly plugin: Pluggable<object, MetadataBearer> = {
    applyToStack: (stack) => {
      stack.add(
        (next: InitializeHandler<object, MetadataBearer>, context) => async (args: InitializeHandlerArguments<object>) => {
          const span: Span = { command: (context.commandName ?? 'Unknown').replace(/Command$/, ''), start: performance.now(), end: Number.POSITIVE_INFINITY };
          this.spans.push(span);
          try {
            return await next(args);
          } finally {
            span.end = performance.now();
          }
        },
        { step: 'initialize', name: 'benchCallSpans', priority: 'high', override: true },
      );
    },
  };

  /** Forgets every span recorded so far. */
  reset(): void {
    this.spans = [];
  }

  /** The spans recorded since the last reset. */
  recorded(): readonly Span[] {
    return this.spans;
  }

  /** Runs `fn` alone (nothing else may call DynamoDB meanwhile) and returns its result with its sequential round trips and calls. */
  async measure<T>(fn: () => Promise<T>): Promise<{ result: T; sequential: number; calls: number; commands: string[] }> {
    this.reset();
    const result = await fn();
    const spans = this.spans;
    this.reset();
    return { result, sequential: criticalPath(spans), calls: spans.length, commands: [...spans].sort((a, b) => a.start - b.start).map((s) => s.command) };
  }
}

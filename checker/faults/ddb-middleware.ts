/**
 * AWS SDK middleware for fault injection and accounting (tests and the
 * correctness checker): DynamoDB behaviours that DynamoDB Local never shows
 * (lost responses, throttling, stale reads, index lag) and counters of what
 * the engine sent. Only ever plugged in by a harness; production passes no
 * plugins (functions/runtime.ts).
 *
 * Two places in the SDK stack:
 * - `wire`: finalizeRequest step, inside the SDK retry loop (`ctx.ddb` retries
 *   what is thrown here like a real network/service error; `ctx.ddbOnce`
 *   does not). Inputs are marshalled there; `call.input` unmarshalls the
 *   fields tests look at.
 * - `initialize`: outermost, before document marshalling; inputs are plain
 *   and a hook may rewrite the request (e.g. drop `Limit`) and the result.
 */
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { Pluggable } from '@smithy/types';
import type { Clock } from '../../lib/context';
import { BY_OFFSET_INDEX } from '../../lib/storage/schema';

export interface DdbCall {
  /** Operation name without the `Command` suffix: PutItem, Query, UpdateItem, … */
  command: string;
  /** Plain view of the request: Item, Key, ExpressionAttributeValues, ExclusiveStartKey unmarshalled. */
  input: Record<string, any>;
}

type Next = (input?: Record<string, any>) => Promise<{ output: any; response?: unknown }>;
export type CallHook = (call: DdbCall, next: Next) => Promise<{ output: any; response?: unknown }>;

const MARSHALLED_FIELDS = ['Item', 'Key', 'ExpressionAttributeValues', 'ExclusiveStartKey'] as const;

/** A plugin running `hook` around every DynamoDB call at the given place in the SDK stack. */
export function ddbHook(where: 'wire' | 'initialize', hook: CallHook): Pluggable<any, any> {
  return {
    applyToStack(stack) {
      stack.add(
        ((next: any, context: any) => async (args: any) => {
          const command = String(context.commandName ?? '').replace(/Command$/, '');
          const input: Record<string, any> = { ...args.input };
          if (where === 'wire') {
            for (const f of MARSHALLED_FIELDS) if (input[f] !== undefined) input[f] = unmarshall(input[f]);
          }
          return hook({ command, input }, (replaced) => next(replaced === undefined ? args : { ...args, input: replaced }));
        }) as any,
        where === 'wire'
          ? ({ step: 'finalizeRequest', priority: 'low', name: `samsa-fault-hook-${Math.random()}` } as any)
          : ({ step: 'initialize', priority: 'high', name: `samsa-fault-hook-${Math.random()}` } as any),
      );
    },
  };
}

/** An error the SDK and the engine treat as a timeout / throttle (matched by name, like real ones). */
export function awsError(name: string, message = `injected ${name}`): Error {
  const err = new Error(message) as Error & { $metadata: object; $fault: string };
  err.name = name;
  err.$metadata = {};
  err.$fault = name === 'ProvisionedThroughputExceededException' ? 'client' : 'server';
  return err;
}

// ---- classification of log-table calls ------------------------------------------------

export const isLogTable = (call: DdbCall, logTable: string) => call.input.TableName === logTable;

/** The conditional put of a batch (or manifest) item at its seq. */
export function isBatchPut(call: DdbCall): boolean {
  const item = call.input.Item;
  return call.command === 'PutItem' && item !== undefined && typeof item.sk === 'number' && item.sk >= 0 && !String(item.pk).endsWith('#chunks') && ('r' in item || 'ch' in item);
}

/** An abort marker put (reader or giving-up writer). */
export function isMarkerPut(call: DdbCall): boolean {
  const item = call.input.Item;
  return call.command === 'PutItem' && item !== undefined && item.ab !== undefined;
}

/** The counter ADD that reserves a seq and offsets. */
export function isReservation(call: DdbCall): boolean {
  return call.command === 'UpdateItem' && call.input.Key?.sk === -1 && /\bADD\b/.test(String(call.input.UpdateExpression));
}

// ---- accounting -----------------------------------------------------------------------

export interface CallLog {
  /** Every attempt that reached the wire, by operation. */
  attempts: Map<string, number>;
  /** Attempts answered with ConditionalCheckFailedException (billed like writes). */
  conditionFailures: { command: string; input: Record<string, any> }[];
  reservations: number;
  batchPuts: number;
  markerPuts: number;
  reset(): void;
}

/** Counts attempts and failed conditional writes as they happen on the wire. */
export function callCounter(): { plugin: Pluggable<any, any>; log: CallLog } {
  const log: CallLog = {
    attempts: new Map(),
    conditionFailures: [],
    reservations: 0,
    batchPuts: 0,
    markerPuts: 0,
    reset() {
      this.attempts.clear();
      this.conditionFailures.length = 0;
      this.reservations = this.batchPuts = this.markerPuts = 0;
    },
  };
  const plugin = ddbHook('wire', async (call, next) => {
    log.attempts.set(call.command, (log.attempts.get(call.command) ?? 0) + 1);
    if (isReservation(call)) log.reservations++;
    if (isBatchPut(call)) log.batchPuts++;
    if (isMarkerPut(call)) log.markerPuts++;
    try {
      return await next();
    } catch (err) {
      if ((err as Error).name === 'ConditionalCheckFailedException') log.conditionFailures.push({ command: call.command, input: call.input });
      throw err;
    }
  });
  return { plugin, log };
}

// ---- replica lag: stale eventually consistent reads and a lagging index ---------------

/**
 * Emulates a replica that has not yet seen the newest writes of each
 * partition: the last `staleItems` settled items written to a partition are
 * missing from eventually consistent table Queries, and the last
 * `indexLagItems` are missing from `byOffset` index Queries. Limit and
 * LastEvaluatedKey behave as DynamoDB would over the lagging view.
 * Strongly consistent reads see everything.
 */
export class ReplicaLag {
  staleItems = 0;
  indexLagItems = 0;
  /** Items the fault hid from a read, for tests to prove the fault fired. */
  hiddenFromTable = 0;
  hiddenFromIndex = 0;
  /** The stack's log table; set once the stack exists (the plugin must be passed before). */
  logTable: string | undefined;
  private readonly written = new Map<string, number[]>();

  readonly plugin: Pluggable<any, any> = ddbHook('initialize', async (call, next) => {
    if (call.input.TableName !== this.logTable) return next();
    if (call.command === 'PutItem') {
      const result = await next();
      const item = call.input.Item;
      if (typeof item?.sk === 'number' && item.sk >= 0 && !String(item.pk).endsWith('#chunks')) {
        let list = this.written.get(item.pk);
        if (list === undefined) this.written.set(item.pk, (list = []));
        list.push(item.sk);
      }
      return result;
    }
    if (call.command !== 'Query') return next();
    const index = call.input.IndexName === BY_OFFSET_INDEX;
    const lag = index ? this.indexLagItems : call.input.ConsistentRead === true ? 0 : this.staleItems;
    if (lag === 0) return next();
    const pk = call.input.ExpressionAttributeValues?.[':pk'];
    const hidden = new Set((this.written.get(pk) ?? []).slice(-lag));
    if (hidden.size === 0) return next();
    const { Limit, ...unlimited } = call.input;
    const result = await next(unlimited);
    const all: any[] = result.output.Items ?? [];
    const visible = all.filter((i) => !hidden.has(i.sk));
    const removed = all.length - visible.length;
    if (index) this.hiddenFromIndex += removed;
    else this.hiddenFromTable += removed;
    const page = Limit === undefined ? visible : visible.slice(0, Limit);
    const output = { ...result.output, Items: page, Count: page.length, ScannedCount: page.length };
    if (page.length < visible.length) {
      const last = page[page.length - 1];
      output.LastEvaluatedKey = index ? { pk: last.pk, sk: last.sk, o: last.o } : { pk: last.pk, sk: last.sk };
    }
    return { ...result, output };
  });
}

// ---- time ----------------------------------------------------------------------------

/** Real time plus an offset the test moves forward: "wait" without sleeping. */
export class ManualClock implements Clock {
  private offset = 0;
  now(): number {
    return Date.now() + this.offset;
  }
  advance(ms: number): void {
    this.offset += ms;
  }
}

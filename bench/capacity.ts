/**
 * The benchmark's only source of cost figures: an AWS SDK middleware plugin
 * that asks DynamoDB for `ReturnConsumedCapacity: INDEXES` on every data-plane
 * command and sums the `ConsumedCapacity` it returns (table + GSI units), per
 * command type, with the number of round trips (HTTP attempts) and errors.
 *
 * Failed conditional writes: DynamoDB bills them (by the size of the existing
 * item, at least 1 WRU), but neither DynamoDB Local nor the service puts a
 * `ConsumedCapacity` in the ConditionalCheckFailedException body (checked
 * against DynamoDB Local 3.3: the body is `__type`, `Message` and, with
 * ALL_OLD, `Item`). So the meter looks for `ConsumedCapacity` on the error
 * first, and otherwise *estimates* the wasted units from the size of the
 * existing item (`Item` from ALL_OLD) or, failing that, of the item sent, and
 * reports them as `wastedWru` with `wastedWruEstimated: true`. Those units are
 * counted in `wru` too (they are billed).
 *
 * Install on a client through `createStorageClients({ plugins: [meter.plugin] })`
 * or `createDeps(config, { plugins: [meter.plugin] })`; a document client
 * shares its base client's middleware stack, so both are covered.
 */
import { marshall } from '@aws-sdk/util-dynamodb';
import type { TableDefinition } from '../lib/storage/schema';
import type {
  BuildHandler,
  BuildHandlerArguments,
  HandlerExecutionContext,
  InitializeHandler,
  InitializeHandlerArguments,
  MetadataBearer,
  MiddlewareStack,
  Pluggable,
} from '@smithy/types';

const CAPACITY_COMMANDS = new Set([
  'GetItem',
  'PutItem',
  'UpdateItem',
  'DeleteItem',
  'Query',
  'Scan',
  'BatchGetItem',
  'BatchWriteItem',
  'TransactGetItems',
  'TransactWriteItems',
  'ExecuteStatement',
  'BatchExecuteStatement',
  'ExecuteTransaction',
]);
const READ_COMMANDS = new Set(['GetItem', 'Query', 'Scan', 'BatchGetItem', 'TransactGetItems']);
const WRITE_COMMANDS = new Set(['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem', 'TransactWriteItems']);

export interface CommandTally {
  /** Commands sent (one `client.send`). */
  calls: number;
  /** HTTP round trips, counting SDK retries (`$metadata.attempts`). */
  roundTrips: number;
  /** Commands that ended in an error (including conditional failures). */
  errors: number;
  conditionalFailures: number;
  /** Capacity units from `ConsumedCapacity.CapacityUnits` (table + indexes), plus estimated wasted units. */
  capacityUnits: number;
  /** Of which on global/local secondary indexes. */
  indexCapacityUnits: number;
  /** Billed units of failed conditional writes (estimated unless the error carried ConsumedCapacity). */
  wastedUnits: number;
  /** Of which estimated from item sizes because the error carried no ConsumedCapacity. */
  estimatedWastedUnits: number;
  /** Successful capacity-bearing calls whose output had no ConsumedCapacity (should stay 0). */
  missingCapacity: number;
  /**
   * TransactWriteItems only: the units DynamoDB bills, estimated from the items sent (see
   * transactWriteBilledUnits). DynamoDB Local's ConsumedCapacity for a transaction is not what AWS bills.
   */
  billedTransactUnits: number;
}

export interface Tally {
  byCommand: Record<string, CommandTally>;
}

export interface TallySummary {
  /** Read request units (GetItem, Query, Scan, BatchGet, TransactGet). */
  rru: number;
  /** Write request units, including wasted ones. */
  wru: number;
  /** Write units of failed conditional writes. */
  wastedWru: number;
  /** True when some wasted units had to be estimated (no ConsumedCapacity on the error). */
  wastedWruEstimated: boolean;
  indexWru: number;
  indexRru: number;
  readCalls: number;
  writeCalls: number;
  roundTrips: number;
  errors: number;
  conditionalFailures: number;
  missingCapacity: number;
}

function emptyCommand(): CommandTally {
  return {
    calls: 0,
    roundTrips: 0,
    errors: 0,
    conditionalFailures: 0,
    capacityUnits: 0,
    indexCapacityUnits: 0,
    wastedUnits: 0,
    estimatedWastedUnits: 0,
    missingCapacity: 0,
    billedTransactUnits: 0,
  };
}

interface ConsumedCapacityShape {
  CapacityUnits?: number;
  ReadCapacityUnits?: number;
  WriteCapacityUnits?: number;
  GlobalSecondaryIndexes?: Record<string, { CapacityUnits?: number }>;
  LocalSecondaryIndexes?: Record<string, { CapacityUnits?: number }>;
}

/** Units of one ConsumedCapacity entry (or an array of them, as batch and transact calls return). */
function unitsOf(consumed: unknown): { total: number; index: number } | undefined {
  if (consumed === undefined || consumed === null) return undefined;
  const list = (Array.isArray(consumed) ? consumed : [consumed]) as ConsumedCapacityShape[];
  let total = 0;
  let index = 0;
  for (const c of list) {
    total += c.CapacityUnits ?? (c.ReadCapacityUnits ?? 0) + (c.WriteCapacityUnits ?? 0);
    for (const group of [c.GlobalSecondaryIndexes, c.LocalSecondaryIndexes]) {
      for (const i of Object.values(group ?? {})) index += i.CapacityUnits ?? 0;
    }
  }
  return { total, index };
}

type CapacityOutput = MetadataBearer & { ConsumedCapacity?: unknown };

const BENCH_BODY = Symbol('benchRequestBody');
const BENCH_INPUT = Symbol('benchRequestInput');
type BenchContext = HandlerExecutionContext & { [BENCH_BODY]?: string; [BENCH_INPUT]?: unknown };

export class CapacityMeter {
  private tally: Tally = { byCommand: {} };
  /** Table name → definition, so a transaction's index entries are billed too (see transactWriteBilledUnits). */
  private readonly tables = new Map<string, TableDefinition>();

  /** Tells the meter which definition each table name has (their global secondary indexes). */
  knowTables(byName: Record<string, TableDefinition>): void {
    for (const [name, def] of Object.entries(byName)) this.tables.set(name, def);
  }

  readonly plugin: Pluggable<object, MetadataBearer> = {
    applyToStack: (stack: MiddlewareStack<object, MetadataBearer>) => {
      stack.add(
        (next: InitializeHandler<object, MetadataBearer>, context: BenchContext) => async (args: InitializeHandlerArguments<object>) => {
          const command = (context.commandName ?? 'Unknown').replace(/Command$/, '');
          const wantsCapacity = CAPACITY_COMMANDS.has(command);
          const request = wantsCapacity ? { ...args, input: { ...args.input, ReturnConsumedCapacity: 'INDEXES' } } : args;
          // The items of a transaction, for its billed units: the document client's input, not marshalled yet.
          if (command === 'TransactWriteItems') context[BENCH_INPUT] = args.input;
          try {
            const result = await next(request);
            if (wantsCapacity) this.recordSuccess(command, result.output as CapacityOutput, context);
            return result;
          } catch (err) {
            if (wantsCapacity) this.recordError(command, err, context);
            throw err;
          }
        },
        { step: 'initialize', name: 'benchConsumedCapacity', priority: 'high', override: true },
      );
      // Keeps the serialized request body so a failed conditional put's item size can be estimated.
      stack.add(
        (next: BuildHandler<object, MetadataBearer>, context: BenchContext) => async (args: BuildHandlerArguments<object>) => {
          const body = (args.request as { body?: unknown } | undefined)?.body;
          if (typeof body === 'string') context[BENCH_BODY] = body;
          return next(args);
        },
        { step: 'build', name: 'benchRequestBody', priority: 'low', override: true },
      );
    },
  };

  private command(name: string): CommandTally {
    return (this.tally.byCommand[name] ??= emptyCommand());
  }

  private recordSuccess(command: string, output: CapacityOutput, context: BenchContext): void {
    const t = this.command(command);
    t.calls += 1;
    if (command === 'TransactWriteItems') t.billedTransactUnits += transactWriteBilledUnits(context[BENCH_INPUT], (name) => this.tables.get(name));
    t.roundTrips += output.$metadata?.attempts ?? 1;
    const units = unitsOf(output.ConsumedCapacity);
    if (units === undefined) {
      t.missingCapacity += 1;
      return;
    }
    t.capacityUnits += units.total;
    t.indexCapacityUnits += units.index;
  }

  private recordError(command: string, err: unknown, context: BenchContext): void {
    const t = this.command(command);
    const e = err as { name?: string; ConsumedCapacity?: unknown; Item?: unknown; $metadata?: { attempts?: number } };
    t.calls += 1;
    t.errors += 1;
    t.roundTrips += e.$metadata?.attempts ?? 1;
    const units = unitsOf(e.ConsumedCapacity);
    const conditional = e.name === 'ConditionalCheckFailedException';
    if (conditional) t.conditionalFailures += 1;
    if (units !== undefined) {
      t.capacityUnits += units.total;
      t.indexCapacityUnits += units.index;
      if (conditional) t.wastedUnits += units.total;
      return;
    }
    if (!conditional || !WRITE_COMMANDS.has(command)) return;
    // Billed by the size of the existing item, at least 1 WRU (AWS DynamoDB developer guide, "Read/write capacity mode").
    let bytes = 0;
    if (e.Item !== undefined && e.Item !== null) bytes = itemBytes(e.Item as Record<string, unknown>);
    else if (command === 'PutItem') bytes = sentItemBytes(context[BENCH_BODY]);
    const estimate = Math.max(1, Math.ceil(bytes / 1024));
    t.capacityUnits += estimate;
    t.wastedUnits += estimate;
    t.estimatedWastedUnits += estimate;
  }

  /** A copy of the running totals. */
  snapshot(): Tally {
    return structuredClone(this.tally);
  }

  /** What was consumed since `before` (a snapshot). */
  since(before: Tally): Tally {
    const now = this.snapshot();
    const out: Tally = { byCommand: {} };
    for (const [name, t] of Object.entries(now.byCommand)) {
      const b = before.byCommand[name] ?? emptyCommand();
      const d = emptyCommand();
      for (const k of Object.keys(d) as (keyof CommandTally)[]) d[k] = t[k] - b[k];
      if (d.calls > 0 || d.capacityUnits > 0) out.byCommand[name] = d;
    }
    return out;
  }
}

/** The sum of several tallies (e.g. of repeated rounds). */
export function mergeTallies(...tallies: Tally[]): Tally {
  const out: Tally = { byCommand: {} };
  for (const t of tallies) {
    for (const [name, c] of Object.entries(t.byCommand)) {
      const into = (out.byCommand[name] ??= emptyCommand());
      for (const k of Object.keys(into) as (keyof CommandTally)[]) into[k] += c[k];
    }
  }
  return out;
}

export function summarizeTally(t: Tally): TallySummary {
  const s: TallySummary = {
    rru: 0,
    wru: 0,
    wastedWru: 0,
    wastedWruEstimated: false,
    indexWru: 0,
    indexRru: 0,
    readCalls: 0,
    writeCalls: 0,
    roundTrips: 0,
    errors: 0,
    conditionalFailures: 0,
    missingCapacity: 0,
  };
  for (const [name, c] of Object.entries(t.byCommand)) {
    const read = READ_COMMANDS.has(name);
    if (read) {
      s.rru += c.capacityUnits;
      s.indexRru += c.indexCapacityUnits;
      s.readCalls += c.calls;
    } else if (CAPACITY_COMMANDS.has(name)) {
      s.wru += c.capacityUnits;
      s.indexWru += c.indexCapacityUnits;
      s.writeCalls += c.calls;
    }
    s.wastedWru += c.wastedUnits;
    if (c.estimatedWastedUnits > 0) s.wastedWruEstimated = true;
    s.roundTrips += c.roundTrips;
    s.errors += c.errors;
    s.conditionalFailures += c.conditionalFailures;
    s.missingCapacity += c.missingCapacity;
  }
  return s;
}

/** Calls of the given command types in a tally. */
export function callsOf(t: Tally, ...commands: string[]): number {
  return commands.reduce((sum, c) => sum + (t.byCommand[c]?.calls ?? 0), 0);
}

/** Capacity units of one command type (table + indexes). */
export function unitsOfCommand(t: Tally, command: string): number {
  return t.byCommand[command]?.capacityUnits ?? 0;
}

/** Approximate DynamoDB item size (attribute names + values) of a marshalled item, in bytes. */
export function itemBytes(item: Record<string, unknown>): number {
  let size = 0;
  for (const [name, value] of Object.entries(item)) size += Buffer.byteLength(name) + valueBytes(value);
  return size;
}

function valueBytes(v: unknown): number {
  if (v === null || typeof v !== 'object') return 1;
  const av = v as Record<string, unknown>;
  if (typeof av.S === 'string') return Buffer.byteLength(av.S);
  if (typeof av.N === 'string') return Math.ceil(av.N.replace(/[-.]/g, '').replace(/^0+/, '').length / 2) + 1;
  if (av.B !== undefined) return binaryBytes(av.B);
  if (av.BOOL !== undefined || av.NULL !== undefined) return 1;
  if (av.M !== undefined) return 3 + itemBytes(av.M as Record<string, unknown>);
  if (Array.isArray(av.L)) return 3 + av.L.reduce((s: number, x) => s + 1 + valueBytes(x), 0);
  if (Array.isArray(av.SS)) return av.SS.reduce((s: number, x) => s + Buffer.byteLength(String(x)), 0);
  if (Array.isArray(av.NS)) return av.NS.reduce((s: number, x) => s + Math.ceil(String(x).length / 2) + 1, 0);
  if (Array.isArray(av.BS)) return av.BS.reduce((s: number, x) => s + binaryBytes(x), 0);
  return 1;
}

function binaryBytes(b: unknown): number {
  if (b instanceof Uint8Array) return b.length;
  if (typeof b === 'string') return Math.floor((b.length * 3) / 4); // base64 in a JSON body
  return 0;
}

function sentItemBytes(body: string | undefined): number {
  if (body === undefined) return 0;
  try {
    const parsed = JSON.parse(body) as { Item?: Record<string, unknown> };
    return parsed.Item === undefined ? 0 : itemBytes(parsed.Item);
  } catch {
    return 0;
  }
}

/**
 * What AWS bills for one successful TransactWriteItems, from the request sent:
 * DynamoDB "performs two underlying reads or writes of every item in the
 * transaction: one to prepare the transaction and one to commit the
 * transaction" and bills both, so each action costs 2 × its item's 1 KB write
 * units (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/transaction-apis.html,
 * "Capacity management for transactions").
 *
 * Item size is the attribute names plus the values (AWS developer guide,
 * "Item sizes and formats"). A Put's item is sent whole. Its global secondary
 * index entries are writes too: a put into a table with an index writes the
 * entry (table and index keys plus the projected attributes) and is billed
 * 1 WRU per KB of it — without them a 2.6 KB batch item would count 3 units
 * where DynamoDB Local's own plain put of the same item reports 4 (table 3 +
 * byOffset 1). The entry is counted at the transactional factor too, as
 * DynamoDB Local reports it for a one-item transaction (table 6 + index 2).
 * An Update's item is estimated as its key plus the values it sets, with no
 * index entry (Samsa's transactions update only meta items — offset commits
 * and producer state, well under 1 KB — and the meta table has no index).
 * DynamoDB Local reports neither the factor nor the sizes for multi-item
 * transactions (10 units for four 3.5 KB puts and one small update, checked
 * against DynamoDB Local 3.3), hence the estimate.
 */
export function transactWriteBilledUnits(input: unknown, tableOf: (name: string) => TableDefinition | undefined = () => undefined): number {
  if (typeof input !== 'object' || input === null) return Number.NaN;
  type Action = { TableName?: string; Item?: Record<string, unknown>; Key?: Record<string, unknown>; ExpressionAttributeValues?: Record<string, unknown> };
  const parsed = input as { TransactItems?: Record<string, Action>[] };
  const m = (o: Record<string, unknown> | undefined) => itemBytes(marshall(o ?? {}, { removeUndefinedValues: true, convertClassInstanceToMap: true }) as Record<string, unknown>);
  const units = (bytes: number) => Math.max(1, Math.ceil(bytes / 1024));
  let total = 0;
  for (const action of parsed.TransactItems ?? []) {
    for (const [kind, a] of Object.entries(action)) {
      const bytes = kind === 'Put' ? m(a.Item) : m(a.Key) + m(a.ExpressionAttributeValues);
      total += 2 * units(bytes);
      if (kind !== 'Put' || a.Item === undefined || a.TableName === undefined) continue;
      for (const entry of indexEntries(a.Item, tableOf(a.TableName))) total += 2 * units(m(entry));
    }
  }
  return total;
}

/** The index entries a put of `item` writes: one per global index whose keys the item has. */
export function indexEntries(item: Record<string, unknown>, table: TableDefinition | undefined): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (const index of table?.globalIndexes ?? []) {
    if (item[index.partitionKey.name] === undefined || item[index.sortKey.name] === undefined) continue; // sparse: no entry
    if (index.projection === 'ALL') {
      out.push(item);
      continue;
    }
    const names = [table!.partitionKey.name, table!.sortKey.name, index.partitionKey.name, index.sortKey.name];
    if (index.projection === 'INCLUDE') names.push(...(index.nonKeyAttributes ?? []));
    out.push(Object.fromEntries(names.filter((n) => item[n] !== undefined).map((n) => [n, item[n]])));
  }
  return out;
}

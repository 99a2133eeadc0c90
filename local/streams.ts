/**
 * Stream consumers for the local stack: reads the log table's DynamoDB Stream
 * from DynamoDB Local's own Streams API and calls handlers with AWS Lambda's
 * DynamoDBStreamEvent shape, after the same filter the CDK event source
 * mapping applies (lib/push/settled.ts) — so the handlers the Lambda functions
 * run are driven here unchanged, with no second implementation.
 *
 * STABLE API (other stream consumers register through it; keep it
 * compatible): `StreamHandler`, `StreamConsumerOptions`,
 * `startStreamConsumers(options, handlers) → { stop() }`.
 *
 * How: DescribeStream lists the shards; each shard open at start is read from
 * LATEST (what the stack did before it started is not news), each shard that
 * appears later from TRIM_HORIZON (all of it is new); GetRecords loops, idle
 * shards are polled every `pollMs`, a closed shard (no next iterator) ends its
 * loop. A handler that throws is retried (like Lambda, which retries the batch)
 * up to `attempts` times, then the batch is skipped with a log line: locally a
 * stuck handler must not stall every other consumer.
 * A failed Streams call (DynamoDB Local restarting, a dropped connection) is
 * retried with backoff from the shard's last record read, as Lambda's event
 * source mapping resumes from its checkpoint: before, the shard's loop ended
 * and was found again from TRIM_HORIZON, so every outage replayed the whole
 * shard to the handlers — minutes of old batches between the stack and its
 * new ones (the checker's DynamoDB kills left webhook delivery that far behind).
 */
import {
  DescribeStreamCommand,
  DynamoDBStreamsClient,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type _Record as SdkRecord,
} from '@aws-sdk/client-dynamodb-streams';
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { AttributeValue as LambdaAttributeValue, DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { matchesFilter, SETTLED_BATCH_FILTER } from '../lib/push/settled';

export type StreamHandler = (event: DynamoDBStreamEvent) => Promise<void>;

export interface StreamConsumerOptions {
  /** DynamoDB Local's URL. */
  endpoint: string;
  /** The table whose stream is read (the log table). */
  tableName: string;
  region?: string;
  credentials?: { accessKeyId: string; secretAccessKey: string };
  /** Lambda event filter pattern; default: settled batches only, as the CDK mapping. */
  filter?: Parameters<typeof matchesFilter>[0];
  /** Poll interval of an idle shard, ms (default 50). */
  pollMs?: number;
  /** How often new shards are looked for, ms (default 1000). */
  discoverMs?: number;
  /** Calls per batch before it is skipped (default 3). */
  attempts?: number;
  log?: (message: string) => void;
  /** The Streams client to read with (default: one for `endpoint`); tests pass one with a fault middleware. The caller destroys it. */
  client?: DynamoDBStreamsClient;
}

export interface StreamConsumers {
  stop(): Promise<void>;
}

export async function startStreamConsumers(options: StreamConsumerOptions, handlers: StreamHandler[]): Promise<StreamConsumers> {
  const region = options.region ?? 'us-east-1';
  const config = { endpoint: options.endpoint, region, ...(options.credentials ? { credentials: options.credentials } : {}) };
  const ddb = new DynamoDBClient(config);
  const streams = options.client ?? new DynamoDBStreamsClient(config);
  const table = (await ddb.send(new DescribeTableCommand({ TableName: options.tableName }))).Table;
  ddb.destroy();
  const streamArn = table?.LatestStreamArn;
  if (streamArn === undefined) throw new Error(`Table ${options.tableName} has no stream (lib/storage/ensure-tables.ts enables it).`);
  const filter = options.filter ?? (SETTLED_BATCH_FILTER as unknown as Parameters<typeof matchesFilter>[0]);
  const pollMs = options.pollMs ?? 50;
  const attempts = options.attempts ?? 3;
  const log = options.log ?? ((m: string) => console.error(m));
  let stopped = false;
  const loops = new Map<string, Promise<void>>();
  let wake: (() => void) | undefined;
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const t = setTimeout(resolve, ms);
      wake = () => {
        clearTimeout(t);
        resolve();
      };
    });

  const deliver = async (records: DynamoDBRecord[]) => {
    const event: DynamoDBStreamEvent = { Records: records };
    for (const handler of handlers) {
      for (let attempt = 1; ; attempt++) {
        try {
          await handler(event);
          break;
        } catch (err) {
          if (attempt >= attempts) {
            log(`samsa streams: a handler failed ${attempts} times on ${records.length} records; skipped: ${(err as Error).message}`);
            break;
          }
          await new Promise((r) => setTimeout(r, 100 * attempt));
        }
      }
    }
  };

  /** Where each shard's reading stands: how it started and the last record read, kept for as long as the consumers run. */
  const positions = new Map<string, { type: 'LATEST' | 'TRIM_HORIZON'; lastSeq?: string }>();
  const readShard = async (shardId: string, type: 'LATEST' | 'TRIM_HORIZON') => {
    const at = positions.get(shardId) ?? { type };
    positions.set(shardId, at);
    const iteratorAfter = async () =>
      (
        await streams.send(
          new GetShardIteratorCommand(
            at.lastSeq === undefined
              ? { StreamArn: streamArn, ShardId: shardId, ShardIteratorType: at.type }
              : { StreamArn: streamArn, ShardId: shardId, ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', SequenceNumber: at.lastSeq },
          ),
        )
      ).ShardIterator;
    // Undefined after a failure: the next pass takes a new iterator from where we were.
    let iterator: string | undefined;
    for (let failures = 0; !stopped; ) {
      let out;
      try {
        iterator ??= await iteratorAfter();
        if (iterator === undefined) return;
        out = await streams.send(new GetRecordsCommand({ ShardIterator: iterator }));
      } catch (err) {
        const name = (err as { name?: string }).name;
        // The stream is gone (table deleted): nothing left to read.
        if (name === 'ResourceNotFoundException') throw err;
        // DynamoDB Local sometimes refuses an idle LATEST iterator (TrimmedDataAccess) or lets one expire; a restart of
        // DynamoDB Local or a dropped connection fails any call. Either way: a new iterator from where we were.
        const quiet = name === 'TrimmedDataAccessException' || name === 'ExpiredIteratorException';
        if (!quiet && failures === 0) log(`samsa streams: shard ${shardId}: ${(err as Error).message}; retrying from its last record`);
        if (!quiet) failures++;
        iterator = undefined;
        await new Promise((r) => setTimeout(r, quiet ? pollMs : Math.min(2_000, pollMs * 2 ** Math.min(failures, 6))));
        continue;
      }
      failures = 0;
      iterator = out.NextShardIterator;
      at.lastSeq = out.Records?.at(-1)?.dynamodb?.SequenceNumber ?? at.lastSeq;
      const records = (out.Records ?? []).map((r) => toLambdaRecord(r, streamArn, region)).filter((r) => matchesFilter(filter, r));
      if (records.length > 0) await deliver(records);
      if (iterator === undefined) return; // a closed shard, read to its end
      if ((out.Records ?? []).length === 0 && !stopped) await new Promise((r) => setTimeout(r, pollMs));
    }
  };

  const discover = async (first: boolean) => {
    let start: string | undefined;
    do {
      const d = await streams.send(new DescribeStreamCommand({ StreamArn: streamArn, ExclusiveStartShardId: start }));
      for (const shard of d.StreamDescription?.Shards ?? []) {
        const id = shard.ShardId;
        if (id === undefined || loops.has(id)) continue;
        const open = shard.SequenceNumberRange?.EndingSequenceNumber === undefined;
        if (first && !open) {
          loops.set(id, Promise.resolve()); // closed before we started: history, not news
          continue;
        }
        const loop = readShard(id, first ? 'LATEST' : 'TRIM_HORIZON').catch((err) => {
          if (!stopped) log(`samsa streams: shard ${id}: ${(err as Error).message}`);
          loops.delete(id); // rediscovered (from TRIM_HORIZON) on the next pass
        });
        loops.set(id, loop);
      }
      start = d.StreamDescription?.LastEvaluatedShardId;
    } while (start !== undefined);
  };

  await discover(true);
  const discovering = (async () => {
    while (!stopped) {
      await sleep(options.discoverMs ?? 1000);
      if (!stopped) await discover(false).catch((err) => log(`samsa streams: ${(err as Error).message}`));
    }
  })();

  return {
    async stop() {
      stopped = true;
      wake?.();
      await discovering;
      await Promise.all(loops.values());
      if (options.client === undefined) streams.destroy();
    },
  };
}

/** The SDK's record → Lambda's event record (binary as base64, times in epoch seconds). */
function toLambdaRecord(r: SdkRecord, streamArn: string, region: string): DynamoDBRecord {
  const d = r.dynamodb ?? {};
  const images = (m: Record<string, unknown> | undefined) =>
    m === undefined ? undefined : (Object.fromEntries(Object.entries(m).map(([k, v]) => [k, toLambdaValue(v)])) as Record<string, LambdaAttributeValue>);
  return {
    eventID: r.eventID,
    eventName: r.eventName as DynamoDBRecord['eventName'],
    eventVersion: r.eventVersion,
    eventSource: 'aws:dynamodb',
    awsRegion: region,
    eventSourceARN: streamArn,
    dynamodb: {
      ApproximateCreationDateTime: d.ApproximateCreationDateTime === undefined ? undefined : Math.floor(d.ApproximateCreationDateTime.getTime() / 1000),
      Keys: images(d.Keys),
      NewImage: images(d.NewImage),
      OldImage: images(d.OldImage),
      SequenceNumber: d.SequenceNumber,
      SizeBytes: d.SizeBytes,
      StreamViewType: d.StreamViewType as NonNullable<DynamoDBRecord['dynamodb']>['StreamViewType'],
    },
  };
}

function toLambdaValue(v: unknown): LambdaAttributeValue {
  const a = v as Record<string, unknown>;
  if (a.B instanceof Uint8Array) return { B: Buffer.from(a.B).toString('base64') };
  if (Array.isArray(a.BS)) return { BS: (a.BS as Uint8Array[]).map((b) => Buffer.from(b).toString('base64')) };
  if (Array.isArray(a.L)) return { L: (a.L as unknown[]).map(toLambdaValue) };
  if (a.M !== undefined && a.M !== null) {
    return { M: Object.fromEntries(Object.entries(a.M as Record<string, unknown>).map(([k, x]) => [k, toLambdaValue(x)])) };
  }
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(a)) if (x !== undefined && k !== '$unknown') out[k] = x;
  return out as LambdaAttributeValue;
}

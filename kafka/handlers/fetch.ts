/**
 * Fetch (v4-v12) → lib/log/fetch.ts fetchRecords per partition, the fetched
 * records returned as one uncompressed record batch v2 per partition, with
 * their stored offsets, timestamps, keys, values and headers. Offsets the
 * log aborted (a writer that died) are skipped by stretching the batch's
 * last offset over them, so the consumer moves past them.
 * Waiting: until minBytes are fetched or maxWaitMs passed. One partition
 * long-polls inside lib; several are watched as lib's group poll does: an
 * eventually consistent read of each empty partition's counter every
 * 50-500 ms (backing off), and a partition is fetched again only when a new
 * reservation shows there (or one it saw was still being written).
 * No fetch sessions (KIP-227): every answer says session 0, so clients send
 * full requests. isolation_level is moot: Samsa has no transactions, and
 * reads stop at the stable end, which is both high watermark and LSO.
 */
import type { FetchResult } from '../../lib/log/fetch';
import { fetchRecords } from '../../lib/log/fetch';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { isSamsaError } from '../../lib/errors';
import { logKeys } from '../../lib/storage/keys';
import type { ApiHandler, Gateway, Session } from '../api';
import { KafkaError, kafkaCode } from '../errors';
import type { KStruct } from '../protocol/codec';
import { encodeBatch } from '../records/batch';

interface Wanted {
  topic: string;
  partition: number;
  offset: number;
  maxBytes: number;
}

type Outcome = { result: FetchResult; bytes: Buffer } | { errorCode: number; highWatermark: number; logStartOffset: number };

export const fetchApi: ApiHandler = {
  key: 1,
  name: 'Fetch',
  min: 4,
  max: 12,
  async handle(g, s, req) {
    const wanted: Wanted[] = (req.topics as KStruct[]).flatMap((t) =>
      (t.partitions as KStruct[]).map((p) => ({ topic: t.topic as string, partition: p.partition as number, offset: Number(p.fetchOffset), maxBytes: p.partitionMaxBytes as number })),
    );
    const maxWaitMs = Math.max(0, Math.min(req.maxWaitMs as number, g.lib.limits.maxWaitMs));
    const minBytes = Math.max(0, req.minBytes as number);
    const deadline = g.lib.clock.now() + maxWaitMs;
    const single = wanted.length === 1 ? maxWaitMs : 0;
    const outcomes = await Promise.all(wanted.map((w) => fetchOne(g, s, w, single)));
    const seqs: (number | undefined)[] = [];
    for (let delay = 50; wanted.length > 1 && size(outcomes) < Math.max(1, minBytes) && !outcomes.some(failed); delay = Math.min(500, delay * 2)) {
      const left = deadline - g.lib.clock.now();
      if (left <= 0) break;
      await new Promise((r) => setTimeout(r, Math.min(delay, left)));
      await Promise.all(
        wanted.map(async (w, i) => {
          const o = outcomes[i]!;
          if (!('result' in o) || o.bytes.length > 0) return;
          // Only a new reservation brings data; a pending one may land without one. The first read has
          // nothing to compare with (a reservation may have come after the fetch): fetch once more.
          const seq = await reservationSeq(g, o.result.topicId, w.partition);
          const moved = seqs[i] === undefined || seq !== seqs[i];
          seqs[i] = seq;
          if (moved || o.result.pending) outcomes[i] = await fetchOne(g, s, w, 0);
        }),
      );
    }
    // The response's own byte bound: whole partitions until it is reached, always the first with data.
    let budget = req.maxBytes as number;
    const byTopic = new Map<string, KStruct[]>();
    wanted.forEach((w, i) => {
      const o = outcomes[i]!;
      let data: KStruct;
      if ('result' in o) {
        const fits = budget > 0 || o.bytes.length === 0;
        budget -= o.bytes.length;
        data = partitionData(w.partition, KafkaError.NONE, o.result.highWatermark, o.result.logStartOffset, fits ? o.bytes : Buffer.alloc(0));
      } else data = partitionData(w.partition, o.errorCode, o.highWatermark, o.logStartOffset, Buffer.alloc(0));
      const list = byTopic.get(w.topic) ?? [];
      list.push(data);
      byTopic.set(w.topic, list);
    });
    return {
      throttleTimeMs: 0,
      errorCode: KafkaError.NONE,
      sessionId: 0,
      responses: [...byTopic].map(([topic, partitions]) => ({ topic, partitions })),
    };
  },
};

function failed(o: Outcome): boolean {
  return !('result' in o);
}

function size(outcomes: Outcome[]): number {
  return outcomes.reduce((n, o) => n + ('result' in o ? o.bytes.length : 0), 0);
}

function partitionData(partitionIndex: number, errorCode: number, highWatermark: number, logStartOffset: number, records: Buffer): KStruct {
  return {
    partitionIndex,
    errorCode,
    highWatermark: BigInt(highWatermark),
    lastStableOffset: BigInt(highWatermark),
    logStartOffset: BigInt(logStartOffset),
    abortedTransactions: [],
    preferredReadReplica: -1,
    records,
  };
}

/** The partition counter's reservation seq (eventually consistent, half price). */
async function reservationSeq(g: Gateway, topicId: string, partition: number): Promise<number | undefined> {
  const out = await g.lib.ddb.send(new GetCommand({ TableName: g.lib.tables.log, Key: logKeys.counter(topicId, partition), ProjectionExpression: 'seq' }));
  return out.Item?.seq as number | undefined;
}

async function fetchOne(g: Gateway, s: Session, w: Wanted, maxWaitMs: number): Promise<Outcome> {
  try {
    const result = await fetchRecords(g.lib, s.principal, {
      topic: w.topic,
      partition: w.partition,
      offset: w.offset,
      maxRecords: g.lib.limits.maxRecordsPerRequest,
      maxBytes: Math.max(1, w.maxBytes),
      maxWaitMs,
    });
    const moved = result.nextOffset > w.offset;
    const bytes = moved ? encodeBatch(result.records, w.offset, result.nextOffset - 1) : Buffer.alloc(0);
    return { result, bytes };
  } catch (err) {
    if (!isSamsaError(err)) throw err;
    const details = (err.details ?? {}) as { highWatermark?: number; logStartOffset?: number };
    return { errorCode: kafkaCode(err), highWatermark: details.highWatermark ?? -1, logStartOffset: details.logStartOffset ?? -1 };
  }
}

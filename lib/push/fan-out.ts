/**
 * Sends each subscriber of the partitions that got settled batches a small
 * notification `{type: 'notify', topic, partition, highWatermark}`.
 *
 * Behaviour: one Query per partition (its subscription rows), then one send
 * per subscriber through the injected port (API Gateway's PostToConnection on
 * AWS, the local `ws` server locally). A send that reports the connection
 * gone removes it from the registry (disconnect). A failed send of any other
 * kind is counted and skipped: a notification is a hint, and the client's
 * safety poll covers a lost one, so one bad connection must not make the
 * stream batch retry and re-notify everybody.
 * Errors: storage errors propagate (the stream batch is retried; duplicate
 * notifications are harmless).
 * Cost: 1 Query (0.5 RCU eventually consistent, per 4 KB of rows) per
 * partition in the event, whether or not anyone listens, and one send per
 * subscriber; Lambda reads of the stream are free.
 */
import type { LibContext } from '../context';
import { forEachLimit } from '../for-each-limit';
import type { NotifyMessage } from '../protocol/push';
import { queryAll } from '../storage/query-all';
import { disconnect } from './disconnect';
import { decodeSubscriber, queryPartitionSubscribers } from './registry';
import type { SettledBatch } from './settled';

/** Sends one text frame to a connection; 'gone' when it no longer exists (API Gateway: GoneException, 410). */
export type SendPort = (connectionId: string, data: string) => Promise<'sent' | 'gone'>;

export interface FanOutResult {
  sent: number;
  gone: number;
  failed: number;
}

export async function fanOut(ctx: LibContext, batches: readonly SettledBatch[], send: SendPort): Promise<FanOutResult> {
  const result: FanOutResult = { sent: 0, gone: 0, failed: 0 };
  await forEachLimit(batches, 8, async (batch) => {
    const rows = await queryAll(ctx.ddb, queryPartitionSubscribers(ctx.tables.meta, batch.topicId, batch.partition));
    await forEachLimit(rows.map(decodeSubscriber), 16, async (row) => {
      const message: NotifyMessage = { type: 'notify', topic: row.topic, partition: batch.partition, highWatermark: batch.highWatermark };
      try {
        if ((await send(row.connectionId, JSON.stringify(message))) === 'gone') {
          result.gone++;
          await disconnect(ctx, row.connectionId);
        } else {
          result.sent++;
        }
      } catch {
        result.failed++;
      }
    });
  });
  return result;
}

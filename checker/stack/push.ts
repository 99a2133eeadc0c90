/**
 * Push delivery on the checker's stack, wired as the local stack wires it
 * (local/websocket.ts, local/streams.ts) but with the checker's ports:
 * - WebSocket notifications at ws://<front>/v1/ws, served by the first
 *   handler instance (its deps, faults and clock); the fan-out is driven
 *   from DynamoDB Local's stream through the notification nemesis
 *   (faults/notifications.ts), which wraps the SendPort and the handler.
 * - Push-subscription delivery (functions/subscriptions/stream-handler.ts)
 *   from the same stream, on its own stream reader so slow webhooks never
 *   hold notifications back. Idle shards are polled every 250 ms (npm start:
 *   50 ms): the checker's DynamoDB Local is its bottleneck. Its ports: Node's fetch with the post timeout
 *   cut to `postTimeoutMs` (a hanging receiver costs seconds, not the
 *   production 10 s) — or a sabotaged transport (sabotage.ts) — and a wake-up
 *   scheduler on the instance's own clock, so retries keep their backoff
 *   when the nemesis jumps handler clocks ahead.
 */
import type { Server } from 'node:http';
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { fanOutHandler } from '../../functions/push/handlers';
import type { AppDeps } from '../../functions/http/app';
import { deliveryHandler } from '../../functions/subscriptions/stream-handler';
import { deliverNamed } from '../../lib/subscriptions/trigger';
import { fetchTransport, type WebhookTransport, type WakeScheduler } from '../../lib/subscriptions/ports';
import { attachWebSocket } from '../../local/websocket';
import { startStreamConsumers, type StreamConsumers } from '../../local/streams';
import { localCredentials } from '../../lib/storage/client';
import { NotificationChaos } from '../faults/notifications';
import type { Random } from '../faults/random';
import { sabotagedTransport, type Sabotage } from '../sabotage';

export interface PushOptions {
  server: Server;
  httpUrl: string;
  deps: AppDeps;
  endpoint: string;
  logTable: string;
  random: Random;
  sabotage?: Sabotage;
  postTimeoutMs?: number;
}

export interface CheckerPush {
  wsUrl: string;
  notifications: NotificationChaos;
  /** One delivery run of a subscription now (the end of a run drains with it): its report, or its error. */
  deliverNow(subscription: string): Promise<unknown>;
  /** Stream batches a handler gave up on after its retries (killed fan-outs, outages), and other stream errors. */
  streamErrors: { count: number; last?: string };
  close(): Promise<void>;
}

const BUDGET_MS = 20_000;

export async function startPush(o: PushOptions): Promise<CheckerPush> {
  const ws = attachWebSocket(o.server, o.deps);
  const notifications = new NotificationChaos(o.random);
  const streamErrors: CheckerPush['streamErrors'] = { count: 0 };
  const log = (m: string) => {
    streamErrors.count++;
    streamErrors.last = m;
  };

  const timeoutMs = o.postTimeoutMs ?? 2_000;
  const transport: WebhookTransport = { post: (req) => fetchTransport.post({ ...req, timeoutMs: Math.min(req.timeoutMs, timeoutMs) }) };
  const timers = new Set<NodeJS.Timeout>();
  let closed = false;
  let run: (name: string) => void = () => undefined;
  const scheduler: WakeScheduler = {
    async wakeAt(name, at) {
      if (closed) return;
      const timer = setTimeout(() => {
        timers.delete(timer);
        run(name);
      }, Math.max(0, at - o.deps.lib.clock.now()));
      timers.add(timer);
    },
  };
  const ports = { transport: sabotagedTransport(transport, o.sabotage ?? {}), scheduler };
  const deliver = deliveryHandler(o.deps.lib, ports, BUDGET_MS);
  run = (name) => void deliver({ subscription: name }).catch((err: unknown) => log(`delivery ${name}: ${String(err)}`));

  const fanOut = notifications.handler((send) => fanOutHandler(o.deps, send), ws.send);
  const streamOptions = { endpoint: o.endpoint, tableName: o.logTable, credentials: localCredentials(), pollMs: 250, discoverMs: 2_000, log };
  const readers: StreamConsumers[] = [
    await startStreamConsumers(streamOptions, [fanOut]),
    await startStreamConsumers(streamOptions, [(event: DynamoDBStreamEvent) => deliver(event)]),
  ];
  return {
    wsUrl: `${o.httpUrl.replace(/^http/, 'ws')}/v1/ws`,
    notifications,
    streamErrors,
    deliverNow: (name) =>
      deliverNamed(o.deps.lib, ports, [name], { deadline: o.deps.lib.clock.now() + BUDGET_MS }).then(
        (reports) => reports.get(name),
        (err: unknown) => `error: ${String(err)}`,
      ),
    async close() {
      closed = true;
      for (const t of timers) clearTimeout(t);
      notifications.stop();
      await Promise.all(readers.map((r) => r.stop()));
      await ws.close();
    },
  };
}

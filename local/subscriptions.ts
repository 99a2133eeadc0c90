/**
 * Push-subscription delivery in the local stack: the same handler the
 * delivery Lambda runs (functions/subscriptions/stream-handler.ts), driven by
 * DynamoDB Local's stream through local/streams.ts, posting with Node's fetch;
 * wake-ups (retries, lingers) are timers in this process instead of
 * EventBridge Scheduler one-shots. A timer lost with the process is harmless:
 * the attempt state is stored, and the next produce to the topic runs the
 * subscription again (it then waits out the stored backoff).
 */
import type { LibContext } from '../lib/context';
import { fetchTransport, type DeliveryPorts, type WakeScheduler } from '../lib/subscriptions/ports';
import { deliveryHandler } from '../functions/subscriptions/stream-handler';
import type { StreamHandler } from './streams';

const BUDGET_MS = 25_000;

export interface LocalDelivery {
  /** Register with startStreamConsumers. */
  handler: StreamHandler;
  stop(): void;
}

export function localDelivery(ctx: LibContext, transport = fetchTransport, log: (m: string) => void = console.error): LocalDelivery {
  const timers = new Set<NodeJS.Timeout>();
  let run: (name: string) => void = () => undefined;
  const scheduler: WakeScheduler = {
    async wakeAt(name, at) {
      const timer = setTimeout(() => {
        timers.delete(timer);
        run(name);
      }, Math.max(0, at - Date.now()));
      timers.add(timer);
    },
  };
  const ports: DeliveryPorts = { transport, scheduler };
  const handle = deliveryHandler(ctx, ports, BUDGET_MS);
  run = (name) => void handle({ subscription: name }).catch((err: unknown) => log(`subscription ${name}: delivery failed: ${String(err)}`));
  return {
    handler: (event) => handle(event),
    stop() {
      for (const t of timers) clearTimeout(t);
      timers.clear();
    },
  };
}

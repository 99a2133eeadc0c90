/**
 * Push-subscription delivery in the local stack: the same handler the
 * delivery Lambda runs (functions/subscriptions/stream-handler.ts), driven by
 * DynamoDB Local's stream through local/streams.ts, posting with Node's fetch;
 * wake-ups (retries, lingers) are timers in this process instead of
 * EventBridge Scheduler one-shots. A timer lost with the process is harmless:
 * the attempt state is stored, and the next produce to the topic runs the
 * subscription again (it then waits out the stored backoff).
 *
 * Lambda function targets are invoked through the AWS SDK's LambdaClient at
 * `lambdaEndpoint` (`npm start -- --lambda-endpoint URL`): any service that
 * implements Lambda's Invoke REST API (`POST
 * /2015-03-31/functions/{name}/invocations`), such as an emulator or a
 * test's stand-in. A loopback URL gets dummy credentials, any other the
 * default AWS credential chain. Without it a Lambda-target subscription is
 * still created, and each of its batches fails with a lastError that names
 * the flag (then goes to its dead-letter topic): describe shows why.
 */
import { LambdaClient } from '@aws-sdk/client-lambda';
import type { LibContext } from '../lib/context';
import { isLocalEndpoint, localCredentials } from '../lib/storage/client';
import { lambdaClientOptions, sdkLambdaInvoker } from '../lib/subscriptions/lambda-invoke';
import { fetchTransport, type DeliveryPorts, type LambdaPort, type WakeScheduler, type WebhookTransport } from '../lib/subscriptions/ports';
import { deliveryHandler } from '../functions/subscriptions/stream-handler';
import type { StreamHandler } from './streams';

const BUDGET_MS = 25_000;

export interface LocalDelivery {
  /** Register with startStreamConsumers. */
  handler: StreamHandler;
  /** A delivery run of the subscription now (a resume), as a wake-up would start it. */
  wake(name: string): Promise<void>;
  stop(): void;
}

export interface LocalDeliveryOptions {
  transport?: WebhookTransport;
  /** Where Lambda targets are invoked (--lambda-endpoint); absent = no Lambda targets. */
  lambdaEndpoint?: string;
  /** The region requests to lambdaEndpoint are signed for, unless its URL names one (default us-east-1). */
  lambdaRegion?: string;
  log?: (m: string) => void;
}

/** A LambdaClient on an endpoint that speaks Lambda's Invoke API; signed for the region a lambda.<region>.amazonaws.com URL names, else `region`. */
export function localLambda(endpoint: string, region = 'us-east-1'): LambdaPort {
  const named = /^lambda(?:-fips)?\.([a-z0-9-]+)\.amazonaws\.com$/.exec(new URL(endpoint).hostname)?.[1];
  const client = new LambdaClient(
    lambdaClientOptions({ endpoint, region: named ?? region, ...(isLocalEndpoint(endpoint) ? { credentials: localCredentials() } : {}) }),
  );
  return sdkLambdaInvoker(client);
}

export function localDelivery(ctx: LibContext, opts: LocalDeliveryOptions = {}): LocalDelivery {
  const log = opts.log ?? console.error;
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
  const ports: DeliveryPorts = {
    transport: opts.transport ?? fetchTransport,
    scheduler,
    ...(opts.lambdaEndpoint === undefined ? {} : { lambda: localLambda(opts.lambdaEndpoint, opts.lambdaRegion) }),
  };
  const handle = deliveryHandler(ctx, ports, BUDGET_MS);
  run = (name) => void handle({ subscription: name }).catch((err: unknown) => log(`subscription ${name}: delivery failed: ${String(err)}`));
  return {
    handler: (event) => handle(event),
    wake: async (name) => run(name),
    stop() {
      for (const t of timers) clearTimeout(t);
      timers.clear();
    },
  };
}

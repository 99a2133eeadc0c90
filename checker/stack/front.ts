/**
 * The checker's HTTP front: one Node server in front of several handler
 * instances (each its own Hono app with its own deps, clock and caches, as
 * separate Lambda instances are), choosing an instance per request at
 * random. It can drop a response after the handler ran to completion —
 * the write committed, the client never hears of it — by destroying the
 * socket, as a lost connection through API Gateway would.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getRequestListener, type HttpBindings } from '@hono/node-server';
import type { Random } from '../faults/random';

export interface FrontServer {
  url: string;
  /** Probability that a response is dropped after the handler finished. */
  dropRate: number;
  dropped: number;
  requests: number;
  /** The Node server (push notifications attach their WebSocket upgrade to it). */
  server: Server;
  close(): Promise<void>;
}

type Fetch = (request: Request) => Response | Promise<Response>;

export async function startFront(apps: Fetch[], random: Random): Promise<FrontServer> {
  const front = { url: '', dropRate: 0, dropped: 0, requests: 0, close: async () => undefined } as Omit<FrontServer, 'server'> as FrontServer;
  const listener = getRequestListener(async (request, env) => {
    front.requests++;
    const app = apps[random.int(apps.length)]!;
    const response = await app(request);
    // Only requests that change something have a commit to lose.
    if (request.method !== 'GET' && front.dropRate > 0 && random.chance(front.dropRate)) {
      await response.arrayBuffer().catch(() => undefined); // the handler has finished its work
      front.dropped++;
      (env as HttpBindings).incoming.socket.destroy();
      return new Response(null, { status: 502 }); // never reaches the client: the socket is gone
    }
    return response;
  });
  const server: Server = createServer(listener);
  front.server = server;
  server.keepAliveTimeout = 5_000;
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  front.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  front.close = () =>
    new Promise((done) => {
      server.close(() => done());
      server.closeAllConnections();
    });
  return front;
}

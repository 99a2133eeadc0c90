/**
 * Serves the same Hono app, with the same handlers, that the Lambda functions
 * run — every route of every function in one process — and the built web
 * console at /console/ (the console function's app; `/` redirects there), and
 * the WebSocket notification endpoint at /v1/ws (local/websocket.ts).
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serve, type ServerType } from '@hono/node-server';
import { allHandlers } from '../functions/all-handlers';
import { consoleAssets, isConsolePath } from '../functions/console/assets';
import { buildApp, type AppDeps } from '../functions/http/app';
import type { Server } from 'node:http';
import { attachWebSocket, WEBSOCKET_PATH, type LocalWebSocket } from './websocket';

/** Where `npm run build:console` (run by npm install) puts the console. */
export const CONSOLE_DIST = join(dirname(fileURLToPath(import.meta.url)), '..', 'console', 'dist');

export interface LocalServer {
  url: string;
  /** The WebSocket notification endpoint on the same port (ws://…/v1/ws) and its send port for the fan-out. */
  push: LocalWebSocket;
  close(): Promise<void>;
}

export class PortInUseError extends Error {}

export function startServer(
  deps: AppDeps,
  port: number,
  hostname = '127.0.0.1',
  options: { consoleDir?: string } = {},
): Promise<LocalServer> {
  // GET /v1/health names this server's own WebSocket endpoint, at the host the client reached it by.
  const app = buildApp({ ...deps, pushUrl: localPushUrl }, allHandlers);
  const web = consoleAssets({ dir: options.consoleDir ?? CONSOLE_DIST });
  const fetch = (request: Request, env: unknown): Response | Promise<Response> => {
    const { pathname } = new URL(request.url);
    if (pathname === '/' && (request.method === 'GET' || request.method === 'HEAD')) {
      return new Response(null, { status: 302, headers: { location: '/console/' } });
    }
    return isConsolePath(pathname) ? web.fetch(request) : app.fetch(request, env);
  };
  return new Promise((resolve, reject) => {
    let server: ServerType;
    const onError = (err: NodeJS.ErrnoException) => {
      reject(err.code === 'EADDRINUSE' ? new PortInUseError(`Port ${port} on ${hostname} is already in use.`) : err);
    };
    server = serve({ fetch, port, hostname }, (info) => {
      server.off('error', onError);
      const push = attachWebSocket(server as Server, deps);
      resolve({
        url: `http://${hostname}:${info.port}`,
        push,
        close: () =>
          new Promise((done) => {
            void push.close();
            server.close(() => done());
            // Idle keep-alive connections would otherwise hold shutdown open for seconds.
            if ('closeAllConnections' in server) server.closeAllConnections();
          }),
      });
    });
    server.once('error', onError);
  });
}

/** `ws://<host>:<port>/v1/ws` for a request to `http://<host>:<port>/…` (`wss:` behind TLS). */
export function localPushUrl(requestUrl: string): string {
  const url = new URL(WEBSOCKET_PATH, requestUrl);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  return url.href;
}

/**
 * Serves the same Hono app, with the same handlers, that the Lambda functions
 * run — every route of every function in one process.
 */
import { serve, type ServerType } from '@hono/node-server';
import { allHandlers } from '../functions/all-handlers';
import { buildApp, type AppDeps } from '../functions/http/app';

export interface LocalServer {
  url: string;
  close(): Promise<void>;
}

export class PortInUseError extends Error {}

export function startServer(deps: AppDeps, port: number, hostname = '127.0.0.1'): Promise<LocalServer> {
  const app = buildApp(deps, allHandlers);
  return new Promise((resolve, reject) => {
    let server: ServerType;
    const onError = (err: NodeJS.ErrnoException) => {
      reject(err.code === 'EADDRINUSE' ? new PortInUseError(`Port ${port} on ${hostname} is already in use.`) : err);
    };
    server = serve({ fetch: app.fetch, port, hostname }, (info) => {
      server.off('error', onError);
      resolve({
        url: `http://${hostname}:${info.port}`,
        close: () =>
          new Promise((done) => {
            server.close(() => done());
            // Idle keep-alive connections would otherwise hold shutdown open for seconds.
            if ('closeAllConnections' in server) server.closeAllConnections();
          }),
      });
    });
    server.once('error', onError);
  });
}

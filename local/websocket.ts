/**
 * The local stack's WebSocket endpoint (`ws://<host>:<port>/v1/ws`), served
 * with the `ws` package on the HTTP server's upgrade path and calling the same
 * handlers API Gateway's routes call (functions/push/handlers.ts): $connect
 * on upgrade (refused with the HTTP status before the socket opens, as API
 * Gateway does), $default per text frame, $disconnect on close. `send` is
 * the local PostToConnection: 'gone' when the socket is not open.
 *
 * API Gateway's limits are mirrored where tests need them: `maxLifetimeMs`
 * closes a connection after its lifetime (2 h on AWS), `idleTimeoutMs` after
 * silence (10 min on AWS).
 */
import type { IncomingMessage, Server } from 'node:http';
import { randomUUID } from 'node:crypto';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { handleConnect, handleDisconnect, handleMessage } from '../functions/push/handlers';
import type { AppDeps } from '../functions/http/app';
import type { SendPort } from '../lib/push/fan-out';

export const WEBSOCKET_PATH = '/v1/ws';

export interface LocalWebSocket {
  send: SendPort;
  /** Open connections by id (tests close one to simulate API Gateway ending it). */
  connections: Map<string, WebSocket>;
  close(): Promise<void>;
}

export function attachWebSocket(
  server: Server,
  deps: AppDeps,
  options: { maxLifetimeMs?: number; idleTimeoutMs?: number } = {},
): LocalWebSocket {
  const wss = new WebSocketServer({ noServer: true, maxPayload: 128 * 1024 });
  const connections = new Map<string, WebSocket>();
  const maxLifetimeMs = options.maxLifetimeMs ?? 2 * 3600 * 1000;
  const idleTimeoutMs = options.idleTimeoutMs ?? 10 * 60 * 1000;

  const onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(request.url ?? '/', 'http://local');
    if (url.pathname !== WEBSOCKET_PATH) return; // another upgrade handler's, or none: Node closes it
    const connectionId = randomUUID();
    const headers: Record<string, string | undefined> = {};
    for (const [k, v] of Object.entries(request.headers)) headers[k] = Array.isArray(v) ? v.join(', ') : v;
    void handleConnect(deps, connectionId, { headers, query: Object.fromEntries(url.searchParams) }).then((result) => {
      if (!result.ok) {
        const body = JSON.stringify({ error: { code: result.code, message: result.message } });
        socket.end(`HTTP/1.1 ${result.status} Refused\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`);
        return;
      }
      wss.handleUpgrade(request, socket, head, (ws) => open(connectionId, ws));
    });
  };

  const open = (connectionId: string, ws: WebSocket) => {
    connections.set(connectionId, ws);
    const lifetime = setTimeout(() => ws.close(1001, 'Connection lifetime reached'), maxLifetimeMs);
    let idle = setTimeout(() => ws.close(1001, 'Idle timeout'), idleTimeoutMs);
    let queue = Promise.resolve();
    ws.on('message', (data, isBinary) => {
      clearTimeout(idle);
      idle = setTimeout(() => ws.close(1001, 'Idle timeout'), idleTimeoutMs);
      const text = isBinary ? '' : data.toString();
      // One at a time, in order, like API Gateway's per-connection route invocations appear to a client.
      queue = queue.then(async () => {
        const reply = await handleMessage(deps, connectionId, text);
        if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(reply));
      });
    });
    ws.on('close', () => {
      clearTimeout(lifetime);
      clearTimeout(idle);
      connections.delete(connectionId);
      void handleDisconnect(deps, connectionId).catch(() => undefined); // TTL removes what a failed cleanup leaves
    });
  };

  server.on('upgrade', onUpgrade);
  return {
    connections,
    async send(connectionId, data) {
      const ws = connections.get(connectionId);
      if (ws === undefined || ws.readyState !== ws.OPEN) return 'gone';
      await new Promise<void>((resolve, reject) => ws.send(data, (err) => (err ? reject(err) : resolve())));
      return 'sent';
    },
    async close() {
      server.off('upgrade', onUpgrade);
      for (const ws of connections.values()) ws.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}

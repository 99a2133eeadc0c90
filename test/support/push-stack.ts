/**
 * The local stack with push, for tests: the HTTP API and its ws endpoint on
 * a free port, and the fan-out driven from DynamoDB Local's stream (as
 * `npm start` runs it) through a send port that counts what it sends and can
 * lose everything (a dropped notification).
 */
import { fanOutHandler } from '../../functions/push/handlers';
import { localCredentials } from '../../lib/storage/client';
import { startServer, type LocalServer } from '../../local/server';
import { startStreamConsumers } from '../../local/streams';
import { WEBSOCKET_PATH } from '../../local/websocket';
import { createTestStack, type TestStack } from './stack';

export interface PushStack {
  stack: TestStack;
  server: LocalServer;
  /** The ws:// URL of the notification endpoint. */
  wsUrl: string;
  /** Notifications the fan-out sent (lost ones not counted). */
  sends: number;
  /** When true, the fan-out's sends are lost. */
  drop: boolean;
  close(): Promise<void>;
}

export async function startPushStack(): Promise<PushStack> {
  const stack = await createTestStack();
  const server = await startServer(stack.deps, 0);
  const push: PushStack = {
    stack,
    server,
    wsUrl: server.url.replace('http:', 'ws:') + WEBSOCKET_PATH,
    sends: 0,
    drop: false,
    close: async () => {
      await consumers.stop();
      await server.close();
    },
  };
  const consumers = await startStreamConsumers({ endpoint: stack.endpoint, tableName: stack.tables.log, credentials: localCredentials() }, [
    fanOutHandler(stack.deps, async (id, data) => {
      if (push.drop) return 'sent';
      push.sends++;
      return server.push.send(id, data);
    }),
  ]);
  return push;
}

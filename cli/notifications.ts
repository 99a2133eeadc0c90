/**
 * The notification connection `samsa consume --follow` tails with
 * (docs/push.md): where it is, and whether it answers.
 *
 * The WebSocket URL is --ws-url, else SAMSA_WS_URL, else the one the server
 * names in `GET /v1/health` (`pushUrl`: the local stack's `/v1/ws`, the AWS
 * stack's WebSocket API, in either auth mode). A WebSocket implementation is the
 * platform's (Node 22+) or the `ws` package where it is installed (this
 * repository, Node 20). When there is no endpoint, no implementation, or the
 * socket does not open within `waitMs`, the command says so on stderr and
 * long-polls as before: tailing works either way, notifications only make it cheaper.
 */
import { Notifications, type Samsa, type WebSocketConstructor } from '../client';

export interface Endpoint {
  url: string;
  apiKey?: string;
  wsUrl?: string;
}

/** The given URL, else the server's; undefined when the server names none or cannot be asked (the fetches will say why). */
export async function webSocketUrl(endpoint: Endpoint, client: Pick<Samsa, 'notificationsUrl'>): Promise<string | undefined> {
  if (endpoint.wsUrl !== undefined) return endpoint.wsUrl;
  return client.notificationsUrl().catch(() => undefined);
}

async function webSocketConstructor(): Promise<WebSocketConstructor | undefined> {
  const global = (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
  if (global !== undefined) return global;
  // Not a literal: bundlers leave it to run time, so the published CLI needs no `ws` (it falls back to polling).
  const name = 'ws';
  try {
    return ((await import(name)) as { default: WebSocketConstructor }).default;
  } catch {
    return undefined;
  }
}

/** An open notification connection, or undefined (with a note on stderr) when there is none to be had. */
export async function openNotifications(
  endpoint: Endpoint,
  client: Pick<Samsa, 'notificationsUrl'>,
  note: (line: string) => void,
  waitMs = 3_000,
): Promise<Notifications | undefined> {
  const url = await webSocketUrl(endpoint, client);
  if (url === undefined) {
    note('samsa: the server names no notification endpoint (set --ws-url or SAMSA_WS_URL): following by polling');
    return undefined;
  }
  const WebSocket = await webSocketConstructor();
  if (WebSocket === undefined) {
    note('samsa: no WebSocket in this Node (22+ has one, or install ws): following by polling');
    return undefined;
  }
  const notifications = new Notifications({ url, WebSocket, ...(endpoint.apiKey === undefined ? {} : { apiKey: endpoint.apiKey }) });
  const deadline = Date.now() + waitMs;
  while (!notifications.connected && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
  if (notifications.connected) return notifications;
  notifications.close();
  note(`samsa: notifications unavailable at ${url} (set --ws-url or SAMSA_WS_URL): following by polling`);
  return undefined;
}

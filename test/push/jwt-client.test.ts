/**
 * How the SDK's Notifications passes its credential on connect
 * (client/notifications.ts): `?token=` on the URL, the API key or, in JWT
 * mode, the `token` option — a function is asked again before every
 * reconnect, so an expired JWT is replaced by a fresh one. A stand-in
 * WebSocket records the URLs it was opened with.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { Notifications, type WebSocketLike } from '../../client/notifications';

class FakeSocket implements WebSocketLike {
  static opened: FakeSocket[] = [];
  readyState = 0;
  private readonly listeners = new Map<string, ((event: any) => void)[]>();
  constructor(readonly url: string) {
    FakeSocket.opened.push(this);
  }
  send(): void {}
  close(): void {
    this.readyState = 3;
    this.emit('close', {});
  }
  addEventListener(type: string, listener: (event: any) => void): void {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), listener]);
  }
  emit(type: string, event: unknown): void {
    for (const l of this.listeners.get(type) ?? []) l(event);
  }
}

const until = async (check: () => boolean) => {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 5));
  expect(check()).toBe(true);
};
const tokenOf = (s: FakeSocket | undefined) => new URL(s!.url).searchParams.get('token');
let notifications: Notifications | undefined;
afterEach(() => {
  notifications?.close();
  FakeSocket.opened = [];
});

describe('the credential on connect', () => {
  it('sends the API key as ?token=, keeping the URL otherwise', () => {
    notifications = new Notifications({ url: 'wss://abc.execute-api.eu-west-1.amazonaws.com/v1', apiKey: 'samsa_k_s', WebSocket: FakeSocket });
    expect(FakeSocket.opened[0]!.url).toBe('wss://abc.execute-api.eu-west-1.amazonaws.com/v1?token=samsa_k_s');
  });

  it('sends a JWT given as token instead of the API key', () => {
    notifications = new Notifications({ url: 'ws://127.0.0.1:4000/v1/ws', apiKey: 'samsa_k_s', token: 'h.p.s', WebSocket: FakeSocket });
    expect(tokenOf(FakeSocket.opened[0])).toBe('h.p.s');
  });

  it('asks a token function again before every reconnect, so a refreshed JWT is used', async () => {
    let n = 0;
    notifications = new Notifications({ url: 'ws://127.0.0.1:4000/v1/ws', token: async () => `jwt-${++n}`, WebSocket: FakeSocket, minBackoffMs: 1 });
    await until(() => FakeSocket.opened.length === 1);
    expect(tokenOf(FakeSocket.opened[0])).toBe('jwt-1');
    FakeSocket.opened[0]!.close(); // the server ended it (e.g. the 2-hour limit)
    await until(() => FakeSocket.opened.length === 2);
    expect(tokenOf(FakeSocket.opened[1])).toBe('jwt-2');
  });

  it('retries with backoff when the token function fails, and opens nothing after close()', async () => {
    let calls = 0;
    notifications = new Notifications({
      url: 'ws://127.0.0.1:4000/v1/ws',
      token: () => {
        calls++;
        if (calls < 3) throw new Error('identity provider down');
        return 'jwt-ok';
      },
      WebSocket: FakeSocket,
      minBackoffMs: 1,
    });
    await until(() => FakeSocket.opened.length === 1);
    expect(calls).toBe(3);
    expect(tokenOf(FakeSocket.opened[0])).toBe('jwt-ok');

    let pending: (t: string) => void = () => undefined;
    const late = new Notifications({ url: 'ws://127.0.0.1:4000/v1/ws', token: () => new Promise<string>((r) => (pending = r)), WebSocket: FakeSocket });
    late.close();
    pending('too-late');
    await new Promise((r) => setTimeout(r, 20));
    expect(FakeSocket.opened).toHaveLength(1);
  });
});

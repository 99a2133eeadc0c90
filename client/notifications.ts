/**
 * A WebSocket connection to Samsa's notifications (docs/push.md): tells
 * watchers when a partition has new records, so a consumer waits on a message
 * instead of a long poll that keeps a Lambda busy.
 *
 * Behaviour: uses `globalThis.WebSocket` (Node 22+, Deno, Bun, browsers) or
 * the `WebSocket` option (e.g. the `ws` package on Node 20). The credential —
 * the API key, or in JWT mode the `token` (a JWT, fetched again before every
 * connect so a refreshed one is used) — goes in the URL (`?token=`), because
 * browsers cannot set headers on a WebSocket.
 * Keepalive: a `ping` every `keepaliveMs` (default 8 min: API Gateway closes a
 * connection silent for 10 minutes; one tiny message each, 2 minutes to spare). When the socket closes
 * (API Gateway ends every connection after 2 hours, or the network drops) it
 * reconnects with exponential backoff (0.5 s doubling to 30 s), subscribes
 * again to everything watched, and calls every watcher with `undefined`:
 * notifications may have been missed meanwhile, so check now.
 * A notification is a hint only: watchers fetch as usual, and keep a slow
 * safety poll so a lost notification only delays them.
 * Group members: `link()` ties a member incarnation to this connection, so
 * that the connection's end makes it leave the group at once (docs/push.md);
 * links are made again after a reconnect. Before API Gateway's 2-hour limit
 * (`rotateAfterMs`, default 110 min) the connection is replaced make-before-
 * break: the new socket subscribes and links, the old one unlinks, then
 * closes — so a planned rotation never makes a member leave.
 */
import type { PushClientMessage, PushServerMessage } from '../lib/protocol/push';

/** The part of the WHATWG WebSocket this uses. */
export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  addEventListener(type: 'open' | 'close' | 'error' | 'message', listener: (event: any) => void): void;
}
export type WebSocketConstructor = new (url: string) => WebSocketLike;

export interface NotificationsOptions {
  /** The WebSocket endpoint: what `samsa.notificationsUrl()` returns (`ws://127.0.0.1:4000/v1/ws` locally, the stack's `PushUrl` on AWS). */
  url: string;
  /** Sent as `?token=` on each connect. */
  apiKey?: string;
  /**
   * JWT mode: the bearer token (a JWT from your identity provider), sent as `?token=` on each connect
   * instead of `apiKey`. A function is called before every connect and reconnect, so a token that
   * expired meanwhile is replaced by a fresh one (the server checks it at connect only).
   */
  token?: string | (() => string | Promise<string>);
  /** A WebSocket implementation where there is no global one (Node 20: `import WebSocket from 'ws'`). */
  WebSocket?: WebSocketConstructor;
  /** Default 480,000 ms (API Gateway's idle timeout is 10 min). */
  keepaliveMs?: number;
  /** First reconnect delay, doubling to maxBackoffMs. Default 500 ms. */
  minBackoffMs?: number;
  maxBackoffMs?: number;
  /** Replace the connection after this long (API Gateway closes it at 2 h). Default 6,600,000 ms (110 min). */
  rotateAfterMs?: number;
}

interface Link {
  group: string;
  memberId: string;
  memberEpoch: number;
  /** Confirmed by the server on the current socket. */
  linked: boolean;
}

/** Called with the partition's new high watermark, or undefined after a reconnect (something may have been missed). */
export type PartitionWatcher = (highWatermark: number | undefined) => void;

const OPEN = 1;

export class Notifications {
  private socket: WebSocketLike | undefined;
  private readonly watchers = new Map<string, Set<PartitionWatcher>>();
  private closed = false;
  private backoff: number;
  private keepalive: ReturnType<typeof setInterval> | undefined;
  private retry: ReturnType<typeof setTimeout> | undefined;
  private readonly Ctor: WebSocketConstructor;
  private rotation: ReturnType<typeof setTimeout> | undefined;
  /** The socket a rotation replaces, until it has unlinked and closed. */
  private retiring: WebSocketLike | undefined;
  private readonly links = new Map<string, Link>();
  private readonly pending = new Map<string, (message: PushServerMessage) => void>();
  private readonly stateListeners = new Set<() => void>();
  private nextId = 0;
  /** Connections opened so far (1 + reconnects). */
  connections = 0;

  constructor(private readonly options: NotificationsOptions) {
    const Ctor = options.WebSocket ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
    if (Ctor === undefined) throw new Error('No WebSocket here: pass the WebSocket option (e.g. the ws package on Node 20).');
    this.Ctor = Ctor;
    this.backoff = options.minBackoffMs ?? 500;
    this.open();
  }

  /** Calls `watcher` when the partition gets records; returns the function that stops watching. */
  watch(topic: string, partition: number, watcher: PartitionWatcher): () => void {
    const key = `${partition}:${topic}`;
    let set = this.watchers.get(key);
    if (set === undefined) {
      set = new Set();
      this.watchers.set(key, set);
      this.send({ action: 'subscribe', topic, partitions: [partition] });
    }
    set.add(watcher);
    return () => {
      set!.delete(watcher);
      if (set!.size === 0 && this.watchers.get(key) === set) {
        this.watchers.delete(key);
        this.send({ action: 'unsubscribe', topic, partitions: [partition] });
      }
    };
  }

  /** Whether the socket is open now (watchers otherwise rely on their safety poll). */
  get connected(): boolean {
    return this.socket?.readyState === OPEN;
  }

  /**
   * Links a group member incarnation to this connection (again after every
   * reconnect); resolves true once the server confirmed it, false when it
   * refused or the socket is not open (it is retried on the next open).
   */
  link(group: string, memberId: string, memberEpoch: number): Promise<boolean> {
    const link: Link = { group, memberId, memberEpoch, linked: false };
    this.links.set(`${group}\u0000${memberId}`, link);
    return this.sendLink(this.socket, link);
  }

  /** Whether the member is linked on the open socket now (its connection's end would make it leave). */
  linked(group: string, memberId: string, memberEpoch?: number): boolean {
    const link = this.links.get(`${group}\u0000${memberId}`);
    return this.connected && link?.linked === true && (memberEpoch === undefined || link.memberEpoch <= memberEpoch);
  }

  /** Unlinks the member (before it leaves, or when it stops using this connection). */
  unlink(group: string, memberId: string): void {
    if (!this.links.delete(`${group}\u0000${memberId}`)) return;
    this.send({ action: 'unlink', group, memberId });
  }

  /** Calls `listener` whenever the socket opens or closes; returns the function that stops it. */
  onStateChange(listener: () => void): () => void {
    this.stateListeners.add(listener);
    return () => this.stateListeners.delete(listener);
  }

  close(): void {
    this.closed = true;
    clearInterval(this.keepalive);
    clearTimeout(this.retry);
    clearTimeout(this.rotation);
    this.socket?.close(1000, 'closed by the client');
    this.retiring?.close(1000, 'closed by the client');
  }

  private async sendLink(ws: WebSocketLike | undefined, link: Link): Promise<boolean> {
    if (ws === undefined || ws.readyState !== OPEN) return false;
    const answer = await this.request(ws, { action: 'link', group: link.group, memberId: link.memberId, memberEpoch: link.memberEpoch });
    const ok = answer?.type === 'linked' && this.socket === ws;
    if (this.links.get(`${link.group}\u0000${link.memberId}`) === link) link.linked = ok;
    return ok;
  }

  /** Sends a message with an id and waits for its answer (undefined after 10 s or if the socket closes first). */
  private request(ws: WebSocketLike, message: PushClientMessage): Promise<PushServerMessage | undefined> {
    const id = `c${++this.nextId}`;
    return new Promise((resolve) => {
      const timer = setTimeout(() => finish(undefined), 10_000);
      const finish = (answer: PushServerMessage | undefined) => {
        clearTimeout(timer);
        this.pending.delete(id);
        resolve(answer);
      };
      this.pending.set(id, finish);
      try {
        ws.send(JSON.stringify({ ...message, id }));
      } catch {
        finish(undefined);
      }
    });
  }

  /** Make-before-break: the new socket takes over; the old one unlinks every member, then closes. */
  private rotate(): void {
    const old = this.socket;
    this.retiring = old;
    this.open(async () => {
      if (old === undefined) return;
      await Promise.all([...this.links.values()].map((l) => (old.readyState === OPEN ? this.request(old, { action: 'unlink', group: l.group, memberId: l.memberId }) : undefined)));
      old.close(1000, 'replaced by a new connection');
      if (this.retiring === old) this.retiring = undefined;
    });
  }

  private open(afterOpen?: () => Promise<void>): void {
    const { token } = this.options;
    if (typeof token !== 'function') {
      this.connect(token ?? this.options.apiKey, afterOpen);
      return;
    }
    // The credential first; a token source that fails is retried like a connection that failed.
    void Promise.resolve()
      .then(token)
      .then(
        (t) => {
          if (!this.closed) this.connect(t, afterOpen);
        },
        () => {
          if (this.closed) return;
          this.retry = setTimeout(() => this.open(afterOpen), this.backoff);
          this.backoff = Math.min(this.backoff * 2, this.options.maxBackoffMs ?? 30_000);
        },
      );
  }

  private connect(credential: string | undefined, afterOpen?: () => Promise<void>): void {
    const url = new URL(this.options.url);
    if (credential !== undefined) url.searchParams.set('token', credential);
    const ws = new this.Ctor(url.toString());
    this.socket = ws;
    ws.addEventListener('open', () => {
      this.connections++;
      this.backoff = this.options.minBackoffMs ?? 500;
      for (const key of this.watchers.keys()) {
        const at = key.indexOf(':');
        this.send({ action: 'subscribe', topic: key.slice(at + 1), partitions: [Number(key.slice(0, at))] });
      }
      for (const l of this.links.values()) l.linked = false;
      void Promise.all([...this.links.values()].map((l) => this.sendLink(ws, l))).then(async () => {
        await afterOpen?.();
        for (const f of this.stateListeners) f();
      });
      if (this.connections > 1) for (const set of this.watchers.values()) for (const w of set) w(undefined);
      clearInterval(this.keepalive);
      this.keepalive = setInterval(() => this.send({ action: 'ping' }), this.options.keepaliveMs ?? 480_000);
      (this.keepalive as { unref?: () => void }).unref?.();
      clearTimeout(this.rotation);
      this.rotation = setTimeout(() => this.rotate(), this.options.rotateAfterMs ?? 110 * 60_000);
      (this.rotation as { unref?: () => void }).unref?.();
    });
    ws.addEventListener('message', (event: { data: unknown }) => {
      let message: PushServerMessage;
      try {
        message = JSON.parse(String(event.data)) as PushServerMessage;
      } catch {
        return;
      }
      if ('id' in message && message.id !== undefined) this.pending.get(message.id)?.(message);
      if (message.type !== 'notify') return;
      for (const w of this.watchers.get(`${message.partition}:${message.topic}`) ?? []) w(message.highWatermark);
    });
    ws.addEventListener('close', () => {
      if (this.closed || this.socket !== ws) return;
      clearInterval(this.keepalive);
      for (const l of this.links.values()) l.linked = false;
      for (const f of this.stateListeners) f();
      this.retry = setTimeout(() => this.open(), this.backoff);
      this.backoff = Math.min(this.backoff * 2, this.options.maxBackoffMs ?? 30_000);
    });
    ws.addEventListener('error', () => undefined); // a close event follows
  }

  private send(message: PushClientMessage): void {
    if (this.socket?.readyState === OPEN) this.socket.send(JSON.stringify(message));
    // Not open: the open handler subscribes to everything watched.
  }
}

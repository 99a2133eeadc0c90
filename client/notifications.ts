/**
 * A WebSocket connection to Samsa's notifications (docs/push.md): tells
 * watchers when a partition has new records, so a consumer waits on a message
 * instead of a long poll that keeps a Lambda busy.
 *
 * Behaviour: uses `globalThis.WebSocket` (Node 22+, Deno, Bun, browsers) or
 * the `WebSocket` option (e.g. the `ws` package on Node 20). The API key goes
 * in the URL (`?token=`), because browsers cannot set headers on a WebSocket.
 * Keepalive: a `ping` every `keepaliveMs` (default 5 min, half API Gateway's
 * 10-minute idle timeout; one tiny message each). When the socket closes
 * (API Gateway ends every connection after 2 hours, or the network drops) it
 * reconnects with exponential backoff (0.5 s doubling to 30 s), subscribes
 * again to everything watched, and calls every watcher with `undefined`:
 * notifications may have been missed meanwhile, so check now.
 * A notification is a hint only: watchers fetch as usual, and keep a slow
 * safety poll so a lost notification only delays them.
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
  /** The WebSocket endpoint, e.g. `ws://127.0.0.1:4000/v1/ws` locally or the stack's `WebSocketUrl` output. */
  url: string;
  apiKey?: string;
  /** A WebSocket implementation where there is no global one (Node 20: `import WebSocket from 'ws'`). */
  WebSocket?: WebSocketConstructor;
  /** Default 300,000 ms. */
  keepaliveMs?: number;
  /** First reconnect delay, doubling to maxBackoffMs. Default 500 ms. */
  minBackoffMs?: number;
  maxBackoffMs?: number;
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

  close(): void {
    this.closed = true;
    clearInterval(this.keepalive);
    clearTimeout(this.retry);
    this.socket?.close(1000, 'closed by the client');
  }

  private open(): void {
    const url = new URL(this.options.url);
    if (this.options.apiKey !== undefined) url.searchParams.set('token', this.options.apiKey);
    const ws = new this.Ctor(url.toString());
    this.socket = ws;
    ws.addEventListener('open', () => {
      this.connections++;
      this.backoff = this.options.minBackoffMs ?? 500;
      for (const key of this.watchers.keys()) {
        const at = key.indexOf(':');
        this.send({ action: 'subscribe', topic: key.slice(at + 1), partitions: [Number(key.slice(0, at))] });
      }
      if (this.connections > 1) for (const set of this.watchers.values()) for (const w of set) w(undefined);
      clearInterval(this.keepalive);
      this.keepalive = setInterval(() => this.send({ action: 'ping' }), this.options.keepaliveMs ?? 300_000);
    });
    ws.addEventListener('message', (event: { data: unknown }) => {
      let message: PushServerMessage;
      try {
        message = JSON.parse(String(event.data)) as PushServerMessage;
      } catch {
        return;
      }
      if (message.type !== 'notify') return;
      for (const w of this.watchers.get(`${message.partition}:${message.topic}`) ?? []) w(message.highWatermark);
    });
    ws.addEventListener('close', () => {
      clearInterval(this.keepalive);
      if (this.closed || this.socket !== ws) return;
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

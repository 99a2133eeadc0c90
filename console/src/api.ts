/**
 * The console's only way to the server: the Samsa SDK (client/) against the
 * public HTTP API on the same origin, with the API key (if any) as
 * `Authorization: Bearer …` on every request — exactly what any other client
 * sends. Errors are the SDK's: SamsaApiError (code, status, retriable,
 * requestId) for the server's answers, SamsaError for a missing answer.
 */
import { Notifications, Samsa, type Producer } from '../../client';
import { Store } from './store';

export {
  SamsaApiError,
  SamsaError,
  type CommittedOffset,
  type Data,
  type FetchResult,
  type GroupDescription,
  type GroupLag,
  type GroupListing,
  type Header,
  type PartitionConsumer,
  type PartitionOffsets,
  type SubscriptionDescription,
  type SubscriptionPartition,
  type TopicListing,
} from '../../client';

const KEY_STORAGE = 'samsa.console.apiKey';

export type AuthStatus = 'unknown' | 'ok' | 'needed' | 'denied';

/** The API key (sessionStorage: gone when the tab closes) and what the server last said about it. */
export const auth = new Store<{ key: string; status: AuthStatus }>({ key: readStoredKey(), status: 'unknown' });

function readStoredKey(): string {
  try {
    return sessionStorage.getItem(KEY_STORAGE) ?? '';
  } catch {
    return '';
  }
}

export function setApiKey(key: string): void {
  const trimmed = key.trim();
  try {
    if (trimmed === '') sessionStorage.removeItem(KEY_STORAGE);
    else sessionStorage.setItem(KEY_STORAGE, trimmed);
  } catch {
    // Storage disabled: the key lives in memory for this page only.
  }
  auth.set({ key: trimmed, status: 'unknown' });
}

/**
 * `#key=…` in the URL (the link `npm start` prints) becomes the stored key;
 * the fragment is then removed so the key stays out of the address bar and history.
 */
export function takeKeyFromFragment(): void {
  const match = /^#(?:.*&)?key=([^&]*)/.exec(location.hash);
  if (match === null) return;
  setApiKey(decodeURIComponent(match[1] ?? ''));
  history.replaceState(history.state, '', location.pathname + location.search);
  dispatchEvent(new Event('samsa:auth'));
}

/**
 * Every answer tells the key panel what the server thinks of the key. Through
 * globalThis: a detached `fetch` throws "Illegal invocation" in browsers.
 */
const observedFetch: typeof fetch = async (input, init) => {
  const res = await globalThis.fetch(input, { ...init, cache: 'no-store' });
  if (res.status === 401) auth.update({ status: 'needed' });
  else if (res.status === 403) auth.update({ status: 'denied' });
  else if (res.ok && auth.get().status !== 'ok') auth.update({ status: 'ok' });
  return res;
};

export const samsa = new Samsa({
  url: location.origin,
  // Read on every request, so a key entered in the panel applies at once.
  headers: (): Record<string, string> => {
    const { key } = auth.get();
    return key === '' ? {} : { authorization: `Bearer ${key}` };
  },
  fetch: observedFetch,
  // A person is waiting: give up sooner than a service would, and show the error.
  retry: { retries: 2 },
});

let notifications: Promise<Notifications | undefined> | undefined;

/**
 * The console's WebSocket to the notification endpoint (docs/push.md), opened
 * on first use at the URL the server names in `GET /v1/health` (the same
 * origin's /v1/ws locally, the stack's WebSocket API on AWS), the key as
 * `?token=` (a browser cannot set headers on a WebSocket). Undefined where the
 * server names none (JWT mode): the live tail then long-polls, as it does
 * while the socket does not answer (client/partition-consumer.ts).
 */
export function liveNotifications(): Promise<Notifications | undefined> {
  notifications ??= samsa.notificationsUrl().then(
    (url) => {
      if (url === undefined) return undefined;
      const { key } = auth.get();
      return new Notifications({ url, ...(key === '' ? {} : { apiKey: key }) });
    },
    () => {
      notifications = undefined; // not asked successfully: ask again next time
      return undefined;
    },
  );
  return notifications;
}

let producer: Producer | undefined;

/**
 * The console's producer: not idempotent (no producer id to obtain, so a key
 * that may only write can produce), no lingering, and the topic described on
 * every send, since partitions may have been added since the last one.
 */
export function consoleProducer(): Producer {
  producer ??= samsa.producer({ idempotent: false, lingerMs: 0, metadataMaxAgeMs: 0 });
  return producer;
}

/** Runs `fn` over `items` with at most `limit` in flight (per-topic and per-group look-ups on list pages). */
export async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

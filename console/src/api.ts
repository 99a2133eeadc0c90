/**
 * The console's only way to the server: the public HTTP API on the same
 * origin, with the API key (if any) as `Authorization: Bearer …` on every
 * request — exactly what any other client sends. Errors become ApiError from
 * the API's envelope `{error: {code, message, retriable, requestId}}`.
 */
import type {
  GroupDescription,
  GroupListing,
  OffsetLookup,
  PartitionLag,
  PartitionOffsets,
  TopicDescription,
} from '../../lib/protocol/responses';
import { Store } from './store';

export type { GroupDescription, GroupListing, OffsetLookup, PartitionLag, PartitionOffsets, TopicDescription };

export type DataType = 'STRING' | 'JSON' | 'BINARY';
export interface WireData {
  type: DataType;
  data: unknown;
}
export interface WireHeader {
  name: string;
  value: WireData | null;
}
export interface FetchedRecord {
  offset: number;
  timestamp: number;
  key: WireData | null;
  value: WireData | null;
  headers: WireHeader[];
}
export interface FetchResult {
  records: FetchedRecord[];
  nextOffset: number;
  highWatermark: number;
  logStartOffset: number;
  abortedRanges: { from: number; to: number }[];
}
export interface TopicListing {
  name: string;
  topicId: string;
  partitions: number;
}
export interface ProduceResult {
  partition?: number;
  offset?: number;
  timestamp?: number;
  error?: { code: string; message: string };
}
export interface CommittedOffset {
  topic: string;
  partition: number;
  offset: number;
  committedAt: string;
}
export interface GroupLag {
  group: string;
  partitions: PartitionLag[];
  totalLag: number;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly retriable = false,
    readonly requestId?: string,
  ) {
    super(message);
  }
}

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

export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  const { key } = auth.get();
  if (key !== '') headers.authorization = `Bearer ${key}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  let res: Response;
  try {
    res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), cache: 'no-store' });
  } catch (err) {
    throw new ApiError(0, 'NETWORK_ERROR', `The API did not answer: ${(err as Error).message}`, true);
  }
  const text = await res.text();
  let parsed: any;
  try {
    parsed = text === '' ? undefined : JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  if (res.status === 401) auth.update({ status: 'needed' });
  else if (res.status === 403) auth.update({ status: 'denied' });
  else if (res.ok && auth.get().status !== 'ok') auth.update({ status: 'ok' });
  if (!res.ok && !(res.status === 207 && parsed?.records)) {
    const e = parsed?.error;
    if (e && typeof e.code === 'string') throw new ApiError(res.status, e.code, String(e.message ?? ''), e.retriable === true, e.requestId);
    throw new ApiError(res.status, `HTTP_${res.status}`, text.slice(0, 200) || res.statusText);
  }
  return parsed as T;
}

const enc = encodeURIComponent;

export const Api = {
  whoami: () => api<{ principal: string }>('GET', '/v1/whoami'),
  listTopics: () => api<{ topics: TopicListing[] }>('GET', '/v1/topics'),
  createTopic: (name: string, partitions: number) => api<TopicDescription>('POST', '/v1/topics', { name, partitions }),
  describeTopic: (topic: string) => api<TopicDescription>('GET', `/v1/topics/${enc(topic)}`),
  deleteTopic: (topic: string) => api<void>('DELETE', `/v1/topics/${enc(topic)}`),
  topicOffsets: (topic: string) => api<{ topic: string; partitions: PartitionOffsets[] }>('GET', `/v1/topics/${enc(topic)}/offsets`),
  offsetAt: (topic: string, partition: number, at: 'earliest' | 'latest' | number) =>
    api<OffsetLookup>('GET', `/v1/topics/${enc(topic)}/partitions/${partition}/offsets?at=${at}`),
  fetchRecords: (topic: string, partition: number, offset: number, maxRecords: number) =>
    api<FetchResult>(
      'GET',
      `/v1/topics/${enc(topic)}/partitions/${partition}/records?offset=${offset}&maxRecords=${maxRecords}&maxBytes=${1024 * 1024}`,
    ),
  produce: (topic: string, record: { partition?: number; key?: WireData | null; value: WireData | null; headers?: { name: string; value: string }[] }) =>
    api<{ records: ProduceResult[] }>('POST', `/v1/topics/${enc(topic)}/records`, { records: [record] }),
  listGroups: () => api<{ groups: GroupListing[] }>('GET', '/v1/groups'),
  describeGroup: (group: string) => api<GroupDescription>('GET', `/v1/groups/${enc(group)}`),
  groupLag: (group: string) => api<GroupLag>('GET', `/v1/groups/${enc(group)}/lag`),
  groupOffsets: (group: string) => api<{ group: string; offsets: CommittedOffset[] }>('GET', `/v1/groups/${enc(group)}/offsets`),
  resetOffsets: (
    group: string,
    body: { topic: string; partitions?: number[]; to: 'earliest' | 'latest' | { timestamp: number } | { offset: number } },
  ) => api<{ group: string; offsets: unknown[] }>('POST', `/v1/groups/${enc(group)}/offsets/reset`, body),
  deleteGroup: (group: string) => api<void>('DELETE', `/v1/groups/${enc(group)}`),
};

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

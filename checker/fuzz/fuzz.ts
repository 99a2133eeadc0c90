/**
 * The HTTP bad-input fuzzer: seeded bad requests for every route, sent to a
 * real URL. Each response must come within the hang limit, never be a 5xx,
 * and when it is a refusal carry the error envelope. Nothing may be stored
 * by a refused request: the topic list, the fuzz topic's offsets, partitions
 * and configs, the group list and the group's offsets are snapshotted every
 * few requests, and any change must be explained by a request that was
 * accepted (2xx) in between. Finally every record the accepted requests
 * stored in the fuzz topic is fetched back: no stored record may make a
 * fetch fail (a poison pill, e.g. JSON nested too deep to render).
 */
import fc from 'fast-check';
import { MAX_JSON_NESTING, nestsDeeperThan, type WireData } from '../../lib/protocol/records';
import { Api } from '../clients/api';
import { badRequest, MALFORMED_BODIES, ROUTE_LIST, concretePath, uncleanBecause, type FuzzRequest } from './arbitraries';
import { authViolation, credential, type Credential, type StackKeys } from './credentials';

export interface FuzzOptions {
  url: string;
  apiKey?: string;
  /** With the stack's keys, every request carries a seeded random credential (admin, no grants, or invalid). */
  keys?: StackKeys;
  seed: number;
  runs: number;
  /** A response slower than this is a hang (above API Gateway's 30 s). */
  hangMs?: number;
  log(line: string): void;
}

export interface FuzzFailure {
  kind: 'server-error' | 'unclean-refusal' | 'hang' | 'stored-by-refused-request' | 'auth-bypass' | 'unreadable-log';
  request: string;
  status?: number;
  why: string;
}

export interface FuzzResult {
  requests: number;
  byStatus: Record<string, number>;
  accepted: number;
  /** Requests per credential kind (random-credential runs only). */
  byCredential: Record<string, number>;
  failures: FuzzFailure[];
}

interface Snapshot {
  topics: string[];
  topic: string;
  groups: string[];
  groupOffsets: string;
}

export async function runFuzz(o: FuzzOptions): Promise<FuzzResult> {
  const hangMs = o.hangMs ?? 30_000;
  const api = new Api(o.url, o.keys?.admin ?? o.apiKey);
  const topic = `fz-${o.seed}-${Date.now().toString(36)}`;
  const group = `fzg-${o.seed}-${Date.now().toString(36)}`;
  const setup = await api.call('POST', '/v1/topics', { name: topic, partitions: 2 });
  if (setup.outcome !== 'ok') throw new Error(`fuzz: cannot create topic ${topic}: ${setup.error}`);
  await api.call('POST', `/v1/topics/${topic}/records`, { records: [{ partition: 0, value: { type: 'STRING', data: 'seed' } }] });
  await api.call('POST', `/v1/groups/${group}/heartbeat`, { memberId: 'fz-owner', memberEpoch: 0, topics: [topic] });

  // Fixed classics first, then seeded random requests over every route in turn.
  const requests: FuzzRequest[] = [];
  for (const [id, route] of ROUTE_LIST) {
    if (route.method !== 'POST' && route.method !== 'PATCH') continue;
    for (const [what, init] of MALFORMED_BODIES) {
      requests.push({ route: id, method: route.method, path: concretePath(route, { topic, group, partition: '0', member: 'm' }), query: {}, ...init, what: `${what}: ${route.method} ${route.path}` });
    }
  }
  const perRoute = Math.max(1, Math.ceil(o.runs / ROUTE_LIST.length));
  const samples = ROUTE_LIST.map(([id], i) => fc.sample(badRequest(id, { topic, group }), { seed: o.seed + i, numRuns: perRoute }));
  for (let i = 0; i < perRoute; i++) for (const s of samples) if (requests.length < o.runs + MALFORMED_BODIES.length * 9) requests.push(s[i]!);

  const credentials: (Credential | undefined)[] =
    o.keys === undefined ? [] : fc.sample(credential(o.keys), { seed: o.seed, numRuns: requests.length });
  const result: FuzzResult = { requests: 0, byStatus: {}, accepted: 0, byCredential: {}, failures: [] };
  let before = await snapshot(api, topic, group);
  let window: { request: FuzzRequest; status: number }[] = [];
  const check = async () => {
    const after = await snapshot(api, topic, group);
    const why = unexplained(before, after, window, topic, group);
    if (why !== undefined) {
      const refused = window.filter((w) => w.status >= 400).map((w) => describe(w.request));
      result.failures.push({ kind: 'stored-by-refused-request', request: refused.slice(0, 5).join(' | '), why });
    }
    before = after;
    window = [];
  };

  for (const [i, request] of requests.entries()) {
    const started = Date.now();
    const cred = credentials[i];
    const authorization = cred === undefined ? (o.apiKey === undefined ? undefined : `Bearer ${o.apiKey}`) : cred.header;
    if (cred !== undefined) result.byCredential[cred.kind] = (result.byCredential[cred.kind] ?? 0) + 1;
    const res = await send(o.url, authorization, request, hangMs);
    result.requests++;
    if (res === 'hang') {
      result.failures.push({ kind: 'hang', request: describe(request), why: `no answer within ${hangMs} ms` });
      continue;
    }
    result.byStatus[res.status] = (result.byStatus[res.status] ?? 0) + 1;
    window.push({ request, status: res.status });
    if (res.status < 300) result.accepted++;
    const bypass = cred === undefined ? undefined : authViolation(request.method, request.path, cred, res.status, res.text);
    if (bypass !== undefined) result.failures.push({ kind: 'auth-bypass', request: describe(request), status: res.status, why: bypass });
    const why = uncleanBecause(res.status, res.text);
    if (why !== undefined) {
      result.failures.push({ kind: res.status >= 500 ? 'server-error' : 'unclean-refusal', request: describe(request), status: res.status, why: `${why}: ${res.text.slice(0, 200)} (${Date.now() - started} ms)` });
    }
    if (window.length >= 20) await check();
  }
  await check();
  result.failures.push(...(await readBack(api, topic)));
  const creds = o.keys === undefined ? '' : `, credentials ${JSON.stringify(result.byCredential)}`;
  o.log(`fuzz: ${result.requests} requests, ${result.accepted} accepted, statuses ${JSON.stringify(result.byStatus)}${creds}, ${result.failures.length} failures`);
  return result;
}

function describe(r: FuzzRequest): string {
  const qs = new URLSearchParams(r.query).toString();
  const body = r.body === undefined ? '' : typeof r.body === 'string' ? ` ${r.body.length > 160 ? `${r.body.slice(0, 160)}…(${r.body.length} chars)` : r.body}` : ` <${r.body.byteLength} raw bytes>`;
  return `${r.method} ${r.path}${qs ? `?${qs}` : ''} [${r.headers['content-type'] ?? 'no content-type'}]${body}`;
}

async function send(url: string, authorization: string | undefined, r: FuzzRequest, hangMs: number): Promise<{ status: number; text: string } | 'hang'> {
  const qs = new URLSearchParams(r.query).toString();
  const headers = { ...r.headers, ...(authorization === undefined ? {} : { authorization }) };
  try {
    const res = await fetch(`${url}${r.path}${qs ? `?${qs}` : ''}`, {
      method: r.method,
      headers,
      ...(r.body === undefined || r.method === 'GET' || r.method === 'HEAD' ? {} : { body: r.body as BodyInit }),
      signal: AbortSignal.timeout(hangMs),
    });
    return { status: res.status, text: await res.text() };
  } catch (err) {
    if ((err as Error).name === 'TimeoutError') return 'hang';
    // The server closed the connection (e.g. on an oversized body): no 5xx, but no envelope either.
    return { status: 599, text: `connection failed: ${(err as Error).message}` };
  }
}

/**
 * Fetches every partition of the fuzz topic from its log start to its high
 * watermark. Any answer but 200 is a failure, and so is a key or value served
 * as JSON nested past MAX_JSON_NESTING: produce must have refused it (and
 * fetch must serve such bytes as BINARY with `fallback`), or a deeper one
 * would fail the fetch where serializing it overflows the stack.
 */
async function readBack(api: Api, topic: string): Promise<FuzzFailure[]> {
  const failures: FuzzFailure[] = [];
  const offsets = await api.call('GET', `/v1/topics/${topic}/offsets`);
  const partitions = (offsets.body?.partitions ?? []) as { partition: number; logStartOffset: number; highWatermark: number }[];
  for (const p of partitions) {
    let offset = p.logStartOffset;
    for (let page = 0; page < 100 && offset < p.highWatermark; page++) {
      const path = `/v1/topics/${topic}/partitions/${p.partition}/records?offset=${offset}&maxRecords=500`;
      const res = await api.call('GET', path);
      if (res.outcome !== 'ok') {
        failures.push({ kind: 'unreadable-log', request: `GET ${path}`, ...(res.status === undefined ? {} : { status: res.status }), why: `reading back what the fuzzer stored failed: ${res.status ?? ''} ${res.error ?? 'no answer'}` });
        break;
      }
      for (const r of (res.body.records ?? []) as { offset: number; key: WireData | null; value: WireData | null }[]) {
        for (const [field, data] of [['key', r.key], ['value', r.value]] as const) {
          if (data?.type === 'JSON' && nestsDeeperThan(data.data, MAX_JSON_NESTING)) {
            failures.push({ kind: 'unreadable-log', request: `GET ${path}`, why: `offset ${r.offset}: the ${field} is served as JSON nested more than ${MAX_JSON_NESTING} levels deep` });
          }
        }
      }
      offset = Number(res.body.nextOffset);
    }
  }
  return failures;
}

async function snapshot(api: Api, topic: string, group: string): Promise<Snapshot> {
  const [topics, described, offsets, groups, groupOffsets] = await Promise.all([
    api.call('GET', '/v1/topics'),
    api.call('GET', `/v1/topics/${topic}`),
    api.call('GET', `/v1/topics/${topic}/offsets`),
    api.call('GET', '/v1/groups'),
    api.call('GET', `/v1/groups/${group}/offsets`),
  ]);
  const names = (list: unknown): string[] => ((list as { name?: string; group?: string }[] | undefined) ?? []).map((t) => t.name ?? t.group ?? JSON.stringify(t)).sort();
  return {
    topics: names(topics.body?.topics),
    topic: JSON.stringify({ d: described.body?.partitions, c: described.body?.configs, o: offsets.body?.partitions }),
    groups: names(groups.body?.groups),
    groupOffsets: JSON.stringify((groupOffsets.body?.offsets ?? []).map((x: { partition: number; offset: number }) => [x.partition, x.offset])),
  };
}

/** Why the change between two snapshots is not explained by the accepted requests in between. */
function unexplained(a: Snapshot, b: Snapshot, window: { request: FuzzRequest; status: number }[], topic: string, group: string): string | undefined {
  const accepted = window.filter((w) => w.status < 300).map((w) => w.request);
  const acceptedOn = (...routes: string[]) => accepted.some((r) => routes.includes(r.route));
  const added = b.topics.filter((t) => !a.topics.includes(t));
  const removed = a.topics.filter((t) => !b.topics.includes(t));
  if ((added.length > 0 && !acceptedOn('createTopic')) || (removed.length > 0 && !acceptedOn('deleteTopic'))) {
    return `topic list changed (+${added.join(',')} -${removed.join(',')})`;
  }
  if (a.topic !== b.topic && !accepted.some((r) => r.path.startsWith(`/v1/topics/${encodeURIComponent(topic)}/`))) return `topic ${topic} changed: ${a.topic} → ${b.topic}`;
  const groupsAdded = b.groups.filter((g) => !a.groups.includes(g));
  if (groupsAdded.length > 0 && !acceptedOn('groupHeartbeat', 'groupPoll', 'groupCommit', 'resetGroupOffsets')) return `group list changed (+${groupsAdded.join(',')})`;
  if (a.groupOffsets !== b.groupOffsets && !accepted.some((r) => r.path.startsWith(`/v1/groups/${encodeURIComponent(group)}/`))) return `group ${group} offsets changed: ${a.groupOffsets} → ${b.groupOffsets}`;
  return undefined;
}

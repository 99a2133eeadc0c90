/**
 * Raw HTTP for the checker's clients, so every outcome is classified
 * exactly (no SDK retries hide anything):
 * - 2xx → ok;
 * - 4xx → fail: the server refused and guarantees nothing happened —
 *   except 408/429 and retriable codes, which may come from a request that
 *   already did part of its work → info;
 * - RESERVATION_ABORTED (503) and QUOTA_EXCEEDED (429) → fail: nothing of
 *   the request happened;
 * - other 5xx, network errors, timeouts, dropped connections → info.
 */
import type { Outcome } from '../history';

export interface ApiResult {
  outcome: Outcome;
  status?: number;
  body?: any;
  /** Error code from the envelope, or `network`/`timeout`. */
  error?: string;
}

/**
 * Retriable refusals that still prove the request changed nothing: an aborted
 * reservation (nothing of the batch is visible), and the quota, which is
 * taken before any body is read or any table touched (functions/http/app.ts).
 */
const DEFINITE_RETRIABLE = new Set(['RESERVATION_ABORTED', 'QUOTA_EXCEEDED']);

export class Api {
  constructor(
    readonly url: string,
    private readonly apiKey: string | undefined,
    private readonly timeoutMs = 10_000,
  ) {}

  async call(method: string, path: string, body?: unknown): Promise<ApiResult> {
    const headers: Record<string, string> = {};
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (this.apiKey !== undefined) headers.authorization = `Bearer ${this.apiKey}`;
    let res: Response;
    let text: string;
    try {
      res = await fetch(`${this.url}${path}`, {
        method,
        headers,
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
      text = await res.text();
    } catch (err) {
      const name = (err as Error).name;
      return { outcome: 'info', error: name === 'TimeoutError' || name === 'AbortError' ? 'timeout' : 'network' };
    }
    let parsed: any;
    try {
      parsed = text === '' ? undefined : JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    if (res.status < 300) return { outcome: 'ok', status: res.status, body: parsed };
    const code: string = parsed?.error?.code ?? `HTTP_${res.status}`;
    const retriable = parsed?.error?.retriable === true;
    const definite = (res.status < 500 && res.status !== 408 && res.status !== 429 && !retriable) || DEFINITE_RETRIABLE.has(code);
    return { outcome: definite ? 'fail' : 'info', status: res.status, body: parsed, error: code };
  }
}

export const sleep = (ms: number) => new Promise<void>((done) => setTimeout(done, ms));

/** Calls until ok (or a non-retriable refusal), for setup and the final read. */
export async function callUntil(api: Api, method: string, path: string, body: unknown, accept: (r: ApiResult) => boolean, attempts = 60): Promise<ApiResult> {
  let last: ApiResult = { outcome: 'info' };
  for (let i = 0; i < attempts; i++) {
    last = await api.call(method, path, body);
    if (accept(last)) return last;
    await sleep(Math.min(1_000, 50 * 2 ** i));
  }
  return last;
}

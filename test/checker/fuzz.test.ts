/**
 * The HTTP fuzzer must be able to fail: against a deliberately sloppy
 * server (a 5xx on one route, refusals without the envelope, a refused
 * request that stores a topic, every GET answered whatever the credential,
 * and 403 instead of 401 to an unknown key) it reports each kind of failure.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { authViolation, type Credential } from '../../checker/fuzz/credentials';
import { runFuzz } from '../../checker/fuzz/fuzz';

let server: Server;
let url: string;
const topics = new Set<string>();
const fake = (n: number) => `samsa_${String(n).repeat(16).slice(0, 16)}_${'A'.repeat(43)}`;
const keys = { admin: fake(1), stranger: fake(2), revoked: fake(3), expired: fake(4) };

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      const json = (status: number, value: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(value));
      // Authenticates sloppily: an unknown credential gets 403 (as if authenticated but not allowed) instead of 401.
      const auth = req.headers.authorization;
      if (req.method !== 'GET' && auth !== undefined && auth !== `Bearer ${keys.admin}` && auth !== `Bearer ${keys.stranger}`) {
        return json(403, { error: { code: 'FORBIDDEN', message: 'no', retriable: false } });
      }
      if (req.method === 'GET' && req.url === '/v1/topics') return json(200, { topics: [...topics].map((name) => ({ name })) });
      if (req.method === 'GET') return json(200, {});
      if (req.method === 'POST' && req.url === '/v1/topics') {
        let name: unknown;
        try {
          name = JSON.parse(body)?.name;
        } catch {
          name = undefined;
        }
        if (typeof name === 'string' && name.startsWith('fz-') && !name.startsWith('fz-new-')) {
          topics.add(name);
          return json(201, {});
        }
        topics.add(`junk-${topics.size}`); // a refused request that stores something anyway
        return json(400, { error: { code: 'INVALID_REQUEST', message: 'no', retriable: false } });
      }
      if (req.url?.endsWith('/records')) return json(500, { error: { code: 'INTERNAL_ERROR', message: 'boom', retriable: false } });
      res.writeHead(400).end('bad request');
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

/** The labels checker/fuzz/credentials.ts gives credentials that must not authenticate. */
const INVALID_LABELS = ['no header', 'revoked key', 'expired key', 'tampered key', 'truncated key', 'key without scheme', 'basic auth', 'empty bearer', 'two tokens', 'huge token', 'unknown well-formed key', 'random token'];

afterAll(() => new Promise<void>((done) => server.close(() => done())));

describe('fuzzer', () => {
  it('reports 5xx answers, refusals without the error envelope, and state stored by refused requests', async () => {
    const result = await runFuzz({ url, seed: 1, runs: 120, log: () => undefined });
    const kinds = new Set(result.failures.map((f) => f.kind));
    expect(kinds).toContain('server-error');
    expect(kinds).toContain('unclean-refusal');
    expect(kinds).toContain('stored-by-refused-request');
  });

  // Checked against, one at a time in checker/fuzz/credentials.ts: dropping the 2xx check for invalid credentials, the
  // 403 check for them, or the 2xx check for the key without grants: each makes this fail.
  it('reports credentials that get past their rights: an invalid key answered 2xx or 403, a key without grants answered 2xx', async () => {
    const result = await runFuzz({ url, seed: 2, runs: 120, keys, log: () => undefined });
    const bypasses = result.failures.filter((f) => f.kind === 'auth-bypass').map((f) => f.why);
    const invalid = `(${INVALID_LABELS.join('|')})`;
    // Every GET is answered 200, whatever the credential.
    expect(bypasses.some((why) => new RegExp(`^${invalid} got 200 on \\w+$`).test(why)), bypasses.join('\n')).toBe(true);
    expect(bypasses.some((why) => /^key without grants got 200 on \w+$/.test(why)), bypasses.join('\n')).toBe(true);
    // Writes with an unknown key are refused with 403, not 401.
    expect(bypasses.some((why) => new RegExp(`^${invalid} got past authentication \\(403\\) on `).test(why)), bypasses.join('\n')).toBe(true);
    expect(result.byCredential.invalid).toBeGreaterThan(0);
  });

  // A key without grants may call the filtered lists (topics, groups, subscriptions) but must be shown nothing.
  it('lets a key without grants list topics, groups and subscriptions only when the list is empty', () => {
    const stranger: Credential = { kind: 'stranger', label: 'key without grants', header: 'Bearer x' };
    for (const [path, field] of [['/v1/topics', 'topics'], ['/v1/groups', 'groups'], ['/v1/subscriptions?limit=5', 'subscriptions']] as const) {
      expect(authViolation('GET', path, stranger, 200, JSON.stringify({ [field]: [] }))).toBeUndefined();
      expect(authViolation('GET', path, stranger, 200, JSON.stringify({ [field]: [{ name: 'secret' }] }))).toBe(`key without grants was shown ${field} it may not describe`);
      expect(authViolation('GET', path, stranger, 200, '{}')).toMatch(/without a \w+ list$/);
    }
    expect(authViolation('GET', '/v1/subscriptions/s1', stranger, 200, '{}')).toBe('key without grants got 200 on describeSubscription');
  });
});

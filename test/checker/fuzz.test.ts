/**
 * The HTTP fuzzer must be able to fail: against a deliberately sloppy
 * server (a 5xx on one route, refusals without the envelope, a refused
 * request that stores a topic) it reports each kind of failure.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runFuzz } from '../../checker/fuzz/fuzz';

let server: Server;
let url: string;
const topics = new Set<string>();

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      const json = (status: number, value: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(value));
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

afterAll(() => new Promise<void>((done) => server.close(() => done())));

describe('fuzzer', () => {
  it('reports 5xx answers, refusals without the error envelope, and state stored by refused requests', async () => {
    const result = await runFuzz({ url, seed: 1, runs: 120, log: () => undefined });
    const kinds = new Set(result.failures.map((f) => f.kind));
    expect(kinds).toContain('server-error');
    expect(kinds).toContain('unclean-refusal');
    expect(kinds).toContain('stored-by-refused-request');
  });

  it('reports credentials that get past their rights: an invalid key answered 2xx or 403, a key without grants answered 2xx', async () => {
    const fake = (n: number) => `samsa_${String(n).repeat(16).slice(0, 16)}_${'A'.repeat(43)}`;
    const keys = { admin: fake(1), stranger: fake(2), revoked: fake(3), expired: fake(4) };
    const result = await runFuzz({ url, seed: 2, runs: 120, keys, log: () => undefined });
    const bypasses = result.failures.filter((f) => f.kind === 'auth-bypass');
    expect(bypasses.length).toBeGreaterThan(0);
    expect(bypasses.map((f) => f.why).join('\n')).toMatch(/key without grants got 200|got 200/);
    expect(result.byCredential.invalid).toBeGreaterThan(0);
  });
});

/**
 * Request bodies over real HTTP, as curl and clients send them: an optional
 * body may be empty whatever its content type says, and every refusal of a
 * malformed body reads as written for a person.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../client/server';

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

/** A body without a type: fetch then sends no content-type header. */
const untypedBody = (text: string) => new Blob([text]);

/** A request over HTTP; a Blob body goes without any content type unless one is given. */
async function send(method: string, path: string, init: { body?: string | Blob; type?: string } = {}) {
  const res = await fetch(`${server.url}${path}`, {
    method,
    ...(init.body === undefined ? {} : { body: init.body }),
    ...(init.type === undefined ? {} : { headers: { 'content-type': init.type } }),
  });
  const text = await res.text();
  return { status: res.status, body: text === '' ? undefined : (JSON.parse(text) as Record<string, any>) };
}

describe('POST /v1/producers: the body is optional', () => {
  it('mints a new id for a missing or empty body, whatever the content type, and still reads a body that is there', async () => {
    const empties: [string, { body?: string | Blob; type?: string }][] = [
      ['no body', {}],
      ['an empty body declared as JSON (what many clients send)', { body: '', type: 'application/json' }],
      ['whitespace declared as JSON', { body: ' \r\n\t', type: 'application/json; charset=utf-8' }],
      ['an empty body with another content type', { body: '', type: 'text/plain' }],
    ];
    const ids = new Set<string>();
    for (const [what, init] of empties) {
      const res = await send('POST', '/v1/producers', init);
      expect(res.status, `${what}: ${JSON.stringify(res.body)}`).toBe(200);
      expect(res.body).toEqual({ producerId: expect.stringMatching(/^\d+$/), producerEpoch: 0 });
      ids.add(res.body!.producerId);
    }
    expect(ids.size).toBe(empties.length);

    // A body that is there is still read (bumps the epoch), and must still be JSON.
    const [id] = [...ids];
    const bumped = await send('POST', '/v1/producers', { body: JSON.stringify({ producerId: id }), type: 'application/json' });
    expect(bumped).toEqual({ status: 200, body: { producerId: id, producerEpoch: 1 } });
    const untyped = await send('POST', '/v1/producers', { body: untypedBody(JSON.stringify({ producerId: id })) });
    expect(untyped.status, 'a body without a content type is not silently ignored').toBe(415);
    expect(untyped.body!.error.code).toBe('UNSUPPORTED_MEDIA_TYPE');
    expect((await send('POST', '/v1/producers', { body: '{"producerId":', type: 'application/json' })).body!.error.code).toBe('INVALID_JSON');
    expect((await send('POST', '/v1/producers', { body: 'null', type: 'application/json' })).body!.error.code).toBe('INVALID_REQUEST');
  });

  it('every other route with a body still refuses an empty one', async () => {
    const res = await send('POST', '/v1/topics', { body: '', type: 'application/json' });
    expect(res.status).toBe(400);
    expect(res.body!.error).toMatchObject({ code: 'INVALID_JSON', message: 'Request body is empty; expected a JSON object.' });
  });

  it('the OpenAPI document marks that body optional, and only that one', async () => {
    const doc = (await send('GET', '/v1/openapi.json')).body!;
    const required = Object.entries(doc.paths as Record<string, Record<string, { requestBody?: { required: boolean } }>>).flatMap(([path, ops]) =>
      Object.entries(ops).flatMap(([method, op]) => (op.requestBody === undefined ? [] : [[`${method} ${path}`, op.requestBody.required] as const])),
    );
    expect(required.filter(([, r]) => !r).map(([route]) => route)).toEqual(['post /v1/producers']);
    expect(required.length).toBeGreaterThan(5);
  });
});

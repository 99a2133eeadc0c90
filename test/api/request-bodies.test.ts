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

describe('a malformed body is refused in words written for a user', () => {
  // zod's own vocabulary: issue codes, internal type names, its default messages, dotted array indices.
  const JARGON = /nonoptional|invalid_type|invalid_union|invalid_value|unrecognized_keys|too_big|too_small|\brecord\b|expected|received|Invalid input|[A-Za-z_]\.\d/;

  it.each([
    ['a JSON value without data', 'POST', '/v1/topics/t/records', { records: [{ value: { type: 'JSON' } }] }, 'records[0].value.data is required'],
    ['a value that is a bare string', 'POST', '/v1/topics/t/records', { records: [{ value: 'abc' }] }, 'records[0].value must be an object (got "abc")'],
    ['a fractional partition', 'POST', '/v1/topics/t/records', { records: [{ partition: 1.5 }] }, 'records[0].partition must be an integer (got 1.5)'],
    ['a header value of the wrong type', 'POST', '/v1/topics/t/records', { records: [{ headers: [{ name: 'h', value: 5 }] }] }, 'records[0].headers[0].value must be a string or an object'],
    ['a header value without data', 'POST', '/v1/topics/t/records', { records: [{ headers: [{ name: 'h', value: { type: 'STRING' } }] }] }, 'records[0].headers[0].value.data is required'],
    ['no records at all', 'POST', '/v1/topics/t/records', {}, 'records is required (an array)'],
    ['configs as an array', 'POST', '/v1/topics', { name: 't', configs: [] }, 'configs must be an object (got an array)'],
    ['an unknown field', 'POST', '/v1/topics', { name: 't', partitionz: 3 }, "unknown field 'partitionz'"],
    ['a reset target of no allowed form', 'POST', '/v1/groups/g/offsets/reset', { topic: 't', to: { foo: 1 } }, `to must be "earliest", "latest", an object with 'timestamp' or an object with 'offset'`],
    ['a reset offset that is not a number', 'POST', '/v1/groups/g/offsets/reset', { topic: 't', to: { offset: 'x' } }, 'to.offset must be a number (got "x")'],
    ['an unknown enum value', 'POST', '/v1/groups/g/heartbeat', { memberId: 'm', memberEpoch: 0, offsetReset: 'oldest' }, 'offsetReset must be one of "earliest", "latest"'],
    ['two wrong types', 'POST', '/v1/groups/g/commits', { memberId: 7, memberEpoch: '1', offsets: [] }, 'memberId must be a string (got 7); memberEpoch must be a number (got "1")'],
    ['a body that is not an object', 'POST', '/v1/producers', [], 'body must be an object (got an array)'],
  ])('%s', async (_what, method, path, body, phrase) => {
    const res = await send(method, path, { body: JSON.stringify(body), type: 'application/json' });
    expect(res.status).toBe(400);
    const message: string = res.body!.error.message;
    expect(message).toContain(phrase);
    expect(message).not.toMatch(JARGON);
  });
});

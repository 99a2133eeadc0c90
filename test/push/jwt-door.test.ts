/**
 * The WebSocket door in JWT mode (functions/push/lambda.ts) against DynamoDB
 * Local: a $connect event carrying what the $connect authorizer
 * (functions/push/authorizer.ts) returned, as API Gateway passes it in
 * `requestContext.authorizer`, registers the connection under the token's
 * principal claim, and every subscription is checked against that
 * principal's ACLs exactly as in API-key mode. Without the authorizer's
 * context nobody connects, whatever the request carries.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { connectAuthorizer } from '../../functions/push/authorizer';
import { websocketHandler } from '../../functions/push/lambda';
import { pushKeys } from '../../lib/push/registry';
import { createTestStack, uniqueName, type TestStack } from '../support/stack';

const METHOD_ARN = 'arn:aws:execute-api:us-east-1:123456789012:abcdef123/v1/$connect';
let stack: TestStack;
let door: ReturnType<typeof websocketHandler>;
let readable: string;
let secret: string;

/** The HTTP API in JWT mode: API Gateway's JWT authorizer puts the validated claims here. */
const asPrincipal = (email: string, method: string, path: string, body?: unknown) =>
  stack.app.request(
    path,
    { method, headers: { 'content-type': 'application/json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) },
    { requestContext: { authorizer: { jwt: { claims: { sub: 'x', email }, scopes: [] } } } },
  );

/** What the $connect authorizer returns for a token whose claims are `claims` (the verifier stands in for jose). */
async function authorize(claims: Record<string, unknown>) {
  const authorizer = connectAuthorizer(async () => ({ principal: String(claims.email), claims }), 'email');
  return authorizer({ methodArn: METHOD_ARN, queryStringParameters: { token: 'a.b.c' } });
}

const connectEvent = (connectionId: string, authorizer: Record<string, unknown> | undefined, extra: Record<string, unknown> = {}) => ({
  requestContext: { routeKey: '$connect', eventType: 'CONNECT', connectionId, ...(authorizer === undefined ? {} : { authorizer }) },
  headers: {},
  queryStringParameters: { token: 'a.b.c' },
  ...extra,
});
const message = (connectionId: string, body: unknown) => ({ requestContext: { routeKey: '$default', eventType: 'MESSAGE', connectionId }, body: JSON.stringify(body) });

beforeAll(async () => {
  stack = await createTestStack({ auth: { mode: 'jwt', jwtPrincipalClaim: 'email', cacheMs: 0 } });
  door = websocketHandler(stack.deps);
  readable = uniqueName();
  secret = uniqueName();
  for (const name of [readable, secret]) expect((await asPrincipal('admin', 'POST', '/v1/topics', { name, partitions: 2 })).status).toBe(201);
  const acl = { principal: 'ivy@example.com', resourceType: 'topic', resourceName: readable, patternType: 'literal', operation: 'read', permission: 'allow' };
  expect((await asPrincipal('admin', 'POST', '/v1/acls', acl)).status).toBe(201);
});

describe('the door in JWT mode', () => {
  it("connects with the authorizer's principal, stores it with the connection, and checks each subscription against its ACLs", async () => {
    const result = await authorize({ iss: 'https://issuer.example.com/', sub: 'u-1', email: 'ivy@example.com', aud: 'samsa' });
    // API Gateway passes principalId and the context's keys, beside its own fields.
    const id = `c-${uniqueName()}`;
    expect(await door(connectEvent(id, { principalId: result.principalId, integrationLatency: 12, ...result.context }))).toEqual({ statusCode: 200 });
    const item = await stack.lib.ddb.send(new GetCommand({ TableName: stack.tables.meta, Key: pushKeys.connection(id) }));
    expect(item.Item?.principal).toBe('ivy@example.com');

    const ok = await door(message(id, { action: 'subscribe', topic: readable, partitions: [0], id: '1' }));
    expect(JSON.parse(ok.body!)).toEqual({ type: 'subscribed', topic: readable, partitions: [0], id: '1' });
    const denied = await door(message(id, { action: 'subscribe', topic: secret, id: '2' }));
    expect(JSON.parse(denied.body!)).toMatchObject({ type: 'error', code: 'AUTHORIZATION_FAILED', id: '2' });
  });

  it('lets a super user named by the claim read everything, as on the HTTP API', async () => {
    const result = await authorize({ sub: 'root', email: 'admin' });
    const id = `c-${uniqueName()}`;
    expect((await door(connectEvent(id, { principalId: result.principalId, ...result.context }))).statusCode).toBe(200);
    const ok = await door(message(id, { action: 'subscribe', topic: secret, id: '3' }));
    expect(JSON.parse(ok.body!)).toMatchObject({ type: 'subscribed', topic: secret });
  });

  it('refuses a connect without the authorizer context (401), whatever the request carries, and registers nothing', async () => {
    const forged = { headers: { authorization: 'Bearer a.b.c' }, queryStringParameters: { token: 'a.b.c', claims: '{"email":"admin"}' } };
    for (const authorizer of [undefined, { principalId: 'admin' }, { principalId: 'admin', claims: 'not json' }, { claims: '{"sub":"admin"}' }]) {
      const id = `c-${uniqueName()}`;
      const res = await door(connectEvent(id, authorizer, forged));
      expect(res.statusCode).toBe(401);
      expect(JSON.parse(res.body!).error.code).toBe('UNAUTHENTICATED');
      const item = await stack.lib.ddb.send(new GetCommand({ TableName: stack.tables.meta, Key: pushKeys.connection(id) }));
      expect(item.Item).toBeUndefined();
    }
  });
});

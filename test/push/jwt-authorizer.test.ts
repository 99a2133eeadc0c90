/**
 * The WebSocket $connect authorizer of JWT mode (functions/push/authorizer.ts,
 * functions/push/jwt.ts) against a local OIDC issuer: an HTTP server on
 * 127.0.0.1 serving a discovery document and a JWKS with a locally generated
 * RSA key. A valid token is allowed with its principal; every check the HTTP
 * API's JWT authorizer makes refuses (401) a token that fails it; an issuer
 * that cannot be reached is a server error, not a refusal.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type JWTPayload, type CryptoKey } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENV } from '../../functions/config';
import { connectAuthorizer, UNAUTHORIZED, type ConnectAuthorizer } from '../../functions/push/authorizer';
import { PUSH_ENV } from '../../functions/push/aws-env';
import { discoveryUrl, jwtVerifier, JwtRejected } from '../../functions/push/jwt';

const AUDIENCE = 'samsa';
const METHOD_ARN = 'arn:aws:execute-api:us-east-1:123456789012:abcdef123/v1/$connect';
let server: Server;
let issuer: string;
let signing: CryptoKey;
let other: CryptoKey;
const requests: string[] = [];

beforeAll(async () => {
  const pair = await generateKeyPair('RS256', { extractable: true });
  signing = pair.privateKey;
  other = (await generateKeyPair('RS256')).privateKey;
  const jwk = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
  server = createServer((req, res) => {
    requests.push(req.url ?? '');
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/tenant`;
    const body =
      req.url === '/tenant/.well-known/openid-configuration' ? { issuer: base, jwks_uri: `${base}/keys` } : req.url === '/tenant/keys' ? { keys: [jwk] } : undefined;
    res.writeHead(body === undefined ? 404 : 200, { 'content-type': 'application/json' }).end(JSON.stringify(body ?? {}));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}/tenant`;
});
afterAll(() => server?.close());

const now = () => Math.floor(Date.now() / 1000);

function token(claims: JWTPayload, options: { key?: CryptoKey; kid?: string | null; alg?: string } = {}): Promise<string> {
  const header: { alg: string; kid?: string } = { alg: options.alg ?? 'RS256' };
  if (options.kid !== null) header.kid = options.kid ?? 'k1';
  return new SignJWT({ iss: issuer, aud: AUDIENCE, sub: 'user-1', email: 'ivy@example.com', iat: now(), exp: now() + 300, ...claims })
    .setProtectedHeader(header)
    .sign(options.key ?? signing);
}

const event = (t: string | undefined) => ({
  type: 'REQUEST',
  methodArn: METHOD_ARN,
  queryStringParameters: t === undefined ? {} : { token: t },
  requestContext: { routeKey: '$connect', eventType: 'CONNECT', connectionId: 'c1' },
});

function authorizer(principalClaim = 'email') {
  const refusals: string[] = [];
  const handler = connectAuthorizer(jwtVerifier({ issuer, audience: ['other', AUDIENCE], principalClaim }), principalClaim, (r) => refusals.push(r));
  return { handler, refusals };
}

describe('the $connect authorizer', () => {
  it('allows a valid token: this $connect only, the principal as principalId and in the context, with the claims as JSON', async () => {
    const { handler } = authorizer();
    const result = await handler(event(await token({})));
    expect(result).toEqual({
      principalId: 'ivy@example.com',
      policyDocument: { Version: '2012-10-17', Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: METHOD_ARN }] },
      context: { principal: 'ivy@example.com', claims: expect.any(String) },
    });
    const claims = JSON.parse(result.context.claims);
    expect(claims).toMatchObject({ iss: issuer, aud: AUDIENCE, sub: 'user-1', email: 'ivy@example.com' });
    expect(Object.values(result.context).every((v) => typeof v === 'string')).toBe(true); // an authorizer context holds no objects
    expect(requests).toContain('/tenant/.well-known/openid-configuration');
    expect(requests).toContain('/tenant/keys');
  });

  it('accepts the token with a Bearer prefix, an aud list holding one accepted audience, and client_id when there is no aud', async () => {
    const { handler } = authorizer('sub');
    expect((await handler(event(`Bearer ${await token({})}`))).principalId).toBe('user-1');
    expect((await handler(event(await token({ aud: ['x', AUDIENCE] })))).principalId).toBe('user-1');
    expect((await handler(event(await token({ aud: undefined, client_id: AUDIENCE })))).principalId).toBe('user-1');
  });

  const refused: [string, () => Promise<string | undefined>, RegExp][] = [
    ['no token', async () => undefined, /no token/],
    ['an empty token', async () => '', /no token/],
    ['not a JWT', async () => 'samsa_abc_def', /not a JWT/],
    ['another issuer', () => token({ iss: 'https://evil.example.com/' }), /CLAIM_VALIDATION/],
    ['another audience', () => token({ aud: 'someone-else' }), /aud/],
    ['client_id of another audience and no aud', () => token({ aud: undefined, client_id: 'someone-else' }), /aud/],
    ['an expired token', () => token({ iat: now() - 600, exp: now() - 60 }), /EXPIRED/],
    ['no exp', () => token({ exp: undefined }), /CLAIM_VALIDATION/],
    ['nbf in the future', () => token({ nbf: now() + 120 }), /CLAIM_VALIDATION/],
    ['iat in the future', () => token({ iat: now() + 120 }), /iat/],
    ['a signature by another key under the same kid', () => token({}, { key: other }), /SIGNATURE/],
    ['an unknown kid', () => token({}, { kid: 'k2' }), /NO_MATCHING_KEY/],
    ['no kid', () => token({}, { kid: null }), /kid/],
    ['a tampered payload', async () => tamper(await token({})), /SIGNATURE/],
    ['the principal claim missing', () => token({ email: undefined }), /'email'/],
    ['the principal claim not a string', () => token({ email: 42 }), /'email'/],
  ];
  it.each(refused)('refuses %s with 401 and logs why, never the token', async (_, make, reason) => {
    const { handler, refusals } = authorizer();
    const t = await make();
    await expect(handler(event(t))).rejects.toThrow(new Error(UNAUTHORIZED));
    expect(refusals).toHaveLength(1);
    expect(refusals[0]).toMatch(reason);
    if (t) expect(refusals[0]).not.toContain(t.split('.')[1] ?? t);
  });

  it('refuses a symmetric (HS256) token signed with the public key material: RSA algorithms only', async () => {
    const { handler, refusals } = authorizer();
    const hs = await new SignJWT({ iss: issuer, aud: AUDIENCE, email: 'ivy@example.com', exp: now() + 60 })
      .setProtectedHeader({ alg: 'HS256', kid: 'k1' })
      .sign(new TextEncoder().encode('k'.repeat(32)));
    await expect(handler(event(hs))).rejects.toThrow(UNAUTHORIZED);
    expect(refusals[0]).toMatch(/ALG_NOT_ALLOWED/);
  });

  it('answers a server error, not a refusal, when the issuer cannot be reached, and tries discovery again on the next connect', async () => {
    const down = jwtVerifier({ issuer: 'http://127.0.0.1:1/nowhere', audience: [AUDIENCE], principalClaim: 'sub' }, { timeoutMs: 1_000 });
    const handler = connectAuthorizer(down, 'sub', () => undefined);
    const t = await token({});
    const first = await handler(event(t)).catch((e: Error) => e);
    expect(first).toBeInstanceOf(Error);
    expect((first as Error).message).not.toBe(UNAUTHORIZED);
    expect(first).not.toBeInstanceOf(JwtRejected);
    await expect(handler(event(t))).rejects.toThrow(); // not a cached failure: it fetched again (and failed again)
  });

  it('finds the discovery document where the HTTP API does, with or without a trailing slash on the issuer', () => {
    expect(discoveryUrl('https://issuer.example.com/')).toBe('https://issuer.example.com/.well-known/openid-configuration');
    expect(discoveryUrl('https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_abc')).toBe('https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_abc/.well-known/openid-configuration');
  });
});

describe('the bundled authorizer', () => {
  it('bundles jose into CommonJS as the stack does (esbuild, node22) and allows and refuses from its environment', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'samsa-authorizer-'));
    try {
      const outfile = join(dir, 'index.js');
      await build({
        entryPoints: [join(__dirname, '../../functions/push/aws-authorizer.ts')],
        bundle: true,
        platform: 'node',
        format: 'cjs',
        target: 'node22',
        minify: true,
        external: ['@aws-sdk/*'],
        outfile,
        logLevel: 'silent',
      });
      const env = { [PUSH_ENV.jwtIssuer]: issuer, [PUSH_ENV.jwtAudience]: `other, ${AUDIENCE}`, [ENV.jwtPrincipalClaim]: 'email' };
      const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
      Object.assign(process.env, env);
      let handler: ConnectAuthorizer;
      try {
        ({ handler } = createRequire(import.meta.url)(outfile) as { handler: ConnectAuthorizer });
      } finally {
        for (const [k, v] of Object.entries(saved)) if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
      expect((await handler(event(await token({})))).principalId).toBe('ivy@example.com');
      await expect(handler(event(await token({ aud: 'nobody' })))).rejects.toThrow(UNAUTHORIZED);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/** Changes the payload's principal without re-signing. */
function tamper(jwt: string): string {
  const [h, p, s] = jwt.split('.') as [string, string, string];
  const payload = JSON.parse(Buffer.from(p, 'base64url').toString());
  return [h, Buffer.from(JSON.stringify({ ...payload, email: 'admin' })).toString('base64url'), s].join('.');
}

/**
 * kafka/jwt.ts without a network: the issuer's keys are fetched once and
 * cached, a rotated key (a new kid) is picked up by refetching — at most
 * every 30 s, so a flood of tokens with made-up key ids cannot hammer the
 * issuer — and EC keys (ES256) verify as RSA ones do.
 */
import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { jwtVerifier } from '../../kafka/jwt';

const ISSUER = 'https://issuer.example';

function token(key: KeyObject, alg: 'RS256' | 'ES256', kid: string, sub: string, nowMs: number): string {
  const part = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const input = `${part({ alg, kid })}.${part({ iss: ISSUER, aud: 'samsa', sub, exp: Math.floor(nowMs / 1000) + 60 })}`;
  const signature = sign('sha256', Buffer.from(input), alg === 'ES256' ? { key, dsaEncoding: 'ieee-p1363' } : key);
  return `${input}.${signature.toString('base64url')}`;
}

describe('jwtVerifier', () => {
  it('caches the JWKS, refetches for a new kid at most every 30 s, and verifies RSA and EC keys', async () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    let published = [{ ...rsa.publicKey.export({ format: 'jwk' }), kid: 'r1' }];
    const fetched: string[] = [];
    const fakeFetch = (async (url: string) => {
      fetched.push(url);
      const body = url.endsWith('/openid-configuration') ? { jwks_uri: `${ISSUER}/keys` } : { keys: published };
      return new Response(JSON.stringify(body), { status: 200 });
    }) as typeof fetch;
    let now = 1_800_000_000_000;
    const verify = jwtVerifier({ issuer: ISSUER, audience: ['samsa'], now: () => now, fetch: fakeFetch });

    expect(await verify(token(rsa.privateKey, 'RS256', 'r1', 'alice', now))).toEqual({ name: 'alice' });
    expect(await verify(token(rsa.privateKey, 'RS256', 'r1', 'bob', now))).toEqual({ name: 'bob' });
    expect(fetched).toEqual([`${ISSUER}/.well-known/openid-configuration`, `${ISSUER}/keys`]);

    // The issuer rotates to an EC key: unknown until the refetch interval passed.
    published = [...published, { ...ec.publicKey.export({ format: 'jwk' }), kid: 'e1' }];
    await expect(verify(token(ec.privateKey, 'ES256', 'e1', 'carol', now))).rejects.toThrow(/no EC key 'e1'/);
    expect(fetched).toHaveLength(2);
    now += 31_000;
    expect(await verify(token(ec.privateKey, 'ES256', 'e1', 'carol', now))).toEqual({ name: 'carol' });
    expect(fetched).toHaveLength(4);
    // A key of the wrong type for the algorithm is refused.
    await expect(verify(token(rsa.privateKey, 'ES256', 'r1', 'mallory', now))).rejects.toThrow(/no EC key 'r1'/);
  });
});

/**
 * JWT verification for SASL/OAUTHBEARER, doing in the gateway what API
 * Gateway's JWT authorizer does for the HTTP API in JWT mode: the token must
 * be signed by a key of the issuer's JWKS (found through its OpenID
 * discovery document, RSA or EC), carry the configured issuer (`iss`), one
 * of the configured audiences (`aud`, or `client_id` as API Gateway also
 * accepts), and be within `nbf`/`exp`. The principal is the configured
 * claim (`sub` by default), as functions/http/auth.ts takes it over HTTP,
 * so ACLs see the same principal through both doors.
 * Keys are cached for ten minutes; a token naming a key id that is not in
 * the cache refetches the JWKS (at most every 30 s), so key rotation works
 * without a restart. Nothing but the issuer's HTTPS endpoints is needed.
 */
import { createPublicKey, verify, type JsonWebKey, type KeyObject } from 'node:crypto';
import type { Principal } from '../lib/auth/authorize';
import { SamsaError } from '../lib/errors';

export interface JwtSettings {
  /** The OIDC issuer URL, exactly as tokens carry it in `iss`. */
  issuer: string;
  audience: string[];
  /** The claim naming the principal (default `sub`). */
  principalClaim?: string;
  /** Where the keys are; default: the issuer's discovery document's `jwks_uri`. */
  jwksUri?: string;
  now?: () => number;
  fetch?: typeof fetch;
}

const ALGORITHMS: Record<string, { hash: string; kty: string; dsa?: 'ieee-p1363' }> = {
  RS256: { hash: 'sha256', kty: 'RSA' },
  RS384: { hash: 'sha384', kty: 'RSA' },
  RS512: { hash: 'sha512', kty: 'RSA' },
  ES256: { hash: 'sha256', kty: 'EC', dsa: 'ieee-p1363' },
  ES384: { hash: 'sha384', kty: 'EC', dsa: 'ieee-p1363' },
};
const KEYS_TTL_MS = 600_000;
const REFETCH_MIN_MS = 30_000;

export type JwtVerifier = (token: string) => Promise<Principal>;

export function jwtVerifier(settings: JwtSettings): JwtVerifier {
  const now = settings.now ?? Date.now;
  const get = settings.fetch ?? fetch;
  const claim = settings.principalClaim ?? 'sub';
  let keys: { byKid: Map<string, KeyObject & { kty?: string }>; at: number } | undefined;
  let loading: Promise<void> | undefined;

  const load = async () => {
    let uri = settings.jwksUri;
    if (uri === undefined) {
      const discovery = (await json(get, `${settings.issuer.replace(/\/$/, '')}/.well-known/openid-configuration`)) as { jwks_uri?: string };
      if (typeof discovery.jwks_uri !== 'string') throw new Error('the discovery document has no jwks_uri');
      uri = discovery.jwks_uri;
    }
    const set = (await json(get, uri)) as { keys?: (JsonWebKey & { kid?: string; use?: string })[] };
    const byKid = new Map<string, KeyObject & { kty?: string }>();
    for (const jwk of set.keys ?? []) {
      if (jwk.use !== undefined && jwk.use !== 'sig') continue;
      try {
        byKid.set(jwk.kid ?? '', Object.assign(createPublicKey({ key: jwk, format: 'jwk' }), { kty: String(jwk.kty) }));
      } catch {
        // A key type node cannot import (e.g. a symmetric one) can never verify a token here.
      }
    }
    keys = { byKid, at: now() };
  };
  const keyFor = async (kid: string) => {
    const stale = keys === undefined || now() - keys.at > KEYS_TTL_MS;
    const unknown = keys !== undefined && !keys.byKid.has(kid) && now() - keys.at > REFETCH_MIN_MS;
    if (stale || unknown) {
      loading ??= load().finally(() => (loading = undefined));
      try {
        await loading;
      } catch (err) {
        if (keys === undefined) throw refused(`the issuer's keys could not be loaded (${(err as Error).message})`);
      }
    }
    return keys?.byKid.get(kid) ?? (kid === '' && keys?.byKid.size === 1 ? [...keys.byKid.values()][0] : undefined);
  };

  return async (token) => {
    const parts = token.split('.');
    if (parts.length !== 3) throw refused('not a signed JWT (header.payload.signature)');
    const header = decode(parts[0]!) as { alg?: string; kid?: string };
    const payload = decode(parts[1]!) as Record<string, unknown>;
    const alg = ALGORITHMS[String(header.alg)];
    if (alg === undefined) throw refused(`algorithm '${header.alg}' is not accepted (RS256/384/512, ES256/384)`);
    const key = await keyFor(header.kid ?? '');
    if (key === undefined || key.kty !== alg.kty) throw refused(`no ${alg.kty} key '${header.kid ?? ''}' in the issuer's JWKS`);
    const signed = Buffer.from(`${parts[0]}.${parts[1]}`);
    const signature = Buffer.from(parts[2]!, 'base64url');
    if (!verify(alg.hash, signed, alg.dsa === undefined ? key : { key, dsaEncoding: alg.dsa }, signature)) throw refused('bad signature');
    if (payload.iss !== settings.issuer) throw refused('wrong issuer');
    const audiences = [payload.aud, payload.client_id].flat().filter((a): a is string => typeof a === 'string');
    if (!audiences.some((a) => settings.audience.includes(a))) throw refused('wrong audience');
    const seconds = now() / 1000;
    if (typeof payload.exp !== 'number' || payload.exp <= seconds) throw refused('expired (or no exp)');
    if (typeof payload.nbf === 'number' && payload.nbf > seconds) throw refused('not valid yet (nbf)');
    const name = payload[claim];
    if (typeof name !== 'string' || name === '') throw refused(`no '${claim}' claim to name the principal`);
    return { name };
  };
}

function decode(part: string): unknown {
  try {
    const value = JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as unknown;
    if (typeof value === 'object' && value !== null) return value;
  } catch {
    // fall through
  }
  throw refused('a JWT part is not base64url JSON');
}

async function json(get: typeof fetch, url: string): Promise<unknown> {
  const res = await get(url, { signal: AbortSignal.timeout(5_000) });
  if (!res.ok) throw new Error(`GET ${url}: HTTP ${res.status}`);
  return res.json();
}

function refused(why: string): SamsaError {
  return new SamsaError('UNAUTHENTICATED', `Invalid token: ${why}.`);
}

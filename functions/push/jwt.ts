/**
 * JWT validation for the WebSocket API's $connect authorizer (JWT mode;
 * ./authorizer.ts), doing what API Gateway's JWT authorizer does for the HTTP
 * API (docs/security.md), with `jose` for the signature and key handling:
 *
 * - the issuer's keys come from its OpenID Connect discovery document
 *   (`<issuer>/.well-known/openid-configuration` → `jwks_uri`), fetched once
 *   per instance and cached by jose (an unknown `kid` refetches the key set,
 *   at most every 30 s, so a key rotation is picked up);
 * - the token must name its key (`kid`) and be signed with an RSA algorithm
 *   (API Gateway's JWT authorizer supports only those);
 * - `iss` must equal the configured issuer; `aud` must contain one of the
 *   configured audiences, or, when the token has no `aud`, `client_id` must be
 *   one of them (Cognito access tokens carry `client_id`);
 * - `exp` must be present and in the future, `nbf` (when present) and `iat`
 *   (when present) not in the future;
 * - the principal claim (`samsa:jwtPrincipalClaim`, default `sub`) must be a
 *   non-empty string: it names the principal the ACLs apply to.
 *
 * A token that fails any check is a JwtRejected (the authorizer answers 401);
 * a failure to reach the issuer (discovery, key set) is thrown as it is, so
 * the client sees a server error and may retry, rather than a refusal.
 */
import { createRemoteJWKSet, decodeProtectedHeader, errors, jwtVerify, type JWTPayload } from 'jose';

export interface JwtSettings {
  issuer: string;
  audience: string[];
  principalClaim: string;
}

export interface VerifiedJwt {
  principal: string;
  claims: JWTPayload;
}

export type JwtVerifier = (token: string) => Promise<VerifiedJwt>;

/** RSA signatures only, as API Gateway's JWT authorizer. */
export const JWT_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512'];

/** The token is not acceptable; `reason` is for the log (it never holds the token). */
export class JwtRejected extends Error {
  constructor(readonly reason: string) {
    super(`JWT refused: ${reason}`);
    this.name = 'JwtRejected';
  }
}

/** jose errors that are about the token; the rest (timeouts, an unusable key set) are about the issuer. */
const TOKEN_ERRORS = new Set([
  'ERR_JWT_EXPIRED',
  'ERR_JWT_CLAIM_VALIDATION_FAILED',
  'ERR_JWT_INVALID',
  'ERR_JWS_INVALID',
  'ERR_JWS_SIGNATURE_VERIFICATION_FAILED',
  'ERR_JOSE_ALG_NOT_ALLOWED',
  'ERR_JOSE_NOT_SUPPORTED',
  'ERR_JWKS_NO_MATCHING_KEY',
  'ERR_JWKS_MULTIPLE_MATCHING_KEYS',
]);

export function discoveryUrl(issuer: string): string {
  return `${issuer.replace(/\/+$/, '')}/.well-known/openid-configuration`;
}

export interface JwtVerifierOptions {
  /** Timeout of each request to the issuer. Default 5 s. */
  timeoutMs?: number;
  /** The clock (tests). */
  now?: () => number;
}

export function jwtVerifier(settings: JwtSettings, options: JwtVerifierOptions = {}): JwtVerifier {
  const timeoutMs = options.timeoutMs ?? 5_000;
  const now = options.now ?? Date.now;
  const audiences = new Set(settings.audience);
  let keys: Promise<ReturnType<typeof createRemoteJWKSet>> | undefined;

  const keySet = () => {
    keys ??= discoverKeys(settings.issuer, timeoutMs).catch((err: unknown) => {
      keys = undefined; // the next connect tries again
      throw err;
    });
    return keys;
  };

  return async (raw) => {
    const token = raw.replace(/^Bearer\s+/i, '').trim();
    if (token === '') throw new JwtRejected('no token');
    let kid: unknown;
    try {
      kid = decodeProtectedHeader(token).kid;
    } catch {
      throw new JwtRejected('not a JWT');
    }
    if (typeof kid !== 'string' || kid === '') throw new JwtRejected("the token's header has no kid");
    let claims: JWTPayload;
    try {
      ({ payload: claims } = await jwtVerify(token, await keySet(), {
        issuer: settings.issuer,
        algorithms: JWT_ALGORITHMS,
        requiredClaims: ['exp'],
        currentDate: new Date(now()),
      }));
    } catch (err) {
      if (err instanceof errors.JOSEError && TOKEN_ERRORS.has(err.code)) throw new JwtRejected(err.code);
      throw err;
    }
    if (typeof claims.iat === 'number' && claims.iat > now() / 1000) throw new JwtRejected('iat is in the future');
    if (!audienceMatches(claims, audiences)) throw new JwtRejected('no accepted aud (or client_id)');
    const principal = claims[settings.principalClaim];
    if (typeof principal !== 'string' || principal === '') throw new JwtRejected(`no '${settings.principalClaim}' claim`);
    return { principal, claims };
  };
}

/** API Gateway's rule: `aud` must hold an accepted audience; only without `aud` is `client_id` checked instead. */
function audienceMatches(claims: JWTPayload, audiences: Set<string>): boolean {
  if (claims.aud !== undefined) return [claims.aud].flat().some((a) => audiences.has(a));
  return typeof claims.client_id === 'string' && audiences.has(claims.client_id);
}

async function discoverKeys(issuer: string, timeoutMs: number): Promise<ReturnType<typeof createRemoteJWKSet>> {
  const url = discoveryUrl(issuer);
  const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), redirect: 'error' });
  if (!res.ok) throw new Error(`OIDC discovery: ${url} answered ${res.status}.`);
  const doc = (await res.json()) as { jwks_uri?: unknown };
  if (typeof doc.jwks_uri !== 'string') throw new Error(`OIDC discovery: ${url} names no jwks_uri.`);
  const jwksUri = new URL(doc.jwks_uri);
  // Keys only over HTTPS (an http:// issuer exists only in tests: the CDK refuses one).
  if (jwksUri.protocol !== 'https:' && new URL(issuer).protocol === 'https:') {
    throw new Error(`OIDC discovery: the jwks_uri of ${issuer} is not https.`);
  }
  return createRemoteJWKSet(jwksUri, { timeoutDuration: timeoutMs });
}

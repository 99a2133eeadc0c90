/**
 * The WebSocket API's $connect authorizer in JWT mode (cdk/constructs/push.ts;
 * Lambda entry ./aws-authorizer.ts). API Gateway's JWT authorizers exist for
 * HTTP APIs only, so a Lambda REQUEST authorizer validates the token as the
 * HTTP API's does (./jwt.ts) and hands the principal to the door.
 *
 * The token comes as `?token=<jwt>` on the connect URL — where the API key
 * goes in API-key mode, and the one place a browser can put it. It is the
 * authorizer's identity source: API Gateway answers 401 without invoking the
 * function when it is missing. (WebSocket authorizers have no result cache,
 * so every $connect is validated afresh.)
 *
 * Allow: an IAM policy allowing this $connect (`methodArn`), `principalId`
 * the principal, and a context of two strings (an authorizer context holds
 * only strings, numbers and booleans): `principal` and `claims`, the JSON of
 * the standard claims and the principal claim. The door reads them from its
 * event's `requestContext.authorizer` (./lambda.ts connectEnv).
 * Refusal: `Error('Unauthorized')`, which API Gateway answers with 401. A
 * failure to reach the issuer is any other error: a 500, so clients retry.
 */
import { PUSH_TOKEN_QUERY } from '../../lib/protocol/push';
import { JwtRejected, type JwtVerifier, type VerifiedJwt } from './jwt';

export interface AuthorizerResult {
  principalId: string;
  policyDocument: { Version: '2012-10-17'; Statement: { Action: 'execute-api:Invoke'; Effect: 'Allow'; Resource: string }[] };
  context: { principal: string; claims: string };
}

/** The claims passed on to the door: never the whole token, whose other claims the door does not read. */
const FORWARDED_CLAIMS = ['iss', 'sub', 'aud', 'client_id', 'exp', 'iat', 'scope'];

/** The message API Gateway turns into a 401 for a Lambda authorizer. */
export const UNAUTHORIZED = 'Unauthorized';

export type ConnectAuthorizer = (event: unknown) => Promise<AuthorizerResult>;

export function connectAuthorizer(verify: JwtVerifier, principalClaim: string, log: (reason: string) => void = defaultLog): ConnectAuthorizer {
  return async (event) => {
    const { methodArn, token } = decodeAuthorizerEvent(event);
    if (methodArn === undefined) throw new Error('Not an API Gateway REQUEST authorizer event.');
    let verified: VerifiedJwt;
    try {
      verified = await verify(token ?? '');
    } catch (err) {
      if (err instanceof JwtRejected) {
        log(err.reason);
        throw new Error(UNAUTHORIZED);
      }
      throw err;
    }
    const claims = Object.fromEntries([...FORWARDED_CLAIMS, principalClaim].filter((c) => verified.claims[c] !== undefined).map((c) => [c, verified.claims[c]]));
    return {
      principalId: verified.principal,
      policyDocument: { Version: '2012-10-17', Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: methodArn }] },
      context: { principal: verified.principal, claims: JSON.stringify(claims) },
    };
  };
}

function decodeAuthorizerEvent(event: unknown): { methodArn: string | undefined; token: string | undefined } {
  const e = (typeof event === 'object' && event !== null ? event : {}) as { methodArn?: unknown; queryStringParameters?: unknown };
  const query = (typeof e.queryStringParameters === 'object' && e.queryStringParameters !== null ? e.queryStringParameters : {}) as Record<string, unknown>;
  const token = query[PUSH_TOKEN_QUERY];
  return { methodArn: typeof e.methodArn === 'string' ? e.methodArn : undefined, token: typeof token === 'string' ? token : undefined };
}

/** One line per refusal, with the reason only: the token is never logged. */
function defaultLog(reason: string): void {
  console.warn(JSON.stringify({ message: 'WebSocket connect refused', reason }));
}

/**
 * Lambda entry point of the WebSocket API's $connect authorizer in JWT mode
 * (cdk/constructs/push.ts; ./authorizer.ts): the issuer and audiences the
 * HTTP API's JWT authorizer has, and the principal claim, from the
 * environment. It touches no table.
 */
import { DEFAULT_AUTH, ENV } from '../config';
import { connectAuthorizer } from './authorizer';
import { PUSH_ENV } from './aws-env';
import { jwtVerifier } from './jwt';

const issuer = process.env[PUSH_ENV.jwtIssuer];
const audience = (process.env[PUSH_ENV.jwtAudience] ?? '').split(',').map((a) => a.trim()).filter(Boolean);
if (issuer === undefined || issuer === '' || audience.length === 0) {
  throw new Error(`${PUSH_ENV.jwtIssuer} and ${PUSH_ENV.jwtAudience} must be set (JWT mode's issuer and audiences).`);
}
const principalClaim = process.env[ENV.jwtPrincipalClaim] || DEFAULT_AUTH.jwtPrincipalClaim;

// 3 s per request to the issuer: discovery and key set both fit in the function's 10 s timeout (cdk/constructs/push.ts).
export const handler = connectAuthorizer(jwtVerifier({ issuer, audience, principalClaim }, { timeoutMs: 3_000 }), principalClaim);

/**
 * Who is calling: turns a request into a Principal according to the
 * deployment's auth mode (functions/config.ts), or throws UNAUTHENTICATED.
 * The Authorization header is read here and nowhere else; it is never logged.
 */
import type { Context } from 'hono';
import { ANONYMOUS, type Principal } from '../../lib/auth/authorize';
import type { ApiKeyAuthenticator } from '../../lib/auth/authenticate';
import { unauthenticated } from '../../lib/auth/keys';
import type { AuthConfig } from '../config';

export type RequestAuthenticator = (c: Context) => Promise<Principal>;

export function requestAuthenticator(auth: AuthConfig, keys: ApiKeyAuthenticator): RequestAuthenticator {
  switch (auth.mode) {
    case 'none':
      return async () => ANONYMOUS;
    case 'jwt':
      return async (c) => jwtPrincipal(c, auth.jwtPrincipalClaim);
    case 'api-keys':
      return async (c) => keys.authenticate(bearerToken(c));
  }
}

function bearerToken(c: Context): string {
  const header = c.req.header('authorization');
  if (header === undefined || header === '') throw unauthenticated('No credentials.');
  const match = /^Bearer[ ]+(\S+)\s*$/i.exec(header);
  if (match === null) throw unauthenticated('The Authorization header is not a Bearer token.');
  return match[1] as string;
}

/** API Gateway's JWT authorizer has already validated the token and puts its claims in the request context. */
function jwtPrincipal(c: Context, claim: string): Principal {
  const env = c.env as { requestContext?: { authorizer?: { jwt?: { claims?: Record<string, unknown> } } } } | undefined;
  const value = env?.requestContext?.authorizer?.jwt?.claims?.[claim];
  if (typeof value !== 'string' || value === '') {
    throw unauthenticated(`No validated JWT with a '${claim}' claim (JWT mode needs API Gateway's JWT authorizer).`);
  }
  return { name: value };
}

/**
 * SASL PLAIN with Samsa API keys: the password is an API key (the username
 * is not checked; the key alone names the principal, as the HTTP API's
 * bearer key does), and the connection then acts as that key's principal,
 * so ACLs apply to it exactly as to HTTP requests.
 * SASL OAUTHBEARER (RFC 7628) for JWT mode: the client's first message
 * carries `auth=Bearer <JWT>`, verified as API Gateway's JWT authorizer
 * would (kafka/jwt.ts); the connection acts as the token's principal. It is
 * not re-authenticated when the token expires (sessionLifetimeMs 0, as
 * Kafka's brokers without connections.max.reauth.ms).
 * SaslHandshake v1 + SaslAuthenticate is the usual path; handshake v0 sends
 * the token as a bare frame next. With authentication off, any PLAIN login
 * succeeds and the connection stays anonymous (as the HTTP API ignores keys
 * then).
 */
import { toSamsaError } from '../../lib/errors';
import type { ApiHandler, Gateway, Session } from '../api';
import { KafkaError } from '../errors';

export const saslHandshake: ApiHandler = {
  key: 17,
  name: 'SaslHandshake',
  min: 0,
  max: 1,
  async handle(g, s, req) {
    const mechanisms = saslMechanisms(g);
    if (!mechanisms.includes(req.mechanism as string)) return { errorCode: KafkaError.UNSUPPORTED_SASL_MECHANISM, mechanisms };
    s.mechanism = req.mechanism as string;
    return { errorCode: KafkaError.NONE, mechanisms };
  },
};

export const saslAuthenticate: ApiHandler = {
  key: 36,
  name: 'SaslAuthenticate',
  min: 0,
  max: 2,
  async handle(g, s, req) {
    if (s.mechanism === undefined || s.authenticated) {
      return { errorCode: KafkaError.ILLEGAL_SASL_STATE, errorMessage: `Send SaslHandshake (${saslMechanisms(g).join(' or ')}) first, once.`, authBytes: Buffer.alloc(0), sessionLifetimeMs: 0n };
    }
    const failure = await login(g, s, req.authBytes as Buffer);
    return {
      errorCode: failure === undefined ? KafkaError.NONE : KafkaError.SASL_AUTHENTICATION_FAILED,
      errorMessage: failure ?? null,
      authBytes: Buffer.alloc(0),
      sessionLifetimeMs: 0n,
    };
  },
};

/** Handshake v0: the PLAIN token as a bare frame; an empty frame back on success, undefined (close) on failure. */
export async function rawSaslToken(g: Gateway, s: Session, frame: Buffer): Promise<Buffer | undefined> {
  return (await login(g, s, frame)) === undefined ? Buffer.alloc(0) : undefined;
}

/** PLAIN with API keys (or anything, when authentication is off); OAUTHBEARER when JWTs are verified. */
export function saslMechanisms(g: Gateway): string[] {
  return [...(g.authenticate !== undefined || g.verifyToken === undefined ? ['PLAIN'] : []), ...(g.verifyToken === undefined ? [] : ['OAUTHBEARER'])];
}

function login(g: Gateway, s: Session, token: Buffer): Promise<string | undefined> {
  return s.mechanism === 'OAUTHBEARER' ? oauthBearer(g, s, token) : plain(g, s, token);
}

/** RFC 7628's initial client response: gs2 header, then ^A-separated key=value pairs, one of them auth=Bearer <token>. */
async function oauthBearer(g: Gateway, s: Session, message: Buffer): Promise<string | undefined> {
  const pairs = message.toString('utf8').split('\u0001').slice(1);
  const auth = pairs.find((p) => p.startsWith('auth='))?.slice('auth='.length);
  const token = auth === undefined ? undefined : /^Bearer\s+(\S+)$/i.exec(auth)?.[1];
  if (token === undefined) return 'Malformed SASL/OAUTHBEARER message: expected auth=Bearer <JWT>.';
  try {
    s.principal = await g.verifyToken!(token);
    s.authenticated = true;
    return undefined;
  } catch (err) {
    return `Authentication failed: ${toSamsaError(err).message}`;
  }
}

/** Undefined on success (the session is now the key's principal), else why not. */
async function plain(g: Gateway, s: Session, token: Buffer): Promise<string | undefined> {
  const parts = token.toString('utf8').split('\u0000');
  if (parts.length !== 3) return 'Malformed SASL/PLAIN token: expected authzid NUL username NUL password.';
  if (g.authenticate === undefined) {
    s.authenticated = true;
    return undefined;
  }
  try {
    s.principal = await g.authenticate(parts[2]!);
    s.authenticated = true;
    return undefined;
  } catch (err) {
    return `Authentication failed: ${toSamsaError(err).message.replace(/ Send 'Authorization.*$/, '')} Use a Samsa API key as the SASL/PLAIN password.`;
  }
}

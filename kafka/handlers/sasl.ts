/**
 * SASL PLAIN with Samsa API keys: the password is an API key (the username
 * is not checked; the key alone names the principal, as the HTTP API's
 * bearer key does), and the connection then acts as that key's principal,
 * so ACLs apply to it exactly as to HTTP requests. SaslHandshake v1 +
 * SaslAuthenticate is the usual path; handshake v0 sends the token as a bare
 * frame next. With authentication off, any PLAIN login succeeds and the
 * connection stays anonymous (as the HTTP API ignores keys then).
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
    if (req.mechanism !== 'PLAIN') return { errorCode: KafkaError.UNSUPPORTED_SASL_MECHANISM, mechanisms: ['PLAIN'] };
    s.mechanism = 'PLAIN';
    return { errorCode: KafkaError.NONE, mechanisms: ['PLAIN'] };
  },
};

export const saslAuthenticate: ApiHandler = {
  key: 36,
  name: 'SaslAuthenticate',
  min: 0,
  max: 2,
  async handle(g, s, req) {
    if (s.mechanism === undefined || s.authenticated) {
      return { errorCode: KafkaError.ILLEGAL_SASL_STATE, errorMessage: 'Send SaslHandshake (PLAIN) first, once.', authBytes: Buffer.alloc(0), sessionLifetimeMs: 0n };
    }
    const failure = await plain(g, s, req.authBytes as Buffer);
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
  return (await plain(g, s, frame)) === undefined ? Buffer.alloc(0) : undefined;
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

/**
 * SASL: placeholder until SaslHandshake/SaslAuthenticate are served; a raw
 * token (handshake v0) is never expected without them.
 */
import type { Gateway, Session } from '../api';

export async function rawSaslToken(_g: Gateway, _s: Session, _frame: Buffer): Promise<Buffer | undefined> {
  return undefined;
}

/**
 * Per-instance cache in front of verifyApiKey: a warm instance verifies a key
 * once per `cacheMs` instead of reading DynamoDB on every request. Revocation
 * therefore takes effect within `cacheMs` (an expiry time is honoured
 * exactly, it is cached with the principal). Only successes are cached, so a
 * key works the moment it is issued. Entries are keyed by a SHA-256 of the
 * presented key, never the key itself.
 */
import { createHash } from 'node:crypto';
import type { LibContext } from '../context';
import type { Principal } from './authorize';
import { unauthenticated, verifyApiKey } from './keys';

const MAX_ENTRIES = 10_000;

export class ApiKeyAuthenticator {
  private readonly cache = new Map<string, { principal: Principal; expiresAt: number | null; until: number }>();

  constructor(
    private readonly storage: Pick<LibContext, 'ddb' | 'tables' | 'clock'>,
    private readonly cacheMs: number,
  ) {}

  async authenticate(presented: string): Promise<Principal> {
    const id = createHash('sha256').update(presented).digest('base64');
    const now = this.storage.clock.now();
    const hit = this.cache.get(id);
    if (hit !== undefined && now < hit.until) {
      if (hit.expiresAt !== null && hit.expiresAt <= now) throw unauthenticated('The API key has expired.');
      return hit.principal;
    }
    const { principal, expiresAt } = await verifyApiKey(this.storage, presented);
    if (this.cacheMs > 0) {
      if (this.cache.size >= MAX_ENTRIES) this.cache.clear();
      this.cache.set(id, { principal, expiresAt, until: now + this.cacheMs });
    }
    return principal;
  }
}

/**
 * The local stack's development key: a key of the first super user, kept in a
 * file so that a restart on the same data prints the same key. A key that no
 * longer verifies (fresh data directory, revoked) is replaced.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { storeApiKey, verifyApiKey } from '../lib/auth/keys';
import type { LibContext } from '../lib/context';
import { isSamsaError } from '../lib/errors';

export const DEV_KEY_FILE = '.samsa/dev-key';

export async function developmentKey(
  lib: LibContext,
  file: string,
  principal: string,
): Promise<{ apiKey: string; principal: string }> {
  const saved = readSaved(file);
  if (saved !== undefined) {
    try {
      const { principal: owner } = await verifyApiKey(lib, saved);
      if (owner.name === principal) return { apiKey: saved, principal };
    } catch (err) {
      if (!isSamsaError(err)) throw err;
    }
  }
  const issued = await storeApiKey(lib, { principal, description: 'local development key (npm start)' }, 'npm start');
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${issued.apiKey}\n`, { mode: 0o600 });
  return { apiKey: issued.apiKey, principal };
}

function readSaved(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}

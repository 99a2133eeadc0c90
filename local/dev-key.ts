/**
 * The local stack's development key: a key of the first super user.
 *
 * Three files, because a key belongs to the database that verifies it:
 * - `<data dir>/dev-key` keeps a persistent stack's key with its data, so a
 *   restart on the same data prints the same key, and deleting the data
 *   directory drops its key too. An in-memory stack has no such file: its
 *   database and key live only as long as the process.
 * - `.samsa/endpoints/<host>/dev-key` does the same for a stack on a
 *   DynamoDB someone else runs (`--dynamodb-endpoint`): its data lives there,
 *   so its key is kept per endpoint.
 * - `.samsa/dev-key` (DEV_KEY_FILE) holds the key of the stack running now,
 *   whichever it is, for the CLI (cli/credentials.ts) and the README's curl
 *   lines. A stack writes it once it serves, and on stopping puts back what
 *   the file held before if it still holds its own key: an in-memory stack
 *   started beside a persistent one hands the file back when it stops.
 *
 * A saved key that no longer verifies (a fresh data directory, a revoked
 * key) is replaced.
 */
import { mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { storeApiKey, verifyApiKey } from '../lib/auth/keys';
import type { LibContext } from '../lib/context';
import { isSamsaError } from '../lib/errors';

/** The running stack's key, where the CLI looks for it (cli/credentials.ts). */
export const DEV_KEY_FILE = '.samsa/dev-key';

/** Where a persistent stack keeps its key: with the data it belongs to. */
export function dataDevKeyFile(dataDir: string): string {
  return join(dataDir, 'dev-key');
}

/** Where a stack on an external DynamoDB keeps its key: one file per endpoint host and port. */
export function endpointDevKeyFile(endpoint: string): string {
  return join('.samsa', 'endpoints', new URL(endpoint).host.replace(/[^A-Za-z0-9.-]/g, '_'), 'dev-key');
}

export interface DevKeyOptions {
  /** The file that keeps the key across restarts (the data directory's); none for an in-memory stack. */
  keep?: string;
  /** Other files whose key is reused when it verifies against this database (e.g. DEV_KEY_FILE as earlier versions kept it). */
  adopt?: readonly string[];
}

export async function developmentKey(
  lib: LibContext,
  principal: string,
  options: DevKeyOptions = {},
): Promise<{ apiKey: string; principal: string }> {
  const candidates = [options.keep, ...(options.adopt ?? [])].filter((f): f is string => f !== undefined);
  for (const file of candidates) {
    const saved = readKey(file);
    if (saved === undefined || !(await verifies(lib, saved, principal))) continue;
    if (options.keep !== undefined && file !== options.keep) writeKey(options.keep, saved);
    return { apiKey: saved, principal };
  }
  const issued = await storeApiKey(lib, { principal, description: 'local development key (npm start)' }, 'npm start');
  if (options.keep !== undefined) writeKey(options.keep, issued.apiKey);
  return { apiKey: issued.apiKey, principal };
}

/**
 * Writes `apiKey` to `file` for as long as the stack runs. The returned
 * function (synchronous, so it can run on process exit) puts back what the
 * file held before, or removes it, but only while it still holds `apiKey`:
 * a stack started later owns the file now.
 */
export function publishDevKey(file: string, apiKey: string): () => void {
  const previous = readKey(file);
  writeKey(file, apiKey);
  let done = false;
  return () => {
    if (done) return;
    done = true;
    if (readKey(file) !== apiKey) return;
    try {
      if (previous === undefined || previous === apiKey) unlinkSync(file);
      else writeKey(file, previous);
    } catch {
      // Gone already, or the directory was removed: nothing to hand back.
    }
  };
}

async function verifies(lib: LibContext, apiKey: string, principal: string): Promise<boolean> {
  try {
    return (await verifyApiKey(lib, apiKey)).principal.name === principal;
  } catch (err) {
    if (isSamsaError(err)) return false;
    throw err;
  }
}

function writeKey(file: string, apiKey: string): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${apiKey}\n`, { mode: 0o600 });
}

function readKey(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}

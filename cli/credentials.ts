/**
 * Which API key the CLI sends: `--api-key`, else `$SAMSA_API_KEY`, else, when
 * talking to the local stack at its default address, the development key
 * that the running `npm start` puts in `.samsa/dev-key` of the current
 * directory (local/dev-key.ts). The key is never printed, except by
 * `keys create` and `keys bootstrap`, once.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Where the running local stack puts its development key (local/dev-key.ts). */
export const DEV_KEY_FILE = '.samsa/dev-key';

export type KeySource = 'flag' | 'env' | 'dev-key' | 'none';

export function resolveApiKey(
  flag: string | undefined,
  env: Record<string, string | undefined>,
  url: string,
  cwd: string,
): { apiKey: string | undefined; source: KeySource } {
  if (flag !== undefined && flag !== '') return { apiKey: flag, source: 'flag' };
  if (env.SAMSA_API_KEY) return { apiKey: env.SAMSA_API_KEY, source: 'env' };
  if (isLocalDefault(url)) {
    const saved = readDevKey(join(cwd, DEV_KEY_FILE));
    if (saved !== undefined) return { apiKey: saved, source: 'dev-key' };
  }
  return { apiKey: undefined, source: 'none' };
}

/** `http://127.0.0.1:4000` or `http://localhost:4000`, where `npm start` listens by default. */
function isLocalDefault(url: string): boolean {
  try {
    const u = new URL(url);
    return u.protocol === 'http:' && (u.hostname === '127.0.0.1' || u.hostname === 'localhost') && u.port === '4000';
  } catch {
    return false;
  }
}

function readDevKey(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}

/** npm start's development key: kept across restarts on the same data, replaced when it no longer verifies. */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { verifyApiKey } from '../../lib/auth/keys';
import { developmentKey } from '../../local/dev-key';
import { createTestStack } from '../support/stack';

describe('development key', () => {
  it('issues a super-user key into the file, returns the same key on restart, and replaces a key that does not verify', async () => {
    const stack = await createTestStack({ auth: { mode: 'api-keys' } });
    const file = join(mkdtempSync(join(tmpdir(), 'samsa-devkey-')), 'dev-key');
    const first = await developmentKey(stack.lib, file, 'admin');
    expect(readFileSync(file, 'utf8').trim()).toBe(first.apiKey);
    expect((await verifyApiKey(stack.lib, first.apiKey)).principal.name).toBe('admin');
    expect(await developmentKey(stack.lib, file, 'admin')).toEqual(first);

    // A fresh database (npm start --in-memory, or a new data directory) does not know the saved key.
    const fresh = await createTestStack({ auth: { mode: 'api-keys' } });
    const replaced = await developmentKey(fresh.lib, file, 'admin');
    expect(replaced.apiKey).not.toBe(first.apiKey);
    expect(readFileSync(file, 'utf8').trim()).toBe(replaced.apiKey);

    writeFileSync(file, 'garbage\n');
    expect((await developmentKey(fresh.lib, file, 'admin')).apiKey).toMatch(/^samsa_[0-9a-f]{16}_/);
  });
});

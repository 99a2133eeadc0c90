/**
 * npm start's development key: a persistent stack keeps it with its data (the same key on every restart), an
 * in-memory stack makes its own and touches no key file but the running stack's .samsa/dev-key, which it hands
 * back when it stops. The whole stack, as processes: test/local/start.test.ts.
 */
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { verifyApiKey } from '../../lib/auth/keys';
import { dataDevKeyFile, developmentKey, publishDevKey } from '../../local/dev-key';
import { createTestStack } from '../support/stack';

const tempDir = () => mkdtempSync(join(tmpdir(), 'samsa-devkey-'));
const read = (file: string) => readFileSync(file, 'utf8').trim();

describe('development key', () => {
  it('keeps a persistent stack’s key in its data directory: the same key on restart, replaced when it does not verify', async () => {
    const stack = await createTestStack({ auth: { mode: 'api-keys' } });
    const keep = dataDevKeyFile(join(tempDir(), 'data'));
    const first = await developmentKey(stack.lib, 'admin', { keep });
    expect(read(keep)).toBe(first.apiKey);
    expect((await verifyApiKey(stack.lib, first.apiKey)).principal.name).toBe('admin');
    expect(await developmentKey(stack.lib, 'admin', { keep })).toEqual(first);

    // Another database (a new data directory) does not know the saved key.
    const fresh = await createTestStack({ auth: { mode: 'api-keys' } });
    const replaced = await developmentKey(fresh.lib, 'admin', { keep });
    expect(replaced.apiKey).not.toBe(first.apiKey);
    expect(read(keep)).toBe(replaced.apiKey);

    writeFileSync(keep, 'garbage\n');
    expect((await developmentKey(fresh.lib, 'admin', { keep })).apiKey).toMatch(/^samsa_[0-9a-f]{16}_/);
  });

  it('an in-memory stack’s key touches no file; a persistent stack adopts the key of .samsa/dev-key only when its data verifies it', async () => {
    const persistent = await createTestStack({ auth: { mode: 'api-keys' } });
    const dir = tempDir();
    const keep = dataDevKeyFile(join(dir, 'data'));
    const running = join(dir, 'dev-key');
    // Where earlier versions kept the persistent key: adopted, and from now on kept with the data.
    const legacy = await developmentKey(persistent.lib, 'admin');
    writeFileSync(running, `${legacy.apiKey}\n`);
    expect(await developmentKey(persistent.lib, 'admin', { keep, adopt: [running] })).toEqual(legacy);
    expect(read(keep)).toBe(legacy.apiKey);

    const inMemory = await createTestStack({ auth: { mode: 'api-keys' } });
    const ephemeral = await developmentKey(inMemory.lib, 'admin');
    expect(ephemeral.apiKey).not.toBe(legacy.apiKey);
    expect(read(keep), 'the persistent key is untouched').toBe(legacy.apiKey);
    // The in-memory key, left in .samsa/dev-key by a stack that was killed, is not adopted by the persistent one.
    writeFileSync(running, `${ephemeral.apiKey}\n`);
    expect(await developmentKey(persistent.lib, 'admin', { keep, adopt: [running] })).toEqual(legacy);
  });

  it('publishes the running stack’s key and hands the file back on stop, unless a later stack took it', () => {
    const file = join(tempDir(), '.samsa', 'dev-key');
    const unpublishPersistent = publishDevKey(file, 'key-persistent');
    expect(read(file)).toBe('key-persistent');
    const unpublishInMemory = publishDevKey(file, 'key-in-memory');
    expect(read(file)).toBe('key-in-memory');
    unpublishInMemory();
    expect(read(file), 'the persistent stack still runs: its key is back').toBe('key-persistent');
    unpublishPersistent();
    expect(existsSync(file)).toBe(false);

    const unpublishFirst = publishDevKey(file, 'key-first');
    const unpublishSecond = publishDevKey(file, 'key-second');
    unpublishFirst(); // stopped first: the file is the second stack's now, and stays so
    expect(read(file)).toBe('key-second');
    unpublishSecond();
    expect(read(file), 'handed back to what it held before, even if that stack is gone (a restart replaces it)').toBe('key-first');
  });
});

/** docs/kafka.md lists exactly the APIs and versions ApiVersions advertises. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { apiVersionsTable, HANDLERS } from '../../kafka/handlers/registry';

describe('docs/kafka.md', () => {
  it('documents the ApiVersions table exactly', () => {
    const doc = readFileSync(new URL('../../docs/kafka.md', import.meta.url), 'utf8');
    const rows = [...doc.matchAll(/^\| (\d+) \| (\w+) \| (\d+)-(\d+) \|/gm)].map((m) => ({ apiKey: Number(m[1]), name: m[2], minVersion: Number(m[3]), maxVersion: Number(m[4]) }));
    const served = apiVersionsTable().map((a) => ({ ...a, name: HANDLERS.get(a.apiKey)!.name }));
    expect(rows).toEqual(served.map(({ apiKey, name, minVersion, maxVersion }) => ({ apiKey, name, minVersion, maxVersion })));
  });
});

/**
 * Upgrade safety: the stateful resources of the synthesised stack (the two
 * tables) must match the committed snapshot
 * test/cdk/__snapshots__/stateful-resources.json, which stands for what is
 * deployed. A change that would replace a table — renamed logical id, a
 * TableName, a changed key — fails here with the reason, before it fails a
 * deployment or, worse, succeeds with an empty table.
 *
 * A deliberate, migrated change: UPDATE_STATEFUL_SNAPSHOT=1 npx vitest run test/cdk/upgrade-safety.test.ts
 * rewrites the snapshot; the diff then shows in review. docs/deploy.md "Upgrading".
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { TABLES } from '../../lib/storage/schema';
import { statefulResources, upgradeFindings, type StatefulSnapshot } from './stateful-resources';
import { synthTemplate } from './template-only';

const SNAPSHOT = join(dirname(fileURLToPath(import.meta.url)), '__snapshots__', 'stateful-resources.json');

let resources: Record<string, any>;
let current: StatefulSnapshot;
beforeAll(() => {
  resources = synthTemplate().resources;
  current = statefulResources(resources);
  if (process.env.UPDATE_STATEFUL_SNAPSHOT === '1') writeFileSync(SNAPSHOT, `${JSON.stringify(current, null, 2)}\n`);
});

const committed = (): StatefulSnapshot => JSON.parse(readFileSync(SNAPSHOT, 'utf8')) as StatefulSnapshot;
const copy = <T>(value: T): T => structuredClone(value);

describe('stateful resources against the committed snapshot', () => {
  it('would not replace, drop or unsafely change any table', () => {
    const findings = upgradeFindings(committed(), current);
    const report = findings.map((f) => `[${f.severity}] ${f.message}`).join('\n');
    expect(
      findings,
      `Upgrade risk for deployed stacks:\n${report}\n` +
        'A table replacement loses every record, offset and commit. Revert the change, or migrate the data ' +
        'and then update the snapshot deliberately (UPDATE_STATEFUL_SNAPSHOT=1; docs/deploy.md "Upgrading").',
    ).toEqual([]);
  });

  it('holds exactly the schema tables, and nothing volatile', () => {
    const snapshot = committed();
    expect(Object.keys(snapshot).sort()).toEqual(Object.values(TABLES).map((t) => t.logicalId).sort());
    const text = JSON.stringify(snapshot);
    expect(text).not.toMatch(/[0-9a-f]{64}/); // asset hashes
    expect(text).not.toMatch(/S3Key|Fn::|Ref/);
  });
});

describe('the check fails on each kind of risky change (mutated copies of the template)', () => {
  const logId = TABLES.log.logicalId;
  const findingsAfter = (mutate: (r: Record<string, any>) => void) => {
    const changed = copy(resources);
    mutate(changed);
    return upgradeFindings(current, statefulResources(changed));
  };

  it('a renamed logical id: the old table disappears and a new, empty one appears', () => {
    const findings = findingsAfter((r) => {
      r.LogTableV2 = r[logId];
      delete r[logId];
    });
    expect(findings).toContainEqual(expect.objectContaining({ logicalId: logId, severity: 'replaces-table', message: expect.stringMatching(/new, empty table/) }));
    expect(findings).toContainEqual(expect.objectContaining({ logicalId: 'LogTableV2', severity: 'changed' }));
  });

  it('a changed key schema (sort key type N → S)', () => {
    const findings = findingsAfter((r) => {
      for (const a of r[logId].Properties.AttributeDefinitions) if (a.AttributeName === 'sk') a.AttributeType = 'S';
    });
    expect(findings).toEqual([expect.objectContaining({ logicalId: logId, severity: 'replaces-table', message: expect.stringMatching(/key schema .*sk N RANGE → .*sk S RANGE/) })]);
  });

  it('a physical table name', () => {
    const findings = findingsAfter((r) => {
      r[TABLES.meta.logicalId].Properties.TableName = 'samsa-meta';
    });
    expect(findings).toEqual([expect.objectContaining({ logicalId: TABLES.meta.logicalId, severity: 'replaces-table' })]);
  });

  it('a table that is no longer retained', () => {
    const findings = findingsAfter((r) => {
      r[logId].DeletionPolicy = 'Delete';
    });
    expect(findings).toEqual([expect.objectContaining({ severity: 'unsafe-update', message: expect.stringMatching(/no longer retained/) })]);
  });

  it('a changed index projection, and a changed TTL attribute', () => {
    const findings = findingsAfter((r) => {
      r[logId].Properties.GlobalSecondaryIndexes[0].Projection = { ProjectionType: 'ALL' };
      r[logId].Properties.TimeToLiveSpecification = { AttributeName: 'expiresAt', Enabled: true };
    });
    expect(findings.map((f) => f.severity)).toEqual(['unsafe-update', 'unsafe-update']);
    expect(findings[0]!.message).toMatch(/index byOffset .*delete and re-create/);
    expect(findings[1]!.message).toMatch(/TTL/);
  });

  it('ignores what does not touch the tables (a new function, an asset hash)', () => {
    expect(
      findingsAfter((r) => {
        r.SomeNewFunction = { Type: 'AWS::Lambda::Function', Properties: { Code: { S3Key: 'f'.repeat(64) } } };
      }),
    ).toEqual([]);
  });
});

/**
 * The stateful part of the template — what an upgrade must never replace —
 * and the check that compares it with the committed snapshot
 * (test/cdk/__snapshots__/stateful-resources.json).
 *
 * CloudFormation replaces a DynamoDB table (a new, empty table; the old one
 * is deleted, or orphaned when retained) when its logical id, TableName, key
 * schema or a key attribute's type changes. It cannot change a GSI's keys or
 * projection in place (delete + create, one index per update, the index
 * unusable meanwhile), and TTL changes need two updates an hour apart. Only
 * volatile-free facts are kept: no asset hashes, no tokens.
 */

export interface StatefulTable {
  type: 'AWS::DynamoDB::Table';
  /** Absent unless someone set a physical name (which makes replacement fail or collide). */
  tableName?: unknown;
  keySchema: { attribute: string; keyType: string; type: string | undefined }[];
  globalIndexes: { name: string; keySchema: { attribute: string; keyType: string; type: string | undefined }[]; projection: unknown }[];
  timeToLive: unknown;
  billingMode: unknown;
  pointInTimeRecovery: unknown;
  encryption: unknown;
  deletionProtection: unknown;
  deletionPolicy: unknown;
  updateReplacePolicy: unknown;
}

export type StatefulSnapshot = Record<string, StatefulTable>;

type Resource = { Type: string; Properties?: any; DeletionPolicy?: string; UpdateReplacePolicy?: string };

export function statefulResources(resources: Record<string, Resource>): StatefulSnapshot {
  const snapshot: StatefulSnapshot = {};
  for (const [logicalId, r] of Object.entries(resources).sort(([a], [b]) => a.localeCompare(b))) {
    if (r.Type !== 'AWS::DynamoDB::Table') continue;
    const p = r.Properties ?? {};
    const types = new Map<string, string>((p.AttributeDefinitions ?? []).map((a: any) => [a.AttributeName, a.AttributeType]));
    const keys = (schema: any[] | undefined) =>
      (schema ?? []).map((k) => ({ attribute: k.AttributeName as string, keyType: k.KeyType as string, type: types.get(k.AttributeName) }));
    snapshot[logicalId] = {
      type: r.Type,
      ...(p.TableName === undefined ? {} : { tableName: p.TableName }),
      keySchema: keys(p.KeySchema),
      globalIndexes: (p.GlobalSecondaryIndexes ?? [])
        .map((g: any) => ({ name: g.IndexName as string, keySchema: keys(g.KeySchema), projection: g.Projection }))
        .sort((a: { name: string }, b: { name: string }) => a.name.localeCompare(b.name)),
      timeToLive: p.TimeToLiveSpecification ?? null,
      billingMode: p.BillingMode ?? null,
      pointInTimeRecovery: p.PointInTimeRecoverySpecification ?? null,
      encryption: p.SSESpecification ?? null,
      deletionProtection: p.DeletionProtectionEnabled ?? null,
      deletionPolicy: r.DeletionPolicy ?? null,
      updateReplacePolicy: r.UpdateReplacePolicy ?? null,
    };
  }
  return snapshot;
}

export interface UpgradeFinding {
  logicalId: string;
  /** `replaces-table`: data loss unless migrated; `unsafe-update`: CloudFormation cannot do it in one safe step; `changed`: review and update the snapshot. */
  severity: 'replaces-table' | 'unsafe-update' | 'changed';
  message: string;
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** What deploying `current` over a stack deployed from `deployed` would do to the stateful resources. */
export function upgradeFindings(deployed: StatefulSnapshot, current: StatefulSnapshot): UpgradeFinding[] {
  const findings: UpgradeFinding[] = [];
  const add = (logicalId: string, severity: UpgradeFinding['severity'], message: string) => findings.push({ logicalId, severity, message });
  for (const [id, before] of Object.entries(deployed)) {
    const after = current[id];
    if (after === undefined) {
      add(
        id,
        'replaces-table',
        `table ${id} is no longer in the template: a renamed logical id makes CloudFormation create a new, empty table ` +
          `(and orphan or delete the old one with all its data). Keep the logical id (lib/storage/schema.ts logicalId).`,
      );
      continue;
    }
    if (!same(before.tableName, after.tableName)) {
      add(id, 'replaces-table', `TableName of ${id} changed (${JSON.stringify(before.tableName)} → ${JSON.stringify(after.tableName)}): CloudFormation replaces a table whose name changes.`);
    }
    if (!same(before.keySchema, after.keySchema)) {
      add(id, 'replaces-table', `key schema of ${id} changed (${keysText(before.keySchema)} → ${keysText(after.keySchema)}): CloudFormation replaces the table with a new, empty one.`);
    }
    const indexes = new Set([...before.globalIndexes, ...after.globalIndexes].map((g) => g.name));
    for (const name of indexes) {
      const b = before.globalIndexes.find((g) => g.name === name);
      const a = after.globalIndexes.find((g) => g.name === name);
      if (b === undefined) add(id, 'changed', `index ${name} added to ${id}: CloudFormation creates one index per update; readers must not need it before it is ACTIVE.`);
      else if (a === undefined) add(id, 'unsafe-update', `index ${name} removed from ${id}: readers of the deployed version still query it during the update.`);
      else if (!same(b, a)) {
        add(id, 'unsafe-update', `index ${name} of ${id} changed keys or projection: CloudFormation must delete and re-create it (not in one update under the same name); plan a new index name and a two-step migration.`);
      }
    }
    if (!same(before.timeToLive, after.timeToLive)) {
      add(id, 'unsafe-update', `TTL of ${id} changed (${JSON.stringify(before.timeToLive)} → ${JSON.stringify(after.timeToLive)}): DynamoDB allows one TTL change per hour, and items keep the old attribute's expiry.`);
    }
    if (after.deletionPolicy !== 'Retain' || after.updateReplacePolicy !== 'Retain') {
      add(id, 'unsafe-update', `${id} is no longer retained (DeletionPolicy ${String(after.deletionPolicy)}, UpdateReplacePolicy ${String(after.updateReplacePolicy)}): deleting the stack or a replacement would delete the data.`);
    }
    for (const key of ['billingMode', 'pointInTimeRecovery', 'encryption', 'deletionProtection'] as const) {
      if (!same(before[key], after[key])) add(id, 'changed', `${key} of ${id} changed (${JSON.stringify(before[key])} → ${JSON.stringify(after[key])}): an in-place update; review, then update the snapshot.`);
    }
  }
  for (const id of Object.keys(current)) {
    if (!(id in deployed)) add(id, 'changed', `new table ${id}: add it to the snapshot once its logical id and keys are final (they can never change afterwards).`);
  }
  return findings;
}

function keysText(keys: StatefulTable['keySchema']): string {
  return keys.map((k) => `${k.attribute} ${k.type ?? '?'} ${k.keyType}`).join(', ') || 'none';
}

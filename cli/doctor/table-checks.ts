/**
 * Compares a deployed table, as DynamoDB describes it, with its definition
 * in lib/storage/schema.ts. Pure: the describe outputs come in, one check
 * per fact goes out — `fail` for what breaks Samsa (missing table, wrong
 * keys, missing or different index, TTL off or on another attribute),
 * `warn` for what weakens it (no point-in-time recovery, no deletion
 * protection, provisioned capacity, a fact the endpoint does not report).
 */
import type { ContinuousBackupsDescription, TableDescription, TimeToLiveDescription } from '@aws-sdk/client-dynamodb';
import type { KeyAttribute, TableDefinition } from '../../lib/storage/schema';

export type CheckStatus = 'ok' | 'warn' | 'fail';

export interface Check {
  status: CheckStatus;
  subject: string;
  message: string;
}

export interface TableFacts {
  table: TableDescription | undefined;
  /** Undefined: the endpoint did not answer DescribeTimeToLive. */
  ttl: TimeToLiveDescription | undefined;
  /** Undefined: the endpoint does not report continuous backups (DynamoDB Local). */
  backups: ContinuousBackupsDescription | undefined;
}

export function checkTable(def: TableDefinition, name: string, facts: TableFacts): Check[] {
  const subject = `${def.localName} table ${name}`;
  const checks: Check[] = [];
  const add = (status: CheckStatus, message: string) => checks.push({ status, subject, message });
  const t = facts.table;
  if (t === undefined) {
    add('fail', 'does not exist (check --region, the table name from the stack outputs, and the credentials)');
    return checks;
  }
  add(t.TableStatus === 'ACTIVE' ? 'ok' : 'warn', `exists, status ${t.TableStatus ?? 'unknown'}`);

  const types = new Map((t.AttributeDefinitions ?? []).map((a) => [a.AttributeName, a.AttributeType]));
  const keys = (schema: { AttributeName?: string | undefined; KeyType?: string | undefined }[] | undefined) =>
    (schema ?? []).map((k) => `${k.AttributeName} (${types.get(k.AttributeName) ?? '?'}) ${k.KeyType}`).join(', ');
  const expectedKeys = (pk: KeyAttribute, sk: KeyAttribute) => `${pk.name} (${pk.type}) HASH, ${sk.name} (${sk.type}) RANGE`;
  const actualKeys = keys(t.KeySchema);
  const wantedKeys = expectedKeys(def.partitionKey, def.sortKey);
  if (actualKeys === wantedKeys) add('ok', `key schema ${actualKeys}`);
  else add('fail', `key schema is ${actualKeys || 'none'}; Samsa needs ${wantedKeys}`);

  for (const gsi of def.globalIndexes) {
    const found = t.GlobalSecondaryIndexes?.find((g) => g.IndexName === gsi.indexName);
    if (found === undefined) {
      add('fail', `index ${gsi.indexName} is missing; readers query it to find batches by offset`);
      continue;
    }
    const problems: string[] = [];
    const gsiKeys = keys(found.KeySchema);
    const wanted = expectedKeys(gsi.partitionKey, gsi.sortKey);
    if (gsiKeys !== wanted) problems.push(`keys ${gsiKeys}, needs ${wanted}`);
    const projection = found.Projection?.ProjectionType;
    if (projection !== gsi.projection) problems.push(`projection ${projection ?? 'none'}, needs ${gsi.projection}`);
    else if (gsi.projection === 'INCLUDE') {
      const have = new Set(found.Projection?.NonKeyAttributes ?? []);
      const missing = (gsi.nonKeyAttributes ?? []).filter((a) => !have.has(a));
      if (missing.length > 0) problems.push(`projection lacks ${missing.join(', ')}`);
    }
    if (problems.length > 0) add('fail', `index ${gsi.indexName}: ${problems.join('; ')}`);
    else if (found.IndexStatus !== undefined && found.IndexStatus !== 'ACTIVE') add('warn', `index ${gsi.indexName} is ${found.IndexStatus}, not yet ACTIVE`);
    else {
      const included = gsi.projection === 'INCLUDE' ? ` ${(gsi.nonKeyAttributes ?? []).join(', ')}` : '';
      add('ok', `index ${gsi.indexName} ${found.IndexStatus ?? 'present'}: ${wanted}, ${gsi.projection}${included}`);
    }
  }
  for (const extra of (t.GlobalSecondaryIndexes ?? []).filter((g) => !def.globalIndexes.some((d) => d.indexName === g.IndexName))) {
    add('warn', `index ${extra.IndexName} is not Samsa's: every write pays for it`);
  }

  const ttl = facts.ttl;
  if (ttl === undefined) add('warn', 'TTL: not reported by this endpoint');
  else if (ttl.TimeToLiveStatus === 'ENABLED' && ttl.AttributeName === def.timeToLiveAttribute) add('ok', `TTL enabled on '${ttl.AttributeName}'`);
  else if (ttl.TimeToLiveStatus === 'ENABLING' && ttl.AttributeName === def.timeToLiveAttribute) add('warn', `TTL on '${ttl.AttributeName}' is still being enabled`);
  else {
    add(
      'fail',
      `TTL is ${ttl.TimeToLiveStatus ?? 'unknown'}${ttl.AttributeName === undefined ? '' : ` on '${ttl.AttributeName}'`}; ` +
        `Samsa needs it enabled on '${def.timeToLiveAttribute}' or expired records are never deleted (storage grows forever)`,
    );
  }

  const pitr = facts.backups?.PointInTimeRecoveryDescription?.PointInTimeRecoveryStatus;
  if (pitr === undefined) add('warn', 'point-in-time recovery: not reported by this endpoint');
  else if (pitr === 'ENABLED') add('ok', 'point-in-time recovery enabled');
  else add('warn', `point-in-time recovery is ${pitr}: a bad deploy or a mistaken delete-records cannot be undone`);

  const billing = t.BillingModeSummary?.BillingMode ?? (t.ProvisionedThroughput?.ReadCapacityUnits ? 'PROVISIONED' : undefined);
  if (billing === undefined) add('warn', 'billing mode: not reported by this endpoint');
  else if (billing === def.billingMode) add('ok', `billing mode ${billing}`);
  else add('warn', `billing mode ${billing}; Samsa is sized for ${def.billingMode} (provisioned capacity throttles bursts)`);

  if (t.DeletionProtectionEnabled === true) add('ok', 'deletion protection enabled');
  else if (t.DeletionProtectionEnabled === false) {
    add('warn', 'deletion protection disabled: the stack retains the table, but a DeleteTable call would still succeed (aws dynamodb update-table --deletion-protection-enabled)');
  } else add('warn', 'deletion protection: not reported by this endpoint');

  return checks;
}

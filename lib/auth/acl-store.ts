/**
 * ACL bindings in the meta table, one item each under pk `acls`.
 * Behaviour: a binding's id is a hash of its fields, so creating the same
 * binding twice is one binding (idempotent); deleting names the id. The whole
 * set is read with one Query and cached per instance by the authorizer
 * (lib/auth/acl-authorizer.ts), like Kafka brokers keep ACLs in memory.
 * Errors: INVALID_ACL, INVALID_PRINCIPAL, ACL_NOT_FOUND, AUTHORIZATION_FAILED
 * (changes need alter on the cluster, listing needs describe on it).
 * Cost: create/delete 1 WRU; load one Query (0.5 RRU per 4 KB of bindings).
 */
import { createHash } from 'node:crypto';
import { DeleteCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { LibContext } from '../context';
import { SamsaError } from '../errors';
import { TOPIC_NAME_PATTERN } from '../limits';
import { PRINCIPAL_PATTERN, type AclBindingBody } from '../protocol/auth';
import { queryAll } from '../storage/query-all';
import { metaKeys } from '../storage/keys';
import type { TableNames } from '../storage/schema';
import type { AclBinding } from './acl';
import { authorize, type Principal } from './authorize';

export interface StoredAcl extends AclBinding {
  id: string;
}

const CLUSTER = { type: 'cluster', name: 'samsa' } as const;
const FIELDS = ['principal', 'resourceType', 'resourceName', 'patternType', 'operation', 'permission'] as const;

export async function createAcl(ctx: LibContext, caller: Principal, body: AclBindingBody): Promise<StoredAcl> {
  const binding = normalise(body);
  await authorize(ctx.authorizer, caller, 'alter', CLUSTER);
  const acl = { id: aclId(binding), ...binding };
  await ctx.ddb.send(new PutCommand({ TableName: ctx.tables.meta, Item: { ...metaKeys.acl(acl.id), ...binding } }));
  return acl;
}

export async function deleteAcl(ctx: LibContext, caller: Principal, id: string): Promise<StoredAcl> {
  await authorize(ctx.authorizer, caller, 'alter', CLUSTER);
  const out = await ctx.ddb.send(
    new DeleteCommand({ TableName: ctx.tables.meta, Key: metaKeys.acl(id), ReturnValues: 'ALL_OLD' }),
  );
  if (out.Attributes === undefined) throw new SamsaError('ACL_NOT_FOUND', `No ACL '${id}'.`);
  return fromItem(out.Attributes);
}

export interface AclFilter {
  principal?: string;
  resourceType?: string;
  resourceName?: string;
}

export async function listAcls(ctx: LibContext, caller: Principal, filter: AclFilter = {}): Promise<StoredAcl[]> {
  await authorize(ctx.authorizer, caller, 'describe', CLUSTER);
  const all = await loadAcls(ctx.ddb, ctx.tables);
  return all.filter(
    (a) =>
      (filter.principal === undefined || a.principal === filter.principal) &&
      (filter.resourceType === undefined || a.resourceType === filter.resourceType) &&
      (filter.resourceName === undefined || a.resourceName === filter.resourceName),
  );
}

/** Every binding; strongly consistent so that a fresh cache sees a change made a moment ago. */
export async function loadAcls(ddb: DynamoDBDocumentClient, tables: TableNames): Promise<StoredAcl[]> {
  const items = await queryAll(ddb, {
    TableName: tables.meta,
    KeyConditionExpression: 'pk = :pk',
    ExpressionAttributeValues: { ':pk': metaKeys.aclPk },
    ConsistentRead: true,
  });
  return items.map(fromItem);
}

function normalise(body: AclBindingBody): AclBinding {
  const binding: AclBinding = {
    principal: body.principal,
    resourceType: body.resourceType,
    resourceName: body.resourceName,
    patternType: body.patternType ?? 'literal',
    operation: body.operation,
    permission: body.permission ?? 'allow',
  };
  if (binding.principal !== '*' && !PRINCIPAL_PATTERN.test(binding.principal)) {
    throw new SamsaError('INVALID_PRINCIPAL', `principal must be '*' or match ${PRINCIPAL_PATTERN.source}.`);
  }
  if (binding.resourceType === 'cluster') {
    if (binding.patternType !== 'literal' || (binding.resourceName !== 'samsa' && binding.resourceName !== '*')) {
      throw new SamsaError('INVALID_ACL', "A cluster ACL names the literal resource 'samsa' (or '*').");
    }
  } else if (binding.patternType === 'literal' && binding.resourceName === '*') {
    // Every topic or group.
  } else if (!TOPIC_NAME_PATTERN.test(binding.resourceName)) {
    throw new SamsaError(
      'INVALID_ACL',
      `resourceName must be '*' (literal) or a ${binding.patternType === 'prefixed' ? 'prefix' : 'name'} matching ${TOPIC_NAME_PATTERN.source}.`,
    );
  }
  return binding;
}

function aclId(binding: AclBinding): string {
  const canonical = JSON.stringify(FIELDS.map((f) => binding[f]));
  return createHash('sha256').update(canonical).digest('hex').slice(0, 24);
}

function fromItem(item: Record<string, unknown>): StoredAcl {
  return {
    id: String(item.sk),
    principal: String(item.principal),
    resourceType: item.resourceType as AclBinding['resourceType'],
    resourceName: String(item.resourceName),
    patternType: item.patternType as AclBinding['patternType'],
    operation: item.operation as AclBinding['operation'],
    permission: item.permission as AclBinding['permission'],
  };
}

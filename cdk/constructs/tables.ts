/**
 * Samsa's DynamoDB tables, built from lib/storage/schema.ts (key names, types,
 * GSIs and TTL are never repeated here), and the one way to give a function
 * access to them: `grant(fn, access)` adds the exact actions AND sets the
 * table-name env var, so IAM and config cannot drift apart.
 */
import { RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, BillingMode, ProjectionType, StreamViewType, Table, TableEncryption, type CfnTable } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { ENV } from '../../functions/config';
import type { ThroughputCap } from '../settings';
import { TABLES, type AttributeType as SchemaAttributeType, type TableDefinition, type TableNames } from '../../lib/storage/schema';

export type TableKey = keyof TableNames;

/**
 * DynamoDB IAM actions a function may be granted. There is no IAM action for
 * transactions: TransactWriteItems needs PutItem/UpdateItem/DeleteItem for the
 * items it writes and ConditionCheckItem for condition-only items;
 * TransactGetItems needs GetItem.
 */
export type DynamoAction =
  | 'GetItem'
  | 'BatchGetItem'
  | 'Query'
  | 'PutItem'
  | 'UpdateItem'
  | 'DeleteItem'
  | 'BatchWriteItem'
  | 'ConditionCheckItem';

/**
 * Actions per table. Both tables are required because functions/config.ts
 * refuses to start without both names, and each needs at least one action
 * because a table's name env var is only ever set together with a grant.
 */
export type TableAccess = Record<TableKey, readonly [DynamoAction, ...DynamoAction[]]>;

/**
 * Actions per table for functions whose access to a table may be entirely
 * confined (grantConfinedWrites, grantQueryOfPartitions): an empty list sets
 * the table's name env var without an unconfined statement, and the caller
 * must add the confined grants (the stream functions of cdk/constructs/push.ts).
 */
export type ConfinableTableAccess = Record<TableKey, readonly DynamoAction[]>;

/**
 * Writes allowed only under IAM conditions: to named attributes
 * (`dynamodb:Attributes`), to named partitions (`dynamodb:LeadingKeys`), or
 * both. One statement per entry, so each action gets exactly the attributes
 * or partitions it needs (see SamsaTables.grantConfinedWrites).
 */
export interface ConfinedWrites {
  actions: readonly ('PutItem' | 'UpdateItem' | 'DeleteItem' | 'BatchWriteItem')[];
  /** Every top-level attribute a request may name (Item, update, condition); the key attributes must be in it. */
  attributes?: readonly string[];
  /** Partition key values the items may have; `*` matches any characters (IAM StringLike). */
  partitions?: readonly string[];
}

/**
 * What a grant goes to: a Lambda function, or the Kafka gateway's task (its
 * role and its container's environment). Both methods exist on a Function.
 */
export interface TableGrantee {
  addToRolePolicy(statement: PolicyStatement): void;
  addEnvironment(name: string, value: string): void;
}

/** Actions that can target a GSI (the others only address the base table). */
const INDEX_ACTIONS: ReadonlySet<DynamoAction> = new Set(['Query']);

const TABLE_ENV: Record<TableKey, string> = { meta: ENV.metaTable, log: ENV.logTable };

const ATTRIBUTE_TYPES: Record<SchemaAttributeType, AttributeType> = {
  S: AttributeType.STRING,
  N: AttributeType.NUMBER,
  B: AttributeType.BINARY,
};

export class SamsaTables extends Construct {
  readonly tables: Record<TableKey, Table>;

  /** `caps`: an optional on-demand throughput ceiling per table, applied to its indexes too (a cost guard). */
  constructor(scope: Construct, id: string, caps: Partial<Record<TableKey, ThroughputCap>> = {}) {
    super(scope, id);
    this.tables = { meta: this.createTable(TABLES.meta, caps.meta), log: this.createTable(TABLES.log, caps.log) };
  }

  /**
   * Grants writes confined by IAM conditions, one statement per entry.
   *
   * With `attributes`: a request may name only those top-level attributes
   * (IAM `dynamodb:Attributes`, which also covers the names in condition
   * and update expressions). AWS requires the table's and its indexes' key
   * attributes in such a list, so they must be there. Nothing may be
   * returned but what the list covers, so ReturnValues is confined to NONE.
   *
   * With `partitions`: every item the request writes must have one of those
   * partition key values (IAM `dynamodb:LeadingKeys`, StringLike patterns).
   *
   * IAM sees neither a ConditionExpression's presence nor a sort key value,
   * so what a write's condition guarantees stays the code's to keep.
   */
  grantConfinedWrites(fn: TableGrantee, key: TableKey, writes: ConfinedWrites): void {
    const table = this.tables[key];
    const def = TABLES[key];
    if (writes.attributes === undefined && writes.partitions === undefined) {
      throw new Error(`Confined writes on ${key} (${writes.actions.join(', ')}) confine nothing: give attributes, partitions or both.`);
    }
    const conditions: Record<string, Record<string, string[]>> = {};
    if (writes.attributes !== undefined) {
      const keys = [def.partitionKey, def.sortKey, ...def.globalIndexes.flatMap((g) => [g.partitionKey, g.sortKey])].map((k) => k.name);
      const missing = keys.filter((k) => !writes.attributes!.includes(k));
      if (missing.length > 0) throw new Error(`Confined writes on ${key} must list the key attributes ${missing.join(', ')}.`);
      conditions['ForAllValues:StringEquals'] = { 'dynamodb:Attributes': [...writes.attributes] };
      conditions.StringEqualsIfExists = { 'dynamodb:ReturnValues': ['NONE'] };
    }
    if (writes.partitions !== undefined) {
      conditions['ForAllValues:StringLike'] = { 'dynamodb:LeadingKeys': [...writes.partitions] };
    }
    fn.addToRolePolicy(
      new PolicyStatement({
        actions: writes.actions.map((a) => `dynamodb:${a}`),
        resources: [table.tableArn],
        conditions,
      }),
    );
  }

  /**
   * Grants Query on the base table for the given partition keys only (IAM `dynamodb:LeadingKeys`):
   * exact values, or with `like`, patterns where `*` matches any characters (IAM StringLike).
   */
  grantQueryOfPartitions(fn: TableGrantee, key: TableKey, partitionKeys: readonly string[], like = false): void {
    fn.addToRolePolicy(
      new PolicyStatement({
        actions: ['dynamodb:Query'],
        resources: [this.tables[key].tableArn],
        conditions: { [like ? 'ForAllValues:StringLike' : 'ForAllValues:StringEquals']: { 'dynamodb:LeadingKeys': [...partitionKeys] } },
      }),
    );
  }

  /** Grants exactly `access` on each table (and its GSIs where the action applies) and sets the name env vars. */
  grant(fn: TableGrantee, access: TableAccess | ConfinableTableAccess): void {
    for (const key of Object.keys(access) as TableKey[]) {
      const table = this.tables[key];
      const actions = access[key];
      fn.addEnvironment(TABLE_ENV[key], table.tableName);
      if (actions.length === 0) continue; // confined grants only (ConfinableTableAccess)
      const resources = [table.tableArn];
      if (actions.some((a) => INDEX_ACTIONS.has(a))) {
        resources.push(...TABLES[key].globalIndexes.map((gsi) => `${table.tableArn}/index/${gsi.indexName}`));
      }
      fn.addToRolePolicy(new PolicyStatement({ actions: actions.map((a) => `dynamodb:${a}`), resources }));
    }
  }

  private createTable(def: TableDefinition, cap: ThroughputCap = {}): Table {
    const table = new Table(this, def.logicalId, {
      partitionKey: attribute(def.partitionKey),
      sortKey: attribute(def.sortKey),
      billingMode: BILLING_MODES[def.billingMode],
      timeToLiveAttribute: def.timeToLiveAttribute,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: def.pointInTimeRecovery },
      // AWS-managed key (aws/dynamodb): every use of the key is in CloudTrail,
      // and there is no key policy to maintain nor monthly key fee. A
      // customer-managed key only pays off for cross-account access or the
      // ability to revoke the key, neither of which Samsa needs.
      encryption: TableEncryption.AWS_MANAGED,
      removalPolicy: def.retain ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY,
      // Retaining covers stack deletion; this also refuses a stray DeleteTable (console, CLI, script).
      // An in-place update: `cdk destroy` still works and leaves the retained tables behind.
      deletionProtection: def.retain,
      // Enabling a stream on a live table is an in-place update (docs/deploy.md, "Upgrading").
      ...(def.stream === undefined ? {} : { stream: STREAM_VIEWS[def.stream] }),
      // OnDemandThroughput: an in-place update, so a cap can be added, changed or lifted on a live table.
      ...cap,
    });
    for (const gsi of def.globalIndexes) {
      table.addGlobalSecondaryIndex({
        indexName: gsi.indexName,
        partitionKey: attribute(gsi.partitionKey),
        sortKey: attribute(gsi.sortKey),
        projectionType: PROJECTIONS[gsi.projection],
        nonKeyAttributes: gsi.projection === 'INCLUDE' ? gsi.nonKeyAttributes : undefined,
        // An index has its own on-demand capacity: without the cap, index reads would escape it.
        ...cap,
      });
    }
    // The logical id is the schema's, not a path hash: a changed logical id
    // makes CloudFormation create a new, empty table.
    (table.node.defaultChild as CfnTable).overrideLogicalId(def.logicalId);
    return table;
  }
}

const BILLING_MODES: Record<TableDefinition['billingMode'], BillingMode> = {
  PAY_PER_REQUEST: BillingMode.PAY_PER_REQUEST,
};

const STREAM_VIEWS: Record<NonNullable<TableDefinition['stream']>, StreamViewType> = {
  NEW_IMAGE: StreamViewType.NEW_IMAGE,
  KEYS_ONLY: StreamViewType.KEYS_ONLY,
};

const PROJECTIONS: Record<TableDefinition['globalIndexes'][number]['projection'], ProjectionType> = {
  KEYS_ONLY: ProjectionType.KEYS_ONLY,
  INCLUDE: ProjectionType.INCLUDE,
  ALL: ProjectionType.ALL,
};

function attribute(key: { name: string; type: SchemaAttributeType }) {
  return { name: key.name, type: ATTRIBUTE_TYPES[key.type] };
}

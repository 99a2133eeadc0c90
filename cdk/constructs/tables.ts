/**
 * Samsa's DynamoDB tables, built from lib/storage/schema.ts (key names, types,
 * GSIs and TTL are never repeated here), and the one way to give a function
 * access to them: `grant(fn, access)` adds the exact actions AND sets the
 * table-name env var, so IAM and config cannot drift apart.
 */
import { RemovalPolicy } from 'aws-cdk-lib';
import { AttributeType, BillingMode, ProjectionType, Table, TableEncryption, type CfnTable } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { ENV } from '../../functions/config';
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

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.tables = { meta: this.createTable(TABLES.meta), log: this.createTable(TABLES.log) };
  }

  /** Grants exactly `access` on each table (and its GSIs where the action applies) and sets the name env vars. */
  grant(fn: LambdaFunction, access: TableAccess): void {
    for (const key of Object.keys(access) as TableKey[]) {
      const table = this.tables[key];
      const actions = access[key];
      const resources = [table.tableArn];
      if (actions.some((a) => INDEX_ACTIONS.has(a))) {
        resources.push(...TABLES[key].globalIndexes.map((gsi) => `${table.tableArn}/index/${gsi.indexName}`));
      }
      fn.addToRolePolicy(new PolicyStatement({ actions: actions.map((a) => `dynamodb:${a}`), resources }));
      fn.addEnvironment(TABLE_ENV[key], table.tableName);
    }
  }

  private createTable(def: TableDefinition): Table {
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
    });
    for (const gsi of def.globalIndexes) {
      table.addGlobalSecondaryIndex({
        indexName: gsi.indexName,
        partitionKey: attribute(gsi.partitionKey),
        sortKey: attribute(gsi.sortKey),
        projectionType: PROJECTIONS[gsi.projection],
        nonKeyAttributes: gsi.projection === 'INCLUDE' ? gsi.nonKeyAttributes : undefined,
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

const PROJECTIONS: Record<TableDefinition['globalIndexes'][number]['projection'], ProjectionType> = {
  KEYS_ONLY: ProjectionType.KEYS_ONLY,
  INCLUDE: ProjectionType.INCLUDE,
  ALL: ProjectionType.ALL,
};

function attribute(key: { name: string; type: SchemaAttributeType }) {
  return { name: key.name, type: ATTRIBUTE_TYPES[key.type] };
}

/**
 * Creates Samsa's tables from lib/storage/schema.ts if they are missing
 * (idempotent), for the local stack and tests. On AWS the CDK stack owns them.
 */
import {
  CreateTableCommand,
  DescribeTableCommand,
  ResourceInUseException,
  UpdateTableCommand,
  UpdateTimeToLiveCommand,
  type TableDescription,
  waitUntilTableExists,
  type AttributeDefinition,
  type DynamoDBClient,
} from '@aws-sdk/client-dynamodb';
import { TABLES, type TableDefinition, type TableNames } from './schema';

export async function ensureTables(client: DynamoDBClient, names: TableNames): Promise<void> {
  await Promise.all([ensureTable(client, TABLES.meta, names.meta), ensureTable(client, TABLES.log, names.log)]);
}

async function ensureTable(client: DynamoDBClient, def: TableDefinition, tableName: string): Promise<void> {
  const existing = await describe(client, tableName);
  if (existing !== undefined) {
    // A table made before its schema had a stream (a persistent local stack): enable it in place, as CloudFormation does.
    if (def.stream !== undefined && existing.StreamSpecification?.StreamEnabled !== true) {
      await client.send(
        new UpdateTableCommand({ TableName: tableName, StreamSpecification: { StreamEnabled: true, StreamViewType: def.stream } }),
      );
    }
    return;
  }
  try {
    await client.send(new CreateTableCommand(createTableInput(def, tableName)));
  } catch (err) {
    if (!(err instanceof ResourceInUseException)) throw err;
  }
  await waitUntilTableExists({ client, maxWaitTime: 60, minDelay: 1 }, { TableName: tableName });
  await client.send(
    new UpdateTimeToLiveCommand({
      TableName: tableName,
      TimeToLiveSpecification: { AttributeName: def.timeToLiveAttribute, Enabled: true },
    }),
  );
}

async function describe(client: DynamoDBClient, tableName: string): Promise<TableDescription | undefined> {
  try {
    return (await client.send(new DescribeTableCommand({ TableName: tableName }))).Table;
  } catch (err) {
    if ((err as { name?: string }).name === 'ResourceNotFoundException') return undefined;
    throw err;
  }
}

export function createTableInput(def: TableDefinition, tableName: string) {
  const attributes = new Map<string, AttributeDefinition>();
  const add = (a: { name: string; type: string }) =>
    attributes.set(a.name, { AttributeName: a.name, AttributeType: a.type as AttributeDefinition['AttributeType'] });
  add(def.partitionKey);
  add(def.sortKey);
  for (const gsi of def.globalIndexes) {
    add(gsi.partitionKey);
    add(gsi.sortKey);
  }
  return {
    TableName: tableName,
    BillingMode: def.billingMode,
    StreamSpecification: def.stream === undefined ? undefined : { StreamEnabled: true, StreamViewType: def.stream },
    AttributeDefinitions: [...attributes.values()],
    KeySchema: [
      { AttributeName: def.partitionKey.name, KeyType: 'HASH' as const },
      { AttributeName: def.sortKey.name, KeyType: 'RANGE' as const },
    ],
    GlobalSecondaryIndexes:
      def.globalIndexes.length === 0
        ? undefined
        : def.globalIndexes.map((gsi) => ({
            IndexName: gsi.indexName,
            KeySchema: [
              { AttributeName: gsi.partitionKey.name, KeyType: 'HASH' as const },
              { AttributeName: gsi.sortKey.name, KeyType: 'RANGE' as const },
            ],
            Projection: {
              ProjectionType: gsi.projection,
              NonKeyAttributes: gsi.projection === 'INCLUDE' ? gsi.nonKeyAttributes : undefined,
            },
          })),
  };
}

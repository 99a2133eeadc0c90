/** Paginated Queries: every page in turn (callers may stop early), or every item at once. */
import { QueryCommand, type DynamoDBDocumentClient, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';

type PageInput = Omit<QueryCommandInput, 'ExclusiveStartKey'>;

export async function* queryPages(ddb: DynamoDBDocumentClient, input: PageInput): AsyncGenerator<Record<string, unknown>[]> {
  let startKey: Record<string, unknown> | undefined;
  do {
    const out = await ddb.send(new QueryCommand({ ...input, ExclusiveStartKey: startKey }));
    yield out.Items ?? [];
    startKey = out.LastEvaluatedKey;
  } while (startKey !== undefined);
}

export async function queryAll(ddb: DynamoDBDocumentClient, input: PageInput): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  for await (const page of queryPages(ddb, input)) items.push(...page);
  return items;
}

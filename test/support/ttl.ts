/**
 * DynamoDB Local does not run TTL on our schedule: `sweepTtl` emulates it by
 * deleting every log item whose `ttl` (epoch seconds) is at or before `now`
 * — what DynamoDB's TTL may do from that moment on (also chunks).
 */
import { DeleteCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { TestStack } from './stack';

export async function sweepTtl(stack: TestStack, now: number): Promise<number> {
  let deleted = 0;
  let startKey: Record<string, any> | undefined;
  do {
    const out = await stack.lib.ddb.send(
      new ScanCommand({
        TableName: stack.tables.log,
        FilterExpression: '#ttl <= :now',
        ExpressionAttributeNames: { '#ttl': 'ttl' },
        ExpressionAttributeValues: { ':now': Math.floor(now / 1000) },
        ExclusiveStartKey: startKey,
      }),
    );
    for (const item of out.Items ?? []) {
      await stack.lib.ddb.send(new DeleteCommand({ TableName: stack.tables.log, Key: { pk: item.pk, sk: item.sk } }));
      deleted++;
    }
    startKey = out.LastEvaluatedKey;
  } while (startKey !== undefined);
  return deleted;
}

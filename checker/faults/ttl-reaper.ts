/**
 * Deletes expired items the way DynamoDB TTL may: any item whose `ttl`
 * (epoch seconds) has passed, in random order, some now and some later —
 * never an item that has not expired. Items only expire in a checker run
 * after the clock jump (clocks.ts), since TTL is retention + a day.
 */
import { DeleteItemCommand, ScanCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Random } from './random';

export class TtlReaper {
  enabled = false;
  deleted = 0;
  private timer: NodeJS.Timeout | undefined;
  private running = false;

  constructor(
    private readonly raw: DynamoDBClient,
    private readonly table: string,
    private readonly now: () => number,
    private readonly random: Random,
  ) {}

  start(everyMs = 1_500): void {
    this.timer = setInterval(() => void this.sweep(), everyMs);
  }

  stop(): void {
    clearInterval(this.timer);
  }

  private async sweep(): Promise<void> {
    if (!this.enabled || this.running) return;
    this.running = true;
    try {
      const nowSeconds = Math.floor(this.now() / 1000);
      const expired: Record<string, any>[] = [];
      let start: Record<string, any> | undefined;
      do {
        const out = await this.raw.send(
          new ScanCommand({
            TableName: this.table,
            FilterExpression: '#ttl < :now',
            ExpressionAttributeNames: { '#ttl': 'ttl', '#pk': 'pk', '#sk': 'sk' },
            ExpressionAttributeValues: { ':now': { N: String(nowSeconds) } },
            ProjectionExpression: '#pk, #sk',
            ...(start === undefined ? {} : { ExclusiveStartKey: start }),
          }),
        );
        expired.push(...(out.Items ?? []));
        start = out.LastEvaluatedKey;
      } while (start !== undefined);
      // Out of order, and only some of them per sweep.
      for (const key of expired.sort(() => this.random() - 0.5)) {
        if (!this.enabled || !this.random.chance(0.5)) continue;
        await this.raw.send(
          new DeleteItemCommand({
            TableName: this.table,
            Key: key,
            ConditionExpression: '#ttl < :now',
            ExpressionAttributeNames: { '#ttl': 'ttl' },
            ExpressionAttributeValues: { ':now': { N: String(nowSeconds) } },
          }),
        ).catch(() => undefined);
        this.deleted++;
      }
    } catch {
      // DynamoDB Local may be down (kill -9 fault): try again next sweep.
    } finally {
      this.running = false;
    }
  }
}

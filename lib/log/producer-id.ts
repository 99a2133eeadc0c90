/**
 * InitProducerId: mints a producer id (dense, from an atomic counter in the
 * meta table) with epoch 0. Passing an existing id bumps its epoch, which
 * fences the older instance on each partition at its next produce
 * (INVALID_PRODUCER_EPOCH), as Kafka does.
 * Cost: one small update (1 WRU).
 */
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { authorize, type Principal } from '../auth/authorize';
import type { LibContext } from '../context';
import { SamsaError } from '../errors';
import { metaKeys } from '../storage/keys';

export interface ProducerIdentity {
  producerId: string;
  producerEpoch: number;
}

const MAX_EPOCH = 32_767; // Kafka's epoch is an int16.

export async function initProducer(ctx: LibContext, principal: Principal, existing?: string): Promise<ProducerIdentity> {
  await authorize(ctx.authorizer, principal, 'write', { type: 'cluster', name: 'samsa' });
  if (existing === undefined) {
    const out = await ctx.ddb.send(
      new UpdateCommand({
        TableName: ctx.tables.meta,
        Key: metaKeys.producerIdCounter(),
        UpdateExpression: 'ADD #next :one',
        ExpressionAttributeNames: { '#next': 'next' },
        ExpressionAttributeValues: { ':one': 1 },
        ReturnValues: 'UPDATED_NEW',
      }),
    );
    const producerId = String(out.Attributes?.next as number);
    await ctx.ddb.send(
      new UpdateCommand({
        TableName: ctx.tables.meta,
        Key: metaKeys.producer(producerId),
        UpdateExpression: 'SET epoch = :zero, createdAt = :now',
        ExpressionAttributeValues: { ':zero': 0, ':now': ctx.clock.now() },
      }),
    );
    return { producerId, producerEpoch: 0 };
  }
  try {
    const out = await ctx.ddb.send(
      new UpdateCommand({
        TableName: ctx.tables.meta,
        Key: metaKeys.producer(existing),
        UpdateExpression: 'ADD epoch :one',
        ConditionExpression: 'attribute_exists(pk) AND epoch < :max',
        ExpressionAttributeValues: { ':one': 1, ':max': MAX_EPOCH },
        ReturnValues: 'UPDATED_NEW',
      }),
    );
    return { producerId: existing, producerEpoch: out.Attributes?.epoch as number };
  } catch (err) {
    if ((err as { name?: string }).name === 'ConditionalCheckFailedException') {
      throw new SamsaError('UNKNOWN_PRODUCER_ID', `Producer '${existing}' is unknown or its epoch is exhausted; request a new id.`);
    }
    throw err;
  }
}

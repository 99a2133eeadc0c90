/**
 * InitProducerId: mints a producer id (dense, from an atomic counter in the
 * meta table) with epoch 0. Passing an existing id bumps its epoch, which
 * fences the older instance (INVALID_PRODUCER_EPOCH), as Kafka does.
 * checkProducerEpoch: an idempotent produce must name an issued id
 * (else UNKNOWN_PRODUCER_ID) at its issued epoch (an older one is fenced, a
 * newer one was never issued: INVALID_PRODUCER_EPOCH).
 * Errors: UNKNOWN_PRODUCER_ID (404), INVALID_PRODUCER_EPOCH (409).
 * Cost: mint 2 small updates, bump 1 small update (1 WRU each). Check: a
 * strong GetItem of the producer item (1 RRU) only when this instance has
 * not seen the producer at that epoch (ProducerEpochCache), else nothing.
 *
 * Why a cached epoch is safe: issued epochs only grow, so an epoch below a
 * cached one is fenced for certain, and an epoch above it is read fresh. An
 * instance whose cache predates a bump of another instance lets the old
 * epoch through this check; the per-partition producer state then fences it
 * once the new epoch has written there (idempotence.ts), as Kafka's brokers
 * fence per partition.
 */
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
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
  // Kafka's rule (acl-authorizer.ts): write on the cluster, or on any topic; "may not write cluster" would not say so.
  await authorize(
    ctx.authorizer,
    principal,
    'write',
    { type: 'cluster', name: 'samsa' },
    `Principal '${principal.name}' may not get an idempotent producer id, which needs write on at least one topic (or write on the cluster).`,
  );
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
    ctx.producerEpochs?.note(producerId, 0);
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
    const producerEpoch = out.Attributes?.epoch as number;
    ctx.producerEpochs?.note(existing, producerEpoch);
    return { producerId: existing, producerEpoch };
  } catch (err) {
    if ((err as { name?: string }).name === 'ConditionalCheckFailedException') {
      throw new SamsaError('UNKNOWN_PRODUCER_ID', `Producer '${existing}' is unknown or its epoch is exhausted; request a new id.`);
    }
    throw err;
  }
}

/**
 * Fails unless `epoch` is the epoch last issued to `producerId`. Called once
 * per idempotent produce request, before anything is reserved.
 */
export async function checkProducerEpoch(ctx: LibContext, producerId: string, epoch: number): Promise<void> {
  const cached = ctx.producerEpochs?.get(producerId);
  if (cached !== undefined && epoch === cached) return;
  if (cached !== undefined && epoch < cached) throw fenced(producerId, epoch, cached);
  const out = await ctx.ddb.send(
    new GetCommand({ TableName: ctx.tables.meta, Key: metaKeys.producer(producerId), ProjectionExpression: 'epoch', ConsistentRead: true }),
  );
  const issued = out.Item?.epoch;
  if (typeof issued !== 'number') {
    throw new SamsaError('UNKNOWN_PRODUCER_ID', `Producer '${producerId}' was never issued; request an id with POST /v1/producers.`);
  }
  ctx.producerEpochs?.note(producerId, issued);
  if (epoch < issued) throw fenced(producerId, epoch, issued);
  if (epoch > issued) {
    throw new SamsaError('INVALID_PRODUCER_EPOCH', `Producer ${producerId} epoch ${epoch} was never issued; its current epoch is ${issued}.`, {
      details: { producerEpoch: issued },
    });
  }
}

function fenced(producerId: string, epoch: number, issued: number): SamsaError {
  return new SamsaError('INVALID_PRODUCER_EPOCH', `Producer ${producerId} epoch ${epoch} is fenced by epoch ${issued}.`, {
    details: { producerEpoch: issued },
  });
}

/**
 * The newest epoch this instance has seen issued per producer id (by its own
 * mints and bumps, or read by checkProducerEpoch). Bounded: the oldest entry
 * goes first, and a forgotten producer costs one read again.
 */
export class ProducerEpochCache {
  private readonly epochs = new Map<string, number>();

  constructor(private readonly maxEntries = 10_000) {}

  get(producerId: string): number | undefined {
    return this.epochs.get(producerId);
  }

  /** Remembers `epoch` unless a newer one is known (issued epochs only grow). */
  note(producerId: string, epoch: number): void {
    const known = this.epochs.get(producerId);
    if (known !== undefined && known >= epoch) return;
    this.epochs.delete(producerId);
    if (this.epochs.size >= this.maxEntries) this.epochs.delete(this.epochs.keys().next().value as string);
    this.epochs.set(producerId, epoch);
  }
}

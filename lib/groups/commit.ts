/**
 * Commit offsets: `POST /v1/groups/{group}/commits`.
 * Behaviour: each offset is written with one conditional update of the
 * partition's commit item: `owner = memberId AND ownerEpoch <= memberEpoch`.
 * The owner and the epoch of the grant live on the same item as the offset,
 * so there is no read-then-write across items: a member that was removed,
 * whose partition moved on, or that sends an epoch older than its grant,
 * can never move a commit. Offsets are keyed by topic id: a re-created topic
 * starts without the old topic's commits. The member item is read first: a
 * removed member is refused even when its removal could not release its
 * leases (an outage between the two writes), which the lease alone would
 * not show.
 * Errors per offset: UNKNOWN_TOPIC_OR_PARTITION, UNKNOWN_MEMBER_ID (every
 * offset, when the member is gone),
 * FENCED_MEMBER_EPOCH (the member does not own the partition),
 * STALE_MEMBER_EPOCH (retriable: heartbeat first), INVALID_REQUEST.
 * Cost: 1 strong GetItem of the member, 1 per topic, 1 small conditional write per offset.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { authorize, type Principal } from '../auth/authorize';
import type { LibContext } from '../context';
import { SamsaError, toSamsaError } from '../errors';
import type { OffsetCommit } from '../protocol/groups';
import { metaKeys } from '../storage/keys';
import { findTopic, unknownTopic, type Topic } from '../topics/topic-item';
import { validateMemberId, validateGroupName } from './validate';

export type CommitResult =
  | { topic: string; partition: number; offset: number }
  | { topic: string; partition: number; error: { code: string; message: string; retriable: boolean } };

const MAX_METADATA = 4_096;

export async function commitOffsets(
  ctx: LibContext,
  principal: Principal,
  group: string,
  memberId: string,
  memberEpoch: number,
  offsets: OffsetCommit[],
): Promise<CommitResult[]> {
  validateGroupName(group);
  validateMemberId(memberId);
  if (offsets.length > 10_000) throw new SamsaError('INVALID_REQUEST', 'At most 10000 offsets per commit.');
  await authorize(ctx.authorizer, principal, 'read', { type: 'group', name: group });
  // SABOTAGE (checker self-test only): the unfenced variant skips this check too.
  if (!ctx.sabotage?.unfencedCommit && !(await memberExists(ctx, group, memberId))) {
    const e = unknownMember(group, memberId);
    return offsets.map((o) => ({ topic: o.topic, partition: o.partition, error: { code: e.code, message: e.message, retriable: e.retriable } }));
  }
  const topics = new Map<string, Topic | undefined>();
  for (const name of new Set(offsets.map((o) => o.topic))) {
    await authorize(ctx.authorizer, principal, 'read', { type: 'topic', name });
    topics.set(name, await findTopic(ctx, name));
  }
  return Promise.all(
    offsets.map(async (o) => {
      try {
        const topic = topics.get(o.topic);
        if (topic === undefined || o.partition < 0 || o.partition >= topic.partitions) {
          throw topic === undefined ? unknownTopic(o.topic) : new SamsaError('UNKNOWN_TOPIC_OR_PARTITION', `Topic '${o.topic}' partition ${o.partition} does not exist.`);
        }
        if (o.offset < 0 || !Number.isSafeInteger(o.offset)) throw new SamsaError('INVALID_REQUEST', `offset must be between 0 and 2^53-1; got ${o.offset}.`);
        if ((o.metadata?.length ?? 0) > MAX_METADATA) throw new SamsaError('INVALID_REQUEST', `metadata may hold at most ${MAX_METADATA} characters.`);
        await commitOne(ctx, group, topic, o, memberId, memberEpoch);
        return { topic: o.topic, partition: o.partition, offset: o.offset };
      } catch (err) {
        const e = toSamsaError(err);
        return { topic: o.topic, partition: o.partition, error: { code: e.code, message: e.message, retriable: e.retriable } };
      }
    }),
  );
}

async function commitOne(ctx: LibContext, group: string, topic: Topic, o: OffsetCommit, memberId: string, epoch: number): Promise<void> {
  try {
    await ctx.ddb.send(
      new UpdateCommand({
        TableName: ctx.tables.meta,
        Key: metaKeys.commit(group, topic.topicId, o.partition),
        UpdateExpression: 'SET #offset = :o, metadata = :md, committedAt = :now, commitEpoch = :e',
        // SABOTAGE (checker self-test only): an always-true condition lets fenced members commit.
        ConditionExpression: ctx.sabotage?.unfencedCommit
          ? '(#owner = :m AND ownerEpoch <= :e) OR attribute_exists(#owner) OR attribute_not_exists(#owner)'
          : '#owner = :m AND ownerEpoch <= :e',
        ExpressionAttributeNames: { '#offset': 'offset', '#owner': 'owner' },
        ExpressionAttributeValues: { ':o': o.offset, ':md': o.metadata ?? '', ':now': ctx.clock.now(), ':e': epoch, ':m': memberId },
        ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
      }),
    );
  } catch (err) {
    if (!(err instanceof ConditionalCheckFailedException)) throw err;
    const lease = err.Item === undefined ? undefined : unmarshall(err.Item);
    if (lease?.owner === memberId) {
      throw new SamsaError(
        'STALE_MEMBER_EPOCH',
        `Member '${memberId}' got ${o.topic}/${o.partition} in epoch ${String(lease.ownerEpoch)}; it sent ${epoch}. Heartbeat, then commit again.`,
      );
    }
    if (!(await memberExists(ctx, group, memberId))) throw unknownMember(group, memberId);
    throw new SamsaError('FENCED_MEMBER_EPOCH', `Member '${memberId}' does not own ${o.topic}/${o.partition}; its commit was refused.`);
  }
}

function unknownMember(group: string, memberId: string): SamsaError {
  return new SamsaError('UNKNOWN_MEMBER_ID', `Member '${memberId}' is not in group '${group}'; rejoin with memberEpoch 0.`);
}

async function memberExists(ctx: LibContext, group: string, memberId: string): Promise<boolean> {
  const out = await ctx.ddb.send(
    new GetCommand({ TableName: ctx.tables.meta, Key: metaKeys.member(group, memberId), ConsistentRead: true, ProjectionExpression: 'pk' }),
  );
  return out.Item !== undefined;
}

/**
 * Commit offsets: `POST /v1/groups/{group}/commits`.
 * Behaviour: the member item is read first: the epoch sent must belong to
 * the member's live incarnation, joinEpoch ≤ epoch ≤ its current epoch
 * (incarnation.ts), so a removed member — even one whose removal could not
 * release its leases — and every earlier incarnation of a re-joined member
 * id are refused. Then each offset is written with one conditional update
 * of the partition's commit item:
 * `owner = memberId AND joinEpoch ≤ ownerEpoch ≤ memberEpoch`. The owner
 * and the epoch of the grant live on the same item as the offset, so a
 * member whose partition moved on, or that sends an epoch older than its
 * grant, can never move a commit, even if it changes between the read and
 * the write (epochs never repeat across incarnations). Offsets are keyed by
 * topic id: a re-created topic starts without the old topic's commits.
 * Errors per offset: UNKNOWN_TOPIC_OR_PARTITION, UNKNOWN_MEMBER_ID (every
 * offset, when the member is gone), FENCED_MEMBER_EPOCH (every offset, when
 * the epoch is not of the live incarnation; or the member does not own the
 * partition),
 * STALE_MEMBER_EPOCH (retriable: heartbeat first), INVALID_REQUEST.
 * The poll commits through commitAs with the member item and topics it
 * read once for the whole request.
 * Cost: 1 strong GetItem of the member, 1 per topic, 1 small conditional write per offset.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { authorize, type Principal } from '../auth/authorize';
import { buildersOf } from '../builders';
import type { LibContext } from '../context';
import { SamsaError, toSamsaError } from '../errors';
import type { OffsetCommit } from '../protocol/groups';
import { metaKeys } from '../storage/keys';
import { findTopic, unknownTopic, type Topic } from '../topics/topic-item';
import type { Incarnation } from './incarnation';

export type { Incarnation } from './incarnation';
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
  checkCount(offsets);
  await authorize(ctx.authorizer, principal, 'read', { type: 'group', name: group });
  const member = await readIncarnation(ctx, group, memberId);
  const topics = new Map<string, Promise<Topic | undefined>>();
  const topicOf = (name: string) => {
    let found = topics.get(name);
    if (found === undefined) {
      topics.set(name, (found = authorize(ctx.authorizer, principal, 'read', { type: 'topic', name }).then(() => findTopic(ctx, name))));
    }
    return found;
  };
  return commitAs(ctx, group, memberId, memberEpoch, offsets, member, topicOf);
}

/**
 * The commits of a request already validated and authorized for the group (poll), given the member
 * as just read strongly (undefined: not in the group) and the topics' current metadata by name
 * (`topicOf` authorizes each topic it is asked for).
 */
export async function commitAs(
  ctx: LibContext,
  group: string,
  memberId: string,
  memberEpoch: number,
  offsets: OffsetCommit[],
  member: Incarnation | undefined,
  topicOf: (name: string) => Promise<Topic | undefined>,
): Promise<CommitResult[]> {
  checkCount(offsets);
  const incarnation = buildersOf(ctx).commitIncarnation(member, memberEpoch);
  const refused = incarnation === undefined ? unknownMember(group, memberId) : wrongIncarnation(ctx, group, memberId, memberEpoch, incarnation);
  if (refused !== undefined) {
    return offsets.map((o) => ({ topic: o.topic, partition: o.partition, error: { code: refused.code, message: refused.message, retriable: refused.retriable } }));
  }
  const joinEpoch = incarnation!.joinEpoch;
  const topics = new Map<string, Topic | undefined>();
  for (const name of new Set(offsets.map((o) => o.topic))) topics.set(name, await topicOf(name));
  return Promise.all(
    offsets.map(async (o) => {
      try {
        const topic = topics.get(o.topic);
        if (topic === undefined || o.partition < 0 || o.partition >= topic.partitions) {
          throw topic === undefined ? unknownTopic(o.topic) : new SamsaError('UNKNOWN_TOPIC_OR_PARTITION', `Topic '${o.topic}' partition ${o.partition} does not exist.`);
        }
        if (o.offset < 0 || !Number.isSafeInteger(o.offset)) throw new SamsaError('INVALID_REQUEST', `offset must be between 0 and 2^53-1; got ${o.offset}.`);
        if ((o.metadata?.length ?? 0) > MAX_METADATA) throw new SamsaError('INVALID_REQUEST', `metadata may hold at most ${MAX_METADATA} characters.`);
        await commitOne(ctx, group, topic, o, memberId, memberEpoch, joinEpoch);
        return { topic: o.topic, partition: o.partition, offset: o.offset };
      } catch (err) {
        const e = toSamsaError(err);
        return { topic: o.topic, partition: o.partition, error: { code: e.code, message: e.message, retriable: e.retriable } };
      }
    }),
  );
}

function checkCount(offsets: OffsetCommit[]): void {
  if (offsets.length > 10_000) throw new SamsaError('INVALID_REQUEST', 'At most 10000 offsets per commit.');
}

async function commitOne(ctx: LibContext, group: string, topic: Topic, o: OffsetCommit, memberId: string, epoch: number, joinEpoch: number): Promise<void> {
  try {
    const write = { group, topicId: topic.topicId, partition: o.partition, offset: o.offset, metadata: o.metadata ?? '', now: ctx.clock.now(), memberId, memberEpoch: epoch, joinEpoch };
    await ctx.ddb.send(new UpdateCommand(buildersOf(ctx).commitUpdate(ctx.tables.meta, write)));
  } catch (err) {
    if (!(err instanceof ConditionalCheckFailedException)) throw err;
    const lease = err.Item === undefined ? undefined : unmarshall(err.Item);
    if (lease?.owner === memberId && typeof lease.ownerEpoch === 'number' && lease.ownerEpoch >= joinEpoch) {
      throw new SamsaError(
        'STALE_MEMBER_EPOCH',
        `Member '${memberId}' got ${o.topic}/${o.partition} in epoch ${String(lease.ownerEpoch)}; it sent ${epoch}. Heartbeat, then commit again.`,
      );
    }
    if ((await readIncarnation(ctx, group, memberId)) === undefined) throw unknownMember(group, memberId);
    throw new SamsaError('FENCED_MEMBER_EPOCH', `Member '${memberId}' does not own ${o.topic}/${o.partition}; its commit was refused.`);
  }
}

function unknownMember(group: string, memberId: string): SamsaError {
  return new SamsaError('UNKNOWN_MEMBER_ID', `Member '${memberId}' is not in group '${group}'; rejoin with memberEpoch 0.`);
}

function wrongIncarnation(ctx: LibContext, group: string, memberId: string, sent: number, member: Incarnation): SamsaError | undefined {
  const place = buildersOf(ctx).placeEpoch(member, sent);
  if (place === 'current') return undefined;
  return new SamsaError(
    'FENCED_MEMBER_EPOCH',
    place === 'earlier-incarnation'
      ? `Member '${memberId}' of group '${group}' sent epoch ${sent}, from an incarnation that has ended (this one began at epoch ${member.joinEpoch}); rejoin with memberEpoch 0.`
      : `Member '${memberId}' of group '${group}' sent epoch ${sent}; its epoch is ${member.epoch}. Rejoin with memberEpoch 0.`,
  );
}

/** The member's live incarnation (strong read of its member item), or undefined when it is not in the group. */
async function readIncarnation(ctx: LibContext, group: string, memberId: string): Promise<Incarnation | undefined> {
  const out = await ctx.ddb.send(
    new GetCommand({
      TableName: ctx.tables.meta,
      Key: metaKeys.member(group, memberId),
      ConsistentRead: true,
      ProjectionExpression: 'epoch, joinEpoch',
    }),
  );
  if (out.Item === undefined) return undefined;
  const num = (name: string): number | undefined => (typeof out.Item?.[name] === 'number' ? (out.Item[name] as number) : undefined);
  return { epoch: num('epoch') ?? 0, joinEpoch: num('joinEpoch') ?? 0 };
}

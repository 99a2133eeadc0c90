/**
 * Reset committed offsets of one topic to earliest, latest, a timestamp or
 * an explicit offset — only while the group has no live member, as in
 * Kafka (a live consumer would overwrite the reset with its next commit).
 * Each write is conditional on the partition having no owner.
 * Errors: GROUP_NOT_EMPTY, UNKNOWN_TOPIC_OR_PARTITION, OFFSET_OUT_OF_RANGE
 * (explicit offset outside the log).
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { authorize, type Principal } from '../auth/authorize';
import type { LibContext } from '../context';
import { SamsaError } from '../errors';
import { listOffsets } from '../log/list-offsets';
import type { ResetOffsetsBody } from '../protocol/groups';
import { metaKeys } from '../storage/keys';
import { getTopic } from '../topics/topic-item';
import { removeMember } from './membership';
import { isExpired, loadMembers } from './state';
import { validateGroupName } from './validate';

export async function resetOffsets(
  ctx: LibContext,
  principal: Principal,
  group: string,
  req: ResetOffsetsBody,
): Promise<{ topic: string; partition: number; offset: number }[]> {
  validateGroupName(group);
  await authorize(ctx.authorizer, principal, 'alter', { type: 'group', name: group });
  await authorize(ctx.authorizer, principal, 'describe', { type: 'topic', name: req.topic });
  await requireEmpty(ctx, group, 'reset its offsets');
  const topic = await getTopic(ctx, req.topic);
  const partitions = req.partitions ?? Array.from({ length: topic.partitions }, (_, p) => p);
  const results = [];
  for (const partition of partitions) {
    const spec = typeof req.to === 'string' ? req.to : 'timestamp' in req.to ? { timestamp: req.to.timestamp } : 'earliest';
    const found = await listOffsets(ctx, principal, req.topic, partition, spec);
    let offset = found.offset ?? found.highWatermark;
    if (typeof req.to === 'object' && 'offset' in req.to) {
      offset = req.to.offset;
      if (offset < found.logStartOffset || offset > found.highWatermark) {
        throw new SamsaError('OFFSET_OUT_OF_RANGE', `Offset ${offset} is outside ${found.logStartOffset}..${found.highWatermark} for ${req.topic}/${partition}.`, {
          details: { logStartOffset: found.logStartOffset, highWatermark: found.highWatermark },
        });
      }
    }
    try {
      await ctx.ddb.send(
        new UpdateCommand({
          TableName: ctx.tables.meta,
          Key: metaKeys.commit(group, topic.topicId, partition),
          UpdateExpression: 'SET #offset = :o, topic = :t, #partition = :p, metadata = :md, committedAt = :now',
          ConditionExpression: 'attribute_not_exists(#owner)',
          ExpressionAttributeNames: { '#offset': 'offset', '#owner': 'owner', '#partition': 'partition' },
          ExpressionAttributeValues: { ':o': offset, ':t': req.topic, ':p': partition, ':md': 'reset', ':now': ctx.clock.now() },
        }),
      );
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException) throw notEmpty(group, 'reset its offsets');
      throw err;
    }
    results.push({ topic: req.topic, partition, offset });
  }
  return results;
}

/** Removes expired members first, then insists no live member is left. */
export async function requireEmpty(ctx: LibContext, group: string, action: string): Promise<void> {
  const now = ctx.clock.now();
  for (const m of (await loadMembers(ctx, group)).values()) {
    if (isExpired(m, now) && (await removeMember(ctx, group, m))) continue;
    throw notEmpty(group, action);
  }
}

function notEmpty(group: string, action: string): SamsaError {
  return new SamsaError('GROUP_NOT_EMPTY', `Group '${group}' has live members; stop its consumers before you ${action}.`);
}

/**
 * Alter topic configs (Kafka IncrementalAlterConfigs): each named config is
 * set, or reset to its default when its value is null; others are kept.
 * Then every partition counter is stamped with the topic's new version
 * (counters.ts): from then on a producer holding an older (cached) copy is
 * refused at its reservation and re-reads the topic, so no batch reserved
 * after this returns is built with the old configs.
 * Raising retention.ms (or setting -1) also raises the TTL of every live item
 * of the topic (retention-ttl.ts), so nothing already written is deleted
 * before the new retention ends; that costs one small write per live item.
 * Errors: INVALID_CONFIG, UNKNOWN_TOPIC_OR_PARTITION, CONCURRENT_MODIFICATION.
 * Cost: 1 strong GetItem, 1 conditional update, one small conditional update
 * per partition (the stamp).
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { authorize, type Principal } from '../auth/authorize';
import type { LibContext } from '../context';
import { metaKeys } from '../storage/keys';
import { readCounter } from '../log/counter';
import { partitionRef } from '../log/partition';
import { viewPartition } from '../log/partition-view';
import { effectiveConfig, parseConfigs, type ConfigOverrides, type RawConfigs } from './configs';
import { stampCounters } from './counters';
import { extendRetentionTtl } from './retention-ttl';
import { concurrentChange, getTopic, type Topic } from './topic-item';
import { validateTopicName } from './validate';

export async function alterTopicConfigs(
  ctx: LibContext,
  principal: Principal,
  name: string,
  raw: RawConfigs,
): Promise<Topic> {
  validateTopicName(name);
  const { set, reset } = parseConfigs(raw, ctx.limits);
  await authorize(ctx.authorizer, principal, 'alter', { type: 'topic', name });
  const topic = await getTopic(ctx, name);
  const configs: ConfigOverrides = { ...topic.configs, ...set };
  for (const r of reset) delete configs[r];
  try {
    await ctx.ddb.send(
      new UpdateCommand({
        TableName: ctx.tables.meta,
        Key: metaKeys.topic(name),
        UpdateExpression: 'SET #configs = :c, #version = :v',
        ConditionExpression: '#version = :old AND topicId = :id',
        ExpressionAttributeNames: { '#configs': 'configs', '#version': 'version' },
        ExpressionAttributeValues: { ':c': configs, ':v': topic.version + 1, ':old': topic.version, ':id': topic.topicId },
      }),
    );
  } catch (err) {
    if (err instanceof ConditionalCheckFailedException) throw concurrentChange(name);
    throw err;
  }
  const updated = { ...topic, configs, version: topic.version + 1 };
  await stampCounters(ctx, updated);
  const before = effectiveConfig(topic.configs)['retention.ms'];
  const after = effectiveConfig(configs)['retention.ms'];
  if (after === -1 ? before !== -1 : before !== -1 && after > before) {
    // Items written under the old retention would be deleted by TTL before the new one ends.
    await extendRetentionTtl(ctx, updated);
    // Writers that reserved before the stamp may hold the old config and still be writing: wait for
    // the reservations open now (read after the stamp) to settle (normally milliseconds), then cover
    // them too. Later reservations carry the new config (the stamp refuses older ones). A dead
    // writer's seq is closed by a reader's abort marker, which gets the new retention's TTL.
    if (await waitForOpenReservations(ctx, updated)) await extendRetentionTtl(ctx, updated);
  }
  return updated;
}

/** True when some partition had reservations open; waits (bounded) for them to settle. */
async function waitForOpenReservations(ctx: LibContext, topic: Topic): Promise<boolean> {
  const refs = Array.from({ length: topic.partitions }, (_, p) => partitionRef(topic, p));
  const open = (await Promise.all(refs.map(async (ref) => ({ ref, counter: await readCounter(ctx, ref) })))).filter(
    ({ counter }) => counter.cur < counter.seq,
  );
  const deadline = ctx.clock.now() + OPEN_RESERVATION_WAIT_MS;
  for (const { ref, counter } of open) {
    while ((await viewPartition(ctx, ref)).stableSeq < counter.seq && ctx.clock.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  return open.length > 0;
}

/** Live writers settle in milliseconds; the admin function's timeout bounds the rest. */
const OPEN_RESERVATION_WAIT_MS = 3_000;

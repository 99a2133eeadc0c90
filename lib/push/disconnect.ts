/**
 * Removes a connection and all its subscription rows from the registry.
 *
 * Behaviour: deletes the connection item (returning it, so its `subs` tell
 * which rows to delete), then those rows; then each group member linked to
 * it (link.ts) leaves the group if its linked incarnation is still the live
 * one (lib/groups/linked-member.ts): a closed socket is a prompt leave, so
 * the member's partitions move on at the group's next heartbeat instead of
 * after its session timeout. Idempotent: an unknown or already
 * removed connection is a no-op (`$disconnect` and a fan-out that found the
 * connection gone may both call it). A subscribe racing it fails its
 * conditional update, so no row outlives the connection but through TTL.
 * Errors: none of its own.
 * Cost: 1 DeleteItem + 1 DeleteItem per subscribed partition + per linked
 * member a strong GetItem and, when it leaves, the groups' removal.
 */
import { DeleteCommand } from '@aws-sdk/lib-dynamodb';
import type { LibContext } from '../context';
import { forEachLimit } from '../for-each-limit';
import { leaveLinked } from '../groups/linked-member';
import { decodeConnection, pushKeys, splitLinkKey, splitPartitionKey } from './registry';

export async function disconnect(ctx: LibContext, connectionId: string): Promise<void> {
  const out = await ctx.ddb.send(
    new DeleteCommand({ TableName: ctx.tables.meta, Key: pushKeys.connection(connectionId), ReturnValues: 'ALL_OLD' }),
  );
  const connection = decodeConnection(connectionId, out.Attributes);
  if (connection === undefined) return;
  await forEachLimit(connection.subs, 8, async (key) => {
    const { topicId, partition } = splitPartitionKey(key);
    await ctx.ddb.send(new DeleteCommand({ TableName: ctx.tables.meta, Key: pushKeys.subscription(topicId, partition, connectionId) }));
  });
  for (const key of connection.links) {
    const l = splitLinkKey(key);
    if (l !== undefined) await leaveLinked(ctx, l.group, l.memberId, l.epoch);
  }
}

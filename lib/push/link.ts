/**
 * Links a group member to a connection, and unlinks it.
 *
 * Behaviour: link checks ACL `read` on the group for the connection's
 * principal (what a heartbeat needs) and that the epoch is one of the
 * member's live incarnation (lib/groups/linked-member.ts), then adds
 * `<group>#<memberId>#<epoch>` to the connection item; `$disconnect`
 * (disconnect.ts) makes each linked incarnation leave. Linking again replaces the member's earlier entries on this
 * connection (after adding the new one, so the member is never unlinked).
 * Unlink removes every entry of the member on this connection, so closing
 * it no longer makes the member leave (the SDK unlinks a socket it replaces
 * before closing it). A link grants nothing a heartbeat with memberEpoch -1
 * could not already do with the same ACL.
 * Errors: UNAUTHENTICATED (connection not registered), AUTHORIZATION_FAILED,
 * INVALID_GROUP_ID, INVALID_REQUEST (more than MAX_PUSH_LINKS links),
 * UNKNOWN_MEMBER_ID, FENCED_MEMBER_EPOCH.
 * Cost: link 1 strong GetItem (connection) + 1 strong GetItem (member) + 1
 * UpdateItem (+1 when it replaces an earlier entry); unlink 1 strong GetItem + 1 UpdateItem when linked.
 */
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { authorize } from '../auth/authorize';
import type { LibContext } from '../context';
import { SamsaError } from '../errors';
import { checkLinkable } from '../groups/linked-member';
import { MAX_PUSH_LINKS } from '../protocol/push';
import { addLinks, linkKey, removeLinks, splitLinkKey } from './registry';
import { readConnection } from './subscription-target';

const gone = () => new SamsaError('UNAUTHENTICATED', 'This connection is not registered (it ended); reconnect.');

export async function link(ctx: LibContext, connectionId: string, group: string, memberId: string, memberEpoch: number): Promise<void> {
  const connection = await readConnection(ctx, connectionId);
  if (connection === undefined) throw gone();
  await authorize(ctx.authorizer, { name: connection.principal }, 'read', { type: 'group', name: group });
  await checkLinkable(ctx, group, memberId, memberEpoch);
  const key = linkKey(group, memberId, memberEpoch);
  const older = entriesOf(connection.links, group, memberId).filter((k) => k !== key);
  const others = connection.links.length - older.length - (connection.links.includes(key) ? 1 : 0);
  if (others >= MAX_PUSH_LINKS) {
    throw new SamsaError('INVALID_REQUEST', `A connection may link at most ${MAX_PUSH_LINKS} group members; unlink one first.`);
  }
  await ctx.ddb.send(new UpdateCommand(addLinks(ctx.tables.meta, connectionId, [key]))).catch((err) => {
    throw (err as { name?: string }).name === 'ConditionalCheckFailedException' ? gone() : err;
  });
  // The member's earlier entries (an ended incarnation, an older epoch) go after the new one is in place.
  if (older.length > 0) await removeQuietly(ctx, connectionId, older);
}

function entriesOf(links: string[], group: string, memberId: string): string[] {
  return links.filter((k) => {
    const l = splitLinkKey(k);
    return l !== undefined && l.group === group && l.memberId === memberId;
  });
}

async function removeQuietly(ctx: LibContext, connectionId: string, keys: string[]): Promise<void> {
  await ctx.ddb.send(new UpdateCommand(removeLinks(ctx.tables.meta, connectionId, keys))).catch((err) => {
    // Disconnected meanwhile: its $disconnect already judged the links.
    if ((err as { name?: string }).name !== 'ConditionalCheckFailedException') throw err;
  });
}

export async function unlink(ctx: LibContext, connectionId: string, group: string, memberId: string): Promise<void> {
  const connection = await readConnection(ctx, connectionId);
  if (connection === undefined) throw gone();
  const mine = entriesOf(connection.links, group, memberId);
  if (mine.length > 0) await removeQuietly(ctx, connectionId, mine);
}

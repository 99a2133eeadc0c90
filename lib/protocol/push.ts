/**
 * The WebSocket notification protocol (issue 17): messages a client sends
 * and messages the server sends, as JSON text frames. Dependency-free (the
 * SDK imports it), the one definition the server (functions/push,
 * local/websocket.ts), the SDK (client/notifications.ts) and docs/push.md use.
 *
 * A notification is a hint, never data: the client fetches or polls as
 * usual, so every correctness rule stays in the one read path.
 */
import { SamsaError, type ErrorCode } from './errors';

/** Subscribe this connection to partitions of a topic (all of them when `partitions` is absent). Needs ACL `read` on the topic. */
export interface SubscribeMessage {
  action: 'subscribe';
  topic: string;
  partitions?: number[];
  /** Echoed in the answer, to pair it with the request. */
  id?: string;
}

export interface UnsubscribeMessage {
  action: 'unsubscribe';
  topic: string;
  partitions?: number[];
  id?: string;
}

/** Keeps the connection from API Gateway's 10-minute idle timeout; answered by `pong`. */
export interface PingMessage {
  action: 'ping';
  id?: string;
}

/**
 * Links a group member (one incarnation: `memberEpoch` is an epoch the server
 * gave it) to this connection, so that `$disconnect` makes it leave the group
 * at once. Needs ACL `read` on the group, as a heartbeat does. The SDK links
 * after each join and, while linked, heartbeats rarely (docs/push.md).
 */
export interface LinkMessage {
  action: 'link';
  group: string;
  memberId: string;
  memberEpoch: number;
  id?: string;
}

/** Removes a member's link (all its incarnations): closing this connection no longer makes it leave. */
export interface UnlinkMessage {
  action: 'unlink';
  group: string;
  memberId: string;
  id?: string;
}

export type PushClientMessage = SubscribeMessage | UnsubscribeMessage | PingMessage | LinkMessage | UnlinkMessage;

/** Records became visible up to (not including) `highWatermark` on this partition — a hint: fetch to see them. */
export interface NotifyMessage {
  type: 'notify';
  topic: string;
  partition: number;
  highWatermark: number;
}

export interface SubscribedMessage {
  type: 'subscribed' | 'unsubscribed';
  topic: string;
  partitions: number[];
  id?: string;
}

export interface LinkedMessage {
  type: 'linked' | 'unlinked';
  group: string;
  memberId: string;
  id?: string;
}

export interface PongMessage {
  type: 'pong';
  id?: string;
}

export interface PushErrorMessage {
  type: 'error';
  code: ErrorCode;
  message: string;
  id?: string;
}

export type PushServerMessage = NotifyMessage | SubscribedMessage | LinkedMessage | PongMessage | PushErrorMessage;

/** Partitions one connection may be subscribed to at once (each is a registry row). */
export const MAX_PUSH_SUBSCRIPTIONS = 1024;
/** API Gateway WebSocket frame limit; client messages are far smaller. */
export const MAX_PUSH_MESSAGE_BYTES = 4096;
/** Group members one connection may link (each is a string in the connection item). */
export const MAX_PUSH_LINKS = 16;
/** How a client passes an API key where it cannot set headers (browsers): `?token=<key>` on the connect URL. */
export const PUSH_TOKEN_QUERY = 'token';

const invalid = (message: string) => new SamsaError('INVALID_REQUEST', message);

/** Parses one client frame; throws INVALID_REQUEST with a reason. */
export function parsePushClientMessage(text: string): PushClientMessage {
  if (text.length > MAX_PUSH_MESSAGE_BYTES) throw invalid(`A message may hold at most ${MAX_PUSH_MESSAGE_BYTES} bytes.`);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw invalid('A message must be a JSON object.');
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw invalid('A message must be a JSON object.');
  const m = value as Record<string, unknown>;
  if (m.id !== undefined && (typeof m.id !== 'string' || m.id.length > 64)) throw invalid("'id' must be a string of at most 64 characters.");
  const id = m.id === undefined ? {} : { id: m.id as string };
  if (m.action === 'ping') return { action: 'ping', ...id };
  if (m.action === 'link' || m.action === 'unlink') {
    // Names are checked by the group operations' own validation (lib/groups/validate.ts); here only their types.
    if (typeof m.group !== 'string' || m.group === '') throw invalid("'group' must be a group name.");
    if (typeof m.memberId !== 'string' || m.memberId === '') throw invalid("'memberId' must be a member id.");
    if (m.action === 'unlink') return { action: 'unlink', group: m.group, memberId: m.memberId, ...id };
    if (!Number.isSafeInteger(m.memberEpoch) || (m.memberEpoch as number) < 1) throw invalid("'memberEpoch' must be an epoch the server gave (an integer ≥ 1).");
    return { action: 'link', group: m.group, memberId: m.memberId, memberEpoch: m.memberEpoch as number, ...id };
  }
  if (m.action !== 'subscribe' && m.action !== 'unsubscribe') throw invalid("'action' must be 'subscribe', 'unsubscribe', 'link', 'unlink' or 'ping'.");
  if (typeof m.topic !== 'string' || m.topic === '') throw invalid("'topic' must be a topic name.");
  if (m.partitions === undefined) return { action: m.action, topic: m.topic, ...id };
  if (
    !Array.isArray(m.partitions) ||
    m.partitions.length === 0 ||
    m.partitions.length > MAX_PUSH_SUBSCRIPTIONS ||
    !m.partitions.every((p) => Number.isSafeInteger(p) && (p as number) >= 0)
  ) {
    throw invalid(`'partitions' must be 1 to ${MAX_PUSH_SUBSCRIPTIONS} partition numbers (integers ≥ 0).`);
  }
  return { action: m.action, topic: m.topic, partitions: [...new Set(m.partitions as number[])], ...id };
}

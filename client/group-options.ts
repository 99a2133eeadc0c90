/**
 * What a group member is configured with (`samsa.consumer(options)`), the
 * argument table that checks it, and the shapes run() and iteration hand
 * out. The member itself: client/group-member.ts (membership) and
 * client/group-consumer.ts (delivery).
 */
import type { TopicPartitions } from '../lib/protocol/requests';
import type { Notifications } from './notifications';
import type { ConsumedRecord } from './types';

export interface GroupConsumerOptions {
  groupId: string;
  /** Topics to subscribe to; or call subscribe() before run(). */
  topics?: string[];
  /** Stable identity of this member (1-64 of [A-Za-z0-9._:-]); a random UUID by default. */
  memberId?: string;
  /** Server default 45,000 ms. */
  sessionTimeoutMs?: number;
  /** How long the member may take to give up revoked partitions. Server default 60,000 ms. */
  rebalanceTimeoutMs?: number;
  /** Where partitions without a committed offset start. Server default 'latest'. */
  offsetReset?: 'earliest' | 'latest';
  /** Commit consumed offsets automatically. Default true. */
  autoCommit?: boolean;
  /** Default 5,000 ms. */
  autoCommitIntervalMs?: number;
  /** Per poll. Default 500. */
  maxRecords?: number;
  /** Per poll. Default 1 MiB. */
  maxBytes?: number;
  /** How long a poll waits for records. Default 5,000 ms. */
  maxWaitMs?: number;
  /**
   * End run() / iteration once a poll (after waiting maxWaitMs) finds nothing new in the member's
   * partitions and did not change them. Default false.
   */
  stopAtEnd?: boolean;
  /** New partitions, before any of their records is delivered. */
  onAssigned?: (partitions: TopicPartitions[]) => void | Promise<void>;
  /** Partitions about to be released; still owned, so `commit()` works here. */
  onRevoked?: (partitions: TopicPartitions[]) => void | Promise<void>;
  /** Partitions taken away by fencing or an expired session; their uncommitted work is redelivered elsewhere. */
  onLost?: (partitions: TopicPartitions[]) => void | Promise<void>;
  /**
   * After each answer that changed the member's epoch or assignment (its
   * join, a re-join after fencing, a rebalance), with the new epoch and the
   * partitions it owns from then on (those being revoked excluded); before
   * onAssigned and before any record of that answer is delivered.
   * Synchronous, for bookkeeping and monitoring: it runs inside the exchange,
   * so a request made from here would wait for it.
   */
  onMembership?: (membership: { memberEpoch: number; assignment: TopicPartitions[] }) => void;
  /** Wait on WebSocket notifications and link the member to the connection (docs/push.md). */
  notifications?: Notifications;
  /** With notifications, while linked: the session timeout asked for; a poll every third of it. Default 360,000 ms. */
  connectedSessionTimeoutMs?: number;
}

export const GROUP_OPTIONS = {
  groupId: 's!',
  topics: 'S',
  memberId: 's',
  sessionTimeoutMs: 'p',
  rebalanceTimeoutMs: 'p',
  offsetReset: 'earliest|latest',
  autoCommit: 'b',
  autoCommitIntervalMs: 'i',
  maxRecords: 'p',
  maxBytes: 'p',
  maxWaitMs: 'i',
  stopAtEnd: 'b',
  onAssigned: 'f',
  onRevoked: 'f',
  onLost: 'f',
  onMembership: 'f',
  notifications: 'a',
  connectedSessionTimeoutMs: 'p',
} satisfies Record<keyof GroupConsumerOptions, string>;
export const FROM_BEGINNING = "KafkaJS's fromBeginning is the consumer's offsetReset: 'earliest'.";
export const POSITION = { topic: 's!', partition: 'i!', offset: 'i!' };
export const NO_TOPICS = 'Subscribe to at least one topic first (the topics option or subscribe()).';

export interface GroupBatch {
  records: ConsumedRecord[];
}

export interface GroupEachMessagePayload {
  topic: string;
  partition: number;
  message: ConsumedRecord;
}

export interface GroupRunOptions {
  eachMessage?: (payload: GroupEachMessagePayload) => Promise<void> | void;
  eachBatch?: (batch: GroupBatch) => Promise<void> | void;
}

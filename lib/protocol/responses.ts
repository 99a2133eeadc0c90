/**
 * Shapes of the API's answers that both the handlers (through lib) and the
 * SDK use: declared once here, types only, so client/ can import them
 * without pulling in runtime code.
 */
import type { TopicPartitions } from './groups';
import type { WireData } from './records';

export interface DescribedConfig {
  name: 'retention.ms' | 'max.message.bytes' | 'compression.type';
  value: string;
  source: 'topic' | 'default';
}

export interface TopicDescription {
  name: string;
  topicId: string;
  partitions: { partition: number }[];
  configs: DescribedConfig[];
  /** ISO 8601. */
  createdAt: string;
}

export interface PartitionOffsets {
  partition: number;
  logStartOffset: number;
  /** The stable end: every offset below it holds a record or lies in an aborted range. */
  highWatermark: number;
}

export interface OffsetLookup extends PartitionOffsets {
  /** The offset asked for; null when no record has a timestamp at or after the one given. */
  offset: number | null;
  /** The found record's timestamp, for timestamp lookups. */
  timestamp?: number;
}

/** One record of a fetch answer (a poll's records carry `topic` and `partition` besides). */
export interface FetchedWireRecord {
  offset: number;
  timestamp: number;
  key: WireData | null;
  value: WireData | null;
  headers: { name: string; value: WireData | null }[];
}

/** `GET /v1/topics/{topic}/partitions/{p}/records`. */
export interface FetchResponse {
  topic: string;
  /**
   * The incarnation the records came from. A topic deleted and re-created
   * under the same name has another id; passing this one back as `topicId=`
   * makes later fetches fail with UNKNOWN_TOPIC_ID instead of reading on in
   * the new topic (KIP-516).
   */
  topicId: string;
  partition: number;
  records: FetchedWireRecord[];
  nextOffset: number;
  highWatermark: number;
  logStartOffset: number;
  /** Offsets `[from, to)` of writers that died before they were acknowledged; they hold no records. */
  abortedRanges: { from: number; to: number }[];
}

export interface GroupListing {
  group: string;
  /** Live members (lib/groups/status.ts). */
  members: number;
  state: GroupStateName;
}

/** Kafka's consumer-group states (KIP-848); what each means: lib/groups/status.ts. */
export type GroupStateName = 'Empty' | 'Assigning' | 'Reconciling' | 'Stable' | 'Dead';

export interface GroupMemberDescription {
  memberId: string;
  memberEpoch: number;
  topics: string[];
  /** What the member owns now. */
  assignment: TopicPartitions[];
  /** What the server wants it to own once reconciled. */
  target: TopicPartitions[];
  /** Partitions it still holds but must give up. */
  revoking: TopicPartitions[];
  /** ISO 8601. */
  lastHeartbeat: string;
  sessionTimeoutMs: number;
  /** Past its session timeout and not removed yet: not a live member, counted nowhere. */
  expired: boolean;
}

export interface GroupDescription {
  group: string;
  state: GroupStateName;
  epoch: number;
  members: GroupMemberDescription[];
}

export interface PartitionLag {
  topic: string;
  partition: number;
  committedOffset: number | null;
  logStartOffset: number;
  highWatermark: number;
  lag: number;
}

/**
 * Shapes of the API's answers that both the handlers (through lib) and the
 * SDK use: declared once here, types only, so client/ can import them
 * without pulling in runtime code. Imports only other dependency-free
 * protocol files, never a zod schema file, so the SDK's types need no zod.
 */
import type { AclOperation, PatternType, Permission, ResourceType } from './acl';
import type { WireData } from './data';
import type { ErrorCode } from './errors';
import type { TopicPartitions } from './requests';

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

// ---------------------------------------------------------------------------
// Every other answer of the API, one interface per body. lib/protocol/response-schemas*.ts
// holds a zod schema for each that is checked, at compile time, to infer exactly this type;
// the OpenAPI document is generated from those schemas.
// ---------------------------------------------------------------------------

/** `GET /v1/health`. */
export interface HealthResponse {
  status: 'ok';
  /**
   * The WebSocket notification endpoint (docs/push.md), an absolute `ws://` or `wss://` URL:
   * the local server's `/v1/ws`, or the AWS stack's WebSocket API. Absent when the deployment
   * has none (the AWS stack in JWT mode); clients then poll.
   */
  pushUrl?: string;
}

/** `GET /v1/whoami`. */
export interface WhoamiResponse {
  principal: string;
}

/** The error envelope of every 4xx and 5xx answer. */
export interface ErrorResponse {
  error: ErrorBody;
}

export interface ErrorBody {
  code: ErrorCode;
  message: string;
  retriable: boolean;
  /** Also in the `x-request-id` header. */
  requestId: string;
  /** Machine-readable details of some codes (`limit`, `size`, `logStartOffset`, `highWatermark`, `nextOffset`, `parameter`, `fields`, …). */
  [detail: string]: unknown;
}

/** A per-record or per-offset error inside a 200/207 answer: the envelope's fields but the request id. */
export interface ItemError {
  /** One of the API's error codes (ErrorCode). */
  code: string;
  message: string;
  retriable: boolean;
  [detail: string]: unknown;
}

// Topics.

/** One entry of `GET /v1/topics`. */
export interface TopicListing {
  name: string;
  topicId: string;
  /** The partition count. */
  partitions: number;
}

export interface TopicList {
  topics: TopicListing[];
}

/** `DELETE /v1/topics/{topic}/partitions/{p}/records?before=N`. */
export interface DeleteRecordsResponse {
  /** The partition's log start after the call (never lower than before it). */
  logStartOffset: number;
}

/** `GET /v1/topics/{topic}/offsets`. */
export interface TopicOffsets {
  topic: string;
  partitions: PartitionOffsets[];
}

// Produce.

export interface ProducedRecord {
  partition: number;
  offset: number;
  timestamp: number;
}

export interface FailedRecord {
  /** The partition the record named (even one that does not exist) or was given; absent when it failed before one was chosen. */
  partition?: number;
  error: ItemError;
}

export type ProduceRecordResult = ProducedRecord | FailedRecord;

/** `POST /v1/topics/{topic}/records`: one result per record, in request order (200 all stored, 207 some). */
export interface ProduceResponse {
  records: ProduceRecordResult[];
}

/** A produce error answer: the envelope, and when every record failed individually, each record's outcome. */
export interface ProduceErrorResponse extends ErrorResponse {
  records?: ProduceRecordResult[];
}

/** `POST /v1/producers`. */
export interface ProducerIdentity {
  /** A decimal string. */
  producerId: string;
  producerEpoch: number;
}

// Consumer groups.

export interface TopicPartitionOffset {
  topic: string;
  partition: number;
  offset: number;
}

/** `POST /v1/groups/{group}/heartbeat`. */
export interface HeartbeatResponse {
  memberId: string;
  /** -1 after leaving. */
  memberEpoch: number;
  assignment: TopicPartitions[];
  heartbeatIntervalMs: number;
}

export interface CommittedItem {
  topic: string;
  partition: number;
  offset: number;
}

export interface FailedCommit {
  topic: string;
  partition: number;
  error: { code: string; message: string; retriable: boolean };
}

export type CommitOffsetResult = CommittedItem | FailedCommit;

/** One record of a poll answer. */
export interface PolledWireRecord extends FetchedWireRecord {
  topic: string;
  partition: number;
}

/** `POST /v1/groups/{group}/poll`. */
export interface PollResponse extends HeartbeatResponse {
  records: PolledWireRecord[];
  /** The position after this answer of every assigned partition. */
  positions: TopicPartitionOffset[];
  /** Topic name → id of the incarnation the records and positions came from. */
  topicIds: Record<string, string>;
  /** Present when the poll carried offsets to commit: one result per offset. */
  commits?: CommitOffsetResult[];
}

/** `POST /v1/groups/{group}/commits` when every offset was committed. */
export interface CommitResponse {
  offsets: CommitOffsetResult[];
}

/** A commit's error answer: the first failure as the envelope, and every offset's outcome. */
export interface CommitErrorResponse extends ErrorResponse {
  offsets?: CommitOffsetResult[];
}

export interface GroupList {
  groups: GroupListing[];
}

export interface GroupCommittedOffset {
  topic: string;
  partition: number;
  offset: number;
  metadata: string;
  /** ISO 8601. */
  committedAt: string;
  /** The member holding the partition now, if any. */
  owner?: string;
}

/** `GET /v1/groups/{group}/offsets`. */
export interface GroupOffsets {
  group: string;
  offsets: GroupCommittedOffset[];
}

/** `POST /v1/groups/{group}/offsets/reset`. */
export interface ResetOffsetsResponse {
  group: string;
  offsets: TopicPartitionOffset[];
}

/** `GET /v1/groups/{group}/lag`. */
export interface GroupLag {
  group: string;
  partitions: PartitionLag[];
  totalLag: number;
}

// API keys and ACLs.

/**
 * An API key as the API shows it: never the secret or its hash. Declared here, without zod,
 * for the SDK (lib/protocol/auth.ts re-exports it; functions/http/openapi-responses.ts
 * checks lib's issued key against IssuedApiKey below).
 */
export interface ApiKeyView {
  keyId: string;
  principal: string;
  /** Milliseconds since the epoch. */
  createdAt: number;
  createdBy: string;
  expiresAt: number | null;
  revokedAt: number | null;
  description: string | null;
}

/** `POST /v1/apikeys`: the key's view plus, this once, the key itself. */
export interface IssuedApiKey extends ApiKeyView {
  apiKey: string;
}

export interface ApiKeyList {
  keys: ApiKeyView[];
}

export type AclResourceType = ResourceType;
export type AclPatternType = PatternType;
export type { AclOperation };
export type AclPermission = Permission;

/** A stored ACL binding. */
export interface Acl {
  /** Derived from the binding's fields: the same binding always has the same id. */
  id: string;
  /** A principal name, or `*` for every authenticated principal. */
  principal: string;
  resourceType: AclResourceType;
  resourceName: string;
  patternType: AclPatternType;
  operation: AclOperation;
  permission: AclPermission;
}

export interface AclList {
  acls: Acl[];
}

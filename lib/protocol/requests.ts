/**
 * Shapes of the API's request bodies as plain interfaces, for code that must
 * not depend on zod (the SDK and its published types). The zod/mini schemas
 * that validate them on the server (./topics.ts, ./records.ts, ./producers.ts,
 * ./groups.ts, ./auth.ts) are asserted at compile time to infer exactly these
 * types, so the two cannot drift apart. Types only, dependency-free.
 */
import type { AclOperation, PatternType, Permission, ResourceType } from './acl';
import type { WireDataInput } from './data';

// Topics.

/** Config name → value; null resets the config to its default. */
export type ConfigValues = Record<string, string | number | null>;

/** `POST /v1/topics`. */
export interface CreateTopicBody {
  name: string;
  /** Default 1. */
  partitions?: number;
  configs?: ConfigValues;
}

/** `POST /v1/topics/{topic}/partitions`. */
export interface CreatePartitionsBody {
  /** The new total, as in Kafka's CreatePartitions. */
  partitions: number;
}

/** `PATCH /v1/topics/{topic}/configs`. */
export interface AlterConfigsBody {
  configs: ConfigValues;
}

// Produce.

export interface WireHeaderInput {
  name: string;
  /** A bare string is a STRING header value. */
  value: string | WireDataInput | null;
}

export interface ProduceRecord {
  partition?: number;
  key?: WireDataInput | null;
  value?: WireDataInput | null;
  headers?: WireHeaderInput[];
  /** Milliseconds since the epoch; the server's append time when omitted. */
  timestamp?: number;
}

/** `POST /v1/topics/{topic}/records`. */
export interface ProduceBody {
  records: ProduceRecord[];
  producerId?: string;
  producerEpoch?: number;
  /** Idempotent producers: partition → the sequence number of its first record in this request. */
  baseSequences?: Record<string, number>;
  /** Conditional append: only if the partition's next offset equals this (one partition per request; all or nothing). */
  expectedOffset?: number;
}

/** `POST /v1/producers`. */
export interface InitProducerBody {
  /** Bump this producer's epoch instead of minting a new id. */
  producerId?: string;
}

// Consumer groups.

export interface TopicPartitions {
  topic: string;
  partitions: number[];
}

/** `POST /v1/groups/{group}/heartbeat`. */
export interface HeartbeatBody {
  memberId: string;
  /** 0 joins (or re-joins), -1 leaves, otherwise the epoch the last response gave. */
  memberEpoch: number;
  topics?: string[];
  /** Partitions the member currently owns (processes); revoked ones disappear from here once given up. */
  owned?: TopicPartitions[];
  sessionTimeoutMs?: number;
  rebalanceTimeoutMs?: number;
  offsetReset?: 'earliest' | 'latest';
}

export interface OffsetCommit {
  topic: string;
  partition: number;
  offset: number;
  metadata?: string;
}

/** `POST /v1/groups/{group}/commits`. */
export interface CommitBody {
  memberId: string;
  memberEpoch: number;
  offsets: OffsetCommit[];
}

export interface Position {
  topic: string;
  partition: number;
  offset: number;
}

/** `POST /v1/groups/{group}/poll`: a heartbeat, optional commits, and a fetch. */
export interface PollBody extends HeartbeatBody {
  /** Where the client is in each partition; partitions not listed start at the committed offset. */
  positions?: Position[];
  /** Offsets to commit before anything else happens (before any revocation). */
  commit?: OffsetCommit[];
  maxRecords?: number;
  maxBytes?: number;
  maxWaitMs?: number;
}

/** Where `POST /v1/groups/{group}/offsets/reset` moves the committed offsets. */
export type ResetTarget = 'earliest' | 'latest' | { timestamp: number } | { offset: number };

/** `POST /v1/groups/{group}/offsets/reset`. */
export interface ResetOffsetsBody {
  topic: string;
  /** Default: every partition of the topic. */
  partitions?: number[];
  to: ResetTarget;
}

// API keys and ACLs.

/** `POST /v1/apikeys`. */
export interface CreateApiKeyBody {
  principal: string;
  /** Key lifetime in seconds from now; omitted = no expiry. */
  expiresInSeconds?: number;
  description?: string;
}

/** `POST /v1/acls`. */
export interface AclBindingBody {
  principal: string;
  resourceType: ResourceType;
  resourceName: string;
  /** Default `literal`. */
  patternType?: PatternType;
  operation: AclOperation;
  /** Default `allow`. */
  permission?: Permission;
}

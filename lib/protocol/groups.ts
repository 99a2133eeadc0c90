/**
 * Wire schemas of the consumer-group API (also the source of the OpenAPI
 * document), each asserted at compile time to infer exactly its plain
 * interface in ./requests.ts (re-exported here for server code).
 */
import * as z from 'zod/mini';
import type { CommitBody, HeartbeatBody, OffsetCommit, PollBody, Position, ResetOffsetsBody, TopicPartitions } from './requests';
import type { Equal } from './response-schemas';

export type { CommitBody, HeartbeatBody, OffsetCommit, PollBody, Position, ResetOffsetsBody, TopicPartitions } from './requests';

export const topicPartitions = z.strictObject({ topic: z.string(), partitions: z.array(z.int()) });

export const heartbeatFields = {
  memberId: z.string(),
  /** 0 joins (or re-joins), -1 leaves, otherwise the epoch the last response gave. */
  memberEpoch: z.int(),
  topics: z.optional(z.array(z.string())),
  /** Partitions the member currently owns (processes); revoked ones disappear from here once given up. */
  owned: z.optional(z.array(topicPartitions)),
  sessionTimeoutMs: z.optional(z.int()),
  rebalanceTimeoutMs: z.optional(z.int()),
  offsetReset: z.optional(z.enum(['earliest', 'latest'])),
};

export const heartbeatBody = z.strictObject(heartbeatFields);

export const offsetCommit = z.strictObject({
  topic: z.string(),
  partition: z.int(),
  offset: z.int(),
  metadata: z.optional(z.string()),
});

export const commitBody = z.strictObject({
  memberId: z.string(),
  memberEpoch: z.int(),
  offsets: z.array(offsetCommit),
});

export const position = z.strictObject({ topic: z.string(), partition: z.int(), offset: z.int() });

export const pollBody = z.strictObject({
  ...heartbeatFields,
  /** Where the client is in each partition; partitions not listed start at the committed offset. */
  positions: z.optional(z.array(position)),
  /** Offsets to commit before anything else happens (before any revocation). */
  commit: z.optional(z.array(offsetCommit)),
  maxRecords: z.optional(z.int()),
  maxBytes: z.optional(z.int()),
  maxWaitMs: z.optional(z.int()),
});

export const resetOffsetsBody = z.strictObject({
  topic: z.string(),
  /** Default: every partition of the topic. */
  partitions: z.optional(z.array(z.int())),
  to: z.union([z.enum(['earliest', 'latest']), z.strictObject({ timestamp: z.int() }), z.strictObject({ offset: z.int() })]),
});

// Compile-time: each schema infers exactly the plain type the SDK uses.
const _checks: {
  topicPartitions: Equal<z.infer<typeof topicPartitions>, TopicPartitions>;
  heartbeatBody: Equal<z.infer<typeof heartbeatBody>, HeartbeatBody>;
  offsetCommit: Equal<z.infer<typeof offsetCommit>, OffsetCommit>;
  commitBody: Equal<z.infer<typeof commitBody>, CommitBody>;
  position: Equal<z.infer<typeof position>, Position>;
  pollBody: Equal<z.infer<typeof pollBody>, PollBody>;
  resetOffsetsBody: Equal<z.infer<typeof resetOffsetsBody>, ResetOffsetsBody>;
} = { topicPartitions: true, heartbeatBody: true, offsetCommit: true, commitBody: true, position: true, pollBody: true, resetOffsetsBody: true };
void _checks;

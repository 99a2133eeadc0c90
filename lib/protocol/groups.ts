/** Wire schemas of the consumer-group API (also the source of the OpenAPI document). */
import * as z from 'zod/mini';

export const topicPartitions = z.strictObject({ topic: z.string(), partitions: z.array(z.int()) });
export type TopicPartitions = z.infer<typeof topicPartitions>;

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
export type HeartbeatBody = z.infer<typeof heartbeatBody>;

export const offsetCommit = z.strictObject({
  topic: z.string(),
  partition: z.int(),
  offset: z.int(),
  metadata: z.optional(z.string()),
});
export type OffsetCommit = z.infer<typeof offsetCommit>;

export const commitBody = z.strictObject({
  memberId: z.string(),
  memberEpoch: z.int(),
  offsets: z.array(offsetCommit),
});

export const position = z.strictObject({ topic: z.string(), partition: z.int(), offset: z.int() });
export type Position = z.infer<typeof position>;

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
export type PollBody = z.infer<typeof pollBody>;

export const resetOffsetsBody = z.strictObject({
  topic: z.string(),
  /** Default: every partition of the topic. */
  partitions: z.optional(z.array(z.int())),
  to: z.union([z.enum(['earliest', 'latest']), z.strictObject({ timestamp: z.int() }), z.strictObject({ offset: z.int() })]),
});
export type ResetOffsetsBody = z.infer<typeof resetOffsetsBody>;

/**
 * zod/mini schemas of the consumer-group responses (see ./response-schemas.ts),
 * each asserted at compile time to infer exactly its interface in ./responses.ts.
 */
import * as z from 'zod/mini';
import { errorBody, isoDateTime, itemErrorCode, nonNegative, fetchedRecordFields, type Equal } from './response-schemas';
import type {
  CommitErrorResponse,
  CommitOffsetResult,
  CommitResponse,
  GroupDescription,
  GroupLag,
  GroupList,
  GroupListing,
  GroupMemberDescription,
  GroupOffsets,
  HeartbeatResponse,
  PartitionLag,
  PollResponse,
  PolledWireRecord,
  ResetOffsetsResponse,
  TopicPartitionOffset,
} from './responses';
import type { TopicPartitions } from './requests';

/** Kafka's consumer-group states (KIP-848), GroupStateName. */
const groupState = () => z.enum(['Empty', 'Assigning', 'Reconciling', 'Stable', 'Dead']);

/** A member epoch: -1 after leaving, otherwise what the server gave (0 only in a join request). */
const memberEpoch = () => z.int().check(z.minimum(-1));

export const topicPartitionsOut = z.strictObject({ topic: z.string(), partitions: z.array(nonNegative()) });
export const topicPartitionOffset = z.strictObject({ topic: z.string(), partition: nonNegative(), offset: nonNegative() });

const heartbeatFields = {
  memberId: z.string(),
  memberEpoch: memberEpoch(),
  assignment: z.array(topicPartitionsOut),
  heartbeatIntervalMs: nonNegative(),
};
export const heartbeatResponse = z.strictObject(heartbeatFields);

export const committedItem = z.strictObject({ topic: z.string(), partition: z.int(), offset: z.int() });
export const failedCommit = z.strictObject({
  topic: z.string(),
  partition: z.int(),
  error: z.strictObject({ code: itemErrorCode, message: z.string(), retriable: z.boolean() }),
});
export const commitOffsetResult = z.union([committedItem, failedCommit]);

export const polledRecord = z.strictObject({ topic: z.string(), partition: nonNegative(), ...fetchedRecordFields });

export const pollResponse = z.strictObject({
  ...heartbeatFields,
  records: z.array(polledRecord),
  positions: z.array(topicPartitionOffset),
  topicIds: z.record(z.string(), z.string()),
  commits: z.optional(z.array(commitOffsetResult)),
});

export const commitResponse = z.strictObject({ offsets: z.array(commitOffsetResult) });
export const commitErrorResponse = z.strictObject({ error: errorBody, offsets: z.optional(z.array(commitOffsetResult)) });

export const groupListing = z.strictObject({ group: z.string(), members: nonNegative(), state: groupState() });
export const groupList = z.strictObject({ groups: z.array(groupListing) });

export const groupMemberDescription = z.strictObject({
  memberId: z.string(),
  memberEpoch: memberEpoch(),
  topics: z.array(z.string()),
  assignment: z.array(topicPartitionsOut),
  target: z.array(topicPartitionsOut),
  revoking: z.array(topicPartitionsOut),
  lastHeartbeat: isoDateTime(),
  sessionTimeoutMs: nonNegative(),
  expired: z.boolean(),
});
export const groupDescription = z.strictObject({
  group: z.string(),
  state: groupState(),
  epoch: nonNegative(),
  members: z.array(groupMemberDescription),
});

export const groupOffsets = z.strictObject({
  group: z.string(),
  offsets: z.array(
    z.strictObject({
      topic: z.string(),
      partition: nonNegative(),
      offset: nonNegative(),
      metadata: z.string(),
      committedAt: isoDateTime(),
      owner: z.optional(z.string()),
    }),
  ),
});

export const resetOffsetsResponse = z.strictObject({ group: z.string(), offsets: z.array(topicPartitionOffset) });

export const partitionLag = z.strictObject({
  topic: z.string(),
  partition: nonNegative(),
  committedOffset: z.nullable(nonNegative()),
  logStartOffset: nonNegative(),
  highWatermark: nonNegative(),
  lag: nonNegative(),
});
export const groupLag = z.strictObject({ group: z.string(), partitions: z.array(partitionLag), totalLag: nonNegative() });

// Compile-time: each schema infers exactly the SDK's wire type.
const _checks: {
  topicPartitions: Equal<z.infer<typeof topicPartitionsOut>, TopicPartitions>;
  topicPartitionOffset: Equal<z.infer<typeof topicPartitionOffset>, TopicPartitionOffset>;
  heartbeatResponse: Equal<z.infer<typeof heartbeatResponse>, HeartbeatResponse>;
  commitOffsetResult: Equal<z.infer<typeof commitOffsetResult>, CommitOffsetResult>;
  polledRecord: Equal<z.infer<typeof polledRecord>, PolledWireRecord>;
  pollResponse: Equal<z.infer<typeof pollResponse>, PollResponse>;
  commitResponse: Equal<z.infer<typeof commitResponse>, CommitResponse>;
  commitErrorResponse: Equal<z.infer<typeof commitErrorResponse>, CommitErrorResponse>;
  groupListing: Equal<z.infer<typeof groupListing>, GroupListing>;
  groupList: Equal<z.infer<typeof groupList>, GroupList>;
  groupMemberDescription: Equal<z.infer<typeof groupMemberDescription>, GroupMemberDescription>;
  groupDescription: Equal<z.infer<typeof groupDescription>, GroupDescription>;
  groupOffsets: Equal<z.infer<typeof groupOffsets>, GroupOffsets>;
  resetOffsetsResponse: Equal<z.infer<typeof resetOffsetsResponse>, ResetOffsetsResponse>;
  partitionLag: Equal<z.infer<typeof partitionLag>, PartitionLag>;
  groupLag: Equal<z.infer<typeof groupLag>, GroupLag>;
} = {
  topicPartitions: true,
  topicPartitionOffset: true,
  heartbeatResponse: true,
  commitOffsetResult: true,
  polledRecord: true,
  pollResponse: true,
  commitResponse: true,
  commitErrorResponse: true,
  groupListing: true,
  groupList: true,
  groupMemberDescription: true,
  groupDescription: true,
  groupOffsets: true,
  resetOffsetsResponse: true,
  partitionLag: true,
  groupLag: true,
};
void _checks;

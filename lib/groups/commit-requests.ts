/**
 * The request that commits one offset (commit.ts): a conditional update of
 * the partition's commit item, which also holds its ownership lease.
 * Behaviour: lands only from the lease's owner, in an epoch of its live
 * incarnation no older than the grant: `owner = memberId AND joinEpoch ≤
 * ownerEpoch ≤ memberEpoch`; a refusal returns the item (ALL_OLD) to tell a
 * stale epoch from a lost partition. Pure: unit-tested in
 * test/unit/builder-requests.test.ts; the checker's self-test swaps it
 * (lib/builders.ts) for one whose condition always holds.
 * Errors/Cost: those of the update (1 WRU).
 */
import type { UpdateCommandInput } from '@aws-sdk/lib-dynamodb';
import { metaKeys } from '../storage/keys';

export interface CommitWrite {
  group: string;
  topicId: string;
  partition: number;
  offset: number;
  metadata: string;
  now: number;
  memberId: string;
  memberEpoch: number;
  joinEpoch: number;
}

export function commitUpdate(table: string, c: CommitWrite): UpdateCommandInput {
  return {
    TableName: table,
    Key: metaKeys.commit(c.group, c.topicId, c.partition),
    UpdateExpression: 'SET #offset = :o, metadata = :md, committedAt = :now, commitEpoch = :e',
    ConditionExpression: '#owner = :m AND ownerEpoch BETWEEN :join AND :e',
    ExpressionAttributeNames: { '#offset': 'offset', '#owner': 'owner' },
    ExpressionAttributeValues: { ':o': c.offset, ':md': c.metadata, ':now': c.now, ':e': c.memberEpoch, ':join': c.joinEpoch, ':m': c.memberId },
    ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
  };
}

/**
 * Key builders for every item in lib/storage/schema.ts. Pure functions: unit
 * tests assert the exact keys without a database.
 */

export const COUNTER_SK = -1;

export const metaKeys = {
  topicRegistryPk: 'topics',
  topic: (name: string) => ({ pk: 'topics', sk: name }),
  producerIdCounter: () => ({ pk: 'producers', sk: 'next' }),
  producer: (producerId: string) => ({ pk: 'producers', sk: `id#${producerId}` }),
  producerState: (topicId: string, partition: number, producerId: string) => ({
    pk: `pstate#${topicId}#${partition}`,
    sk: producerId,
  }),
  apiKeyPk: 'apikeys',
  apiKey: (keyId: string) => ({ pk: 'apikeys', sk: keyId }),
  aclPk: 'acls',
  acl: (aclId: string) => ({ pk: 'acls', sk: aclId }),
  groupRegistryPk: 'groups',
  groupRegistry: (group: string) => ({ pk: 'groups', sk: group }),
  groupPk: (group: string) => `group#${group}`,
  group: (group: string) => ({ pk: `group#${group}`, sk: 'group' }),
  member: (group: string, memberId: string) => ({ pk: `group#${group}`, sk: `member#${memberId}` }),
  /** The highest epoch any removed incarnation of a member id held (lib/groups/incarnation.ts). */
  retiredMember: (group: string, memberId: string) => ({ pk: `group#${group}`, sk: `retired#${memberId}` }),
  commit: (group: string, topicId: string, partition: number) => ({
    pk: `group#${group}`,
    sk: `commit#${topicId}#${partition}`,
  }),
};

export const logKeys = {
  partitionPk: (topicId: string, partition: number) => `${topicId}#${partition}`,
  counter: (topicId: string, partition: number) => ({ pk: `${topicId}#${partition}`, sk: COUNTER_SK }),
  batch: (topicId: string, partition: number, seq: number) => ({ pk: `${topicId}#${partition}`, sk: seq }),
};

/** Chunks of a batch too large for one item live beside the partition, keyed by seq and index. */
export const MAX_CHUNKS_PER_BATCH = 256;
export const chunkKeys = {
  pk: (partitionPk: string) => `${partitionPk}#chunks`,
  chunk: (partitionPk: string, seq: number, index: number) => ({
    pk: `${partitionPk}#chunks`,
    sk: seq * MAX_CHUNKS_PER_BATCH + index,
  }),
};

/** Reservation-time checkpoints (lib/log/counter.ts), beside the partition: sk = the checkpointed seq. */
export const checkpointKeys = {
  pk: (partitionPk: string) => `${partitionPk}#cp`,
  checkpoint: (partitionPk: string, seq: number) => ({ pk: `${partitionPk}#cp`, sk: seq }),
};

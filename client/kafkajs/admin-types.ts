/** The admin's public types, in KafkaJS 2.2's shapes (see types.ts, which re-exports them). */
import type { Buffer } from 'node:buffer';
import type { PartitionMetadata } from './types';

export interface ITopicConfig {
  topic: string;
  numPartitions?: number;
  replicationFactor?: number;
  replicaAssignment?: { partition: number; replicas: number[] }[];
  configEntries?: { name: string; value: string }[];
}

export interface ITopicPartitionConfig {
  topic: string;
  count: number;
  assignments?: number[][];
}

export interface ITopicMetadata {
  name: string;
  partitions: PartitionMetadata[];
}

export type ConsumerGroupState = 'Unknown' | 'PreparingRebalance' | 'CompletingRebalance' | 'Stable' | 'Dead' | 'Empty';

export interface MemberDescription {
  clientHost: string;
  clientId: string;
  memberId: string;
  /** Kafka's ConsumerProtocol assignment bytes (KafkaJS's AssignerProtocol.MemberAssignment decodes them). */
  memberAssignment: Buffer;
  /** Kafka's ConsumerProtocol subscription bytes (AssignerProtocol.MemberMetadata). */
  memberMetadata: Buffer;
}

export interface GroupDescription {
  groupId: string;
  members: MemberDescription[];
  protocol: string;
  protocolType: string;
  state: ConsumerGroupState;
}

export interface GroupDescriptions {
  groups: GroupDescription[];
}

export interface GroupOverview {
  groupId: string;
  protocolType: string;
}


/**
 * Consumer groups as KafkaJS describes them. Members carry Kafka's
 * ConsumerProtocol bytes (subscription and assignment, version 0), so code
 * that decodes them with KafkaJS's AssignerProtocol keeps working.
 */
import { Buffer } from 'node:buffer';
import { NotFoundError, type Samsa } from '../index';
import type { ConsumerGroupState, GroupDescription } from './types';

/** Samsa's KIP-848 group states in the classic protocol's names KafkaJS knows. */
const GROUP_STATES: Record<string, ConsumerGroupState> = {
  Empty: 'Empty',
  Assigning: 'PreparingRebalance',
  Reconciling: 'CompletingRebalance',
  Stable: 'Stable',
  Dead: 'Dead',
};

/** A group as KafkaJS describes it; an unknown group is 'Dead' without members, as Kafka answers. */
export async function describeGroup(samsa: Samsa, groupId: string): Promise<GroupDescription> {
  let described;
  try {
    described = await samsa.groups.describe(groupId);
  } catch (err) {
    if (err instanceof NotFoundError) return { groupId, members: [], protocol: '', protocolType: 'consumer', state: 'Dead' };
    throw err;
  }
  const state = GROUP_STATES[described.state] ?? 'Unknown';
  return {
    groupId,
    protocol: 'uniform',
    protocolType: 'consumer',
    state,
    members: described.members.map((m) => ({
      memberId: m.memberId,
      // The facade's member ids are `${clientId}-${uuid}`, as KafkaJS's.
      clientId: m.memberId.replace(/-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/, ''),
      clientHost: '',
      memberMetadata: encodeSubscription(m.topics),
      memberAssignment: encodeAssignment(m.assignment),
    })),
  };
}

/** Kafka's ConsumerProtocol subscription v0: int16 version, [string] topics, bytes userData. */
function encodeSubscription(topics: string[]): Buffer {
  return Buffer.concat([int16(0), int32(topics.length), ...topics.map(kafkaString), int32(0)]);
}

/** Kafka's ConsumerProtocol assignment v0: int16 version, [string topic, [int32] partitions], bytes userData. */
function encodeAssignment(assignment: { topic: string; partitions: number[] }[]): Buffer {
  const topics = assignment.map(({ topic, partitions }) => Buffer.concat([kafkaString(topic), int32(partitions.length), ...partitions.map(int32)]));
  return Buffer.concat([int16(0), int32(assignment.length), ...topics, int32(0)]);
}

function kafkaString(text: string): Buffer {
  const bytes = Buffer.from(text, 'utf8');
  return Buffer.concat([int16(bytes.length), bytes]);
}

function int16(n: number): Buffer {
  const b = Buffer.alloc(2);
  b.writeInt16BE(n);
  return b;
}

function int32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n);
  return b;
}

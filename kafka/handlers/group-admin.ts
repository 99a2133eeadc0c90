/**
 * ListGroups, DescribeGroups and DeleteGroups over lib/groups: Kafka
 * groups and HTTP groups are the same groups. Samsa's KIP-848 states map to
 * the classic ones (Assigning → PreparingRebalance, Reconciling →
 * CompletingRebalance); a member's metadata and assignment are encoded as
 * the consumer protocol's subscription and assignment, so admin tools can
 * read them. Samsa does not keep client ids or hosts: those are empty.
 */
import { deleteGroup } from '../../lib/groups/delete';
import { describeGroup } from '../../lib/groups/describe';
import { listGroups } from '../../lib/groups/list';
import { isSamsaError } from '../../lib/errors';
import type { GroupStateName } from '../../lib/protocol/responses';
import type { ApiHandler } from '../api';
import { KafkaError, kafkaCode } from '../errors';
import { encodeMessage, type KStruct } from '../protocol/codec';
import { schema } from '../protocol/schema';
import { Writer } from '../protocol/wire';
import { encodeAssignment } from './groups';

const CLASSIC_STATE: Record<GroupStateName, string> = {
  Empty: 'Empty',
  Assigning: 'PreparingRebalance',
  Reconciling: 'CompletingRebalance',
  Stable: 'Stable',
  Dead: 'Dead',
};
const OPS_OMITTED = -2147483648;

export const listGroupsApi: ApiHandler = {
  key: 16,
  name: 'ListGroups',
  min: 0,
  max: 4,
  async handle(g, s, req) {
    const filter = (req.statesFilter as string[]).map((f) => f.toLowerCase());
    try {
      const groups = (await listGroups(g.lib, s.principal))
        .map((l) => ({ groupId: l.group, protocolType: 'consumer', groupState: CLASSIC_STATE[l.state] }))
        .filter((l) => filter.length === 0 || filter.includes(l.groupState.toLowerCase()));
      return { throttleTimeMs: 0, errorCode: KafkaError.NONE, groups };
    } catch (err) {
      return { throttleTimeMs: 0, errorCode: kafkaCode(err, 'cluster'), groups: [] };
    }
  },
};

export const describeGroupsApi: ApiHandler = {
  key: 15,
  name: 'DescribeGroups',
  min: 0,
  max: 5,
  async handle(g, s, req) {
    const groups = await Promise.all(
      (req.groups as string[]).map(async (groupId): Promise<KStruct> => {
        const base = { groupId, protocolType: 'consumer', protocolData: '', members: [] as KStruct[], authorizedOperations: OPS_OMITTED };
        try {
          const d = await describeGroup(g.lib, s.principal, groupId);
          const members = d.members
            .filter((m) => !m.expired)
            .map((m) => ({
              memberId: m.memberId,
              groupInstanceId: null,
              clientId: '',
              clientHost: '',
              memberMetadata: subscription(m.topics),
              memberAssignment: encodeAssignment(m.assignment),
            }));
          return { ...base, errorCode: KafkaError.NONE, groupState: CLASSIC_STATE[d.state], protocolData: members.length > 0 ? 'samsa' : '', members };
        } catch (err) {
          // Kafka describes a group that does not exist as Dead, without an error.
          if (isSamsaError(err) && err.code === 'GROUP_ID_NOT_FOUND') return { ...base, errorCode: KafkaError.NONE, groupState: 'Dead', protocolType: '' };
          return { ...base, errorCode: kafkaCode(err, 'group'), groupState: '' };
        }
      }),
    );
    return { throttleTimeMs: 0, groups };
  },
};

export const deleteGroupsApi: ApiHandler = {
  key: 42,
  name: 'DeleteGroups',
  min: 0,
  max: 2,
  async handle(g, s, req) {
    const results = await Promise.all(
      (req.groupsNames as string[]).map(async (groupId) => {
        try {
          await deleteGroup(g.lib, s.principal, groupId);
          return { groupId, errorCode: KafkaError.NONE };
        } catch (err) {
          return { groupId, errorCode: kafkaCode(err, 'group') };
        }
      }),
    );
    return { throttleTimeMs: 0, results };
  },
};

function subscription(topics: string[]): Buffer {
  const w = new Writer().int16(0);
  encodeMessage(schema('ConsumerProtocolSubscription'), 0, { topics, userData: null }, w);
  return w.toBuffer();
}

/** Consumer-group admin: `client.groups.*`. Members join through `client.consumer()`. */
import type { ResetOffsetsBody, ResetTarget, TopicPartitions } from '../lib/protocol/requests';
import type {
  GroupCommittedOffset,
  GroupDescription,
  GroupLag,
  GroupList,
  GroupListing,
  GroupOffsets,
  ResetOffsetsResponse,
  TopicPartitionOffset,
} from '../lib/protocol/responses';
import { route, type HttpClient } from './http';
import { checkFields, describe, invalid, isPlainObject } from './validate';

export type { ResetTarget, TopicPartitions };

export type { GroupDescription, GroupLag, GroupListing, GroupMemberDescription, PartitionLag } from '../lib/protocol/responses';

/** A committed offset as the API returns it (lib/protocol/responses.ts). */
export type CommittedOffset = GroupCommittedOffset;

const RESET_FIELDS = { topic: 's!', partitions: 'I', to: 'a!' } satisfies Record<keyof ResetOffsetsBody, string>;

export class Groups {
  constructor(private readonly http: HttpClient) {}

  async list(): Promise<GroupListing[]> {
    return (await this.http.request<GroupList>(route('listGroups'))).groups;
  }

  describe(group: string): Promise<GroupDescription> {
    return this.http.request(route('describeGroup', { group }));
  }

  /** High watermark minus committed offset per partition, and the total. */
  lag(group: string): Promise<GroupLag> {
    return this.http.request(route('groupLag', { group }));
  }

  async offsets(group: string): Promise<CommittedOffset[]> {
    return (await this.http.request<GroupOffsets>(route('groupOffsets', { group }))).offsets;
  }

  /** Moves a topic's committed offsets (all partitions unless given); only while the group has no live members. */
  async resetOffsets(group: string, options: ResetOffsetsBody): Promise<TopicPartitionOffset[]> {
    const { to } = checkFields(options, RESET_FIELDS, 'groups.resetOffsets(group, options)');
    // One target: { timestamp, offset } would be read as one of them.
    if (to !== 'earliest' && to !== 'latest' && !(isPlainObject(to) && Object.keys(to).length === 1 && checkFields(to, { timestamp: 'i', offset: 'i' }, 'options.to'))) {
      throw invalid(`Invalid to in groups.resetOffsets(group, options): 'earliest', 'latest', { timestamp } or { offset }; got ${describe(to)}.`);
    }
    const body = await this.http.request<ResetOffsetsResponse>({
      ...route('resetGroupOffsets', { group }),
      body: options,
      idempotent: true,
    });
    return body.offsets;
  }

  /** Deletes the group and its commits; only while it has no live members. */
  async delete(group: string): Promise<void> {
    await this.http.request(route('deleteGroup', { group }));
  }

  /** Removes a member (its partitions go to the others at their next heartbeat). */
  async removeMember(group: string, memberId: string): Promise<void> {
    await this.http.request(route('removeGroupMember', { group, member: memberId }));
  }
}

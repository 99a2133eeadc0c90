/** Consumer-group admin: `client.groups.*`. Members join through `client.consumer()`. */
import type { TopicPartitions } from '../lib/protocol/groups';
import type { GroupCommittedOffset, GroupDescription, GroupListing, PartitionLag } from '../lib/protocol/responses';
import { path, type HttpClient } from './http';

export type { TopicPartitions };

export type { GroupDescription, GroupListing, GroupMemberDescription, PartitionLag } from '../lib/protocol/responses';

export interface GroupLag {
  group: string;
  partitions: PartitionLag[];
  totalLag: number;
}

/** A committed offset as the API returns it (lib/protocol/responses.ts). */
export type CommittedOffset = GroupCommittedOffset;

export type ResetTarget = 'earliest' | 'latest' | { offset: number } | { timestamp: number };

export class Groups {
  constructor(private readonly http: HttpClient) {}

  async list(): Promise<GroupListing[]> {
    return (await this.http.request<{ groups: GroupListing[] }>({ method: 'GET', path: '/v1/groups' })).groups;
  }

  describe(group: string): Promise<GroupDescription> {
    return this.http.request({ method: 'GET', path: path`/v1/groups/${group}` });
  }

  /** High watermark minus committed offset per partition, and the total. */
  lag(group: string): Promise<GroupLag> {
    return this.http.request({ method: 'GET', path: path`/v1/groups/${group}/lag` });
  }

  async offsets(group: string): Promise<CommittedOffset[]> {
    return (await this.http.request<{ offsets: CommittedOffset[] }>({ method: 'GET', path: path`/v1/groups/${group}/offsets` })).offsets;
  }

  /** Moves a topic's committed offsets (all partitions unless given); only while the group has no live members. */
  async resetOffsets(
    group: string,
    options: { topic: string; partitions?: number[]; to: ResetTarget },
  ): Promise<{ topic: string; partition: number; offset: number }[]> {
    const body = await this.http.request<{ offsets: { topic: string; partition: number; offset: number }[] }>({
      method: 'POST',
      path: path`/v1/groups/${group}/offsets/reset`,
      body: options,
      idempotent: true,
    });
    return body.offsets;
  }

  /** Deletes the group and its commits; only while it has no live members. */
  async delete(group: string): Promise<void> {
    await this.http.request({ method: 'DELETE', path: path`/v1/groups/${group}` });
  }

  /** Removes a member (its partitions go to the others at their next heartbeat). */
  async removeMember(group: string, memberId: string): Promise<void> {
    await this.http.request({ method: 'DELETE', path: path`/v1/groups/${group}/members/${memberId}` });
  }
}

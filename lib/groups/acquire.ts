/**
 * Taking partitions for a member: which ownership leases it may take now.
 * Behaviour:
 * - A lease is taken when it is free, already names this member id (a
 *   re-join re-takes its own leases under the new epoch), names a member
 *   that is gone (no member item; one past its timeouts is removed first,
 *   so a partition is never taken from a member still in the group), or names a
 *   live member id at an epoch below that member's joinEpoch — a leftover of
 *   an earlier incarnation (incarnation.ts), which the live one never holds.
 * - A lease held by a live member stays pending: the partition is handed
 *   over only after that member stops reporting it as owned and releases it.
 * - Every take is a compare-and-set on exactly what was judged: the owner
 *   and the epoch seen. A previous owner that comes back (re-joins and
 *   re-takes) changes the epoch, so it is never robbed; a lease re-taken by
 *   the same member id needs an epoch at least the lease's, so a zombie of an
 *   earlier incarnation can never take back what the live one holds.
 * - Every lease is judged before any is taken. A caller that did not read
 *   the members (a heartbeat between sweeps, sweep.ts) passes
 *   `stopOnRemoval`: when judging removed a timed-out owner, nothing is
 *   taken and MembershipChanged is thrown, so the heartbeat recomputes the
 *   target without that member first.
 * Cost: 1 strong BatchGetItem of the leases asked for; 1 strong GetItem per
 * owner missing from `live` (once per owner); 1 conditional write per lease
 * taken.
 */
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { LibContext } from '../context';
import { metaKeys } from '../storage/keys';
import { parsePartitionKey, type PartitionKey } from './assign';
import { acquireLease, readLeases, type LeaseExpectation } from './leases';
import { removeMember } from './membership';
import { memberFromItem, timedOut, type MemberItem } from './state';

/** Judging removed a member: the target still names it. */
export class MembershipChanged extends Error {}

/** Returns the keys whose leases `memberId` now holds at `epoch`; the rest stay pending. */
export async function acquire(
  ctx: LibContext,
  group: string,
  keys: PartitionKey[],
  topicNames: Map<string, string>,
  memberId: string,
  epoch: number,
  live: Map<string, MemberItem>,
  opts: { stopOnRemoval?: boolean } = {},
): Promise<PartitionKey[]> {
  if (keys.length === 0) return [];
  const leases = await readLeases(ctx, group, keys);
  const owners = new Owners(ctx, group, live);
  const judged = await Promise.all(
    keys.map(async (key) => {
      const lease = leases.get(key);
      return { key, expected: await judge(memberId, lease?.owner, lease?.ownerEpoch, owners) };
    }),
  );
  if (opts.stopOnRemoval && owners.removed) throw new MembershipChanged();
  const acquired = await Promise.all(
    judged.map(async ({ key, expected }) => {
      if (expected === undefined) return undefined;
      const topic = topicNames.get(parsePartitionKey(key).topicId) ?? '';
      return (await acquireLease(ctx, group, key, topic, memberId, epoch, expected)) ? key : undefined;
    }),
  );
  return acquired.filter((k): k is PartitionKey => k !== undefined);
}

/** The owners of the leases being judged: from `live`, else read once each (and removed once if timed out). */
class Owners {
  removed = false;
  private readonly read = new Map<string, Promise<MemberItem | undefined>>();

  constructor(
    private readonly ctx: LibContext,
    private readonly group: string,
    private readonly live: Map<string, MemberItem>,
  ) {}

  get(memberId: string): Promise<MemberItem | undefined> {
    const known = this.live.get(memberId);
    if (known !== undefined) return Promise.resolve(known);
    let found = this.read.get(memberId);
    if (found === undefined) this.read.set(memberId, (found = this.liveMember(memberId)));
    return found;
  }

  /**
   * The member right now if it is live (strong read of its member item). A timed-out member is removed
   * first (membership.ts), so its lease is never taken while its item says it is in the group: if it
   * heartbeats meanwhile, the removal fails and it counts as live.
   */
  private async liveMember(memberId: string): Promise<MemberItem | undefined> {
    const out = await this.ctx.ddb.send(
      new GetCommand({ TableName: this.ctx.tables.meta, Key: metaKeys.member(this.group, memberId), ConsistentRead: true }),
    );
    if (out.Item === undefined) return undefined;
    const member = memberFromItem(out.Item);
    if (timedOut(member, this.ctx.clock.now()) && (await removeMember(this.ctx, this.group, member))) {
      this.removed = true;
      return undefined;
    }
    return member;
  }
}

/** What the lease must still hold for the take to be right; undefined when it is a live member's. */
async function judge(memberId: string, owner: string | undefined, ownerEpoch: number | undefined, owners: Owners): Promise<LeaseExpectation | undefined> {
  if (owner === undefined) return { kind: 'free' };
  if (owner === memberId) return { kind: 'mine' };
  // An owner missing from `live` may have joined after this heartbeat read the members (two joins
  // at once, e.g. when an outage releases held requests together): look again before taking its lease.
  const holder = await owners.get(owner);
  const seenEpoch = ownerEpoch ?? 0;
  if (holder !== undefined && seenEpoch >= holder.joinEpoch) return undefined;
  return { kind: 'other', owner, epoch: seenEpoch };
}

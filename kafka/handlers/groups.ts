/**
 * The classic group protocol (JoinGroup, SyncGroup, Heartbeat, LeaveGroup)
 * mapped onto Samsa's KIP-848 groups (lib/groups/heartbeat.ts), so a Kafka
 * consumer is an ordinary Samsa member: the HTTP API, CLI and console see it,
 * its lag and its commits.
 *
 * Samsa assigns partitions on the server. So no client is ever elected
 * leader: JoinGroup names no leader and no members, every client syncs as a
 * follower, and SyncGroup hands each one what Samsa assigned it.
 * - JoinGroup: a Samsa join (member epoch 0: a new incarnation, fencing
 *   every older generation's commits) with the topics of the client's
 *   subscription. The generation is the member epoch it got.
 * - SyncGroup: that join's assignment, as a ConsumerProtocolAssignment.
 * - Heartbeat: a Samsa heartbeat that reports the generation's assignment as
 *   owned (an eager client processes it until it rejoins). When Samsa moves
 *   the member to a new epoch (its target changed, or it took over partitions
 *   another member released), the answer is REBALANCE_IN_PROGRESS and the
 *   client rejoins to get its new assignment.
 * - LeaveGroup: a Samsa leave (epoch -1).
 * What JoinGroup decided is cached on the connection; a member that sends
 * SyncGroup or Heartbeat on another connection (a reconnect, another
 * instance, a restarted one) gets REBALANCE_IN_PROGRESS and rejoins under
 * the same member id, taking its own partitions back at once; so no state is
 * shared between instances.
 * Not supported: static membership (group.instance.id is ignored), and
 * client-side assignors (the protocol name is echoed, the assignment is Samsa's).
 */
import { randomUUID } from 'node:crypto';
import { heartbeat, type HeartbeatResult } from '../../lib/groups/heartbeat';
import { toSamsaError } from '../../lib/errors';
import type { ApiHandler, ClassicMember, Gateway, Session } from '../api';
import { KafkaError, kafkaCode } from '../errors';
import { decodeMessage, encodeMessage, type KStruct } from '../protocol/codec';
import { schema } from '../protocol/schema';
import { Reader, Writer } from '../protocol/wire';

const MEMBER_ID = /^[A-Za-z0-9._:-]{1,64}$/;

export const joinGroup: ApiHandler = {
  key: 11,
  name: 'JoinGroup',
  min: 0,
  max: 9,
  async handle(g, s, req, version) {
    const protocols = req.protocols as KStruct[];
    const fail = (errorCode: number, memberId = req.memberId as string): KStruct => ({
      throttleTimeMs: 0,
      errorCode,
      generationId: -1,
      protocolType: req.protocolType,
      protocolName: version >= 7 ? null : '',
      leader: '',
      memberId,
      members: [],
    });
    if (req.protocolType !== 'consumer' || protocols.length === 0) return fail(KafkaError.INCONSISTENT_GROUP_PROTOCOL);
    let topics: string[];
    try {
      topics = subscribedTopics(protocols[0]!.metadata as Buffer);
    } catch {
      return fail(KafkaError.INCONSISTENT_GROUP_PROTOCOL);
    }
    const memberId = (req.memberId as string) === '' ? newMemberId(s.clientId) : (req.memberId as string);
    if (!MEMBER_ID.test(memberId)) return fail(KafkaError.UNKNOWN_MEMBER_ID);
    const sessionTimeoutMs = req.sessionTimeoutMs as number;
    const rebalanceTimeoutMs = version >= 1 ? (req.rebalanceTimeoutMs as number) : sessionTimeoutMs;
    let hb: HeartbeatResult;
    try {
      hb = await heartbeat(g.lib, s.principal, req.groupId, { memberId, memberEpoch: 0, topics, sessionTimeoutMs, rebalanceTimeoutMs });
    } catch (err) {
      const e = toSamsaError(err);
      const timeout = e.code === 'INVALID_REQUEST' && /timeout/i.test(e.message);
      return fail(timeout ? KafkaError.INVALID_SESSION_TIMEOUT : kafkaCode(e, 'group'), memberId);
    }
    const protocolName = protocols[0]!.name as string;
    s.members.set(memberId, {
      group: req.groupId,
      generation: hb.memberEpoch,
      epoch: hb.memberEpoch,
      topics,
      sessionTimeoutMs,
      rebalanceTimeoutMs,
      protocolName,
      assignment: hb.assignment,
    });
    return { throttleTimeMs: 0, errorCode: KafkaError.NONE, generationId: hb.memberEpoch, protocolType: 'consumer', protocolName, leader: '', skipAssignment: false, memberId, members: [] };
  },
};

export const syncGroup: ApiHandler = {
  key: 14,
  name: 'SyncGroup',
  min: 0,
  max: 5,
  async handle(_g, s, req) {
    const m = s.members.get(req.memberId);
    const base = { throttleTimeMs: 0, protocolType: 'consumer', protocolName: m?.protocolName ?? null };
    const refused = check(m, req.groupId, req.generationId);
    if (refused !== KafkaError.NONE) return { ...base, errorCode: refused, assignment: Buffer.alloc(0) };
    return { ...base, errorCode: KafkaError.NONE, assignment: encodeAssignment(m!.assignment) };
  },
};

export const heartbeatApi: ApiHandler = {
  key: 12,
  name: 'Heartbeat',
  min: 0,
  max: 4,
  async handle(g, s, req) {
    const m = s.members.get(req.memberId);
    const refused = check(m, req.groupId, req.generationId);
    if (refused !== KafkaError.NONE) return { throttleTimeMs: 0, errorCode: refused };
    return { throttleTimeMs: 0, errorCode: await beat(g, s, req.memberId, m!) };
  },
};

export const leaveGroup: ApiHandler = {
  key: 13,
  name: 'LeaveGroup',
  min: 0,
  max: 5,
  async handle(g, s, req, version) {
    const ids: string[] = version >= 3 ? (req.members as KStruct[]).map((m) => m.memberId as string) : [req.memberId as string];
    const results = await Promise.all(
      ids.map(async (memberId) => {
        s.members.delete(memberId);
        try {
          await heartbeat(g.lib, s.principal, req.groupId, { memberId, memberEpoch: -1 });
          return { memberId, groupInstanceId: null, errorCode: KafkaError.NONE };
        } catch (err) {
          return { memberId, groupInstanceId: null, errorCode: kafkaCode(err, 'group') };
        }
      }),
    );
    const errorCode = version < 3 ? results[0]!.errorCode : KafkaError.NONE;
    return { throttleTimeMs: 0, errorCode, members: results };
  },
};

/**
 * NONE when the request's member and generation are the ones this connection joined, else the
 * error that makes the client rejoin: REBALANCE_IN_PROGRESS keeps its member id (UNKNOWN_MEMBER_ID
 * would make it join as a new member while the old one holds its partitions until it expires).
 */
function check(m: ClassicMember | undefined, group: string, generation: number): number {
  if (m === undefined || m.group !== group) return KafkaError.REBALANCE_IN_PROGRESS;
  if (generation !== m.generation) return KafkaError.ILLEGAL_GENERATION;
  return KafkaError.NONE;
}

async function beat(g: Gateway, s: Session, memberId: string, m: ClassicMember): Promise<number> {
  try {
    const hb = await heartbeat(g.lib, s.principal, m.group, {
      memberId,
      memberEpoch: m.epoch,
      topics: m.topics,
      // An eager client keeps processing its generation's partitions until it rejoins.
      owned: m.assignment,
      sessionTimeoutMs: m.sessionTimeoutMs,
      rebalanceTimeoutMs: m.rebalanceTimeoutMs,
    });
    m.epoch = hb.memberEpoch;
    return hb.memberEpoch === m.generation ? KafkaError.NONE : KafkaError.REBALANCE_IN_PROGRESS;
  } catch (err) {
    const e = toSamsaError(err);
    if (e.code === 'UNKNOWN_MEMBER_ID' || e.code === 'FENCED_MEMBER_EPOCH') {
      s.members.delete(memberId);
      return KafkaError.UNKNOWN_MEMBER_ID;
    }
    return kafkaCode(e, 'group');
  }
}

/** A client id made safe for Samsa's member ids, then a UUID, as Kafka's own coordinators form them. */
function newMemberId(clientId: string | null): string {
  const prefix = (clientId ?? '').replace(/[^A-Za-z0-9._:-]/g, '').slice(0, 27);
  return `${prefix === '' ? 'kafka' : prefix}-${randomUUID()}`;
}

/** The topics of a ConsumerProtocolSubscription (any version: newer ones only append fields). */
export function subscribedTopics(metadata: Buffer): string[] {
  const r = new Reader(metadata);
  const version = r.int16();
  const spec = schema('ConsumerProtocolSubscription');
  const sub = decodeMessage(spec, Math.min(Math.max(version, 0), spec.valid.max), r);
  return [...new Set(sub.topics as string[])].sort();
}

export function encodeAssignment(assignment: { topic: string; partitions: number[] }[]): Buffer {
  const w = new Writer().int16(0);
  encodeMessage(schema('ConsumerProtocolAssignment'), 0, { assignedPartitions: assignment.map((a) => ({ topic: a.topic, partitions: a.partitions })), userData: null }, w);
  return w.toBuffer();
}

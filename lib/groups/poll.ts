/**
 * Stateless poll: `POST /v1/groups/{group}/poll` — commit, heartbeat and
 * fetch in one call, served by any handler instance.
 * Behaviour: authorizes everything once, then reads the member item once
 * (strongly) for both the commit's fence and the heartbeat. First commits
 * `commit` (so finished work is saved before any revocation); then
 * heartbeats — only from the member item while the heartbeat has nothing
 * to do (heartbeat.ts `steadyAnswer`: same epoch, owns what it holds,
 * liveness not due), else a heartbeat; then fetches the assigned partitions
 * that have new data (fetch-assigned.ts, read-plan.ts) from the position
 * the client sent, else the committed offset, else `offsetReset` (also
 * when a position fell out of range). With maxWaitMs it waits for data —
 * and for a joining member's assignment — heartbeating as it waits, and
 * returns early when the assignment changes. Each topic is resolved once
 * per request (request-topics.ts); `topicIds` names the incarnation of
 * each topic the records and positions came from.
 * Errors: those of heartbeat and commit (commit errors are reported per
 * offset in `commits`); UNKNOWN_TOPIC_OR_PARTITION for vanished topics is
 * skipped, not fatal.
 * Cost (between heartbeats, no new data): 1 strong GetItem of the member
 * (1 RRU) and one eventually consistent Query of each topic's activity
 * marks (≈ 0.5 RRU per 4 KB, ≈ 240 B per 16 partitions) — no counter, group
 * or topic read once earlier polls saw the partitions caught up
 * (caught-up.ts); a partition is read again (0.5 RRU) for about 2 s after
 * each of its marks. Plus, per partition with new data, one fetch (its
 * topic from the read cache); a heartbeat's cost when one is due; and a
 * small member update (≈ 1 WRU) when new facts let later polls skip more.
 * While waiting: a heartbeat every half heartbeat interval (every step
 * while the member has nothing yet) and the marks Query per step (≤ 1 per
 * second).
 */
import { authorize, type Principal } from '../auth/authorize';
import type { LibContext } from '../context';
import type { PollBody, Position } from '../protocol/groups';
import type { Topic } from '../topics/topic-item';
import { commitAs, type CommitResult } from './commit';
import { partitionKey } from './assign';
import { decodeFacts, encodeFacts, storeFacts } from './caught-up';
import { fetchAssigned, positionId, type PollMemory, type PolledRecord } from './fetch-assigned';
import { beat, heartbeatInput, steadyAnswer, type HeartbeatResult } from './heartbeat';
import { RequestTopics } from './request-topics';
import { livenessWriteEvery, readMember } from './state';

export type { PolledRecord } from './fetch-assigned';

export interface PollResult extends HeartbeatResult {
  records: PolledRecord[];
  positions: Position[];
  /** Topic name → id of the incarnation this answer's records and positions belong to; once per topic, not per record. */
  topicIds: Record<string, string>;
  commits?: CommitResult[];
}

export async function poll(ctx: LibContext, principal: Principal, group: string, req: PollBody): Promise<PollResult> {
  const { positions: sent, commit, maxWaitMs: wait, maxRecords: records, maxBytes: bytes, ...heartbeatBody } = req;
  const input = heartbeatInput(group, heartbeatBody);
  // A poll fetches, which needs read on each topic (Kafka's Fetch), and heartbeats, which needs describe:
  // check them all, once, before the commit or heartbeat changes anything.
  await authorize(ctx.authorizer, principal, 'read', { type: 'group', name: group });
  for (const topic of input.topics) {
    await authorize(ctx.authorizer, principal, 'read', { type: 'topic', name: topic });
    await authorize(ctx.authorizer, principal, 'describe', { type: 'topic', name: topic });
  }
  const topics = new RequestTopics(ctx);
  const maxWaitMs = Math.min(Math.max(wait ?? 0, 0), ctx.limits.maxWaitMs);
  // Bounded by bytes by default, as fetch is (and Kafka's fetch): every poll is a billed request and
  // pays its member and counter reads once, so 500 records a poll paid them eight times per 4,000.
  const budget = {
    maxRecords: Math.min(Math.max(records ?? ctx.limits.maxRecordsPerRequest, 1), ctx.limits.maxRecordsPerRequest),
    maxBytes: Math.min(Math.max(bytes ?? 1024 * 1024, 1), ctx.limits.maxResponseBytes),
  };
  const deadline = ctx.clock.now() + maxWaitMs;

  // The member item, read once and strongly: the commit's fence and the heartbeat's.
  const seen = input.memberEpoch > 0 ? { member: await readMember(ctx, group, input.memberId) } : undefined;
  let commits: CommitResult[] | undefined;
  if (commit !== undefined && commit.length > 0 && seen !== undefined) {
    const authorized = new Map<string, Promise<Topic | undefined>>();
    const topicOf = (name: string) => {
      let found = authorized.get(name);
      if (found === undefined) {
        authorized.set(name, (found = authorize(ctx.authorizer, principal, 'read', { type: 'topic', name }).then(() => topics.current(name))));
      }
      return found;
    };
    commits = await commitAs(ctx, group, input.memberId, input.memberEpoch, commit, seen.member, topicOf);
  }
  // Between heartbeats the member item alone answers; `beatAt`: when its liveness last showed a heartbeat.
  const quiet = steadyAnswer(seen?.member, input, ctx.clock.now());
  let hb = quiet ?? (await beat(ctx, group, input, topics, seen));
  let beatAt = quiet === undefined ? ctx.clock.now() : (seen?.member?.lastHeartbeat ?? 0);

  const positions = new Map((sent ?? []).map((p) => [positionId(p.topic, p.partition), p.offset]));
  const reset = input.offsetReset;
  const first = JSON.stringify(hb.result.assignment);
  // What earlier polls learned about the partitions (caught-up.ts): an idle poll then reads no counter.
  const memory: PollMemory = { facts: decodeFacts(seen?.member?.ck), changed: false };
  let result = await fetchAssigned(ctx, group, topics, hb.result.assignment, hb.topicIds, positions, reset, budget, memory);
  for (let delay = 100; ; delay = Math.min(1_000, delay * 2)) {
    if (result.records.length > 0 || JSON.stringify(hb.result.assignment) !== first || ctx.clock.now() + delay >= deadline) {
      if (memory.changed && hb.result.memberEpoch > 0) {
        const assigned = new Set(hb.result.assignment.flatMap((tp) => tp.partitions.map((p) => partitionKey(hb.topicIds.get(tp.topic) ?? '', p))));
        await storeFacts(ctx, group, input.memberId, hb.result.memberEpoch, encodeFacts(memory.facts, (key) => assigned.has(key)));
      }
      const { pending: _pending, ...fetched } = result;
      return { ...hb.result, ...fetched, ...(commits === undefined ? {} : { commits }) };
    }
    await new Promise((r) => setTimeout(r, delay));
    // Waiting costs little: a heartbeat every half interval (every step while the member has nothing
    // yet, so it picks partitions up as others give them away), and otherwise the marks Query; only
    // partitions whose counter moved (or that a write in progress holds back) are fetched again.
    if (hb.result.assignment.length === 0 || ctx.clock.now() - beatAt >= livenessWriteEvery(input.sessionTimeoutMs)) {
      // The member will own what it is given once it gets the response: heartbeat as that member.
      hb = await beat(ctx, group, { ...input, memberEpoch: hb.result.memberEpoch, owned: hb.result.assignment }, topics);
      beatAt = ctx.clock.now();
    }
    result = await fetchAssigned(ctx, group, topics, hb.result.assignment, hb.topicIds, positions, reset, budget, memory);
  }
}

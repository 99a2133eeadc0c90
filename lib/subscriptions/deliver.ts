/**
 * One delivery run of a push subscription: what the stream trigger, a
 * scheduled retry and the local stack call.
 * Behaviour: claims the subscription's delivery lease (one run at a time, so
 * a partition's batches are posted one after another, in offset order); a
 * run that finds it taken leaves a wake-up and returns, and the holder polls
 * once more before letting go, so no trigger is lost. Then, until nothing is
 * left or the deadline nears (then a wake-up at once hands the rest to the
 * next run: a backlog bigger than one run never waits for the next produce):
 * polls the topic as the subscription's consumer
 * group (member `delivery`, lib/groups/poll.ts: from the committed offsets),
 * and per partition sends the batch (≤ maxRecords, ≤ maxBytes) to the target
 * (send.ts): a signed POST to a webhook or a synchronous invocation of a
 * Lambda function. An acknowledgement (a 2xx; an invocation without a
 * function error) commits past the batch (lib/groups/commit.ts); anything
 * else is a failed attempt: the attempt count, the next
 * attempt time (backoff doubling from retryBackoffMs, at most 15 minutes) and
 * the error are stored before the next run is scheduled, so a crash does not
 * reset them, and the partition waits until then. The attempt that reaches
 * maxAttempts produces the batch to the dead-letter topic (dead-letter.ts)
 * and commits past it. A batch younger than lingerMs with fewer than
 * maxRecords records waits for more (a wake-up at its first record's
 * timestamp + lingerMs). At-least-once: a crash after the receiver's 2xx and
 * before the commit posts the batch again. Aborted records are skipped: a
 * round whose poll moved a position past them without returning a record
 * commits that position, so they never take the budget from the other
 * partitions again.
 * Errors: none thrown for failed sends (they are recorded); storage
 * errors and a refused dead-letter produce propagate, with nothing committed.
 * Cost (per run): lease claim and release (2 small UpdateItems, 2 WRU), one
 * retry-state Query (0.5 RRU), one poll per round (lib/groups/poll.ts) and,
 * per delivered batch, one commit (≈ 1 WRU). A failed attempt adds one
 * PutItem (1 WRU) and one scheduled wake-up. The target's side: send.ts. A round that delivers nothing
 * although a position moved (past aborted records) commits past them: one
 * commit, after a strong Query of the commits (≈ 1 RRU) unless this run
 * committed those partitions itself.
 */
import { randomUUID } from 'node:crypto';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Principal } from '../auth/authorize';
import type { LibContext } from '../context';
import { isSamsaError } from '../errors';
import { commitOffsets } from '../groups/commit';
import type { PolledRecord } from '../groups/fetch-assigned';
import { readCommits } from '../groups/offsets';
import { poll } from '../groups/poll';
import type { Position } from '../protocol/requests';
import { queryAll } from '../storage/query-all';
import { MAX_RETRY_DELAY_MS, type WebhookBody } from '../protocol/subscription-types';
import { asSubscription } from './authorizer';
import { deadLetter, webhookRecord } from './dead-letter';
import {
  claimLeaseRequest,
  decodeRetry,
  decodeSubscription,
  deleteRetryRequest,
  DELIVERY_MEMBER_ID,
  putRetryRequest,
  releaseLeaseRequest,
  retryStatesQuery,
  subscriptionGroup,
  wakeRequest,
  type RetryState,
  type SubscriptionItem,
} from './items';
import type { DeliveryPorts } from './ports';
import { sendBatch } from './send';

/** Members of a subscription's group live an hour between runs, so an idle subscription rarely re-joins. */
const SESSION_TIMEOUT_MS = 3_600_000;
const POST_TIMEOUT_MS = 10_000;
/** Rounds of poll → post → commit per run; a backlog beyond it continues in the run the holder's next wake-up starts. */
const MAX_ROUNDS = 100;

export interface DeliveryReport {
  outcome: 'delivered' | 'busy' | 'paused' | 'missing';
  /** Records acknowledged by the target (webhook or Lambda function) and committed. */
  delivered: number;
  deadLettered: number;
  /** Failed attempts recorded in this run. */
  failures: number;
}

export interface DeliveryOptions {
  /** The run stops starting new batches this close to it (ms since the epoch); the lease lasts a little beyond. */
  deadline: number;
}

/** Backoff before attempt `failed + 1`: retryBackoffMs × 2^(failed − 1), at most 15 minutes. */
export function retryDelay(retryBackoffMs: number, failed: number): number {
  return Math.min(MAX_RETRY_DELAY_MS, retryBackoffMs * 2 ** Math.max(0, failed - 1));
}

export async function deliver(ctx: LibContext, ports: DeliveryPorts, name: string, opts: DeliveryOptions): Promise<DeliveryReport> {
  const report: DeliveryReport = { outcome: 'delivered', delivered: 0, deadLettered: 0, failures: 0 };
  const leaseId = randomUUID();
  let sub: SubscriptionItem;
  try {
    const out = await ctx.ddb.send(new UpdateCommand(claimLeaseRequest(ctx.tables.meta, name, leaseId, ctx.clock.now(), opts.deadline + POST_TIMEOUT_MS)));
    sub = decodeSubscription(out.Attributes ?? {});
  } catch (err) {
    if (!(err instanceof ConditionalCheckFailedException)) throw err;
    // Taken (or gone): leave a wake-up for the holder.
    try {
      await ctx.ddb.send(new UpdateCommand(wakeRequest(ctx.tables.meta, name, ctx.clock.now())));
      return { ...report, outcome: 'busy' };
    } catch (e) {
      if (e instanceof ConditionalCheckFailedException) return { ...report, outcome: 'missing' };
      throw e;
    }
  }
  const run = new Run(asSubscription(ctx, name), ports, sub, opts, report);
  let polledAt = ctx.clock.now();
  try {
    for (let rounds = 0; ; ) {
      polledAt = ctx.clock.now();
      // Out of rounds or time while more may be waiting: the run hands over to a wake-up.
      let outOfTime = false;
      if (sub.state === 'PAUSED') report.outcome = 'paused';
      else {
        for (;;) {
          if (rounds >= MAX_ROUNDS || ctx.clock.now() >= opts.deadline) {
            outOfTime = true;
            break;
          }
          rounds++;
          if (!(await run.round())) break;
        }
      }
      try {
        // Wake-ups are stamped by other instances' clocks: count one up to the tolerated skew before our last poll as after it.
        await ctx.ddb.send(new UpdateCommand(releaseLeaseRequest(ctx.tables.meta, name, leaseId, polledAt - ctx.limits.maxClockSkewMs, run.epoch)));
        if (outOfTime) await ports.scheduler.wakeAt(name, ctx.clock.now());
        return report;
      } catch (err) {
        if (!(err instanceof ConditionalCheckFailedException)) throw err;
        // A wake-up arrived while we ran (or our lease is gone): poll again if it is still ours.
        const fresh = await reclaim(ctx, name, leaseId, opts);
        if (fresh === undefined) return report; // the lease's new holder has the wake-up
        if (ctx.clock.now() >= opts.deadline || rounds >= MAX_ROUNDS) {
          // No time left to serve the wake-up: let go at once and leave it to the next run, which a
          // wake-up starts now — a backlog bigger than one run never waits for the next produce.
          await ctx.ddb.send(new UpdateCommand(releaseLeaseRequest(ctx.tables.meta, name, leaseId, Number.MAX_SAFE_INTEGER, run.epoch)));
          await ports.scheduler.wakeAt(name, ctx.clock.now());
          return report;
        }
        sub = fresh;
        run.sub = fresh;
      }
    }
  } catch (err) {
    // Let the next run start at once rather than after the lease ran out; nothing uncommitted is lost.
    await ctx.ddb.send(new UpdateCommand(releaseLeaseRequest(ctx.tables.meta, name, leaseId, Number.MAX_SAFE_INTEGER, run.epoch))).catch(() => undefined);
    throw err;
  }
}

/** Re-reads the subscription while this run still holds its lease (the state may have changed); undefined when it does not. */
async function reclaim(ctx: LibContext, name: string, leaseId: string, opts: DeliveryOptions): Promise<SubscriptionItem | undefined> {
  try {
    const out = await ctx.ddb.send(
      new UpdateCommand({
        ...claimLeaseRequest(ctx.tables.meta, name, leaseId, ctx.clock.now(), opts.deadline + POST_TIMEOUT_MS),
        ConditionExpression: 'lid = :id',
        ExpressionAttributeValues: { ':until': opts.deadline + POST_TIMEOUT_MS, ':id': leaseId },
      }),
    );
    return decodeSubscription(out.Attributes ?? {});
  } catch (err) {
    if (err instanceof ConditionalCheckFailedException) return undefined;
    throw err;
  }
}

class Run {
  epoch: number;
  private retries: Map<number, RetryState> | undefined;
  /** Offsets committed, by partition, as far as this run knows (its own commits, or read by skipAborted). */
  private readonly committed = new Map<number, number>();
  private readonly principal: Principal;
  private readonly group: string;

  constructor(
    private readonly ctx: LibContext,
    private readonly ports: DeliveryPorts,
    public sub: SubscriptionItem,
    private readonly opts: DeliveryOptions,
    private readonly report: DeliveryReport,
  ) {
    this.epoch = sub.memberEpoch;
    this.principal = { name: sub.createdBy };
    this.group = subscriptionGroup(sub.name);
  }

  /** One poll and its batches; true when something was committed (so another round may find more). */
  async round(): Promise<boolean> {
    const { records, positions } = await this.poll();
    const retries = await this.retryStates();
    const byPartition = new Map<number, PolledRecord[]>();
    for (const r of records) {
      if (r.topic !== this.sub.topic) continue;
      byPartition.set(r.partition, [...(byPartition.get(r.partition) ?? []), r]);
    }
    let progressed = false;
    for (const [partition, batch] of [...byPartition.entries()].sort(([a], [b]) => a - b)) {
      batch.sort((a, b) => a.offset - b.offset);
      if (await this.deliverBatch(partition, batch, retries.get(partition))) progressed = true;
    }
    if (!progressed) progressed = await this.skipAborted(positions.filter((p) => p.topic === this.sub.topic && !byPartition.has(p.partition)));
    return progressed;
  }

  /**
   * A poll that returned no record of a partition yet moved its position went past aborted records only
   * (a failed transaction, a closed reservation). Delivery polls from the commits, so unless it commits
   * past them every poll plans the same read: that partition takes the record budget again, returns
   * nothing, and the other partitions starve — delivery stalls for good. Commits are read only for
   * partitions this run has not committed itself; a position at or below the commit is left alone.
   */
  private async skipAborted(positions: readonly Position[]): Promise<boolean> {
    if (positions.some((p) => !this.committed.has(p.partition))) {
      for (const c of await readCommits(this.ctx, this.group)) if (c.topic === this.sub.topic) this.committed.set(c.partition, c.offset);
    }
    let moved = false;
    for (const p of positions) {
      // Never committed: the poll started at the log start (offsetReset earliest); offset 0 is nothing to skip.
      if (p.offset <= (this.committed.get(p.partition) ?? 0)) continue;
      await this.commit(p.partition, p.offset);
      moved = true;
    }
    return moved;
  }

  private async poll(): Promise<{ records: PolledRecord[]; positions: Position[] }> {
    for (let attempt = 0; ; attempt++) {
      try {
        const out = await poll(this.ctx, this.principal, this.group, {
          memberId: DELIVERY_MEMBER_ID,
          memberEpoch: this.epoch,
          topics: [this.sub.topic],
          sessionTimeoutMs: SESSION_TIMEOUT_MS,
          offsetReset: 'earliest',
          maxRecords: this.sub.maxRecords,
          maxBytes: this.sub.maxBytes,
        });
        const joined = this.epoch === 0;
        this.epoch = out.memberEpoch;
        // A join's answer may come before the assignment: one more poll picks it up.
        if (joined && out.records.length === 0 && attempt < 2) continue;
        return { records: out.records, positions: out.positions };
      } catch (err) {
        const rejoin = isSamsaError(err) && (err.code === 'FENCED_MEMBER_EPOCH' || err.code === 'UNKNOWN_MEMBER_ID');
        if (!rejoin || attempt >= 2) throw err;
        this.epoch = 0;
      }
    }
  }

  private async retryStates(): Promise<Map<number, RetryState>> {
    if (this.retries === undefined) {
      const items = await queryAll(this.ctx.ddb, retryStatesQuery(this.ctx.tables.meta, this.sub.name));
      this.retries = new Map(items.map(decodeRetry).map((r) => [r.partition, r]));
    }
    return this.retries;
  }

  private async deliverBatch(partition: number, batch: PolledRecord[], retry: RetryState | undefined): Promise<boolean> {
    const { ctx, sub } = this;
    const now = ctx.clock.now();
    const first = batch[0]!;
    const failing = retry !== undefined && retry.offset === first.offset ? retry : undefined;
    if (failing !== undefined && failing.nextAttemptAt > now) return false; // its wake-up is scheduled
    if (sub.lingerMs > 0 && batch.length < sub.maxRecords && failing === undefined && first.timestamp + sub.lingerMs > now) {
      await this.ports.scheduler.wakeAt(sub.name, first.timestamp + sub.lingerMs);
      return false;
    }
    const error = await this.post(partition, batch);
    const next = batch[batch.length - 1]!.offset + 1;
    if (error === undefined) {
      await this.commit(partition, next);
      this.report.delivered += batch.length;
      if (retry !== undefined) await this.clearRetry(partition);
      return true;
    }
    const attempts = (failing?.attempts ?? 0) + 1;
    if (attempts >= sub.maxAttempts) {
      await deadLetter(ctx, this.principal, sub.deadLetterTopic, batch, { subscription: sub.name, error, attempts });
      await this.commit(partition, next);
      this.report.deadLettered += batch.length;
      if (retry !== undefined) await this.clearRetry(partition);
      return true;
    }
    const state: RetryState = { partition, offset: first.offset, attempts, nextAttemptAt: now + retryDelay(sub.retryBackoffMs, attempts), lastError: error };
    // Scheduled before it is recorded: a crash in between retries early rather than never.
    await this.ports.scheduler.wakeAt(sub.name, state.nextAttemptAt);
    await ctx.ddb.send(new PutCommand(putRetryRequest(ctx.tables.meta, sub.name, state)));
    this.retries?.set(partition, state);
    this.report.failures++;
    return false;
  }

  /** Sends one batch to the target (send.ts); undefined when acknowledged, else what went wrong. */
  private async post(partition: number, batch: PolledRecord[]): Promise<string | undefined> {
    const body: WebhookBody = { subscription: this.sub.name, topic: this.sub.topic, partition, records: batch.map(webhookRecord) };
    const now = this.ctx.clock.now();
    const timeoutMs = Math.max(1_000, Math.min(POST_TIMEOUT_MS, this.opts.deadline + POST_TIMEOUT_MS - now));
    return sendBatch(this.ports, { sub: this.sub, body, now, timeoutMs });
  }

  private async commit(partition: number, offset: number): Promise<void> {
    const [result] = await commitOffsets(this.ctx, this.principal, this.group, DELIVERY_MEMBER_ID, this.epoch, [{ topic: this.sub.topic, partition, offset }]);
    // A commit refused by the group (the member was fenced meanwhile) leaves the batch to be posted again: at-least-once.
    if (result !== undefined && 'error' in result) throw Object.assign(new Error(`commit refused: ${result.error.code}`), { code: result.error.code });
    this.committed.set(partition, offset);
  }

  private async clearRetry(partition: number): Promise<void> {
    await this.ctx.ddb.send(new DeleteCommand(deleteRetryRequest(this.ctx.tables.meta, this.sub.name, partition)));
    this.retries?.delete(partition);
  }
}

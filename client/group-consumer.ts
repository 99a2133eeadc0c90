/**
 * A member of a consumer group, over the stateless group API (KIP-848 style:
 * the server assigns partitions, the member reports what it owns, epochs
 * fence zombies).
 *
 * Behaviour:
 *  - Every fetch is a `poll` that also heartbeats and carries the commits
 *    due, so finished work is saved before any partition is given up. While
 *    records are being processed a timer heartbeats every
 *    `heartbeatIntervalMs` (no request overlaps another).
 *  - Delivery: `run({ eachMessage | eachBatch })` or
 *    `for await (const batch of consumer)`. A record counts as consumed when
 *    its handler returned (for iteration: when the next batch is asked for).
 *  - Commits (autoCommit, default): the consumed offsets every
 *    `autoCommitIntervalMs`, for partitions being revoked before they are
 *    released, and on close. `commit()` commits at once. Commits are fenced by
 *    the server: a member that lost a partition can never move its offset.
 *  - Reassignment: when the assignment changes, the batch being handed out
 *    stops after the current record; revoked partitions are committed
 *    (onRevoked runs first, while they are still owned) and released by the
 *    next poll; undelivered records of kept partitions are fetched again.
 *    Work that was consumed but not committed when a partition moves is
 *    delivered again to its next owner (at least once); committed work never.
 *  - Fencing: FENCED_MEMBER_EPOCH or UNKNOWN_MEMBER_ID drops every partition
 *    (onLost, nothing committed) and re-joins. Without a successful heartbeat
 *    for `sessionTimeoutMs` the member stops processing at once and treats
 *    its partitions as lost, since the server may have handed them over.
 *  - Notifications (`notifications`, client/notifications.ts): once joined,
 *    the member links itself to the WebSocket connection, so its end makes
 *    the member leave at once (docs/push.md). While linked it asks for
 *    `connectedSessionTimeoutMs` as its session timeout, polls without
 *    waiting, and between polls waits for a notification on its partitions
 *    or, when quiet, a third of that timeout (its heartbeat and safety poll);
 *    for a rebalance timeout after its assignment changed, the server's
 *    heartbeat interval instead. Unlinked (socket down, link refused) it
 *    long-polls and heartbeats as without notifications.
 *  - `seek` moves a partition's position (backwards too); `pause`/`resume`
 *    stop and restart delivery per partition; `close` commits (autoCommit)
 *    and leaves the group so its partitions move on at once.
 *
 * This file polls and delivers records (run, iteration, seek, pause,
 * close); the rest of the group protocol is client/group-member.ts, the
 * per-partition bookkeeping client/group-partitions.ts, the notification
 * link client/group-link.ts and the options client/group-options.ts.
 */
import type { Position } from '../lib/protocol/requests';
import type { PollResponse } from '../lib/protocol/responses';
import { fromWire, headersFromWire } from './data';
import { SamsaApiError, SamsaError } from './errors';
import { FENCED, GroupMember } from './group-member';
import { FROM_BEGINNING, NO_TOPICS, POSITION, type GroupBatch, type GroupRunOptions } from './group-options';
import { key, split, toTopicPartitions } from './group-partitions';
import { route } from './http';
import { sleep } from './retry';
import type { ConsumedRecord } from './types';
import { checkFields, checkHandlers, invalid } from './validate';

export type { GroupBatch, GroupConsumerOptions, GroupEachMessagePayload, GroupRunOptions } from './group-options';

export class GroupConsumer extends GroupMember implements AsyncIterable<GroupBatch> {
  private running = false;
  /** A run() handler is working on records: close() then leaves it to run() to commit them and leave. */
  private handling = false;

  /** Replaces the subscription; takes effect at the next poll or heartbeat. */
  subscribe(options: { topics: string[] }): void {
    checkFields(options, { topics: 'S!' }, 'consumer.subscribe(options)', FROM_BEGINNING);
    this.topics = [...options.topics];
  }

  /** Group, member id and current epoch: what a transaction needs to commit this member's offsets (Kafka's groupMetadata()). */
  groupMetadata(): { groupId: string; memberId: string; memberEpoch: number } {
    return { groupId: this.groupId, memberId: this.memberId, memberEpoch: this.memberEpoch };
  }

  /** Next offset to deliver for a partition, when known. */
  position(topic: string, partition: number): number | undefined {
    return this.positions.get(key(topic, partition));
  }

  /** Delivers from `offset` next (backwards too); the rest of a batch being handed out for it is skipped. */
  seek(topic: string, partition: number, offset: number): void {
    checkFields({ topic, partition, offset }, POSITION, 'consumer.seek(topic, partition, offset)');
    const k = key(topic, partition);
    this.positions.set(k, offset);
    this.interrupted.add(k);
    this.wake?.interrupt();
  }

  /** Stops delivering the given partitions (all of a topic when `partitions` is omitted) until resume(). */
  pause(targets: { topic: string; partitions?: number[] }[]): void {
    for (const k of this.matching(targets)) {
      this.paused.add(k);
      this.interrupted.add(k);
    }
  }

  resume(targets: { topic: string; partitions?: number[] }[]): void {
    for (const k of this.matching(targets)) this.paused.delete(k);
    this.wake?.interrupt();
  }

  async *[Symbol.asyncIterator](): AsyncIterator<GroupBatch> {
    this.start();
    try {
      for (;;) {
        const batch = await this.nextBatch();
        if (batch === undefined) return;
        const generation = this.generation;
        yield { records: batch };
        // The caller asked for more: everything handed out is consumed, unless the member lost it meanwhile.
        if (generation === this.generation) for (const r of batch) this.markConsumed(r);
      }
    } finally {
      this.stopHeartbeats();
    }
  }

  /**
   * Hands records to the handler until close() or, with stopAtEnd, until a
   * poll finds nothing new; then commits what was consumed (autoCommit) and
   * leaves the group. Resolves only after that: `await consumer.run(…)`
   * waits for the end of consuming, not its start (KafkaJS's run() resolves
   * once running, and so does the KafkaJS facade's). To consume in the
   * background, keep the promise without awaiting it, call close() later,
   * then await the promise for the final commit and the leave.
   * Rejects, after the same commit and leave, with a handler's error (its
   * record or batch is not committed) or an error the consumer cannot retry
   * (e.g. AuthorizationError); and at once, before any request, with
   * INVALID_ARGUMENT for handlers other than exactly one of eachMessage and
   * eachBatch, no subscription, or a consumer already running.
   * close() may be called from a handler: the loop stops once it returns,
   * committing the record it was handling.
   */
  async run(handlers: GroupRunOptions): Promise<void> {
    checkHandlers(handlers, 'consumer.run(handlers)');
    if (this.running) throw invalid('This consumer is already running.');
    if (this.topics.length === 0) throw invalid(NO_TOPICS);
    this.running = true;
    this.start();
    try {
      for (let batch = await this.nextBatch(); batch !== undefined; batch = await this.nextBatch()) {
        if (handlers.eachBatch !== undefined) {
          const generation = this.generation;
          await this.handle(() => handlers.eachBatch!({ records: batch }));
          if (generation === this.generation) for (const r of batch) this.markConsumed(r);
        } else {
          await this.deliver(batch, handlers.eachMessage!);
        }
      }
    } catch (err) {
      // The handler's error is the one to report; the leave is best effort then.
      await this.stop().catch(() => undefined);
      throw err;
    }
    await this.stop();
  }

  private async stop(): Promise<void> {
    this.running = false;
    this.closed = true;
    this.stopHeartbeats();
    await this.leave();
  }

  /**
   * Stops consuming, commits what was consumed (autoCommit) and leaves the
   * group, so its partitions move to other members at once. While a run()
   * handler is working it only asks the loop to stop; `await run()` for the leave.
   */
  async close(): Promise<void> {
    this.closed = true;
    this.pollAbort?.abort();
    this.wake?.interrupt();
    this.stopHeartbeats();
    if (this.handling) return;
    await this.leave();
  }

  private async handle(fn: () => Promise<void> | void): Promise<void> {
    this.handling = true;
    try {
      await fn();
    } finally {
      this.handling = false;
    }
  }

  private async deliver(batch: ConsumedRecord[], eachMessage: NonNullable<GroupRunOptions['eachMessage']>): Promise<void> {
    const generation = this.generation;
    for (let i = 0; i < batch.length; i++) {
      const message = batch[i]!;
      const k = key(message.topic, message.partition);
      if (this.closed || generation !== this.generation || this.sessionExpired()) {
        // Kept partitions fetch their undelivered records again; lost ones are someone else's now.
        this.rewind(batch.slice(i));
        if (this.sessionExpired()) await this.lose();
        return;
      }
      if (this.interrupted.has(k) || this.revoking.has(k)) {
        if (this.paused.has(k) && !this.revoking.has(k)) this.rewindPartition(k, message.offset);
        continue;
      }
      await this.handle(() => eachMessage({ topic: message.topic, partition: message.partition, message }));
      if (generation === this.generation) this.markConsumed(message);
    }
  }

  /** The next records to hand out: polls (committing what is due) until some arrive; undefined once closed. */
  private async nextBatch(): Promise<ConsumedRecord[] | undefined> {
    for (let failures = 0; ; ) {
      if (this.closed) return undefined;
      if (this.topics.length === 0) throw invalid(NO_TOPICS);
      try {
        const generation = this.generation;
        const linked = this.linked();
        const { records, dropped } = await this.poll(linked);
        failures = 0;
        if (records.length > 0) return records;
        // An answer that changed the assignment fetched from the partitions before it: not the end yet.
        if (this.options.stopAtEnd === true && !dropped && this.memberEpoch > 0 && generation === this.generation) return undefined;
        // Paused partitions with data make every poll return at once: do not spin on them.
        if (dropped) await sleep(Math.min(1_000, this.options.maxWaitMs ?? 5_000));
        // Linked: the poll did not wait; a notification, the socket's state, or the next heartbeat ends this wait.
        else if (linked && this.linked() && this.revoking.size === 0) {
          this.waiting = true;
          await this.wake!.wait(this.waitMs()).finally(() => (this.waiting = false));
        }
      } catch (err) {
        if (this.closed) return undefined;
        if (err instanceof SamsaApiError && FENCED.has(err.code)) {
          await this.lose();
          continue;
        }
        if (!(err instanceof SamsaError) || !err.retriable) throw err;
        // The HTTP layer's retries ran out; keep trying while the session may still be alive.
        if (this.sessionExpired()) await this.lose();
        await sleep(Math.min(5_000, 200 * 2 ** failures++));
      }
    }
  }

  private async poll(linked: boolean): Promise<{ records: ConsumedRecord[]; dropped: boolean }> {
    // Partitions being revoked: the application hears first (still owning them), then their work is committed and they are released.
    const releasing = [...this.revoking];
    if (releasing.length > 0) await this.options.onRevoked?.(toTopicPartitions(releasing));
    const commitAll = this.autoCommit && Date.now() - this.lastCommit >= this.autoCommitIntervalMs;
    const commit = this.autoCommit ? this.dueCommits((k) => commitAll || this.revoking.has(k)) : [];
    const kept = [...this.owned].filter((k) => !releasing.includes(k));
    const positions: Position[] = [];
    for (const k of kept) {
      const offset = this.positions.get(k);
      if (offset !== undefined) positions.push({ ...split(k), offset });
    }
    const maxWaitMs = linked ? 0 : (this.options.maxWaitMs ?? 5_000);
    this.wake?.armed();
    // Seeks and pauses from now on make this poll's records of those partitions stale.
    this.interrupted.clear();
    const body = {
      ...this.heartbeatFields(kept, linked),
      positions,
      ...(commit.length > 0 ? { commit } : {}),
      maxRecords: this.options.maxRecords ?? 500,
      maxBytes: this.options.maxBytes ?? 1024 * 1024,
      maxWaitMs,
    };
    const answer = await this.serialized(async () => {
      const abort = new AbortController();
      this.pollAbort = abort;
      try {
        return await this.http.request<PollResponse>({
          ...route('groupPoll', { group: this.groupId }),
          body,
          idempotent: true,
          signal: abort.signal,
          extraTimeoutMs: maxWaitMs,
        });
      } finally {
        this.pollAbort = undefined;
      }
    });
    if (commitAll) this.lastCommit = Date.now();
    for (const k of releasing) this.forget(k);
    // Fenced: the rest of this answer (its epoch, assignment and records) no longer counts.
    if (await this.applyCommits(answer.commits)) return { records: [], dropped: false };
    await this.applyAssignment(answer);

    // Records of partitions paused, seeked, revoked or lost meanwhile are dropped; their positions stay.
    const deliverable = (k: string) => this.owned.has(k) && !this.paused.has(k) && !this.revoking.has(k) && !this.interrupted.has(k);
    for (const p of answer.positions) {
      const k = key(p.topic, p.partition);
      if (deliverable(k)) this.positions.set(k, p.offset);
    }
    const fetched = answer.records.filter((r) => deliverable(key(r.topic, r.partition)));
    const records = fetched.map((r) => ({
      topic: r.topic,
      partition: r.partition,
      offset: r.offset,
      timestamp: r.timestamp,
      key: fromWire(r.key),
      value: fromWire(r.value),
      headers: headersFromWire(r.headers),
    }));
    return { records, dropped: fetched.length < answer.records.length };
  }
}

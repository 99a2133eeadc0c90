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
 */
import type { OffsetCommit, Position, TopicPartitions } from '../lib/protocol/requests';
import type { HeartbeatResponse, PollResponse } from '../lib/protocol/responses';
import { fromWire, headersFromWire } from './data';
import { SamsaApiError, SamsaError } from './errors';
import { route, type HttpClient } from './http';
import { sleep } from './retry';
import { GroupWake } from './group-wake';
import type { Notifications } from './notifications';
import type { ConsumedRecord } from './types';
import { checkFields, checkHandlers, invalid } from './validate';

export interface GroupConsumerOptions {
  groupId: string;
  /** Topics to subscribe to; or call subscribe() before run(). */
  topics?: string[];
  /** Stable identity of this member (1-64 of [A-Za-z0-9._:-]); a random UUID by default. */
  memberId?: string;
  /** Server default 45,000 ms. */
  sessionTimeoutMs?: number;
  /** How long the member may take to give up revoked partitions. Server default 60,000 ms. */
  rebalanceTimeoutMs?: number;
  /** Where partitions without a committed offset start. Server default 'latest'. */
  offsetReset?: 'earliest' | 'latest';
  /** Commit consumed offsets automatically. Default true. */
  autoCommit?: boolean;
  /** Default 5,000 ms. */
  autoCommitIntervalMs?: number;
  /** Per poll. Default 500. */
  maxRecords?: number;
  /** Per poll. Default 1 MiB. */
  maxBytes?: number;
  /** How long a poll waits for records. Default 5,000 ms. */
  maxWaitMs?: number;
  /**
   * End run() / iteration once a poll (after waiting maxWaitMs) finds nothing new in the member's
   * partitions and did not change them. Default false.
   */
  stopAtEnd?: boolean;
  /** New partitions, before any of their records is delivered. */
  onAssigned?: (partitions: TopicPartitions[]) => void | Promise<void>;
  /** Partitions about to be released; still owned, so `commit()` works here. */
  onRevoked?: (partitions: TopicPartitions[]) => void | Promise<void>;
  /** Partitions taken away by fencing or an expired session; their uncommitted work is redelivered elsewhere. */
  onLost?: (partitions: TopicPartitions[]) => void | Promise<void>;
  /**
   * After each answer that changed the member's epoch or assignment (its
   * join, a re-join after fencing, a rebalance), with the new epoch and the
   * partitions it owns from then on (those being revoked excluded); before
   * onAssigned and before any record of that answer is delivered.
   * Synchronous, for bookkeeping and monitoring: it runs inside the exchange,
   * so a request made from here would wait for it.
   */
  onMembership?: (membership: { memberEpoch: number; assignment: TopicPartitions[] }) => void;
  /** Wait on WebSocket notifications and link the member to the connection (docs/push.md). */
  notifications?: Notifications;
  /** With notifications, while linked: the session timeout asked for; a poll every third of it. Default 360,000 ms. */
  connectedSessionTimeoutMs?: number;
}

const GROUP_OPTIONS = {
  groupId: 's!',
  topics: 'S',
  memberId: 's',
  sessionTimeoutMs: 'p',
  rebalanceTimeoutMs: 'p',
  offsetReset: 'earliest|latest',
  autoCommit: 'b',
  autoCommitIntervalMs: 'i',
  maxRecords: 'p',
  maxBytes: 'p',
  maxWaitMs: 'i',
  stopAtEnd: 'b',
  onAssigned: 'f',
  onRevoked: 'f',
  onLost: 'f',
  onMembership: 'f',
  notifications: 'a',
  connectedSessionTimeoutMs: 'p',
} satisfies Record<keyof GroupConsumerOptions, string>;
const FROM_BEGINNING = "KafkaJS's fromBeginning is the consumer's offsetReset: 'earliest'.";
const POSITION = { topic: 's!', partition: 'i!', offset: 'i!' };
const NO_TOPICS = 'Subscribe to at least one topic first (the topics option or subscribe()).';

export interface GroupBatch {
  records: ConsumedRecord[];
}

export interface GroupEachMessagePayload {
  topic: string;
  partition: number;
  message: ConsumedRecord;
}

export interface GroupRunOptions {
  eachMessage?: (payload: GroupEachMessagePayload) => Promise<void> | void;
  eachBatch?: (batch: GroupBatch) => Promise<void> | void;
}

/** Codes after which the member no longer owns anything and must re-join with epoch 0. */
const FENCED = new Set(['FENCED_MEMBER_EPOCH', 'UNKNOWN_MEMBER_ID']);

const key = (topic: string, partition: number) => `${topic}\u0000${partition}`;
const split = (k: string): { topic: string; partition: number } => {
  const at = k.indexOf('\u0000');
  return { topic: k.slice(0, at), partition: Number(k.slice(at + 1)) };
};

export class GroupConsumer implements AsyncIterable<GroupBatch> {
  readonly groupId: string;
  readonly memberId: string;
  private topics: string[];
  private readonly autoCommit: boolean;
  private readonly autoCommitIntervalMs: number;
  private readonly sessionTimeoutMs: number;
  private memberEpoch = 0;
  private heartbeatIntervalMs = 3_000;
  /** Partitions we report as owned: the assignment plus those being revoked. */
  private readonly owned = new Set<string>();
  /** Owned partitions the server took away; released (after their commit) by the next poll. */
  private readonly revoking = new Set<string>();
  /** Next offset to fetch per partition; absent means "the committed offset". */
  private readonly positions = new Map<string, number>();
  /** Next offset after the last record processed. */
  private readonly consumed = new Map<string, number>();
  private readonly committed = new Map<string, number>();
  private readonly paused = new Set<string>();
  /** Partitions seeked or paused while a batch is handed out: skip the rest of theirs. */
  private readonly interrupted = new Set<string>();
  /** Bumped when the assignment changes or the member is fenced: the batch being handed out stops. */
  private generation = 0;
  private lastContact = 0;
  private lastCommit = Date.now();
  /** One request at a time: polls, heartbeats, commits and the leave are serialized. */
  private exchange: Promise<unknown> = Promise.resolve();
  private heartbeatTimer: ReturnType<typeof setTimeout> | undefined;
  private pollAbort: AbortController | undefined;
  private closed = false;
  private running = false;
  /** A run() handler is working on records: close() then leaves it to run() to commit them and leave. */
  private handling = false;
  private left: Promise<void> | undefined;
  private readonly wake: GroupWake | undefined;
  /** The current incarnation was linked (sent); a re-join links again. */
  private linkSent = false;
  /** When the assignment or epoch last changed: a rebalance may be under way, so the member stays quick for a while. */
  private lastChange = 0;
  /** The session timeout the last answered request asked for. */
  private contactSessionMs: number;
  private pendingSessionMs = 45_000;
  /** Waiting on notifications: the wait itself ends in a poll when the heartbeat is due. */
  private waiting = false;

  constructor(
    private readonly http: HttpClient,
    private readonly options: GroupConsumerOptions,
  ) {
    checkFields(options, GROUP_OPTIONS, 'samsa.consumer(options)', FROM_BEGINNING);
    this.groupId = options.groupId;
    this.memberId = options.memberId ?? randomId();
    this.topics = [...(options.topics ?? [])];
    this.autoCommit = options.autoCommit ?? true;
    this.autoCommitIntervalMs = options.autoCommitIntervalMs ?? 5_000;
    this.sessionTimeoutMs = options.sessionTimeoutMs ?? 45_000;
    this.contactSessionMs = this.sessionTimeoutMs;
    if (options.notifications !== undefined) this.wake = new GroupWake(options.notifications);
  }

  /** Linked to an open notification socket: poll without waiting, wait on notifications, ask for the connected session timeout. */
  private linked(): boolean {
    if (this.wake === undefined || this.options.stopAtEnd === true || this.memberEpoch <= 0) return false;
    return this.wake.notifications.linked(this.groupId, this.memberId);
  }

  /** Linked, giving nothing up, and no rebalance recently: the long wait between polls. */
  private quiet(): boolean {
    return this.linked() && this.revoking.size === 0 && Date.now() - this.lastChange >= (this.options.rebalanceTimeoutMs ?? 60_000);
  }

  /** Between polls while linked: a third of the connected session when quiet; the server's interval during a rebalance, so its steps follow quickly. */
  private waitMs(): number {
    return this.quiet() ? Math.floor(this.connectedSessionMs() / 3) : this.heartbeatIntervalMs;
  }

  private connectedSessionMs(): number {
    return this.options.connectedSessionTimeoutMs ?? 360_000;
  }

  /** Replaces the subscription; takes effect at the next poll or heartbeat. */
  subscribe(options: { topics: string[] }): void {
    checkFields(options, { topics: 'S!' }, 'consumer.subscribe(options)', FROM_BEGINNING);
    this.topics = [...options.topics];
  }

  /** Group, member id and current epoch: what a transaction needs to commit this member's offsets (Kafka's groupMetadata()). */
  groupMetadata(): { groupId: string; memberId: string; memberEpoch: number } {
    return { groupId: this.groupId, memberId: this.memberId, memberEpoch: this.memberEpoch };
  }

  /** The partitions this member owns now. */
  assignment(): TopicPartitions[] {
    return toTopicPartitions([...this.owned].filter((k) => !this.revoking.has(k)));
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

  /** Commits the consumed offsets now (or the given ones). Throws when the member no longer owns a partition. */
  async commit(offsets?: OffsetCommit[]): Promise<void> {
    if (offsets !== undefined && !Array.isArray(offsets)) throw invalid('consumer.commit(offsets) takes an array.');
    for (const o of offsets ?? []) checkFields(o, { ...POSITION, metadata: 't' }, 'consumer.commit(offsets)');
    const due = offsets ?? this.dueCommits(() => true);
    if (due.length === 0) return;
    await this.serialized(async () => {
      for (let attempt = 0; ; attempt++) {
        try {
          await this.http.request({
            ...route('groupCommit', { group: this.groupId }),
            body: { memberId: this.memberId, memberEpoch: this.memberEpoch, offsets: due },
            idempotent: true,
          });
          for (const o of due) this.committed.set(key(o.topic, o.partition), o.offset);
          return;
        } catch (err) {
          if (err instanceof SamsaApiError && FENCED.has(err.code)) await this.lose();
          // A stale epoch catches up with one heartbeat; then the same commit may go again.
          if (attempt > 0 || !(err instanceof SamsaApiError) || err.code !== 'STALE_MEMBER_EPOCH') throw err;
          await this.heartbeat();
        }
      }
    });
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

  private leave(): Promise<void> {
    this.left ??= (async () => {
      if (this.memberEpoch <= 0) {
        this.wake?.close(); // never joined (or fenced and not back): nothing linked, stop watching
        return;
      }
      try {
        if (this.autoCommit) await this.commit();
      } catch (err) {
        // Fenced: the partitions are someone else's; their uncommitted work is delivered again there.
        if (!(err instanceof SamsaApiError && FENCED.has(err.code))) throw err;
      } finally {
        // Unlinked first: this connection's end must not judge the member once it left.
        this.wake?.notifications.unlink(this.groupId, this.memberId);
        this.wake?.close();
        await this.serialized(() =>
          this.http.request({
            ...route('groupHeartbeat', { group: this.groupId }),
            body: { memberId: this.memberId, memberEpoch: -1 },
            idempotent: true,
          }),
        );
        this.memberEpoch = -1;
        this.owned.clear();
      }
    })();
    return this.left;
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

  private heartbeatFields(owned: string[], linked: boolean) {
    // Linked, the member may be silent longer: its connection's end makes it leave at once.
    const session = linked ? this.connectedSessionMs() : this.options.sessionTimeoutMs;
    this.pendingSessionMs = session ?? this.sessionTimeoutMs;
    return {
      memberId: this.memberId,
      memberEpoch: this.memberEpoch,
      topics: this.topics,
      owned: toTopicPartitions(owned),
      ...(session === undefined ? {} : { sessionTimeoutMs: session }),
      ...(this.options.rebalanceTimeoutMs === undefined ? {} : { rebalanceTimeoutMs: this.options.rebalanceTimeoutMs }),
      ...(this.options.offsetReset === undefined ? {} : { offsetReset: this.options.offsetReset }),
    };
  }

  /** Takes in a heartbeat or poll answer: the epoch, new partitions, and partitions to give up. */
  private async applyAssignment(answer: HeartbeatResponse): Promise<void> {
    this.lastContact = Date.now();
    this.contactSessionMs = this.pendingSessionMs;
    const epochChanged = answer.memberEpoch !== this.memberEpoch;
    this.memberEpoch = answer.memberEpoch;
    this.heartbeatIntervalMs = answer.heartbeatIntervalMs;
    if (epochChanged) this.lastChange = Date.now();
    if (this.wake !== undefined && this.memberEpoch > 0 && !this.linkSent) {
      this.linkSent = true;
      void this.wake.notifications.link(this.groupId, this.memberId, this.memberEpoch);
    }
    const target = new Set(answer.assignment.flatMap((tp) => tp.partitions.map((p) => key(tp.topic, p))));
    const added = [...target].filter((k) => !this.owned.has(k) || this.revoking.has(k));
    const removed = [...this.owned].filter((k) => !target.has(k) && !this.revoking.has(k));
    if (added.length === 0 && removed.length === 0) {
      if (epochChanged) this.options.onMembership?.({ memberEpoch: this.memberEpoch, assignment: this.assignment() });
      return;
    }
    this.generation++;
    this.lastChange = Date.now();
    for (const k of added) {
      this.revoking.delete(k);
      this.owned.add(k);
    }
    for (const k of removed) this.revoking.add(k);
    this.wake?.sync([...this.owned].filter((k) => !this.revoking.has(k)));
    this.options.onMembership?.({ memberEpoch: this.memberEpoch, assignment: this.assignment() });
    const fresh = added.filter((k) => !this.consumed.has(k));
    if (fresh.length > 0) await this.options.onAssigned?.(toTopicPartitions(fresh));
  }

  /**
   * A refused commit means the server's view of our ownership differs from
   * ours: as Kafka does on FENCED_MEMBER_EPOCH, drop everything and re-join,
   * which re-takes every assigned partition under a new epoch.
   */
  private async applyCommits(commits: PollResponse['commits']): Promise<boolean> {
    let fenced = false;
    for (const c of commits ?? []) {
      if (!('error' in c)) this.committed.set(key(c.topic, c.partition), c.offset);
      else if (FENCED.has(String(c.error.code))) fenced = true;
    }
    if (fenced) await this.lose();
    return fenced;
  }

  /** Everything owned is gone (fenced, removed, or silent past the session timeout): forget it all and re-join. */
  private async lose(): Promise<void> {
    const lost = [...this.owned];
    this.generation++;
    this.memberEpoch = 0;
    this.linkSent = false;
    for (const k of lost) this.forget(k);
    this.wake?.sync([]);
    this.lastContact = Date.now();
    if (lost.length > 0) await this.options.onLost?.(toTopicPartitions(lost));
  }

  private forget(k: string): void {
    this.owned.delete(k);
    this.revoking.delete(k);
    this.positions.delete(k);
    this.consumed.delete(k);
    this.committed.delete(k);
  }

  private dueCommits(which: (k: string) => boolean): OffsetCommit[] {
    const due: OffsetCommit[] = [];
    for (const [k, offset] of this.consumed) {
      if (this.owned.has(k) && which(k) && this.committed.get(k) !== offset) due.push({ ...split(k), offset });
    }
    return due;
  }

  private markConsumed(r: ConsumedRecord): void {
    const k = key(r.topic, r.partition);
    if (this.owned.has(k)) this.consumed.set(k, r.offset + 1);
  }

  /** Undelivered records of a stopped batch: fetch them again, from the first one of each partition. */
  private rewind(rest: ConsumedRecord[]): void {
    for (const r of rest) {
      const k = key(r.topic, r.partition);
      if (!this.interrupted.has(k) || this.paused.has(k)) this.rewindPartition(k, r.offset);
    }
  }

  private rewindPartition(k: string, offset: number): void {
    if (!this.owned.has(k)) return;
    const current = this.positions.get(k);
    if (current === undefined || offset < current) this.positions.set(k, offset);
  }

  private sessionExpired(): boolean {
    return this.lastContact > 0 && Date.now() - this.lastContact > this.contactSessionMs;
  }

  private matching(targets: { topic: string; partitions?: number[] }[]): string[] {
    if (!Array.isArray(targets)) throw invalid('pause() and resume() take an array.');
    // All checked before any is applied: a bad target pauses nothing.
    for (const t of targets) checkFields(t, { topic: 's!', partitions: 'I' }, 'pause() or resume()');
    return targets.flatMap((t) =>
      t.partitions !== undefined
        ? t.partitions.map((p) => key(t.topic, p))
        : [...this.owned].filter((k) => split(k).topic === t.topic),
    );
  }

  private serialized<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.exchange.then(fn, fn);
    this.exchange = run.catch(() => undefined);
    return run;
  }

  // Heartbeats while records are processed: polls heartbeat too, so the timer only fills the gaps.
  private start(): void {
    this.scheduleHeartbeat();
  }

  private scheduleHeartbeat(): void {
    if (this.closed) return;
    clearTimeout(this.heartbeatTimer);
    this.heartbeatTimer = setTimeout(() => {
      void this.heartbeatNow()
        .catch(async (err) => {
          if (err instanceof SamsaApiError && FENCED.has(err.code)) await this.lose();
        })
        .finally(() => this.scheduleHeartbeat());
    }, this.waitMs());
    // Heartbeats alone never keep a process alive.
    (this.heartbeatTimer as { unref?: () => void }).unref?.();
  }

  private async heartbeatNow(): Promise<void> {
    if (this.memberEpoch <= 0 || this.closed) return;
    // A poll in flight heartbeats on the server as it waits, and a recent answer was a heartbeat too.
    const interval = this.waitMs();
    if (this.waiting || this.pollAbort !== undefined || Date.now() - this.lastContact < interval / 2) return;
    await this.serialized(() => this.heartbeat());
  }

  /** One heartbeat; call only inside serialized(). */
  private async heartbeat(): Promise<void> {
    if (this.memberEpoch <= 0 || this.closed) return;
    const answer = await this.http.request<HeartbeatResponse>({
      ...route('groupHeartbeat', { group: this.groupId }),
      body: this.heartbeatFields([...this.owned], this.linked()),
      idempotent: true,
    });
    if (!this.closed) await this.applyAssignment(answer);
  }

  private stopHeartbeats(): void {
    clearTimeout(this.heartbeatTimer);
    this.heartbeatTimer = undefined;
  }
}

function toTopicPartitions(keys: string[]): TopicPartitions[] {
  const byTopic = new Map<string, number[]>();
  for (const k of keys) {
    const { topic, partition } = split(k);
    let list = byTopic.get(topic);
    if (list === undefined) byTopic.set(topic, (list = []));
    list.push(partition);
  }
  return [...byTopic].map(([topic, partitions]) => ({ topic, partitions: partitions.sort((a, b) => a - b) }));
}

function randomId(): string {
  const c = (globalThis as { crypto?: { randomUUID?: () => string } }).crypto;
  if (c?.randomUUID !== undefined) return c.randomUUID();
  return `m-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 12)}`;
}

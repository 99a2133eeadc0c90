/**
 * A consumer group member's side of the group protocol (client/group-consumer.ts
 * polls and delivers the records): its epoch and session, what a poll or
 * heartbeat says about the member, heartbeats between polls,
 * taking in assignments (onMembership, onAssigned, revocations), commits,
 * fencing (onLost and a re-join), and the leave. One request at a time.
 * With notifications it is linked to the connection (client/group-link.ts)
 * and paces its polls and heartbeats by the connected session timeout.
 */
import type { OffsetCommit } from '../lib/protocol/requests';
import type { HeartbeatResponse, PollResponse } from '../lib/protocol/responses';
import { SamsaApiError } from './errors';
import { MemberLink } from './group-link';
import { FROM_BEGINNING, GROUP_OPTIONS, POSITION, type GroupConsumerOptions } from './group-options';
import { key, MemberPartitions, toTopicPartitions } from './group-partitions';
import { route, type HttpClient } from './http';
import { checkFields, invalid } from './validate';

/** Codes after which the member no longer owns anything and must re-join with epoch 0. */
export const FENCED = new Set(['FENCED_MEMBER_EPOCH', 'UNKNOWN_MEMBER_ID']);

export abstract class GroupMember extends MemberPartitions {
  readonly groupId: string;
  readonly memberId: string;
  protected topics: string[];
  protected readonly autoCommit: boolean;
  protected readonly autoCommitIntervalMs: number;
  protected readonly sessionTimeoutMs: number;
  protected memberEpoch = 0;
  protected heartbeatIntervalMs = 3_000;
  /** Bumped when the assignment changes or the member is fenced: the batch being handed out stops. */
  protected generation = 0;
  protected lastContact = 0;
  protected lastCommit = Date.now();
  /** One request at a time: polls, heartbeats, commits and the leave are serialized. */
  protected exchange: Promise<unknown> = Promise.resolve();
  protected heartbeatTimer: ReturnType<typeof setTimeout> | undefined;
  protected pollAbort: AbortController | undefined;
  protected closed = false;
  protected left: Promise<void> | undefined;
  protected readonly wake: MemberLink | undefined;
  /** When the assignment or epoch last changed: a rebalance may be under way, so the member stays quick for a while. */
  protected lastChange = 0;
  /** The session timeout the last answered request asked for. */
  protected contactSessionMs: number;
  protected pendingSessionMs = 45_000;
  /** Waiting on notifications: the wait itself ends in a poll when the heartbeat is due. */
  protected waiting = false;

  constructor(
    protected readonly http: HttpClient,
    protected readonly options: GroupConsumerOptions,
  ) {
    super();
    checkFields(options, GROUP_OPTIONS, 'samsa.consumer(options)', FROM_BEGINNING);
    this.groupId = options.groupId;
    this.memberId = options.memberId ?? randomId();
    this.topics = [...(options.topics ?? [])];
    this.autoCommit = options.autoCommit ?? true;
    this.autoCommitIntervalMs = options.autoCommitIntervalMs ?? 5_000;
    this.sessionTimeoutMs = options.sessionTimeoutMs ?? 45_000;
    this.contactSessionMs = this.sessionTimeoutMs;
    if (options.notifications !== undefined) this.wake = new MemberLink(options.notifications, this.groupId, this.memberId, options);
  }

  /** Linked to an open notification socket: poll without waiting, wait on notifications, ask for the connected session timeout. */
  protected linked(): boolean {
    return this.wake?.linked(this.memberEpoch) ?? false;
  }

  /** Linked, giving nothing up, and no rebalance recently: the long wait between polls. */
  protected quiet(): boolean {
    return this.linked() && this.revoking.size === 0 && Date.now() - this.lastChange >= (this.options.rebalanceTimeoutMs ?? 60_000);
  }

  /** Between polls while linked: a third of the connected session when quiet; the server's interval during a rebalance, so its steps follow quickly. */
  protected waitMs(): number {
    return this.quiet() ? Math.floor(this.connectedSessionMs() / 3) : this.heartbeatIntervalMs;
  }

  protected connectedSessionMs(): number {
    return this.wake?.connectedSessionMs() ?? 360_000;
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

  protected leave(): Promise<void> {
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
        this.wake?.leave();
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

  protected heartbeatFields(owned: string[], linked: boolean) {
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
  protected async applyAssignment(answer: HeartbeatResponse): Promise<void> {
    this.lastContact = Date.now();
    this.contactSessionMs = this.pendingSessionMs;
    const epochChanged = answer.memberEpoch !== this.memberEpoch;
    this.memberEpoch = answer.memberEpoch;
    this.heartbeatIntervalMs = answer.heartbeatIntervalMs;
    if (epochChanged) this.lastChange = Date.now();
    this.wake?.joined(this.memberEpoch);
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
  protected async applyCommits(commits: PollResponse['commits']): Promise<boolean> {
    let fenced = false;
    for (const c of commits ?? []) {
      if (!('error' in c)) this.committed.set(key(c.topic, c.partition), c.offset);
      else if (FENCED.has(String(c.error.code))) fenced = true;
    }
    if (fenced) await this.lose();
    return fenced;
  }

  /** Everything owned is gone (fenced, removed, or silent past the session timeout): forget it all and re-join. */
  protected async lose(): Promise<void> {
    const lost = [...this.owned];
    this.generation++;
    this.memberEpoch = 0;
    this.wake?.fenced();
    for (const k of lost) this.forget(k);
    this.wake?.sync([]);
    this.lastContact = Date.now();
    if (lost.length > 0) await this.options.onLost?.(toTopicPartitions(lost));
  }

  protected sessionExpired(): boolean {
    return this.lastContact > 0 && Date.now() - this.lastContact > this.contactSessionMs;
  }

  protected serialized<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.exchange.then(fn, fn);
    this.exchange = run.catch(() => undefined);
    return run;
  }

  // Heartbeats while records are processed: polls heartbeat too, so the timer only fills the gaps.
  protected start(): void {
    this.scheduleHeartbeat();
  }

  protected scheduleHeartbeat(): void {
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

  protected async heartbeatNow(): Promise<void> {
    if (this.memberEpoch <= 0 || this.closed) return;
    // A poll in flight heartbeats on the server as it waits, and a recent answer was a heartbeat too.
    const interval = this.waitMs();
    if (this.waiting || this.pollAbort !== undefined || Date.now() - this.lastContact < interval / 2) return;
    await this.serialized(() => this.heartbeat());
  }

  /** One heartbeat; call only inside serialized(). */
  protected async heartbeat(): Promise<void> {
    if (this.memberEpoch <= 0 || this.closed) return;
    const answer = await this.http.request<HeartbeatResponse>({
      ...route('groupHeartbeat', { group: this.groupId }),
      body: this.heartbeatFields([...this.owned], this.linked()),
      idempotent: true,
    });
    if (!this.closed) await this.applyAssignment(answer);
  }

  protected stopHeartbeats(): void {
    clearTimeout(this.heartbeatTimer);
    this.heartbeatTimer = undefined;
  }
}

function randomId(): string {
  const c = (globalThis as { crypto?: { randomUUID?: () => string } }).crypto;
  if (c?.randomUUID !== undefined) return c.randomUUID();
  return `m-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 12)}`;
}

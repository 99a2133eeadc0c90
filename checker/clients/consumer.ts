/**
 * A group member over the stateless poll API: it sends its epoch, what it
 * owns, its positions and the commits due (its positions), and adopts the
 * assignment and positions of each ok response. After an unknown outcome it
 * resends with what it knew (the lost-response rule). Fenced, removed or
 * leaving, it re-joins — half the time under a NEW member id, half the time
 * under the SAME one, as the SDK does. Each re-join is a new incarnation in
 * the history (`incarnation`), so the analysis tells them apart either way.
 *
 * Churn (when enabled): it sometimes leaves cleanly, sometimes dies without
 * leaving. Pause (zombie): told by the nemesis, it sleeps past its session
 * timeout, then resumes as if nothing happened — committing its stale
 * positions with its old epoch — which the server must refuse. Kick: told by
 * the nemesis, it has an admin remove it (`DELETE /v1/groups/{g}/members/{m}`).
 * After a pause, a kick or a leave under the same id, the new incarnation
 * first takes partitions and commits, then the old one comes back (its stale
 * commit, then polls with its old epoch around one of the new incarnation's):
 * the server must refuse all of it, or commit-regression and
 * assignment-overlap report it.
 */
import type { CommitOp, Completion, PollOp } from '../history';
import { sleep, type ApiResult } from './api';
import { Client, type ClientContext } from './client';
import { valueOf } from './readers';

export interface ConsumerOptions {
  group: string;
  topic: string;
  sessionTimeoutMs: number;
  /** Per poll: probability to leave cleanly / to die silently (group churn). */
  churn: () => { leave: number; die: number };
}

type CompleteCommit = (completion: Completion<CommitOp>) => CommitOp;

/** What an ended incarnation knew: its zombie comes back with exactly this. */
interface Zombie {
  member: string;
  incarnation: number;
  epoch: number;
  assignment: number[];
  positions: Map<number, number>;
}

interface WirePollRecord {
  topic: string;
  partition: number;
  offset: number;
  value: { data: unknown } | null;
}

export class GroupConsumer extends Client {
  /** Counts member ids minted; `incarnation` counts re-joins, under a new id or the same one. */
  private ids = 0;
  private incarnation = -1;
  private member = '';
  private epoch = 0;
  private assignment: number[] = [];
  private positions = new Map<number, number>();
  private committed = new Map<number, number>();
  /** Set by the nemesis: sleep this long at the next poll, then resume as a zombie. */
  pauseMs = 0;
  pauses = 0;
  /** Set by the nemesis: have an admin remove this member at the next poll. */
  kickPending = false;
  kicks = 0;
  /** Zombie comebacks of an earlier incarnation under the same member id. */
  comebacks = 0;

  get paused(): boolean {
    return this.pauseMs > 0;
  }

  get owns(): boolean {
    return this.epoch > 0 && this.assignment.length > 0;
  }

  constructor(
    name: string,
    ctx: ClientContext,
    private readonly options: ConsumerOptions,
  ) {
    super(name, ctx);
    this.rejoin(false);
  }

  async run(): Promise<void> {
    while (!this.ctx.stopped()) {
      if (this.pauseMs > 0) {
        this.pauses++;
        const zombie = this.snapshot();
        await sleep(this.pauseMs);
        this.pauseMs = 0;
        if (this.ctx.random.chance(0.5)) await this.comeback(zombie);
        else await this.zombieCommit(zombie);
        continue;
      }
      if (this.kickPending) {
        this.kickPending = false;
        if (this.epoch > 0) {
          this.kicks++;
          const zombie = this.snapshot();
          await this.ctx.api.call('DELETE', `/v1/groups/${this.options.group}/members/${encodeURIComponent(this.member)}`);
          await this.comeback(zombie);
          continue;
        }
      }
      const churn = this.options.churn();
      if (this.epoch > 0 && this.ctx.random.chance(churn.leave)) {
        const zombie = this.snapshot();
        await this.leave();
        if (this.ctx.random.chance(0.5)) await this.comeback(zombie);
        else this.rejoin(false);
        continue;
      }
      if (this.epoch > 0 && this.ctx.random.chance(churn.die)) {
        // The old incarnation just stops: the server removes it after its session timeout.
        this.rejoin(this.ctx.random.chance(0.5));
        continue;
      }
      await this.poll();
      await sleep(this.ctx.random.int(50));
    }
    if (this.epoch > 0) await this.leave();
  }

  /** Starts a new incarnation: under the same member id (as the SDK re-joins) or a new one. */
  private rejoin(sameId: boolean): void {
    if (!sameId || this.member === '') this.member = `${this.ctx.runId}-${this.name}-${this.ids++}`;
    this.incarnation++;
    this.epoch = 0;
    this.assignment = [];
    this.positions.clear();
    this.committed.clear();
  }

  private snapshot(): Zombie {
    return { member: this.member, incarnation: this.incarnation, epoch: this.epoch, assignment: [...this.assignment], positions: new Map(this.positions) };
  }

  /**
   * Re-joins under the same member id, takes partitions and commits as the new incarnation, then lets
   * the old one come back: its stale commit, and polls with its old epoch around one of the new one's.
   */
  private async comeback(zombie: Zombie): Promise<void> {
    this.rejoin(true);
    for (let i = 0; i < 8 && !this.ctx.stopped() && !(this.owns && this.committed.size > 0); i++) {
      await this.poll();
      await sleep(this.ctx.random.int(50));
    }
    if (zombie.epoch <= 0 || this.ctx.stopped()) return;
    this.comebacks++;
    await this.zombieCommit(zombie);
    await this.zombiePoll(zombie);
    await this.poll();
    await this.zombiePoll(zombie);
  }

  private commitsDue(): { topic: string; partition: number; offset: number }[] {
    if (this.epoch <= 0) return [];
    return this.assignment
      .filter((p) => this.positions.has(p) && this.positions.get(p) !== this.committed.get(p))
      .map((p) => ({ topic: this.options.topic, partition: p, offset: this.positions.get(p)! }));
  }

  private async poll(): Promise<void> {
    const { group, topic } = this.options;
    const commit = this.commitsDue();
    const positions = Object.fromEntries([...this.positions].filter(([p]) => this.assignment.includes(p)).map(([p, o]) => [String(p), o]));
    const completePoll = this.ctx.history.invoke<PollOp>({ f: 'poll', process: this.name, group, member: this.member, incarnation: this.incarnation, topic, epoch: this.epoch, owned: [...this.assignment], positions });
    const completeCommits = this.invokeCommits(commit, this.member, this.incarnation, this.epoch);
    const res = await this.ctx.api.call('POST', `/v1/groups/${group}/poll`, {
      memberId: this.member,
      memberEpoch: this.epoch,
      topics: [topic],
      ...(this.assignment.length > 0 ? { owned: [{ topic, partitions: this.assignment }] } : {}),
      positions: Object.entries(positions).map(([p, offset]) => ({ topic, partition: Number(p), offset })),
      ...(commit.length > 0 ? { commit } : {}),
      sessionTimeoutMs: this.options.sessionTimeoutMs,
      rebalanceTimeoutMs: this.options.sessionTimeoutMs,
      offsetReset: 'earliest',
      maxWaitMs: 200,
      maxRecords: 200,
    });
    this.completeCommits(completeCommits, res, res.body?.commits);
    if (res.outcome !== 'ok') {
      completePoll({ outcome: res.outcome, ...(res.error === undefined ? {} : { error: res.error }) });
      if (res.error === 'UNKNOWN_MEMBER_ID' || res.error === 'FENCED_MEMBER_EPOCH') this.rejoin(this.ctx.random.chance(0.5));
      else await sleep(100);
      return;
    }
    const answer = this.decodePoll(res.body);
    const { assignment, nextPositions } = answer;
    completePoll({ outcome: 'ok', ...answer });
    // Partitions newly assigned start from the server's positions (the committed offset); revoked ones are forgotten.
    const kept = new Map<number, number>();
    for (const p of assignment) {
      const next = nextPositions[String(p)] ?? (this.assignment.includes(p) ? this.positions.get(p) : undefined);
      if (next !== undefined) kept.set(p, next);
    }
    for (const p of [...this.committed.keys()]) if (!assignment.includes(p)) this.committed.delete(p);
    this.positions = kept;
    this.assignment = assignment;
    this.epoch = answer.resultEpoch;
  }

  private invokeCommits(commit: { partition: number; offset: number }[], member: string, incarnation: number, epoch: number): CompleteCommit[] {
    return commit.map((c) =>
      this.ctx.history.invoke<CommitOp>({ f: 'commit', process: this.name, group: this.options.group, member, incarnation, epoch, topic: this.options.topic, partition: c.partition, offset: c.offset }),
    );
  }

  /** Per-offset results when the server sent them; a refused or unknown poll leaves its commits unknown. */
  private completeCommits(
    completes: CompleteCommit[],
    res: ApiResult,
    results: { partition: number; offset?: number; error?: { code: string; retriable: boolean } }[] | undefined,
    mine = true,
  ): void {
    completes.forEach((complete, i) => {
      const r = results?.[i];
      if (r === undefined) return complete({ outcome: 'info', ...(res.error === undefined ? {} : { error: res.error }) });
      if (r.error === undefined) {
        const op = complete({ outcome: 'ok' });
        if (mine) this.committed.set(op.partition, op.offset);
        return;
      }
      // Fencing refusals are conditional-write failures: nothing was written.
      const definite = ['FENCED_MEMBER_EPOCH', 'UNKNOWN_MEMBER_ID', 'STALE_MEMBER_EPOCH', 'UNKNOWN_TOPIC_OR_PARTITION', 'INVALID_REQUEST'].includes(r.error.code);
      return complete({ outcome: definite ? 'fail' : 'info', error: r.error.code });
    });
  }

  /** A zombie's comeback: commit the stale positions with the old epoch, on its own, before anything else. */
  private async zombieCommit(z: Zombie): Promise<void> {
    const commit = z.assignment.filter((p) => z.positions.has(p)).map((p) => ({ topic: this.options.topic, partition: p, offset: z.positions.get(p)! }));
    if (z.epoch <= 0 || commit.length === 0) return;
    const completes = this.invokeCommits(commit, z.member, z.incarnation, z.epoch);
    const res = await this.ctx.api.call('POST', `/v1/groups/${this.options.group}/commits`, { memberId: z.member, memberEpoch: z.epoch, offsets: commit });
    this.completeCommits(completes, res, res.body?.offsets, z.member === this.member && z.incarnation === this.incarnation);
  }

  /** A zombie's poll: its old epoch, claiming its old assignment, no commit. Recorded as the old incarnation's. */
  private async zombiePoll(z: Zombie): Promise<void> {
    const { group, topic } = this.options;
    const positions = Object.fromEntries([...z.positions].map(([p, o]) => [String(p), o]));
    const complete = this.ctx.history.invoke<PollOp>({ f: 'poll', process: this.name, group, member: z.member, incarnation: z.incarnation, topic, epoch: z.epoch, owned: [...z.assignment], positions });
    const res = await this.ctx.api.call('POST', `/v1/groups/${group}/poll`, {
      memberId: z.member,
      memberEpoch: z.epoch,
      topics: [topic],
      ...(z.assignment.length > 0 ? { owned: [{ topic, partitions: z.assignment }] } : {}),
      positions: Object.entries(positions).map(([p, offset]) => ({ topic, partition: Number(p), offset })),
      sessionTimeoutMs: this.options.sessionTimeoutMs,
      rebalanceTimeoutMs: this.options.sessionTimeoutMs,
      offsetReset: 'earliest',
      maxRecords: 50,
    });
    if (res.outcome !== 'ok') {
      complete({ outcome: res.outcome, ...(res.error === undefined ? {} : { error: res.error }) });
      return;
    }
    complete({ outcome: 'ok', ...this.decodePoll(res.body) });
  }

  /** What an ok poll answer says about this consumer's topic, as the history records it. */
  private decodePoll(raw: unknown): { resultEpoch: number; assignment: number[]; records: [number, number, string][]; nextPositions: Record<string, number> } {
    const { topic } = this.options;
    const body = raw as { memberEpoch: number; assignment: { topic: string; partitions: number[] }[]; records: WirePollRecord[]; positions: { topic: string; partition: number; offset: number }[] };
    const nextPositions: Record<string, number> = {};
    for (const p of body.positions) if (p.topic === topic) nextPositions[String(p.partition)] = p.offset;
    return {
      resultEpoch: body.memberEpoch,
      assignment: body.assignment.find((a) => a.topic === topic)?.partitions ?? [],
      records: body.records.filter((r) => r.topic === topic).map((r) => [r.partition, r.offset, valueOf(r)] as [number, number, string]),
      nextPositions,
    };
  }

  private async leave(): Promise<void> {
    const { group, topic } = this.options;
    // Recorded as a poll that owns nothing: from here on the member claims no partition.
    const complete = this.ctx.history.invoke<PollOp>({ f: 'poll', process: this.name, group, member: this.member, incarnation: this.incarnation, topic, epoch: -1, owned: [], positions: {} });
    const res = await this.ctx.api.call('POST', `/v1/groups/${group}/heartbeat`, { memberId: this.member, memberEpoch: -1 });
    complete({ outcome: res.outcome, ...(res.error === undefined ? {} : { error: res.error }), ...(res.outcome === 'ok' ? { resultEpoch: -1, assignment: [], records: [], nextPositions: {} } : {}) });
  }
}

/**
 * A group member over the stateless poll API: it sends its epoch, what it
 * owns, its positions and the commits due (its positions), and adopts the
 * assignment and positions of each ok response. After an unknown outcome it
 * resends with what it knew (the lost-response rule). Fenced or removed, it
 * re-joins under a NEW member id, so "a removed member never gets an ok
 * again" holds and the analysis can tell incarnations apart.
 *
 * Churn (when enabled): it sometimes leaves cleanly, sometimes dies without
 * leaving. Pause (zombie): told by the nemesis, it sleeps past its session
 * timeout, then resumes as if nothing happened — committing its stale
 * positions with its old epoch — which the server must refuse.
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

interface WirePollRecord {
  topic: string;
  partition: number;
  offset: number;
  value: { data: unknown } | null;
}

export class GroupConsumer extends Client {
  private incarnation = 0;
  private member = '';
  private epoch = 0;
  private assignment: number[] = [];
  private positions = new Map<number, number>();
  private committed = new Map<number, number>();
  /** Set by the nemesis: sleep this long at the next poll, then resume as a zombie. */
  pauseMs = 0;
  pauses = 0;

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
    this.rejoin();
  }

  async run(): Promise<void> {
    while (!this.ctx.stopped()) {
      if (this.pauseMs > 0) {
        this.pauses++;
        await sleep(this.pauseMs);
        this.pauseMs = 0;
        await this.zombieCommit();
      }
      const churn = this.options.churn();
      if (this.epoch > 0 && this.ctx.random.chance(churn.leave)) {
        await this.leave();
        this.rejoin();
        continue;
      }
      if (this.epoch > 0 && this.ctx.random.chance(churn.die)) {
        this.rejoin(); // the old incarnation just stops: the server removes it after its session timeout
        continue;
      }
      await this.poll();
      await sleep(this.ctx.random.int(50));
    }
    if (this.epoch > 0) await this.leave();
  }

  private rejoin(): void {
    this.member = `${this.ctx.runId}-${this.name}-${this.incarnation++}`;
    this.epoch = 0;
    this.assignment = [];
    this.positions.clear();
    this.committed.clear();
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
    const completePoll = this.ctx.history.invoke<PollOp>({ f: 'poll', process: this.name, group, member: this.member, topic, epoch: this.epoch, owned: [...this.assignment], positions });
    const completeCommits = this.invokeCommits(commit);
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
      if (res.error === 'UNKNOWN_MEMBER_ID' || res.error === 'FENCED_MEMBER_EPOCH') this.rejoin();
      else await sleep(100);
      return;
    }
    const body = res.body as { memberEpoch: number; assignment: { topic: string; partitions: number[] }[]; records: WirePollRecord[]; positions: { topic: string; partition: number; offset: number }[] };
    const assignment = body.assignment.find((a) => a.topic === topic)?.partitions ?? [];
    const records = body.records.filter((r) => r.topic === topic).map((r) => [r.partition, r.offset, valueOf(r)] as [number, number, string]);
    const nextPositions: Record<string, number> = {};
    for (const p of body.positions) if (p.topic === topic) nextPositions[String(p.partition)] = p.offset;
    completePoll({ outcome: 'ok', resultEpoch: body.memberEpoch, assignment, records, nextPositions });
    // Partitions newly assigned start from the server's positions (the committed offset); revoked ones are forgotten.
    const kept = new Map<number, number>();
    for (const p of assignment) {
      const next = nextPositions[String(p)] ?? (this.assignment.includes(p) ? this.positions.get(p) : undefined);
      if (next !== undefined) kept.set(p, next);
    }
    for (const p of [...this.committed.keys()]) if (!assignment.includes(p)) this.committed.delete(p);
    this.positions = kept;
    this.assignment = assignment;
    this.epoch = body.memberEpoch;
  }

  private invokeCommits(commit: { partition: number; offset: number }[]): CompleteCommit[] {
    return commit.map((c) =>
      this.ctx.history.invoke<CommitOp>({ f: 'commit', process: this.name, group: this.options.group, member: this.member, epoch: this.epoch, topic: this.options.topic, partition: c.partition, offset: c.offset }),
    );
  }

  /** Per-offset results when the server sent them; a refused or unknown poll leaves its commits unknown. */
  private completeCommits(completes: CompleteCommit[], res: ApiResult, results: { partition: number; offset?: number; error?: { code: string; retriable: boolean } }[] | undefined): void {
    completes.forEach((complete, i) => {
      const r = results?.[i];
      if (r === undefined) return complete({ outcome: 'info', ...(res.error === undefined ? {} : { error: res.error }) });
      if (r.error === undefined) {
        const op = complete({ outcome: 'ok' });
        this.committed.set(op.partition, op.offset);
        return;
      }
      // Fencing refusals are conditional-write failures: nothing was written.
      const definite = ['FENCED_MEMBER_EPOCH', 'UNKNOWN_MEMBER_ID', 'STALE_MEMBER_EPOCH', 'UNKNOWN_TOPIC_OR_PARTITION', 'INVALID_REQUEST'].includes(r.error.code);
      return complete({ outcome: definite ? 'fail' : 'info', error: r.error.code });
    });
  }

  /** A zombie's comeback: commit the stale positions with the old epoch, on its own, before anything else. */
  private async zombieCommit(): Promise<void> {
    const commit = this.assignment.filter((p) => this.positions.has(p)).map((p) => ({ topic: this.options.topic, partition: p, offset: this.positions.get(p)! }));
    if (this.epoch <= 0 || commit.length === 0) return;
    const completes = this.invokeCommits(commit);
    const res = await this.ctx.api.call('POST', `/v1/groups/${this.options.group}/commits`, { memberId: this.member, memberEpoch: this.epoch, offsets: commit });
    this.completeCommits(completes, res, res.body?.offsets);
  }

  private async leave(): Promise<void> {
    const { group, topic } = this.options;
    // Recorded as a poll that owns nothing: from here on the member claims no partition.
    const complete = this.ctx.history.invoke<PollOp>({ f: 'poll', process: this.name, group, member: this.member, topic, epoch: -1, owned: [], positions: {} });
    const res = await this.ctx.api.call('POST', `/v1/groups/${group}/heartbeat`, { memberId: this.member, memberEpoch: -1 });
    complete({ outcome: res.outcome, ...(res.error === undefined ? {} : { error: res.error }), ...(res.outcome === 'ok' ? { resultEpoch: -1, assignment: [], records: [], nextPositions: {} } : {}) });
  }
}

/**
 * Transactional clients (`POST /v1/transactions`).
 * - TxnProducer: transactions of 2–4 records across the partitions of two
 *   topics, with a producer id and a sequence per transaction; after an
 *   unknown outcome or a retriable refusal it resends the SAME transaction
 *   (same sequence), so the server's deduplication is what keeps it from
 *   landing twice; when it gives up, it takes a new epoch (sequence 0).
 *   Every attempt is one `txn` op: partial-transaction judges each.
 * - Transformer: a consume-transform-produce member. It polls the input
 *   topic in its group (never committing through the poll) and, per input
 *   partition of each answer, writes one output `<input value>=><attempt>`
 *   per input record together with the commit of the next input offset, in
 *   one transaction. After any outcome but ok it leaves and re-joins under
 *   a new member id, so it resumes from the committed offsets; its earlier
 *   transaction, if still in flight, is fenced (eos-violation judges it).
 */
import type { TxnOp } from '../history';
import { sleep, type ApiResult } from './api';
import { Client, type ClientContext } from './client';
import { valueOf } from './readers';

export interface TxnTopics {
  topics: { name: string; partitions: number }[];
}

export class TxnProducer extends Client {
  private id = '';
  private epoch = 0;
  private sequence = 0;

  constructor(
    name: string,
    ctx: ClientContext,
    private readonly target: TxnTopics,
  ) {
    super(name, ctx);
  }

  async run(): Promise<void> {
    while (!this.ctx.stopped() && !(await this.init())) await sleep(200);
    while (!this.ctx.stopped()) {
      const records = Array.from({ length: 2 + this.ctx.random.int(3) }, () => {
        const t = this.target.topics[this.ctx.random.int(this.target.topics.length)]!;
        return { topic: t.name, partition: this.ctx.random.int(t.partitions), value: this.nextValue() };
      });
      let done = false;
      for (let attempt = 0; attempt < 8 && !done && !this.ctx.stopped(); attempt++) {
        if (attempt > 0) await sleep(Math.min(2_000, 50 * 2 ** attempt));
        const res = await transact(this, records, { producerId: this.id, producerEpoch: this.epoch, sequence: this.sequence });
        if (res.outcome === 'ok') {
          this.sequence++;
          done = true;
        } else if (res.outcome === 'fail' && res.error !== 'RESERVATION_ABORTED') {
          break;
        }
      }
      if (!done) {
        // Gave up (or refused): the sequence no longer tells what landed; fence our own epoch.
        while (!this.ctx.stopped() && !(await this.init(this.id))) await sleep(200);
      }
      await sleep(this.ctx.random.int(40));
    }
  }

  private async init(existing?: string): Promise<boolean> {
    const res = await this.ctx.api.call('POST', '/v1/producers', existing === undefined || existing === '' ? undefined : { producerId: existing });
    if (res.outcome !== 'ok') return false;
    this.id = res.body.producerId;
    this.epoch = res.body.producerEpoch;
    this.sequence = 0;
    return true;
  }
}

/** One recorded transaction attempt. */
async function transact(
  client: Client,
  records: TxnOp['records'],
  extra: { producerId?: string; producerEpoch?: number; sequence?: number; groupCommit?: { groupId: string; memberId: string; memberEpoch: number; offsets: { topic: string; partition: number; offset: number }[] } },
): Promise<ApiResult> {
  const ctx = (client as unknown as { ctx: ClientContext }).ctx;
  const gc = extra.groupCommit;
  const complete = ctx.history.invoke<TxnOp>({
    f: 'txn',
    process: client.name,
    records,
    ...(gc === undefined ? {} : { groupCommit: { group: gc.groupId, member: gc.memberId, epoch: gc.memberEpoch, topic: gc.offsets[0]?.topic ?? '', offsets: Object.fromEntries(gc.offsets.map((o) => [String(o.partition), o.offset])) } }),
  });
  const res = await ctx.api.call('POST', '/v1/transactions', {
    ...extra,
    records: records.map((r) => ({ topic: r.topic, partition: r.partition, value: { type: 'STRING', data: r.value } })),
  });
  const offsets = res.outcome === 'ok' ? (res.body?.records ?? []).map((r: { offset: number }) => r.offset) : undefined;
  complete({ outcome: res.outcome, ...(res.error === undefined ? {} : { error: res.error }), ...(offsets === undefined ? {} : { offsets }) });
  return res;
}

export interface TransformOptions {
  group: string;
  input: string;
  output: { name: string; partitions: number };
  sessionTimeoutMs: number;
}

export class Transformer extends Client {
  private ids = 0;
  private member = '';
  private epoch = 0;
  private assignment: number[] = [];
  private positions = new Map<number, number>();
  private attempts = 0;

  constructor(
    name: string,
    ctx: ClientContext,
    private readonly o: TransformOptions,
  ) {
    super(name, ctx);
    this.rejoin();
  }

  async run(): Promise<void> {
    while (!this.ctx.stopped()) {
      await this.step();
      await sleep(this.ctx.random.int(50));
    }
    if (this.epoch > 0) await this.ctx.api.call('POST', `/v1/groups/${this.o.group}/heartbeat`, { memberId: this.member, memberEpoch: -1 });
  }

  private rejoin(): void {
    this.member = `${this.ctx.runId}-${this.name}-${this.ids++}`;
    this.epoch = 0;
    this.assignment = [];
    this.positions.clear();
  }

  /** Leaves (its partitions move on at once) and re-joins as a new member: it resumes from the committed offsets. */
  private async restart(): Promise<void> {
    if (this.epoch > 0) await this.ctx.api.call('POST', `/v1/groups/${this.o.group}/heartbeat`, { memberId: this.member, memberEpoch: -1 });
    this.rejoin();
  }

  private async step(): Promise<void> {
    const { group, input } = this.o;
    const res = await this.ctx.api.call('POST', `/v1/groups/${group}/poll`, {
      memberId: this.member,
      memberEpoch: this.epoch,
      topics: [input],
      ...(this.assignment.length > 0 ? { owned: [{ topic: input, partitions: this.assignment }] } : {}),
      positions: [...this.positions].filter(([p]) => this.assignment.includes(p)).map(([partition, offset]) => ({ topic: input, partition, offset })),
      sessionTimeoutMs: this.o.sessionTimeoutMs,
      rebalanceTimeoutMs: this.o.sessionTimeoutMs,
      offsetReset: 'earliest',
      maxWaitMs: 200,
      maxRecords: 20,
    });
    if (res.outcome !== 'ok') {
      if (res.error === 'UNKNOWN_MEMBER_ID' || res.error === 'FENCED_MEMBER_EPOCH') this.rejoin();
      else await sleep(100);
      return;
    }
    const body = res.body as { memberEpoch: number; assignment: { topic: string; partitions: number[] }[]; records: { topic: string; partition: number; offset: number; value: { type?: string; data: unknown } | null }[]; positions?: { topic: string; partition: number; offset: number }[] };
    const assignment = body.assignment.filter((a) => a.topic === input).flatMap((a) => a.partitions);
    const kept = new Map<number, number>();
    const serverPositions = new Map((body.positions ?? []).filter((p) => p.topic === input).map((p) => [p.partition, p.offset]));
    for (const p of assignment) {
      const next = serverPositions.get(p) ?? (this.assignment.includes(p) ? this.positions.get(p) : undefined);
      if (next !== undefined) kept.set(p, next);
    }
    this.positions = kept;
    this.assignment = assignment;
    this.epoch = body.memberEpoch;

    const byPartition = new Map<number, { offset: number; value: string }[]>();
    for (const r of body.records) {
      if (r.topic !== input || r.value === null) continue;
      const list = byPartition.get(r.partition) ?? [];
      list.push({ offset: r.offset, value: valueOf(r) });
      byPartition.set(r.partition, list);
    }
    for (const [partition, inputs] of byPartition) {
      const attempt = `${this.name}.${this.attempts++}`;
      const records = inputs.map((i) => ({ topic: this.o.output.name, partition: this.ctx.random.int(this.o.output.partitions), value: `${i.value}=>${attempt}` }));
      const next = inputs[inputs.length - 1]!.offset + 1;
      const tx = await transact(this, records, { groupCommit: { groupId: group, memberId: this.member, memberEpoch: this.epoch, offsets: [{ topic: input, partition, offset: next }] } });
      if (tx.outcome !== 'ok') {
        await this.restart();
        return;
      }
      this.positions.set(partition, next);
    }
  }
}

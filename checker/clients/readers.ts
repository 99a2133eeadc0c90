/**
 * Stateless readers.
 * - Fetcher: walks the partitions of a topic with plain fetches from its own
 *   positions, sometimes seeking back (to the log start or a random earlier
 *   offset) to re-read what it saw; sometimes reads the topic's offsets.
 *   Every fetch records what it saw at each offset, the aborted ranges, the
 *   high watermark and log start — the raw material of most checks.
 * - CommittedObserver: reads a group's committed offsets and its members
 *   now and then (a removed member's commit must never be accepted).
 */
import type { CommittedOp, FetchOp, MembersOp, OffsetsOp } from '../history';
import { sleep, type Api, type ApiResult } from './api';
import { Client, type ClientContext } from './client';
import type { ProduceTarget } from './producers';

interface WireRecord {
  offset: number;
  value: { type: string; data: unknown } | null;
}

/** The value a record carries, as the history stores it (without a large record's '|' padding). */
export function valueOf(record: { value: { type?: string; data: unknown } | null }): string {
  if (record.value === null) return '<null>';
  // Values produced through the Kafka gateway are stored as BINARY: base64 over HTTP.
  const text = record.value.type === 'BINARY' ? Buffer.from(String(record.value.data), 'base64').toString('utf8') : String(record.value.data);
  return text.split('|', 1)[0]!;
}

/** One fetch, recorded. */
export async function recordedFetch(ctx: { api: Api; history: ClientContext['history'] }, process: string, topic: string, partition: number, from: number, final = false, push = false): Promise<ApiResult> {
  const complete = ctx.history.invoke<FetchOp>({ f: 'fetch', process, topic, partition, from, ...(final ? { final } : {}), ...(push ? { push: true as const } : {}) });
  const res = await ctx.api.call('GET', `/v1/topics/${topic}/partitions/${partition}/records?offset=${from}&maxRecords=500&maxWaitMs=0`);
  if (res.outcome !== 'ok') {
    complete({ outcome: res.outcome, ...(res.error === undefined ? {} : { error: res.error }) });
    return res;
  }
  const b = res.body as { records: WireRecord[]; nextOffset: number; highWatermark: number; logStartOffset: number; abortedRanges: { from: number; to: number }[] };
  complete({
    outcome: 'ok',
    records: b.records.map((r) => [r.offset, valueOf(r)]),
    nextOffset: b.nextOffset,
    highWatermark: b.highWatermark,
    logStartOffset: b.logStartOffset,
    aborted: (b.abortedRanges ?? []).map((r) => [r.from, r.to]),
  });
  return res;
}

export class Fetcher extends Client {
  private readonly positions = new Map<number, number>();

  constructor(
    name: string,
    ctx: ClientContext,
    private readonly target: ProduceTarget,
  ) {
    super(name, ctx);
  }

  async run(): Promise<void> {
    const { random } = this.ctx;
    while (!this.ctx.stopped()) {
      if (random.chance(0.05)) {
        await this.readOffsets();
        continue;
      }
      const partition = random.int(this.target.partitions);
      let from = this.positions.get(partition) ?? 0;
      if (random.chance(0.05)) from = random.chance(0.5) ? 0 : random.int(from + 1); // seek back and re-read
      const res = await recordedFetch(this.ctx, this.name, this.target.name, partition, from);
      if (res.outcome === 'ok') this.positions.set(partition, res.body.nextOffset);
      else if (res.error === 'OFFSET_OUT_OF_RANGE') {
        // Retention moved the log start, or the topic was re-created (offsets restart at 0).
        const start = res.body?.error?.logStartOffset;
        this.positions.set(partition, typeof start === 'number' && start > from ? start : 0);
      }
      await sleep(10 + random.int(60));
    }
  }

  private async readOffsets(): Promise<void> {
    const complete = this.ctx.history.invoke<OffsetsOp>({ f: 'offsets', process: this.name, topic: this.target.name });
    const res = await this.ctx.api.call('GET', `/v1/topics/${this.target.name}/offsets`);
    if (res.outcome !== 'ok') {
      complete({ outcome: res.outcome, ...(res.error === undefined ? {} : { error: res.error }) });
      return;
    }
    const partitions: OffsetsOp['partitions'] = {};
    for (const p of res.body.partitions as { partition: number; logStartOffset: number; highWatermark: number }[]) {
      partitions[String(p.partition)] = { logStartOffset: p.logStartOffset, highWatermark: p.highWatermark };
    }
    complete({ outcome: 'ok', partitions });
  }
}

/** Reads a group's committed offsets of one topic (also used once at the end). */
export async function recordedCommitted(ctx: { api: Api; history: ClientContext['history'] }, process: string, group: string, topic: string): Promise<void> {
  const complete = ctx.history.invoke<CommittedOp>({ f: 'committed', process, group, topic });
  const res = await ctx.api.call('GET', `/v1/groups/${group}/offsets`);
  if (res.outcome !== 'ok') {
    complete({ outcome: res.outcome, ...(res.error === undefined ? {} : { error: res.error }) });
    return;
  }
  const offsets: Record<string, number> = {};
  for (const o of res.body.offsets as { topic: string; partition: number; offset: number }[]) if (o.topic === topic && o.offset >= 0) offsets[String(o.partition)] = o.offset;
  complete({ outcome: 'ok', offsets });
}

export class CommittedObserver extends Client {
  constructor(
    name: string,
    ctx: ClientContext,
    private readonly group: string,
    private readonly topic: string,
  ) {
    super(name, ctx);
  }

  async run(): Promise<void> {
    while (!this.ctx.stopped()) {
      await recordedCommitted(this.ctx, this.name, this.group, this.topic);
      await this.readMembers();
      await sleep(100 + this.ctx.random.int(200));
    }
  }

  private async readMembers(): Promise<void> {
    const complete = this.ctx.history.invoke<MembersOp>({ f: 'members', process: this.name, group: this.group });
    const res = await this.ctx.api.call('GET', `/v1/groups/${this.group}`);
    if (res.outcome === 'ok') complete({ outcome: 'ok', members: (res.body.members as { memberId: string }[]).map((m) => m.memberId) });
    else complete({ outcome: res.outcome, ...(res.error === undefined ? {} : { error: res.error }) });
  }
}

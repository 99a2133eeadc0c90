/**
 * The history of a checker run, Jepsen style: every client operation is
 * recorded when it is invoked and again when it completes, with its outcome:
 * `ok` (happened), `fail` (definitely did not happen: a 4xx, or an error the
 * server guarantees left nothing behind) or `info` (unknown: timeouts,
 * dropped connections, 5xx). Times are milliseconds of real (monotonic) time
 * since the run started — never a handler's skewed clock — so "A completed
 * before B was invoked" is a fact the analysis may rely on.
 *
 * The JSONL file holds one `invoke` line and one completion line per op; an
 * op whose completion is missing (the checker died) loads as `info`.
 */
import { createWriteStream, readFileSync, type WriteStream } from 'node:fs';
import { performance } from 'node:perf_hooks';

export type Outcome = 'ok' | 'fail' | 'info';

interface OpBase {
  id: number;
  /** The client (process in Jepsen's sense) that ran the op. */
  process: string;
  invokeAt: number;
  completeAt: number;
  outcome: Outcome;
  /** Error code (or network error) of a non-ok outcome. */
  error?: string;
}

/** Produce of `values` (one record each, in order) to one partition. */
export interface SendOp extends OpBase {
  f: 'send';
  topic: string;
  partition: number;
  values: string[];
  /** Idempotent producer id, epoch and base sequence; retries resend the same values. */
  producer?: { id: string; epoch: number; seq: number };
  /** Offsets of the values, on ok. */
  offsets?: number[];
}

/** A stateless fetch of one partition (also the final exhaustive read). */
export interface FetchOp extends OpBase {
  f: 'fetch';
  topic: string;
  partition: number;
  from: number;
  final?: boolean;
  records?: [offset: number, value: string | null][];
  nextOffset?: number;
  highWatermark?: number;
  logStartOffset?: number;
  /** Aborted ranges [from, to) the fetch reported. */
  aborted?: [number, number][];
  /** A push consumer's read: it moves its position to nextOffset, so it must have been given every record below it (poll-skip). */
  push?: true;
}

/** A group poll: commit + heartbeat + fetch. Commits it carried are also recorded as `commit` ops. */
export interface PollOp extends OpBase {
  f: 'poll';
  group: string;
  member: string;
  /** Which incarnation of the member id sent it (a client may re-join under the same id): analysis identity is member + incarnation. */
  incarnation?: number;
  topic: string;
  epoch: number;
  /** Partitions the member claimed to own when it sent the poll. */
  owned: number[];
  /** Positions it sent (partition → offset). */
  positions: Record<string, number>;
  resultEpoch?: number;
  assignment?: number[];
  records?: [partition: number, offset: number, value: string | null][];
  nextPositions?: Record<string, number>;
}

export interface CommitOp extends OpBase {
  f: 'commit';
  group: string;
  member: string;
  incarnation?: number;
  epoch: number;
  topic: string;
  partition: number;
  offset: number;
}

/** `GET /v1/topics/{topic}/offsets`: log start and high watermark per partition. */
export interface OffsetsOp extends OpBase {
  f: 'offsets';
  topic: string;
  partitions?: Record<string, { logStartOffset: number; highWatermark: number }>;
}

/** `GET /v1/groups/{group}/offsets`: committed offsets of one topic. */
export interface CommittedOp extends OpBase {
  f: 'committed';
  group: string;
  topic: string;
  offsets?: Record<string, number>;
}

/** `GET /v1/groups/{group}` (strongly consistent): the member ids the group holds. */
export interface MembersOp extends OpBase {
  f: 'members';
  group: string;
  members?: string[];
}

/** Topic admin: create at setup, or a delete + re-create cycle under load. */
export interface TopicOp extends OpBase {
  f: 'create-topic' | 'recreate-topic';
  topic: string;
}

/** A fault starting or stopping (outcome always ok); for reading the history, not analysed. */
export interface NemesisOp extends OpBase {
  f: 'nemesis';
  fault: string;
  action: 'start' | 'stop' | 'event';
  detail?: string;
}

/**
 * A transaction (`POST /v1/transactions`): records for several partitions and topics (values unique per
 * run), and for a consume-transform-produce step the group commit it carried.
 */
export interface TxnOp extends OpBase {
  f: 'txn';
  records: { topic: string; partition: number; value: string }[];
  groupCommit?: { group: string; member: string; epoch: number; topic: string; offsets: Record<string, number> };
  /** Where each record landed, on ok. */
  offsets?: number[];
}

/**
 * One POST the checker's webhook receiver got from a push subscription, and what it answered:
 * an HTTP status, or `hang` (no answer: the socket is closed after the sender's timeout).
 */
export interface WebhookOp extends OpBase {
  f: 'webhook';
  subscription: string;
  topic: string;
  partition: number;
  records: [offset: number, value: string][];
  /** The samsa-signature header verified against the body with the subscription's secret. */
  signed: boolean;
  answer?: number | 'hang';
}

/** The final read of a subscription's dead-letter topic, with every record's headers. */
export interface DlqReadOp extends OpBase {
  f: 'dlq-read';
  topic: string;
  partition: number;
  records?: { offset: number; value: string; headers: Record<string, string | null> }[];
  nextOffset?: number;
  highWatermark?: number;
}

export type Op = SendOp | FetchOp | PollOp | CommitOp | OffsetsOp | CommittedOp | MembersOp | TopicOp | NemesisOp | TxnOp | WebhookOp | DlqReadOp;

/** What an op is before it completes. */
export type Invocation<T extends Op = Op> = Omit<T, 'id' | 'invokeAt' | 'completeAt' | 'outcome'>;
export type Completion<T extends Op = Op> = { outcome: Outcome; error?: string } & Partial<Omit<T, 'id' | 'f' | 'process' | 'invokeAt' | 'completeAt'>>;

export class HistoryRecorder {
  readonly ops: Op[] = [];
  private nextId = 0;
  private readonly start = performance.now();
  private readonly out: WriteStream | undefined;

  constructor(path?: string) {
    this.out = path === undefined ? undefined : createWriteStream(path);
  }

  now(): number {
    return Math.round((performance.now() - this.start) * 10) / 10;
  }

  /** Records the invocation; call the returned function exactly once with the completion. */
  invoke<T extends Op>(op: Invocation<T>): (completion: Completion<T>) => T {
    const id = this.nextId++;
    const invokeAt = this.now();
    this.out?.write(`${JSON.stringify({ type: 'invoke', id, invokeAt, ...op })}\n`);
    return (completion) => {
      const done = { ...op, ...completion, id, invokeAt, completeAt: this.now() } as unknown as T;
      this.ops.push(done);
      this.out?.write(`${JSON.stringify({ type: done.outcome, ...done })}\n`);
      return done;
    };
  }

  /** An instantaneous op (nemesis events). */
  event(op: Invocation<NemesisOp>): void {
    this.invoke<NemesisOp>(op)({ outcome: 'ok' });
  }

  close(): Promise<void> {
    return new Promise((done) => (this.out === undefined ? done() : this.out.end(done)));
  }
}

/** Loads a history file: completions win; invocations without one become `info`. */
export function loadHistory(path: string): Op[] {
  const invoked = new Map<number, Op>();
  const completed = new Map<number, Op>();
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (line.trim() === '') continue;
    const { type, ...rest } = JSON.parse(line) as { type: string } & Op;
    if (type === 'invoke') invoked.set(rest.id, { ...rest, outcome: 'info', completeAt: Number.POSITIVE_INFINITY } as Op);
    else completed.set(rest.id, rest as Op);
  }
  return [...invoked.keys()].sort((a, b) => a - b).map((id) => completed.get(id) ?? invoked.get(id)!);
}

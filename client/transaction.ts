/**
 * Transactions: `producer.transaction()` collects records for any topics and
 * partitions, and optionally a group member's offsets, and `commit()` sends
 * them as ONE `POST /v1/transactions`: every record becomes visible and every
 * offset is committed together, or nothing is (see docs/transactions.md).
 *
 * Behaviour:
 *  - Nothing is sent before `commit()`; `abort()` simply drops what was
 *    collected. A transaction commits at most once.
 *  - Idempotent: the producer's transactions carry one producer id, its
 *    epoch and a sequence number (0, 1, … per epoch). `commit()` retries a
 *    request that got no answer or a retriable error with the same body, so
 *    a commit whose answer was lost is answered with the offsets it got, and
 *    nothing is written twice. After an outcome the SDK cannot know (retries
 *    exhausted), the next transaction takes a new epoch first.
 *  - A producer commits one transaction at a time, in the order `commit()`
 *    was called.
 *  - Group offsets: `sendOffsets(consumer.groupMetadata(), offsets)` (or the
 *    group, member id and epoch given directly); the server refuses the
 *    whole transaction for a member that no longer owns a partition at that
 *    epoch (FENCED_MEMBER_EPOCH, STALE_MEMBER_EPOCH, UNKNOWN_MEMBER_ID).
 */
import { headersToWire, toWire } from './data';
import { SamsaApiError } from './errors';
import type { HttpClient } from './http';
import { RECORD_FIELDS, SEQUENCE_ERRORS, type ProducerRecord } from './producer';
import type { ProducerIdentity, RecordMetadata } from './types';
import { checkFields, invalid } from './validate';

/** Which member of which group commits, and at which epoch (GroupConsumer.groupMetadata()). */
export interface GroupMetadata {
  groupId: string;
  memberId: string;
  memberEpoch: number;
}

export interface TransactionOffset {
  topic: string;
  partition: number;
  /** The next offset to consume (the last processed + 1), as in every commit. */
  offset: number;
  metadata?: string;
}

export interface TransactionResult {
  /** Every record sent, in send order, where it landed. */
  records: RecordMetadata[];
  /** The offsets committed with them. */
  committed: { topic: string; partition: number; offset: number }[];
}

const GROUP_FIELDS = { groupId: 's!', memberId: 's!', memberEpoch: 'i!' } satisfies Record<keyof GroupMetadata, string>;
const OFFSET_FIELDS = { topic: 's!', partition: 'i!', offset: 'i!', metadata: 't' } satisfies Record<keyof TransactionOffset, string>;

/** A producer's transactional id, epoch and next sequence; commits go through it one at a time. */
export class TransactionSequencer {
  private identity: ProducerIdentity | undefined;
  private sequence = 0;
  private needsNewEpoch = false;
  private chain: Promise<unknown> = Promise.resolve();

  constructor(private readonly http: HttpClient) {}

  /** Runs `send` with the next (id, epoch, sequence) once every earlier commit has settled. */
  commit<T>(send: (ids: { producerId: string; producerEpoch: number; sequence: number }) => Promise<T>): Promise<T> {
    const run = this.chain.then(async () => {
      const identity = await this.current();
      try {
        const result = await send({ ...identity, sequence: this.sequence });
        this.sequence++;
        return result;
      } catch (err) {
        // Refused for good (nothing written): the sequence is still free. Anything else may have
        // committed, so the sequence numbers no longer tell: the next transaction takes a new epoch.
        if (!(err instanceof SamsaApiError) || err.retriable || SEQUENCE_ERRORS.has(err.code)) this.needsNewEpoch = true;
        throw err;
      }
    });
    this.chain = run.catch(() => undefined);
    return run;
  }

  private async current(): Promise<ProducerIdentity> {
    if (this.identity !== undefined && !this.needsNewEpoch) return this.identity;
    const body = this.identity === undefined ? undefined : { producerId: this.identity.producerId };
    this.identity = await this.http.request<ProducerIdentity>({ method: 'POST', path: '/v1/producers', ...(body === undefined ? {} : { body }) });
    this.sequence = 0;
    this.needsNewEpoch = false;
    return this.identity;
  }
}

export class Transaction {
  private readonly records: Record<string, unknown>[] = [];
  private group: (GroupMetadata & { offsets: TransactionOffset[] }) | undefined;
  private state: 'open' | 'committing' | 'done' = 'open';

  constructor(
    private readonly http: HttpClient,
    private readonly sequencer: TransactionSequencer,
  ) {}

  /** Adds a record; sent with the others at commit(). Refuses a record the SDK cannot send as given (INVALID_ARGUMENT). */
  send(record: ProducerRecord): void {
    this.checkOpen('send');
    checkFields(record, RECORD_FIELDS, 'transaction.send(record)');
    const wire: Record<string, unknown> = { topic: record.topic, key: toWire(record.key, 'key'), value: toWire(record.value, 'value') };
    const headers = headersToWire(record.headers);
    if (headers !== undefined) wire.headers = headers;
    if (record.partition !== undefined) wire.partition = record.partition;
    if (record.timestamp !== undefined) wire.timestamp = record.timestamp instanceof Date ? record.timestamp.getTime() : record.timestamp;
    JSON.stringify(wire); // what JSON cannot hold fails this call, not the commit
    this.records.push(wire);
  }

  /** Commits these offsets of the member's group with the records (exactly-once consume-transform-produce). */
  sendOffsets(member: GroupMetadata, offsets: TransactionOffset[]): void {
    this.checkOpen('sendOffsets');
    checkFields(member, GROUP_FIELDS, 'transaction.sendOffsets(member, offsets)');
    if (!Array.isArray(offsets)) throw invalid('sendOffsets: offsets must be an array.');
    for (const o of offsets) checkFields(o, OFFSET_FIELDS, 'an offset of transaction.sendOffsets()');
    if (this.group !== undefined && (this.group.groupId !== member.groupId || this.group.memberId !== member.memberId || this.group.memberEpoch !== member.memberEpoch)) {
      throw invalid('sendOffsets: one member and epoch per transaction.');
    }
    const merged = new Map((this.group?.offsets ?? []).map((o) => [`${o.topic}\u0000${o.partition}`, o]));
    for (const o of offsets) merged.set(`${o.topic}\u0000${o.partition}`, { ...o });
    this.group = { groupId: member.groupId, memberId: member.memberId, memberEpoch: member.memberEpoch, offsets: [...merged.values()] };
  }

  /** Sends everything as one atomic request. Rejects with the server's error when nothing of it was written. */
  async commit(): Promise<TransactionResult> {
    this.checkOpen('commit');
    this.state = 'committing';
    try {
      return await this.sequencer.commit(async (ids) => {
        const body = { ...ids, records: this.records, ...(this.group === undefined ? {} : { groupCommit: this.group }) };
        return this.http.request<TransactionResult>({ method: 'POST', path: '/v1/transactions', body, idempotent: true });
      });
    } finally {
      this.state = 'done';
    }
  }

  /** Drops what was collected; nothing was sent. */
  abort(): void {
    if (this.state === 'committing') throw invalid('The transaction is committing.');
    this.state = 'done';
  }

  private checkOpen(call: string): void {
    if (this.state !== 'open') throw invalid(`transaction.${call}(): the transaction is over; start a new one.`);
  }
}

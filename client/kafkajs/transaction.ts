/**
 * KafkaJS's `producer.transaction()` over the SDK's transactions
 * (client/transaction.ts): `send` / `sendBatch` collect messages, and
 * `sendOffsets` a consumer group member's offsets; `commit()` sends them all
 * as one atomic request, `abort()` drops them (nothing was sent).
 *
 * Differences from Kafka, all of them a consequence of one request per
 * transaction: `send` / `sendBatch` resolve with `[]` (the offsets exist only
 * once `commit()` stores the records); the records of an aborted transaction
 * were never written (Kafka writes them and marks them aborted).
 * `sendOffsets` takes `{ consumer, topics }` (a consumer of this Kafka
 * instance), or KafkaJS's `{ consumerGroupId, topics }` when a consumer of
 * that group runs in this Kafka instance: the commit is fenced by that
 * member's epoch, so a zombie or a member whose partition moved on commits
 * nothing and writes nothing.
 */
import type { GroupMetadata, Producer as SamsaProducer, Transaction as SamsaTransaction } from '../index';
import { KafkaJSNonRetriableError, toKafkaJSError } from './errors';
import { checkKnownFields, toSamsaRecord } from './messages';
import type { Message, RecordMetadata } from './types';

/** A running consumer's group metadata, for sendOffsets: by consumer, or by group id within one Kafka instance. */
export interface GroupMembers {
  byGroup: Map<string, () => GroupMetadata | undefined>;
}

export interface SendOffsetsRequest {
  consumerGroupId?: string;
  consumer?: { groupMetadata(): GroupMetadata | undefined };
  topics: { topic: string; partitions: { partition: number; offset: string }[] }[];
}

export class Transaction {
  private active = true;

  constructor(
    private readonly sdk: SamsaTransaction,
    private readonly members: GroupMembers,
    private readonly errorContext: { broker: string; retries: number },
  ) {}

  isActive(): boolean {
    return this.active;
  }

  async send(record: { topic: string; messages: Message[] }): Promise<RecordMetadata[]> {
    checkKnownFields(record, ['topic', 'messages', 'acks', 'timeout', 'compression'], 'transaction.send()');
    return this.sendBatch({ topicMessages: [{ topic: record.topic, messages: record.messages }] });
  }

  async sendBatch(batch: { topicMessages?: { topic: string; messages: Message[] }[] }): Promise<RecordMetadata[]> {
    checkKnownFields(batch, ['topicMessages', 'acks', 'timeout', 'compression'], 'transaction.sendBatch()');
    this.checkActive();
    // Every message is checked before any is added: a refused call adds nothing.
    const records = (batch.topicMessages ?? []).flatMap((group) => {
      if (typeof group?.topic !== 'string' || group.topic === '') throw new KafkaJSNonRetriableError('Invalid topic');
      if (!Array.isArray(group.messages)) throw new KafkaJSNonRetriableError(`Invalid messages array [${String(group.messages)}] for topic "${group.topic}"`);
      return group.messages.map((m, i) => toSamsaRecord(group.topic, m, i));
    });
    for (const r of records) this.sdk.send(r);
    return [];
  }

  async sendOffsets(request: SendOffsetsRequest): Promise<void> {
    checkKnownFields(request, ['consumerGroupId', 'consumer', 'topics'], 'transaction.sendOffsets()');
    this.checkActive();
    const member = request.consumer?.groupMetadata() ?? (request.consumerGroupId === undefined ? undefined : this.members.byGroup.get(request.consumerGroupId)?.());
    if (member === undefined) {
      throw new KafkaJSNonRetriableError(
        'transaction.sendOffsets() needs a running consumer of the group in this Kafka instance ({ consumer } or its consumerGroupId): Samsa fences the commit by that member\'s epoch.',
      );
    }
    if (request.consumerGroupId !== undefined && request.consumerGroupId !== member.groupId) {
      throw new KafkaJSNonRetriableError(`consumerGroupId "${request.consumerGroupId}" is not the consumer's group "${member.groupId}".`);
    }
    const offsets = (request.topics ?? []).flatMap((t) => t.partitions.map((p) => ({ topic: t.topic, partition: p.partition, offset: Number(p.offset) })));
    this.sdk.sendOffsets(member, offsets);
  }

  async commit(): Promise<void> {
    this.checkActive();
    this.active = false;
    try {
      await this.sdk.commit();
    } catch (err) {
      throw toKafkaJSError(err, this.errorContext);
    }
  }

  async abort(): Promise<void> {
    this.checkActive();
    this.active = false;
    this.sdk.abort();
  }

  private checkActive(): void {
    if (!this.active) throw new KafkaJSNonRetriableError('Transaction is not active');
  }
}

/** A new facade transaction on the SDK producer. */
export function startTransaction(sdk: SamsaProducer, members: GroupMembers, errorContext: { broker: string; retries: number }): Transaction {
  return new Transaction(sdk.transaction(), members, errorContext);
}

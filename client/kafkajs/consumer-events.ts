/**
 * The consumer's instrumentation events, in KafkaJS's names and payloads.
 *
 * Where they come from: HEARTBEAT, FETCH_START and FETCH from the SDK's
 * heartbeat and poll requests (a poll is Samsa's fetch, and heartbeats too);
 * GROUP_JOIN from every change of the member's epoch or assignment;
 * REBALANCING when partitions are about to be revoked; COMMIT_OFFSETS after
 * each commit; START/END_BATCH_PROCESS around each partition's batch;
 * CONNECT, DISCONNECT, STOP and CRASH from the consumer itself.
 * Never emitted: RECEIVED_UNSUBSCRIBED_TOPICS (the server assigns only
 * subscribed topics), REQUEST_TIMEOUT and REQUEST_QUEUE_SIZE (timeouts
 * reach the caller as errors; there is no request queue).
 */
import type { Instrumentation, RequestObserver } from './instrumentation';
import type { RequestPayload, TopicOffsets, TopicPartitions } from './types';

export const CONSUMER_EVENTS = {
  HEARTBEAT: 'consumer.heartbeat',
  COMMIT_OFFSETS: 'consumer.commit_offsets',
  GROUP_JOIN: 'consumer.group_join',
  FETCH_START: 'consumer.fetch_start',
  FETCH: 'consumer.fetch',
  START_BATCH_PROCESS: 'consumer.start_batch_process',
  END_BATCH_PROCESS: 'consumer.end_batch_process',
  CONNECT: 'consumer.connect',
  DISCONNECT: 'consumer.disconnect',
  STOP: 'consumer.stop',
  CRASH: 'consumer.crash',
  REBALANCING: 'consumer.rebalancing',
  RECEIVED_UNSUBSCRIBED_TOPICS: 'consumer.received_unsubscribed_topics',
  REQUEST: 'consumer.network.request',
  REQUEST_TIMEOUT: 'consumer.network.request_timeout',
  REQUEST_QUEUE_SIZE: 'consumer.network.request_queue_size',
} as const;

interface BatchProcess {
  topic: string;
  partition: number;
  highWatermark: string;
  offsetLag: string;
  offsetLagLow: string;
  batchSize: number;
  firstOffset: string;
  lastOffset: string;
}

export interface ConsumerEventPayloads {
  'consumer.heartbeat': { groupId: string; memberId: string; groupGenerationId: number };
  'consumer.commit_offsets': { groupId: string; memberId: string; groupGenerationId: number; topics: TopicOffsets[] };
  'consumer.group_join': {
    duration: number;
    groupId: string;
    /** Always false: no member leads, the server assigns. */
    isLeader: boolean;
    leaderId: string;
    groupProtocol: string;
    memberId: string;
    memberAssignment: { [topic: string]: number[] };
  };
  'consumer.fetch_start': { nodeId: number };
  'consumer.fetch': { numberOfBatches: number; duration: number; nodeId: number };
  'consumer.start_batch_process': BatchProcess;
  'consumer.end_batch_process': BatchProcess & { duration: number };
  'consumer.connect': null;
  'consumer.disconnect': null;
  'consumer.stop': null;
  'consumer.crash': { error: Error; groupId: string; restart: boolean };
  'consumer.rebalancing': { groupId: string; memberId: string };
  'consumer.received_unsubscribed_topics': {
    groupId: string;
    generationId: number;
    memberId: string;
    assignedTopics: string[];
    topicsSubscribed: string[];
    topicsNotSubscribed: string[];
  };
  'consumer.network.request': RequestPayload;
  'consumer.network.request_timeout': RequestPayload;
  'consumer.network.request_queue_size': { broker: string; clientId: string; queueSize: number };
}

/** FETCH_START/FETCH around each poll, HEARTBEAT after each successful heartbeat (not the leave). */
export function consumerObserver(
  events: Instrumentation<ConsumerEventPayloads>,
  groupId: string,
  memberId: () => string,
  memberEpoch: () => number,
): RequestObserver {
  const polls = new Map<string, number>();
  return {
    started(request) {
      if (request.method !== 'POST' || !request.path.endsWith('/poll')) return;
      polls.set(request.path, Date.now());
      events.emit(CONSUMER_EVENTS.FETCH_START, { nodeId: 0 });
    },
    finished(request, status) {
      if (request.method !== 'POST' || status === undefined || status >= 300) return;
      if (request.path.endsWith('/poll')) {
        events.emit(CONSUMER_EVENTS.FETCH, { numberOfBatches: 0, duration: Date.now() - (polls.get(request.path) ?? Date.now()), nodeId: 0 });
      } else if (request.path.endsWith('/heartbeat') && !/"memberEpoch":-1\b/.test(request.body ?? '')) {
        events.emit(CONSUMER_EVENTS.HEARTBEAT, { groupId, memberId: memberId(), groupGenerationId: memberEpoch() });
      }
    },
  };
}

/** What a consumer run reports as it goes (runner.ts). */
export interface RunnerEvents {
  joined(memberEpoch: number, assignment: TopicPartitions[], durationMs: number): void;
  rebalancing(): void;
  committed(memberEpoch: number, offsets: { topic: string; partition: number; offset: number }[]): void;
  batch(phase: 'start' | 'end', info: { topic: string; partition: number; highWatermark: number; first: number; last: number; size: number; durationMs: number }): void;
}

/** The runner's notifications as KafkaJS events. */
export function eventsFor(events: Instrumentation<ConsumerEventPayloads>, groupId: string, memberId: () => string): RunnerEvents {
  return {
    joined(_memberEpoch, assignment, duration) {
      const memberAssignment: { [topic: string]: number[] } = {};
      for (const { topic, partitions } of assignment) memberAssignment[topic] = partitions;
      events.emit(CONSUMER_EVENTS.GROUP_JOIN, { duration, groupId, isLeader: false, leaderId: '', groupProtocol: 'uniform', memberId: memberId(), memberAssignment });
    },
    rebalancing() {
      events.emit(CONSUMER_EVENTS.REBALANCING, { groupId, memberId: memberId() });
    },
    committed(memberEpoch, offsets) {
      const byTopic = new Map<string, { partition: number; offset: string }[]>();
      for (const { topic, partition, offset } of offsets) {
        let list = byTopic.get(topic);
        if (list === undefined) byTopic.set(topic, (list = []));
        list.push({ partition, offset: String(offset) });
      }
      const topics = [...byTopic].map(([topic, partitions]) => ({ topic, partitions }));
      events.emit(CONSUMER_EVENTS.COMMIT_OFFSETS, { groupId, memberId: memberId(), groupGenerationId: memberEpoch, topics });
    },
    batch(phase, { topic, partition, highWatermark, first, last, size, durationMs }) {
      const payload: BatchProcess = {
        topic,
        partition,
        highWatermark: String(highWatermark),
        offsetLag: String(Math.max(0, highWatermark - 1 - last)),
        offsetLagLow: String(Math.max(0, highWatermark - 1 - first)),
        batchSize: size,
        firstOffset: String(first),
        lastOffset: String(last),
      };
      if (phase === 'start') events.emit(CONSUMER_EVENTS.START_BATCH_PROCESS, payload);
      else events.emit(CONSUMER_EVENTS.END_BATCH_PROCESS, { ...payload, duration: durationMs });
    },
  };
}

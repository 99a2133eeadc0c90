/**
 * ApiVersions, Metadata and FindCoordinator: how a client finds its way.
 * Every instance describes one broker — itself as advertised — that leads
 * every partition (one replica, in sync, leader epoch 0) and coordinates
 * every group, so clients send everything to the same address. Topics are
 * never created by a Metadata request (Samsa has no auto-creation).
 */
import { authorize } from '../../lib/auth/authorize';
import { listTopics } from '../../lib/topics/list';
import { findTopic, type Topic } from '../../lib/topics/topic-item';
import type { ApiHandler, Gateway } from '../api';
import { KafkaError, kafkaCode } from '../errors';
import type { KStruct } from '../protocol/codec';

/** Kafka's "authorized operations were not requested". */
const OPS_OMITTED = -2147483648;

export function apiVersions(table: () => { apiKey: number; minVersion: number; maxVersion: number }[]): ApiHandler {
  return {
    key: 18,
    name: 'ApiVersions',
    min: 0,
    max: 3,
    handle: async () => ({ errorCode: KafkaError.NONE, apiKeys: table(), throttleTimeMs: 0 }),
  };
}

export const metadata: ApiHandler = {
  key: 3,
  name: 'Metadata',
  min: 0,
  max: 12,
  async handle(g, s, req, version) {
    const requested = req.topics as KStruct[] | null;
    // v0 asks for every topic with an empty list, later versions with null.
    const all = requested === null || (version === 0 && requested.length === 0);
    let topics: KStruct[];
    if (all) {
      topics = (await listTopics(g.lib, s.principal)).map((t) => describe(g, t));
    } else {
      topics = await Promise.all(
        requested.map(async (t): Promise<KStruct> => {
          if (t.name === null) return { errorCode: KafkaError.UNKNOWN_TOPIC_ID, name: null, topicId: t.topicId, partitions: [] };
          try {
            await authorize(g.lib.authorizer, s.principal, 'describe', { type: 'topic', name: t.name });
            const topic = await findTopic(g.lib, t.name);
            if (topic === undefined) return { errorCode: KafkaError.UNKNOWN_TOPIC_OR_PARTITION, name: t.name, partitions: [] };
            return describe(g, topic);
          } catch (err) {
            // Storage trouble too is this topic's error (retriable ones map to REQUEST_TIMED_OUT), not the request's.
            return { errorCode: kafkaCode(err), name: t.name, partitions: [] };
          }
        }),
      );
    }
    return {
      throttleTimeMs: 0,
      brokers: [broker(g)],
      clusterId: g.clusterId,
      controllerId: g.nodeId,
      topics,
      clusterAuthorizedOperations: OPS_OMITTED,
    };
  },
};

function broker(g: Gateway): KStruct {
  return { nodeId: g.nodeId, host: g.host, port: g.port, rack: null };
}

function describe(g: Gateway, topic: Topic): KStruct {
  return {
    errorCode: KafkaError.NONE,
    name: topic.name,
    topicId: topic.topicId,
    isInternal: false,
    partitions: Array.from({ length: topic.partitions }, (_, p) => ({
      errorCode: KafkaError.NONE,
      partitionIndex: p,
      leaderId: g.nodeId,
      leaderEpoch: 0,
      replicaNodes: [g.nodeId],
      isrNodes: [g.nodeId],
      offlineReplicas: [],
    })),
    topicAuthorizedOperations: OPS_OMITTED,
  };
}

/** Group coordinators only: Samsa has no transactions, so there is no transaction coordinator. */
export const findCoordinator: ApiHandler = {
  key: 10,
  name: 'FindCoordinator',
  min: 0,
  max: 4,
  async handle(g, _s, req, version) {
    const answer = (key: string): KStruct =>
      req.keyType === 1
        ? { key, errorCode: KafkaError.COORDINATOR_NOT_AVAILABLE, errorMessage: 'Samsa has no transactions.', nodeId: -1, host: '', port: -1 }
        : { key, errorCode: KafkaError.NONE, errorMessage: null, nodeId: g.nodeId, host: g.host, port: g.port };
    if (version >= 4) return { throttleTimeMs: 0, coordinators: (req.coordinatorKeys as string[]).map(answer) };
    return { throttleTimeMs: 0, ...answer(req.key as string) };
  },
};

/**
 * CreateTopics and DeleteTopics → lib/topics/create.ts and delete.ts.
 * numPartitions -1 takes Kafka's default of one partition; the replication
 * factor is accepted and ignored (DynamoDB replicates; Metadata reports one
 * replica); manual replica assignments are refused. Configs are Samsa's
 * topic configs (retention.ms, max.message.bytes, compression.type with
 * Samsa's codecs); any other name is INVALID_CONFIG. validateOnly checks
 * the name, partition count and configs without creating anything.
 * DeleteTopics by topic id (v6+) is not served: name only.
 */
import { createTopic } from '../../lib/topics/create';
import { deleteTopic } from '../../lib/topics/delete';
import { describeConfigs, parseConfigs, type RawConfigs } from '../../lib/topics/configs';
import { validatePartitionCount, validateTopicName } from '../../lib/topics/validate';
import type { ApiHandler } from '../api';
import { KafkaError, kafkaCode, kafkaMessage } from '../errors';
import type { KStruct } from '../protocol/codec';

/** Kafka's ConfigSource: DYNAMIC_TOPIC_CONFIG for overrides, DEFAULT_CONFIG otherwise. */
const SOURCE = { topic: 1, default: 5 } as const;

export const createTopicsApi: ApiHandler = {
  key: 19,
  name: 'CreateTopics',
  min: 0,
  max: 7,
  async handle(g, s, req) {
    const topics = await Promise.all(
      (req.topics as KStruct[]).map(async (t): Promise<KStruct> => {
        const base = { name: t.name, errorMessage: null as string | null };
        const fail = (errorCode: number, errorMessage: string): KStruct => ({ ...base, errorCode, errorMessage, numPartitions: -1, replicationFactor: -1, configs: null });
        if ((t.assignments as KStruct[]).length > 0) return fail(KafkaError.INVALID_REPLICA_ASSIGNMENT, 'Samsa places partitions itself; send numPartitions instead of assignments.');
        const partitions = t.numPartitions === -1 ? 1 : (t.numPartitions as number);
        const configs: RawConfigs = Object.fromEntries((t.configs as KStruct[]).map((c) => [c.name, c.value]));
        try {
          validateTopicName(t.name);
          validatePartitionCount(partitions, g.lib.limits);
          const { set } = parseConfigs(configs, g.lib.limits);
          const topic = req.validateOnly
            ? { topicId: undefined, partitions, configs: set }
            : await createTopic(g.lib, s.principal, { name: t.name, partitions, configs });
          return {
            ...base,
            topicId: topic.topicId,
            errorCode: KafkaError.NONE,
            numPartitions: topic.partitions,
            replicationFactor: 1,
            configs: describeConfigs(topic.configs).map((c) => ({ name: c.name, value: c.value, readOnly: false, configSource: SOURCE[c.source], isSensitive: false })),
          };
        } catch (err) {
          return fail(kafkaCode(err), kafkaMessage(err));
        }
      }),
    );
    return { throttleTimeMs: 0, topics };
  },
};

export const deleteTopicsApi: ApiHandler = {
  key: 20,
  name: 'DeleteTopics',
  min: 0,
  max: 5,
  async handle(g, s, req, version) {
    const names: string[] = version >= 6 ? (req.topics as KStruct[]).map((t) => t.name) : req.topicNames;
    const responses = await Promise.all(
      names.map(async (name) => {
        try {
          const topic = await deleteTopic(g.lib, s.principal, name);
          return { name, topicId: topic.topicId, errorCode: KafkaError.NONE, errorMessage: null };
        } catch (err) {
          return { name, errorCode: kafkaCode(err), errorMessage: kafkaMessage(err) };
        }
      }),
    );
    return { throttleTimeMs: 0, responses };
  },
};

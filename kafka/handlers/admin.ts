/**
 * Topic administration beyond create and delete: CreatePartitions,
 * DescribeConfigs, AlterConfigs, IncrementalAlterConfigs and DeleteRecords,
 * each a thin call into lib/topics or lib/log. Configs are Samsa's three
 * topic configs; broker resources describe as empty and cannot be altered.
 * AlterConfigs (not incremental) replaces the topic's whole set, as Kafka's
 * does: configs it does not name go back to their defaults.
 */
import { deleteRecords } from '../../lib/log/delete-records';
import { listOffsets } from '../../lib/log/list-offsets';
import { SamsaError } from '../../lib/errors';
import { alterTopicConfigs } from '../../lib/topics/alter-configs';
import { DEFAULT_TOPIC_CONFIG, parseConfigs, type RawConfigs } from '../../lib/topics/configs';
import { createPartitions } from '../../lib/topics/create-partitions';
import { describeTopic } from '../../lib/topics/describe';
import { validateTopicName } from '../../lib/topics/validate';
import type { ApiHandler, Gateway, Session } from '../api';
import { KafkaError, kafkaCode, kafkaMessage } from '../errors';
import type { KStruct } from '../protocol/codec';

const TOPIC = 2;
const BROKER = 4;
/** Kafka's ConfigSource and ConfigType of each Samsa config. */
const SOURCE = { topic: 1, default: 5 } as const;
const TYPES: Record<string, number> = { 'retention.ms': 5, 'max.message.bytes': 3, 'compression.type': 2 };

export const createPartitionsApi: ApiHandler = {
  key: 37,
  name: 'CreatePartitions',
  min: 0,
  max: 3,
  async handle(g, s, req) {
    const results = await Promise.all(
      (req.topics as KStruct[]).map(async (t) => {
        try {
          if (t.assignments !== null) throw new SamsaError('INVALID_REQUEST', 'Samsa places partitions itself; send only the new count.');
          if (req.validateOnly) validateTopicName(t.name);
          else await createPartitions(g.lib, s.principal, t.name, t.count);
          return { name: t.name, errorCode: KafkaError.NONE, errorMessage: null };
        } catch (err) {
          return { name: t.name, errorCode: kafkaCode(err), errorMessage: kafkaMessage(err) };
        }
      }),
    );
    return { throttleTimeMs: 0, results };
  },
};

export const describeConfigsApi: ApiHandler = {
  key: 32,
  name: 'DescribeConfigs',
  min: 0,
  max: 4,
  async handle(g, s, req) {
    const results = await Promise.all(
      (req.resources as KStruct[]).map(async (r): Promise<KStruct> => {
        const base = { resourceType: r.resourceType, resourceName: r.resourceName };
        if (r.resourceType === BROKER) return { ...base, errorCode: KafkaError.NONE, errorMessage: null, configs: [] };
        if (r.resourceType !== TOPIC) return { ...base, errorCode: KafkaError.INVALID_REQUEST, errorMessage: 'Samsa describes topic configs only.', configs: [] };
        try {
          const described = await describeTopic(g.lib, s.principal, r.resourceName);
          const keys = r.configurationKeys as string[] | null;
          const configs = described.configs
            .filter((c) => keys === null || keys.includes(c.name))
            .map((c) => ({ name: c.name, value: c.value, readOnly: false, isDefault: c.source === 'default', configSource: SOURCE[c.source], isSensitive: false, synonyms: [], configType: TYPES[c.name] ?? 0, documentation: null }));
          return { ...base, errorCode: KafkaError.NONE, errorMessage: null, configs };
        } catch (err) {
          return { ...base, errorCode: kafkaCode(err), errorMessage: kafkaMessage(err), configs: [] };
        }
      }),
    );
    return { throttleTimeMs: 0, results };
  },
};

/** Whole-set replacement: every Samsa config the request does not name is reset. */
export const alterConfigsApi: ApiHandler = {
  key: 33,
  name: 'AlterConfigs',
  min: 0,
  max: 2,
  async handle(g, s, req) {
    return alter(g, s, req, (configs) => {
      const raw: RawConfigs = Object.fromEntries(Object.keys(DEFAULT_TOPIC_CONFIG).map((name) => [name, null]));
      for (const c of configs) raw[c.name] = c.value;
      return raw;
    });
  },
};

export const incrementalAlterConfigsApi: ApiHandler = {
  key: 44,
  name: 'IncrementalAlterConfigs',
  min: 0,
  max: 1,
  async handle(g, s, req) {
    return alter(g, s, req, (configs) => {
      const raw: RawConfigs = {};
      for (const c of configs) {
        // SET and DELETE only: APPEND and SUBTRACT apply to list configs, which Samsa has none of.
        if (c.configOperation !== 0 && c.configOperation !== 1) throw new SamsaError('INVALID_CONFIG', `${c.name} is not a list config: use SET or DELETE.`);
        raw[c.name] = c.configOperation === 1 ? null : c.value;
      }
      return raw;
    });
  },
};

async function alter(g: Gateway, s: Session, req: KStruct, toRaw: (configs: KStruct[]) => RawConfigs): Promise<KStruct> {
  const responses = await Promise.all(
    (req.resources as KStruct[]).map(async (r) => {
      const base = { resourceType: r.resourceType, resourceName: r.resourceName };
      if (r.resourceType !== TOPIC) return { ...base, errorCode: KafkaError.INVALID_REQUEST, errorMessage: 'Samsa alters topic configs only.' };
      try {
        const raw = toRaw(r.configs as KStruct[]);
        if (req.validateOnly) parseConfigs(raw, g.lib.limits);
        else await alterTopicConfigs(g.lib, s.principal, r.resourceName, raw);
        return { ...base, errorCode: KafkaError.NONE, errorMessage: null };
      } catch (err) {
        return { ...base, errorCode: kafkaCode(err), errorMessage: kafkaMessage(err) };
      }
    }),
  );
  return { throttleTimeMs: 0, responses };
}

/** Offset -1 means the high watermark (delete everything), as in Kafka. */
export const deleteRecordsApi: ApiHandler = {
  key: 21,
  name: 'DeleteRecords',
  min: 0,
  max: 2,
  async handle(g, s, req) {
    const topics = await Promise.all(
      (req.topics as KStruct[]).map(async (t) => ({
        name: t.name,
        partitions: await Promise.all(
          (t.partitions as KStruct[]).map(async (p) => {
            try {
              let before = Number(p.offset);
              if (before === -1) before = (await listOffsets(g.lib, s.principal, t.name, p.partitionIndex, 'latest')).offset ?? 0;
              const { logStartOffset } = await deleteRecords(g.lib, s.principal, t.name, p.partitionIndex, before);
              return { partitionIndex: p.partitionIndex, lowWatermark: BigInt(logStartOffset), errorCode: KafkaError.NONE };
            } catch (err) {
              return { partitionIndex: p.partitionIndex, lowWatermark: -1n, errorCode: kafkaCode(err) };
            }
          }),
        ),
      })),
    );
    return { throttleTimeMs: 0, topics };
  },
};

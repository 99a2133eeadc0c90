/**
 * ListOffsets (v1-v6) → lib/log/list-offsets.ts: -2 earliest (log start),
 * -1 latest (high watermark), any other timestamp the first offset whose
 * record timestamp reaches it (offset -1 when none does). -3 (max
 * timestamp, v7+) and the tiered-storage specs (v8+) are not served.
 */
import { listOffsets, type OffsetSpec } from '../../lib/log/list-offsets';
import type { ApiHandler } from '../api';
import { KafkaError, kafkaCode } from '../errors';
import type { KStruct } from '../protocol/codec';

export const listOffsetsApi: ApiHandler = {
  key: 2,
  name: 'ListOffsets',
  min: 1,
  max: 6,
  async handle(g, s, req) {
    const topics = await Promise.all(
      (req.topics as KStruct[]).map(async (t) => ({
        name: t.name,
        partitions: await Promise.all(
          (t.partitions as KStruct[]).map(async (p): Promise<KStruct> => {
            const ts = Number(p.timestamp);
            const spec: OffsetSpec = ts === -2 ? 'earliest' : ts === -1 ? 'latest' : { timestamp: ts };
            const base = { partitionIndex: p.partitionIndex, leaderEpoch: 0 };
            if (ts < -2) return { ...base, errorCode: KafkaError.UNSUPPORTED_VERSION, timestamp: -1n, offset: -1n };
            try {
              const found = await listOffsets(g.lib, s.principal, t.name, p.partitionIndex, spec);
                            return { ...base, errorCode: KafkaError.NONE, timestamp: BigInt(found.timestamp ?? -1), offset: BigInt(found.offset ?? -1) };
            } catch (err) {
              return { ...base, errorCode: kafkaCode(err), timestamp: -1n, offset: -1n };
            }
          }),
        ),
      })),
    );
    return { throttleTimeMs: 0, topics };
  },
};

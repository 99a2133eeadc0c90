/** Fetch and offset routes: stateless reads of the partition log. */
import { fetchRecords } from '../../lib/log/fetch';
import { listOffsets, topicOffsets, type OffsetSpec } from '../../lib/log/list-offsets';
import { SamsaError } from '../../lib/errors';
import type { FetchResponse } from '../../lib/protocol/responses';
import type { RouteHandlers } from '../http/app';
import { noteTraffic } from '../http/observability';
import { enumParam, intParam, partitionParam, uuidParam } from '../http/query';
import { payloadBytes, toWireRecord } from '../http/records';
import { pathParam } from '../http/request';

const MAX_OFFSET = Number.MAX_SAFE_INTEGER;

export const fetchHandlers: RouteHandlers = {
  fetch: async (c, { lib, principalOf }) => {
    const input = {
      topic: pathParam(c, 'topic'),
      partition: partitionParam(c),
      offset: intParam(c, 'offset', { min: 0, max: MAX_OFFSET }),
      // Bounded by bytes by default, as Kafka's fetch is (max.partition.fetch.bytes): a default count would cut
      // small records into many more requests, each billed by API Gateway and Lambda, and each re-reading the counter.
      maxRecords: intParam(c, 'maxRecords', { min: 1, max: lib.limits.maxRecordsPerRequest, default: lib.limits.maxRecordsPerRequest }),
      maxBytes: intParam(c, 'maxBytes', { min: 1, max: lib.limits.maxResponseBytes, default: 1024 * 1024 }),
      maxWaitMs: intParam(c, 'maxWaitMs', { min: 0, max: lib.limits.maxWaitMs, default: 0 }),
      topicId: uuidParam(c, 'topicId'),
    };
    const binary = enumParam(c, 'encoding', ['auto', 'binary'], 'auto') === 'binary';
    const result = await fetchRecords(lib, principalOf(c), input);
    noteTraffic(c, { topic: input.topic, direction: 'out', records: result.records.length, bytes: payloadBytes(result.records) });
    return c.json({
      topic: input.topic,
      topicId: result.topicId,
      partition: input.partition,
      records: result.records.map((r) => toWireRecord(r, binary)),
      nextOffset: result.nextOffset,
      highWatermark: result.highWatermark,
      logStartOffset: result.logStartOffset,
      abortedRanges: result.abortedRanges,
    } satisfies FetchResponse);
  },

  listOffsets: async (c, { lib, principalOf }) => {
    const at = c.req.query('at') ?? 'latest';
    let spec: OffsetSpec;
    if (at === 'earliest' || at === 'latest') spec = at;
    else if (/^\d{1,16}$/.test(at) && Number.isSafeInteger(Number(at))) spec = { timestamp: Number(at) };
    else throw new SamsaError('INVALID_REQUEST', `Query parameter 'at' must be earliest, latest or a timestamp in milliseconds; got '${at.slice(0, 40)}'.`);
    return c.json(await listOffsets(lib, principalOf(c), pathParam(c, 'topic'), partitionParam(c), spec));
  },

  topicOffsets: async (c, { lib, principalOf }) => {
    const topic = pathParam(c, 'topic');
    return c.json({ topic, partitions: await topicOffsets(lib, principalOf(c), topic) });
  },
};

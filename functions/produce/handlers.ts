/** Produce routes: records in, per-record offsets out. */
import { produce } from '../../lib/log/produce';
import { initProducer } from '../../lib/log/producer-id';
import { parseInput } from '../../lib/protocol/parse';
import { initProducerBody } from '../../lib/protocol/producers';
import { produceBody } from '../../lib/protocol/records';
import { ERROR_CODES, type ErrorCode } from '../../lib/errors';
import type { RouteHandlers } from '../http/app';
import { noteTraffic, wireBytes } from '../http/observability';
import { pathParam, readJson } from '../http/request';

export const produceHandlers: RouteHandlers = {
  produce: async (c, { lib, principalOf }) => {
    const body = parseInput(produceBody, await readJson(c, lib.limits));
    const topic = pathParam(c, 'topic');
    const result = await produce(lib, principalOf(c), topic, body);
    const failed = result.records.filter((r) => 'error' in r);
    let bytes = 0;
    result.records.forEach((r, i) => {
      if (!('error' in r)) bytes += wireBytes(body.records[i]!.key) + wireBytes(body.records[i]!.value);
    });
    noteTraffic(c, {
      topic,
      direction: 'in',
      records: result.records.length - failed.length,
      bytes,
      errors: failed.map((r) => (r as { error: { code: ErrorCode } }).error.code),
    });
    if (failed.length === 0) return c.json(result, 200);
    if (failed.length < result.records.length) return c.json(result, 207);
    // None succeeded: the status and envelope of the first error, with every record's outcome.
    const first = failed[0] as { error: { code: ErrorCode; message: string; retriable: boolean } };
    const status = ERROR_CODES[first.error.code].status as 400;
    return c.json({ error: { ...first.error, requestId: c.get('requestId') }, records: result.records }, status);
  },

  initProducer: async (c, { lib, principalOf }) => {
    // The body is optional: a POST without one (or with an empty one) mints a new id.
    const raw = await readJson(c, lib.limits, { optional: true });
    const body = parseInput(initProducerBody, raw === undefined ? {} : raw);
    return c.json(await initProducer(lib, principalOf(c), body.producerId), 200);
  },
};

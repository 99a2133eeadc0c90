/** Topic admin routes: validate the request, call lib, shape the response. */
import { parseInput } from '../../lib/protocol/parse';
import { alterConfigsBody, createPartitionsBody, createTopicBody } from '../../lib/protocol/topics';
import { alterTopicConfigs } from '../../lib/topics/alter-configs';
import { checkRawConfigNames } from '../../lib/topics/configs';
import { createPartitions } from '../../lib/topics/create-partitions';
import { createTopic } from '../../lib/topics/create';
import { deleteTopic } from '../../lib/topics/delete';
import { describeTopic } from '../../lib/topics/describe';
import { listTopics } from '../../lib/topics/list';
import { intParam, partitionParam } from '../http/query';
import { pathParam, readJson } from '../http/request';
import { deleteRecords } from '../../lib/log/delete-records';
import type { RouteHandlers } from '../http/app';
import { openApiDocument } from '../http/openapi';
import { authHandlers } from './auth-handlers';

const TOPIC_FIELD_CODES = { name: 'INVALID_TOPIC', partitions: 'INVALID_PARTITIONS', configs: 'INVALID_CONFIG' } as const;

export const adminHandlers: RouteHandlers = {
  // Public; names the WebSocket notification endpoint when there is one (docs/push.md).
  health: async (c, { pushUrl }) => c.json({ status: 'ok', ...(pushUrl === undefined ? {} : { pushUrl: pushUrl(c.req.url) }) }),

  ...authHandlers,

  // Public; `servers` names the origin the document was fetched from.
  openApi: async (c, { lib }) => c.json(openApiDocument({ limits: lib.limits, serverUrl: new URL(c.req.url).origin })),

  listTopics: async (c, { lib, principalOf }) => {
    const topics = await listTopics(lib, principalOf(c));
    return c.json({
      topics: topics.map((t) => ({ name: t.name, topicId: t.topicId, partitions: t.partitions })),
    });
  },

  createTopic: async (c, { lib, principalOf }) => {
    const raw = await readJson(c, lib.limits);
    const body = parseInput(createTopicBody, raw, TOPIC_FIELD_CODES);
    checkRawConfigNames((raw as { configs?: unknown }).configs);
    const topic = await createTopic(lib, principalOf(c), body);
    c.header('location', `/v1/topics/${encodeURIComponent(topic.name)}`);
    return c.json(await describeTopic(lib, principalOf(c), topic.name), 201);
  },

  describeTopic: async (c, { lib, principalOf }) => c.json(await describeTopic(lib, principalOf(c), pathParam(c, 'topic'))),

  deleteTopic: async (c, { lib, principalOf }) => {
    await deleteTopic(lib, principalOf(c), pathParam(c, 'topic'));
    return c.body(null, 204);
  },

  createPartitions: async (c, { lib, principalOf }) => {
    const body = parseInput(createPartitionsBody, await readJson(c, lib.limits), TOPIC_FIELD_CODES);
    const topic = await createPartitions(lib, principalOf(c), pathParam(c, 'topic'), body.partitions);
    return c.json(await describeTopic(lib, principalOf(c), topic.name));
  },

  deleteRecords: async (c, { lib, principalOf }) => {
    const before = intParam(c, 'before', { min: 0, max: Number.MAX_SAFE_INTEGER });
    const result = await deleteRecords(lib, principalOf(c), pathParam(c, 'topic'), partitionParam(c), before);
    return c.json(result);
  },

  alterTopicConfigs: async (c, { lib, principalOf }) => {
    const raw = await readJson(c, lib.limits);
    const body = parseInput(alterConfigsBody, raw, TOPIC_FIELD_CODES);
    checkRawConfigNames((raw as { configs?: unknown }).configs);
    const topic = await alterTopicConfigs(lib, principalOf(c), pathParam(c, 'topic'), body.configs);
    return c.json(await describeTopic(lib, principalOf(c), topic.name));
  },
};

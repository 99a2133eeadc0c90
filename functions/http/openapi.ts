/**
 * The OpenAPI 3.1 document, generated from the route table and the same
 * zod schemas that validate requests, so the reference cannot drift from
 * what the handlers accept. Served at GET /v1/openapi.json.
 */
import * as z from 'zod/mini';
import { ERROR_CODES } from '../../lib/errors';
import { commitBody, heartbeatBody, pollBody, resetOffsetsBody } from '../../lib/protocol/groups';
import { initProducerBody } from '../../lib/protocol/producers';
import { produceBody } from '../../lib/protocol/records';
import { aclBindingBody, createApiKeyBody } from '../../lib/protocol/auth';
import { alterConfigsBody, createPartitionsBody, createTopicBody } from '../../lib/protocol/topics';
import { apiGatewayPath, ROUTES, type RouteId, type RouteSpec } from './routes';

const BODIES: Partial<Record<RouteId, z.ZodMiniType>> = {
  createTopic: createTopicBody,
  createPartitions: createPartitionsBody,
  alterTopicConfigs: alterConfigsBody,
  produce: produceBody,
  initProducer: initProducerBody,
  groupHeartbeat: heartbeatBody,
  groupPoll: pollBody,
  groupCommit: commitBody,
  resetGroupOffsets: resetOffsetsBody,
  createApiKey: createApiKeyBody,
  createAcl: aclBindingBody,
};

/** Routes whose body may be left out or empty (functions/http/request.ts, `optional`). */
const OPTIONAL_BODIES: ReadonlySet<RouteId> = new Set<RouteId>(['initProducer']);

const QUERIES: Partial<Record<RouteId, { name: string; required: boolean; description: string }[]>> = {
  fetch: [
    { name: 'offset', required: true, description: 'First offset to return (0 ≤ offset ≤ 2^53−1).' },
    { name: 'maxRecords', required: false, description: 'Most records to return (default 500).' },
    { name: 'maxBytes', required: false, description: 'Approximate response size budget (default 1 MiB); the first record is always returned.' },
    { name: 'maxWaitMs', required: false, description: 'Long-poll at the high watermark for up to this long (default 0, max 20000).' },
    { name: 'encoding', required: false, description: '`auto` (the type each record was produced with) or `binary` (base64 everything).' },
    {
      name: 'topicId',
      required: false,
      description: 'Read only the topic incarnation with this id (from describe or an earlier fetch); after a delete or a re-create under the same name the answer is 404 UNKNOWN_TOPIC_ID (KIP-516).',
    },
  ],
  listOffsets: [{ name: 'at', required: false, description: '`earliest`, `latest` (default) or a timestamp in ms.' }],
  deleteRecords: [{ name: 'before', required: true, description: 'New log start offset (≤ the high watermark).' }],
  listApiKeys: [{ name: 'principal', required: false, description: 'Only the keys of this principal.' }],
  listAcls: [
    { name: 'principal', required: false, description: 'Only bindings of this principal (`*` = the wildcard bindings).' },
    { name: 'resourceType', required: false, description: '`topic`, `group` or `cluster`.' },
    { name: 'resourceName', required: false, description: 'Only bindings with exactly this resource name or prefix.' },
  ],
};

export function openApiDocument(): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const [id, route] of Object.entries(ROUTES) as [RouteId, (typeof ROUTES)[RouteId]][]) {
    const path = apiGatewayPath(route.path);
    const params = [...route.path.matchAll(/:([A-Za-z0-9_]+)/g)].map((m) => ({
      name: m[1],
      in: 'path',
      required: true,
      schema: { type: 'string' },
    }));
    const query = (QUERIES[id] ?? []).map((q) => ({ name: q.name, in: 'query', required: q.required, description: q.description, schema: { type: 'string' } }));
    const body = BODIES[id];
    paths[path] ??= {};
    paths[path][route.method.toLowerCase()] = {
      operationId: id,
      summary: route.summary,
      parameters: [...params, ...query],
      ...((route as RouteSpec).public === true ? { security: [] } : {}),
      ...(body === undefined
        ? {}
        : { requestBody: { required: !OPTIONAL_BODIES.has(id), content: { 'application/json': { schema: jsonSchema(body) } } } }),
      responses: {
        '2XX': { description: 'Success' },
        default: { description: 'Error', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } },
      },
    };
  }
  return {
    openapi: '3.1.0',
    info: { title: 'Samsa', version: '1', description: "Kafka's log model over HTTPS on DynamoDB." },
    paths,
    // Every route but the health check needs a key; deployments using API Gateway's JWT authorizer take a JWT instead.
    security: [{ bearer: [] }],
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'An API key `samsa_<id>_<secret>` or, in JWT mode, a JWT.' } },
      schemas: {
        Error: {
          type: 'object',
          required: ['error'],
          properties: {
            error: {
              type: 'object',
              required: ['code', 'message', 'retriable', 'requestId'],
              properties: {
                code: { type: 'string', enum: Object.keys(ERROR_CODES) },
                message: { type: 'string' },
                retriable: { type: 'boolean' },
                requestId: { type: 'string' },
              },
            },
          },
        },
      },
    },
  };
}

function jsonSchema(schema: z.ZodMiniType): Record<string, unknown> {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { unrepresentable: 'any' }) as Record<string, unknown>;
  return rest;
}

/**
 * The OpenAPI 3.1 document, generated from the route table and its
 * summaries (lib/protocol/route-summaries.ts), the parameter table
 * (openapi-params.ts), the same zod schemas that validate requests and
 * the response schemas (lib/protocol/response-schemas*.ts, per route in
 * openapi-responses.ts), so the reference cannot drift from what the handlers
 * accept and answer. Served, without credentials, at GET /v1/openapi.json;
 * linted by Redocly and checked against every answer of the API tests
 * (test/api/openapi.test.ts, test/support/contract.ts).
 */
import * as z from 'zod/mini';
import { ERROR_CODES, type ErrorCode } from '../../lib/errors';
import { DEFAULT_LIMITS, type Limits } from '../../lib/limits';
import { ERROR_CODE_LIST, itemErrorCode } from '../../lib/protocol/response-schemas';
import { ROUTE_SUMMARIES } from '../../lib/protocol/route-summaries';
import { commitBody, heartbeatBody, pollBody, resetOffsetsBody } from '../../lib/protocol/groups';
import { initProducerBody } from '../../lib/protocol/producers';
import { produceBody } from '../../lib/protocol/records';
import { createSubscriptionBody } from '../../lib/protocol/subscriptions';
import { transactionBody } from '../../lib/protocol/transactions';
import { aclBindingBody, createApiKeyBody } from '../../lib/protocol/auth';
import { alterConfigsBody, createPartitionsBody, createTopicBody } from '../../lib/protocol/topics';
import { pathParams, queryParams, type ParamSpec, type PathParamName } from './openapi-params';
import { COMPONENTS, RESPONSES, type ComponentName } from './openapi-responses';
import { apiGatewayPath, ROUTES, type RouteId, type RouteSpec } from './routes';

const BODIES: Partial<Record<RouteId, z.ZodMiniType>> = {
  createTopic: createTopicBody,
  createPartitions: createPartitionsBody,
  alterTopicConfigs: alterConfigsBody,
  produce: produceBody,
  initProducer: initProducerBody,
  transaction: transactionBody,
  groupHeartbeat: heartbeatBody,
  groupPoll: pollBody,
  groupCommit: commitBody,
  resetGroupOffsets: resetOffsetsBody,
  createApiKey: createApiKeyBody,
  createAcl: aclBindingBody,
  createSubscription: createSubscriptionBody,
};

/** Routes whose body may be left out or empty (functions/http/request.ts, `optional`). */
const OPTIONAL_BODIES: ReadonlySet<RouteId> = new Set<RouteId>(['initProducer']);

export interface OpenApiOptions {
  /** The deployment's limits, for the bounds of query parameters; the defaults otherwise. */
  limits?: Limits;
  /** The API's base URL; the handler passes the request's own origin. Default `/` (relative to where the document was fetched). */
  serverUrl?: string;
}

/** Codes every non-public route can answer: authentication, quota, and storage that is busy or down (also while verifying a key). */
const AUTHENTICATED_CODES: ErrorCode[] = ['UNAUTHENTICATED', 'QUOTA_EXCEEDED', 'THROTTLED', 'UNAVAILABLE', 'REQUEST_TIMED_OUT'];
/** Codes of reading a JSON body (functions/http/request.ts) and validating it (lib/protocol/parse.ts). */
const BODY_CODES: ErrorCode[] = ['INVALID_JSON', 'INVALID_REQUEST', 'PAYLOAD_TOO_LARGE', 'UNSUPPORTED_MEDIA_TYPE'];

/** Every error code a route can answer, by HTTP status. */
export function routeErrorCodes(id: RouteId): Map<number, ErrorCode[]> {
  const route: RouteSpec = ROUTES[id];
  const codes = new Set<ErrorCode>([
    ...(route.public === true ? [] : AUTHENTICATED_CODES),
    ...(BODIES[id] === undefined ? [] : BODY_CODES),
    ...RESPONSES[id].errors,
    'INTERNAL_ERROR',
  ]);
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of ERROR_CODE_LIST) {
    if (!codes.has(code)) continue;
    const status = ERROR_CODES[code].status;
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  return new Map([...byStatus.entries()].sort(([a], [b]) => a - b));
}

const TAGS = [
  { name: 'Topics', description: 'Create, describe, change and delete topics.' },
  { name: 'Records', description: 'Produce, fetch, offsets and idempotent producers.' },
  { name: 'Groups', description: 'Consumer groups (KIP-848): membership, poll, commits, offsets and lag.' },
  { name: 'Subscriptions', description: 'Push subscriptions: a topic delivered to an HTTPS webhook, with retries and a dead-letter topic.' },
  { name: 'Security', description: 'API keys, ACL bindings and who is calling.' },
  { name: 'Service', description: 'Health and this document.' },
] as const;

function tagOf(id: RouteId): (typeof TAGS)[number]['name'] {
  const route: RouteSpec = ROUTES[id];
  if (route.fn === 'produce' || route.fn === 'fetch' || id === 'deleteRecords') return 'Records';
  if (route.path.startsWith('/v1/subscriptions')) return 'Subscriptions';
  if (route.fn === 'groups') return 'Groups';
  if (route.path.startsWith('/v1/topics')) return 'Topics';
  if (id === 'health' || id === 'openApi') return 'Service';
  return 'Security';
}

const ref = (name: ComponentName) => ({ $ref: `#/components/schemas/${name}` });

const documents = new WeakMap<Limits, Record<string, unknown>>();

export function openApiDocument(options: OpenApiOptions = {}): Record<string, unknown> {
  const limits = options.limits ?? DEFAULT_LIMITS;
  let doc = documents.get(limits);
  if (doc === undefined) {
    doc = buildDocument(limits);
    documents.set(limits, doc);
  }
  return { ...doc, servers: [{ url: options.serverUrl ?? '/', description: 'This deployment' }] };
}

function buildDocument(limits: Limits): Record<string, unknown> {
  const pathSpecs = pathParams(limits);
  const querySpecs = queryParams(limits);
  const paths: Record<string, Record<string, unknown>> = {};
  for (const [id, route] of Object.entries(ROUTES) as [RouteId, RouteSpec][]) {
    const path = apiGatewayPath(route.path);
    const params = [...route.path.matchAll(/:([A-Za-z0-9_]+)/g)].map((m) => {
      const name = m[1] as PathParamName;
      return { name, in: 'path', required: true, ...parameter(pathSpecs[name]) };
    });
    const query = (querySpecs[id] ?? []).map((q) => ({ name: q.name, in: 'query', required: q.required, ...parameter(q) }));
    const body = BODIES[id];
    const responses = RESPONSES[id];
    paths[path] ??= {};
    paths[path][route.method.toLowerCase()] = {
      operationId: id,
      summary: ROUTE_SUMMARIES[id],
      tags: [tagOf(id)],
      ...(params.length + query.length === 0 ? {} : { parameters: [...params, ...query] }),
      ...(route.public === true ? { security: [] } : {}),
      ...(body === undefined
        ? {}
        : {
            requestBody: {
              required: !OPTIONAL_BODIES.has(id),
              content: {
                'application/json': {
                  schema: jsonSchema(body),
                  ...(responses.requestExample === undefined ? {} : { example: responses.requestExample }),
                },
              },
            },
          }),
      responses: operationResponses(id),
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Samsa',
      version: '1',
      description:
        "Kafka's log model over HTTPS on DynamoDB. Every error is the envelope `Error`; each operation lists the codes it can answer under their status.",
    },
    tags: TAGS,
    paths,
    // Every route but the health check and this document needs credentials.
    security: [{ bearer: [] }],
    components: {
      securitySchemes: {
        bearer: {
          type: 'http',
          scheme: 'bearer',
          description: 'An API key `samsa_<id>_<secret>` or, in deployments using API Gateway\'s JWT authorizer, a JWT.',
        },
      },
      headers: {
        RequestId: { description: 'The request id, also in the error envelope.', schema: { type: 'string' } },
        RetryAfter: { description: 'Seconds to wait before retrying (429 answers).', schema: { type: 'integer', minimum: 1 } },
        Location: { description: 'The URL of the created topic.', schema: { type: 'string' } },
        WwwAuthenticate: { description: 'The scheme to authenticate with (401 answers).', schema: { type: 'string' } },
      },
      schemas: componentSchemas(),
    },
  };
}

function operationResponses(id: RouteId): Record<string, unknown> {
  const spec = RESPONSES[id];
  const out: Record<string, unknown> = {};
  for (const s of spec.success) {
    out[String(s.status)] = {
      description: s.description,
      headers: {
        'x-request-id': { $ref: '#/components/headers/RequestId' },
        ...(id === 'createTopic' && s.status === 201 ? { location: { $ref: '#/components/headers/Location' } } : {}),
      },
      ...(s.body === undefined
        ? {}
        : { content: { 'application/json': { schema: ref(s.body), ...(s.example === undefined ? {} : { example: s.example }) } } }),
    };
  }
  for (const [status, codes] of routeErrorCodes(id)) {
    out[String(status)] = {
      description: codes.map((c) => `\`${c}\``).join(', '),
      headers: {
        'x-request-id': { $ref: '#/components/headers/RequestId' },
        ...(status === 429 ? { 'retry-after': { $ref: '#/components/headers/RetryAfter' } } : {}),
        ...(status === 401 ? { 'www-authenticate': { $ref: '#/components/headers/WwwAuthenticate' } } : {}),
      },
      content: {
        'application/json': {
          // The envelope, with `error.code` narrowed to the codes of this status.
          schema: { allOf: [ref(spec.errorBody ?? 'Error'), { type: 'object', properties: { error: { type: 'object', properties: { code: { enum: codes } } } } }] },
        },
      },
    };
  }
  return out;
}

/** Every named response schema, each referring to the others by `$ref`. */
function componentSchemas(): Record<string, unknown> {
  const registry = z.registry<{ id: string }>();
  for (const [id, schema] of Object.entries(COMPONENTS)) registry.add(schema, { id });
  const { schemas } = z.toJSONSchema(registry, {
    target: 'draft-2020-12',
    io: 'output',
    uri: (id) => `#/components/schemas/${id}`,
    override: (ctx) => {
      // Per-record and per-offset error codes are `string` in TypeScript (as lib types them) but always an API error code.
      if (ctx.zodSchema === itemErrorCode) ctx.jsonSchema.enum = [...ERROR_CODE_LIST];
    },
  });
  const out: Record<string, unknown> = {};
  for (const [id, schema] of Object.entries(schemas)) {
    const { $schema: _s, $id: _i, ...rest } = schema as Record<string, unknown>;
    out[id] = rest;
  }
  return out;
}

function parameter(spec: ParamSpec): Record<string, unknown> {
  return {
    description: spec.description,
    schema: { ...jsonSchema(spec.schema), ...(spec.default === undefined ? {} : { default: spec.default }) },
    ...(spec.example === undefined ? {} : { example: spec.example }),
  };
}

function jsonSchema(schema: z.ZodMiniType): Record<string, unknown> {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { unrepresentable: 'any' }) as Record<string, unknown>;
  return rest;
}

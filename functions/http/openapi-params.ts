/**
 * The parameter table, beside the route table: the type, bounds and meaning
 * of every path and query parameter, as the handlers check them
 * (functions/http/query.ts, request.ts and the lib validators). The OpenAPI
 * document is generated from it. A route path naming a parameter this table
 * lacks does not compile.
 */
import * as z from 'zod/mini';
import { PRINCIPAL_PATTERN } from '../../lib/protocol/auth';
import { TOPIC_NAME_PATTERN, type Limits } from '../../lib/limits';
import type { ParamsOf } from '../../lib/protocol/routes';
import { ROUTES, type RouteId } from './routes';

export type PathParamName = ParamsOf<(typeof ROUTES)[RouteId]['path']>;

export interface ParamSpec {
  schema: z.ZodMiniType;
  description: string;
  /** The value the handler uses when the parameter is left out (query parameters only). */
  default?: string | number;
  example?: string | number;
}

/** Group names follow Kafka's topic rule, but may not be `.` or `..` (lib/groups/validate.ts). */
export const GROUP_ID_PATTERN = /^(?!\.{1,2}$)[A-Za-z0-9._-]{1,249}$/;
/** lib/groups/validate.ts `MEMBER_ID`; test/api/openapi.test.ts checks both agree. */
export const MEMBER_ID_PATTERN = /^[A-Za-z0-9._:-]{1,64}$/;

const name = (pattern: RegExp, max: number) => z.string().check(z.minLength(1), z.maxLength(max), z.regex(pattern));
const offset = () => z.int().check(z.minimum(0), z.maximum(Number.MAX_SAFE_INTEGER));

export function pathParams(limits: Limits): Record<PathParamName, ParamSpec> {
  return {
    topic: { schema: name(TOPIC_NAME_PATTERN, 249), description: "A topic name (Kafka's rule: 1-249 of `A-Z a-z 0-9 . _ -`).", example: 'orders' },
    partition: {
      schema: z.int().check(z.minimum(0), z.maximum(limits.maxPartitionsPerTopic - 1)),
      description: 'A partition number, 0 to the partition count − 1; anything else is 404 UNKNOWN_TOPIC_OR_PARTITION.',
      example: 0,
    },
    group: { schema: name(GROUP_ID_PATTERN, 249), description: 'A consumer group id (as topic names, but not `.` or `..`).', example: 'billing' },
    subscription: { schema: name(/^[A-Za-z0-9._-]{1,200}$/, 200), description: 'A subscription name (1-200 of `A-Z a-z 0-9 . _ -`).', example: 'orders-to-billing' },
    member: { schema: name(MEMBER_ID_PATTERN, 64), description: 'A member id, chosen by the member (e.g. a UUID).', example: 'c-1' },
    keyId: { schema: z.string().check(z.regex(/^[0-9a-f]{16}$/)), description: 'An API key id: the part between `samsa_` and the secret.' },
    aclId: { schema: z.string().check(z.regex(/^[0-9a-f]{24}$/)), description: 'An ACL binding id, as create and list return it.' },
  };
}

export interface QueryParamSpec extends ParamSpec {
  name: string;
  required: boolean;
}

export function queryParams(limits: Limits): Partial<Record<RouteId, QueryParamSpec[]>> {
  return {
    fetch: [
      { name: 'offset', required: true, schema: offset(), description: 'First offset to return.', example: 0 },
      {
        name: 'maxRecords',
        required: false,
        schema: z.int().check(z.minimum(1), z.maximum(limits.maxRecordsPerRequest)),
        default: limits.maxRecordsPerRequest,
        description: 'Most records to return; by default the answer is bounded by maxBytes.',
      },
      {
        name: 'maxBytes',
        required: false,
        schema: z.int().check(z.minimum(1), z.maximum(limits.maxResponseBytes)),
        default: 1024 * 1024,
        description: 'Approximate response size budget in bytes; the first record is always returned.',
      },
      {
        name: 'maxWaitMs',
        required: false,
        schema: z.int().check(z.minimum(0), z.maximum(limits.maxWaitMs)),
        default: 0,
        description: 'Long-poll at the high watermark for up to this many milliseconds.',
      },
      {
        name: 'encoding',
        required: false,
        schema: z.enum(['auto', 'binary']),
        default: 'auto',
        description: '`auto`: each key and value in the type it was produced with; `binary`: base64 everything.',
      },
      {
        name: 'topicId',
        required: false,
        schema: z.guid(),
        description:
          'Read only the topic incarnation with this id (from describe or an earlier fetch); after a delete or a re-create under the same name the answer is 404 UNKNOWN_TOPIC_ID (KIP-516).',
      },
    ],
    listOffsets: [
      {
        name: 'at',
        required: false,
        schema: z.union([z.enum(['earliest', 'latest']), offset()]),
        default: 'latest',
        description: '`earliest` (the log start), `latest` (the high watermark) or a timestamp in ms (the first offset whose timestamp is at or after it).',
      },
    ],
    deleteRecords: [{ name: 'before', required: true, schema: offset(), description: 'The new log start offset (at most the high watermark).', example: 10 }],
    listApiKeys: [{ name: 'principal', required: false, schema: z.string().check(z.regex(PRINCIPAL_PATTERN)), description: 'Only the keys of this principal.' }],
    listAcls: [
      { name: 'principal', required: false, schema: z.string(), description: 'Only bindings of this principal (`*`: the wildcard bindings).' },
      { name: 'resourceType', required: false, schema: z.enum(['topic', 'group', 'cluster']), description: 'Only bindings on this kind of resource.' },
      { name: 'resourceName', required: false, schema: z.string(), description: 'Only bindings with exactly this resource name or prefix.' },
    ],
  };
}

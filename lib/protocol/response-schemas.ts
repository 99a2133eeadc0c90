/**
 * zod/mini schemas of every response body, the source of the OpenAPI
 * document's response schemas (functions/http/openapi.ts) and of the API
 * tests' contract check. Each schema is asserted, at compile time, to infer
 * exactly the plain interface in ./responses.ts that the SDK uses, so the
 * document, the SDK's types and (through functions/http/openapi-responses.ts)
 * what the handlers return cannot drift apart.
 *
 * Objects are strict (`additionalProperties: false` in the document): a field
 * the server adds without documenting it fails the contract tests. Only error
 * objects are open, for their per-code details.
 */
import * as z from 'zod/mini';
import { ACL_OPERATIONS, PATTERN_TYPES, PERMISSIONS, RESOURCE_TYPES } from './acl';
import { DATA_TYPES, type WireData } from './data';
import { ERROR_CODES, type ErrorCode } from './errors';
import type {
  Acl,
  AclList,
  ApiKeyList,
  ApiKeyView,
  DeleteRecordsResponse,
  DescribedConfig,
  ErrorBody,
  ErrorResponse,
  FailedRecord,
  FetchedWireRecord,
  FetchResponse,
  HealthResponse,
  IssuedApiKey,
  ItemError,
  OffsetLookup,
  PartitionOffsets,
  ProducedRecord,
  ProduceErrorResponse,
  ProduceResponse,
  ProducerIdentity,
  TopicDescription,
  TopicList,
  TopicOffsets,
  WhoamiResponse,
} from './responses';

/** True when A and B are the same type (not merely assignable either way). */
export type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;

/** An offset, a count or a partition number: 0 … 2^53−1. */
export const nonNegative = () => z.int().check(z.nonnegative());
/** Milliseconds since the epoch. */
export const timestamp = () => z.int();
/** An ISO 8601 date and time, as `Date.toISOString()` writes it. */
export const isoDateTime = () => z.iso.datetime();

export const ERROR_CODE_LIST = Object.keys(ERROR_CODES) as [ErrorCode, ...ErrorCode[]];

/**
 * The code of a per-record or per-offset error. Typed `string` as lib types
 * it (lib/log/produce.ts, lib/groups/commit.ts); it is always one of the
 * API's codes, which the document enumerates (see `withItemErrorCodes`).
 */
export const itemErrorCode = z.string();

// Errors ---------------------------------------------------------------------

export const errorBody = z.looseObject({
  code: z.enum(ERROR_CODE_LIST),
  message: z.string(),
  retriable: z.boolean(),
  requestId: z.string(),
});
export const errorResponse = z.strictObject({ error: errorBody });

export const itemError = z.looseObject({ code: itemErrorCode, message: z.string(), retriable: z.boolean() });

// Records --------------------------------------------------------------------

export const wireFallback = z.strictObject({
  storedType: z.enum(['STRING', 'JSON']),
  reason: z.enum(['INVALID_UTF8', 'INVALID_JSON', 'NESTING_TOO_DEEP']),
});

/** A key, value or header value: STRING data is a string, BINARY data base64, JSON data any JSON value. */
export const wireDataOut = z.strictObject({ type: z.enum(DATA_TYPES), data: z.unknown(), fallback: z.optional(wireFallback) });

export const wireHeaderOut = z.strictObject({ name: z.string(), value: z.nullable(wireDataOut) });

export const fetchedRecordFields = {
  offset: nonNegative(),
  timestamp: timestamp(),
  key: z.nullable(wireDataOut),
  value: z.nullable(wireDataOut),
  headers: z.array(wireHeaderOut),
};
export const fetchedRecord = z.strictObject(fetchedRecordFields);

export const fetchResponse = z.strictObject({
  topic: z.string(),
  topicId: z.string(),
  partition: nonNegative(),
  records: z.array(fetchedRecord),
  nextOffset: nonNegative(),
  highWatermark: nonNegative(),
  logStartOffset: nonNegative(),
  abortedRanges: z.array(z.strictObject({ from: nonNegative(), to: nonNegative() })),
});

export const producedRecord = z.strictObject({ partition: nonNegative(), offset: nonNegative(), timestamp: timestamp() });
/** `partition` is the one the record named (even a partition that does not exist) or the one chosen for it. */
export const failedRecord = z.strictObject({ partition: z.optional(z.int()), error: itemError });
export const produceRecordResult = z.union([producedRecord, failedRecord]);
export const produceResponse = z.strictObject({ records: z.array(produceRecordResult) });
export const produceErrorResponse = z.strictObject({ error: errorBody, records: z.optional(z.array(produceRecordResult)) });

export const producerIdentity = z.strictObject({ producerId: z.string().check(z.regex(/^\d+$/)), producerEpoch: nonNegative() });

export const partitionOffsets = z.strictObject({ partition: nonNegative(), logStartOffset: nonNegative(), highWatermark: nonNegative() });
export const offsetLookup = z.strictObject({
  partition: nonNegative(),
  logStartOffset: nonNegative(),
  highWatermark: nonNegative(),
  offset: z.nullable(nonNegative()),
  timestamp: z.optional(timestamp()),
});
export const topicOffsets = z.strictObject({ topic: z.string(), partitions: z.array(partitionOffsets) });
export const deleteRecordsResponse = z.strictObject({ logStartOffset: nonNegative() });

// Topics ---------------------------------------------------------------------

export const describedConfig = z.strictObject({
  name: z.enum(['retention.ms', 'max.message.bytes', 'compression.type']),
  value: z.string(),
  source: z.enum(['topic', 'default']),
});
export const topicDescription = z.strictObject({
  name: z.string(),
  topicId: z.string(),
  partitions: z.array(z.strictObject({ partition: nonNegative() })),
  configs: z.array(describedConfig),
  createdAt: isoDateTime(),
});
export const topicListing = z.strictObject({ name: z.string(), topicId: z.string(), partitions: nonNegative() });
export const topicList = z.strictObject({ topics: z.array(topicListing) });

// Misc -----------------------------------------------------------------------

export const healthResponse = z.strictObject({ status: z.literal('ok'), pushUrl: z.optional(z.string()) });
export const whoamiResponse = z.strictObject({ principal: z.string() });
// API keys and ACLs -------------------------------------------------------------

const apiKeyViewFields = {
  keyId: z.string().check(z.regex(/^[0-9a-f]{16}$/)),
  principal: z.string(),
  /** Milliseconds since the epoch. */
  createdAt: timestamp(),
  createdBy: z.string(),
  expiresAt: z.nullable(timestamp()),
  revokedAt: z.nullable(timestamp()),
  description: z.nullable(z.string()),
};
export const apiKeyView = z.strictObject(apiKeyViewFields);
export const issuedApiKey = z.strictObject({ ...apiKeyViewFields, apiKey: z.string().check(z.regex(/^samsa_[0-9a-f]{16}_[A-Za-z0-9_-]{43}$/)) });
export const apiKeyList = z.strictObject({ keys: z.array(apiKeyView) });

export const acl = z.strictObject({
  id: z.string().check(z.regex(/^[0-9a-f]{24}$/)),
  principal: z.string(),
  resourceType: z.enum(RESOURCE_TYPES),
  resourceName: z.string(),
  patternType: z.enum(PATTERN_TYPES),
  operation: z.enum(ACL_OPERATIONS),
  permission: z.enum(PERMISSIONS),
});
export const aclList = z.strictObject({ acls: z.array(acl) });

/** This document: checked for its OpenAPI version and top-level parts only. */
export const openApiResponse = z.looseObject({ openapi: z.string(), info: z.looseObject({}), paths: z.record(z.string(), z.unknown()) });

// Compile-time: each schema infers exactly the SDK's wire type. ----------------

const _checks: {
  errorBody: Equal<z.infer<typeof errorBody>, ErrorBody>;
  errorResponse: Equal<z.infer<typeof errorResponse>, ErrorResponse>;
  itemError: Equal<z.infer<typeof itemError>, ItemError>;
  wireDataOut: Equal<z.infer<typeof wireDataOut>, WireData>;
  fetchedRecord: Equal<z.infer<typeof fetchedRecord>, FetchedWireRecord>;
  fetchResponse: Equal<z.infer<typeof fetchResponse>, FetchResponse>;
  producedRecord: Equal<z.infer<typeof producedRecord>, ProducedRecord>;
  failedRecord: Equal<z.infer<typeof failedRecord>, FailedRecord>;
  produceResponse: Equal<z.infer<typeof produceResponse>, ProduceResponse>;
  produceErrorResponse: Equal<z.infer<typeof produceErrorResponse>, ProduceErrorResponse>;
  producerIdentity: Equal<z.infer<typeof producerIdentity>, ProducerIdentity>;
  partitionOffsets: Equal<z.infer<typeof partitionOffsets>, PartitionOffsets>;
  offsetLookup: Equal<z.infer<typeof offsetLookup>, OffsetLookup>;
  topicOffsets: Equal<z.infer<typeof topicOffsets>, TopicOffsets>;
  deleteRecordsResponse: Equal<z.infer<typeof deleteRecordsResponse>, DeleteRecordsResponse>;
  describedConfig: Equal<z.infer<typeof describedConfig>, DescribedConfig>;
  topicDescription: Equal<z.infer<typeof topicDescription>, TopicDescription>;
  topicList: Equal<z.infer<typeof topicList>, TopicList>;
  healthResponse: Equal<z.infer<typeof healthResponse>, HealthResponse>;
  whoamiResponse: Equal<z.infer<typeof whoamiResponse>, WhoamiResponse>;
  issuedApiKey: Equal<z.infer<typeof issuedApiKey>, IssuedApiKey>;
  apiKeyView: Equal<z.infer<typeof apiKeyView>, ApiKeyView>;
  apiKeyList: Equal<z.infer<typeof apiKeyList>, ApiKeyList>;
  acl: Equal<z.infer<typeof acl>, Acl>;
  aclList: Equal<z.infer<typeof aclList>, AclList>;
} = {
  errorBody: true,
  errorResponse: true,
  itemError: true,
  wireDataOut: true,
  fetchedRecord: true,
  fetchResponse: true,
  producedRecord: true,
  failedRecord: true,
  produceResponse: true,
  produceErrorResponse: true,
  producerIdentity: true,
  partitionOffsets: true,
  offsetLookup: true,
  topicOffsets: true,
  deleteRecordsResponse: true,
  describedConfig: true,
  topicDescription: true,
  topicList: true,
  healthResponse: true,
  whoamiResponse: true,
  issuedApiKey: true,
  apiKeyView: true,
  apiKeyList: true,
  acl: true,
  aclList: true,
};
void _checks;

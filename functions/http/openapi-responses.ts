/**
 * What every route answers, for the OpenAPI document: its success statuses
 * with their body schema, and the error codes it can produce beyond those
 * every route shares (functions/http/openapi.ts adds authentication, quota,
 * storage, body-parsing and internal errors). Read off the handlers
 * (functions/*\/handlers.ts) and the lib functions they call; the API tests
 * check every answer they get against the result (test/support/contract.ts).
 */
import type { ErrorCode } from '../../lib/errors';
import type { StoredAcl } from '../../lib/auth/acl-store';
import type { IssuedApiKey as LibIssuedApiKey } from '../../lib/auth/keys';
import type { ApiKeyView as LibApiKeyView } from '../../lib/protocol/auth';
import type { CommitResult } from '../../lib/groups/commit';
import type { HeartbeatResult } from '../../lib/groups/heartbeat';
import type { groupLag } from '../../lib/groups/lag';
import type { listGroups } from '../../lib/groups/list';
import type { PollResult } from '../../lib/groups/poll';
import type { resetOffsets } from '../../lib/groups/reset-offsets';
import type { deleteRecords } from '../../lib/log/delete-records';
import type { topicOffsets } from '../../lib/log/list-offsets';
import type { ProduceResult } from '../../lib/log/produce';
import type { ProducerIdentity as LibProducerIdentity } from '../../lib/log/producer-id';
import * as S from '../../lib/protocol/response-schemas';
import * as G from '../../lib/protocol/response-schemas-groups';
import * as SUB from '../../lib/protocol/subscriptions';
import { transactionResponse } from '../../lib/protocol/transactions';
import type { Equal } from '../../lib/protocol/response-schemas';
import type * as W from '../../lib/protocol/responses';
import type { RouteId } from './routes';
import type { toWireRecord } from './records';

/** Named schemas of the document (components.schemas); everything else is inlined. */
export const COMPONENTS = {
  Error: S.errorResponse,
  WireData: S.wireDataOut,
  FetchedRecord: S.fetchedRecord,
  FetchResponse: S.fetchResponse,
  ProduceRecordResult: S.produceRecordResult,
  ProduceResponse: S.produceResponse,
  ProduceErrorResponse: S.produceErrorResponse,
  ProducerIdentity: S.producerIdentity,
  OffsetLookup: S.offsetLookup,
  TopicOffsets: S.topicOffsets,
  DeleteRecordsResponse: S.deleteRecordsResponse,
  TopicDescription: S.topicDescription,
  TopicList: S.topicList,
  HealthResponse: S.healthResponse,
  WhoamiResponse: S.whoamiResponse,
  OpenApiDocument: S.openApiResponse,
  ApiKey: S.apiKeyView,
  IssuedApiKey: S.issuedApiKey,
  ApiKeyList: S.apiKeyList,
  Acl: S.acl,
  AclList: S.aclList,
  TopicPartitions: G.topicPartitionsOut,
  HeartbeatResponse: G.heartbeatResponse,
  CommitResult: G.commitOffsetResult,
  PolledRecord: G.polledRecord,
  PollResponse: G.pollResponse,
  CommitResponse: G.commitResponse,
  CommitErrorResponse: G.commitErrorResponse,
  GroupList: G.groupList,
  GroupDescription: G.groupDescription,
  GroupOffsets: G.groupOffsets,
  ResetOffsetsResponse: G.resetOffsetsResponse,
  GroupLag: G.groupLag,
  TransactionResponse: transactionResponse,
  SubscriptionDescription: SUB.subscriptionDescription,
  CreatedSubscription: SUB.createdSubscription,
  SubscriptionList: SUB.subscriptionList,
} as const;

export type ComponentName = keyof typeof COMPONENTS;

export interface SuccessSpec {
  status: 200 | 201 | 204 | 207;
  description: string;
  /** Absent: no body (204). */
  body?: ComponentName;
  example?: unknown;
}

export interface RouteResponses {
  success: SuccessSpec[];
  /** Codes of this route beyond the shared ones (see openapi.ts `sharedCodes`). */
  errors: ErrorCode[];
  /** The error answers' schema when it is more than the envelope (it must hold the envelope). */
  errorBody?: ComponentName;
  requestExample?: unknown;
}

const ok = (body: ComponentName, description: string, example?: unknown): SuccessSpec => ({
  status: 200,
  description,
  body,
  ...(example === undefined ? {} : { example }),
});
const noContent = (description: string): SuccessSpec => ({ status: 204, description });

const TOPIC_ID = '8d1e5c3a-4b7f-4f2a-9c1d-2e6f0a9b7c11';
const AUTHZ: ErrorCode = 'AUTHORIZATION_FAILED';
const TOPIC: ErrorCode[] = ['INVALID_TOPIC', 'UNKNOWN_TOPIC_OR_PARTITION'];
const HEARTBEAT: ErrorCode[] = ['INVALID_GROUP_ID', 'INVALID_TOPIC', 'UNKNOWN_MEMBER_ID', 'FENCED_MEMBER_EPOCH', 'GROUP_MAX_SIZE_REACHED', 'CONCURRENT_MODIFICATION'];

export const RESPONSES: Record<RouteId, RouteResponses> = {
  health: { success: [ok('HealthResponse', 'The service is up.')], errors: [] },
  whoami: { success: [ok('WhoamiResponse', 'The principal of the credentials sent.')], errors: [] },
  createApiKey: {
    success: [{ status: 201, description: 'The new key; `apiKey` is shown this once.', body: 'IssuedApiKey' }],
    errors: ['INVALID_PRINCIPAL', AUTHZ],
  },
  listApiKeys: { success: [ok('ApiKeyList', 'Every key (of the principal asked for), without secrets.')], errors: [AUTHZ] },
  revokeApiKey: { success: [ok('ApiKey', 'The revoked key (revoking twice keeps the first time).')], errors: ['API_KEY_NOT_FOUND', AUTHZ] },
  createAcl: {
    success: [{ status: 201, description: 'The binding, new or as it already was.', body: 'Acl' }],
    errors: ['INVALID_PRINCIPAL', 'INVALID_ACL', AUTHZ],
  },
  listAcls: { success: [ok('AclList', 'The bindings matching every filter given.')], errors: [AUTHZ] },
  deleteAcl: { success: [ok('Acl', 'The binding removed.')], errors: ['ACL_NOT_FOUND', AUTHZ] },
  openApi: { success: [ok('OpenApiDocument', 'This document.')], errors: [] },
  listTopics: { success: [ok('TopicList', 'Every topic the caller may describe.')], errors: [] },
  createTopic: {
    success: [{ status: 201, description: 'The new topic, described (its URL in `Location`).', body: 'TopicDescription', example: topicExample() }],
    errors: ['INVALID_TOPIC', 'INVALID_PARTITIONS', 'INVALID_CONFIG', 'POLICY_VIOLATION', 'TOPIC_ALREADY_EXISTS', AUTHZ],
    requestExample: { name: 'orders', partitions: 3, configs: { 'retention.ms': 604800000 } },
  },
  describeTopic: { success: [ok('TopicDescription', 'The topic.', topicExample())], errors: [...TOPIC, AUTHZ] },
  deleteTopic: { success: [noContent('Deleted.')], errors: [...TOPIC, AUTHZ] },
  createPartitions: {
    success: [ok('TopicDescription', 'The topic with its new partitions.')],
    errors: [...TOPIC, 'INVALID_PARTITIONS', 'CONCURRENT_MODIFICATION', AUTHZ],
  },
  alterTopicConfigs: {
    success: [ok('TopicDescription', 'The topic with its new configs.')],
    errors: [...TOPIC, 'INVALID_CONFIG', 'CONCURRENT_MODIFICATION', AUTHZ],
  },
  deleteRecords: {
    success: [ok('DeleteRecordsResponse', 'The log start after the call.')],
    errors: [...TOPIC, 'INVALID_REQUEST', 'OFFSET_OUT_OF_RANGE', AUTHZ],
  },
  produce: {
    success: [
      ok('ProduceResponse', 'Every record was stored: one result per record, in request order.', {
        records: [
          { partition: 1, offset: 0, timestamp: 1764000000000 },
          { partition: 2, offset: 0, timestamp: 1764000000000 },
        ],
      }),
      {
        status: 207,
        description: 'Some records were stored and some failed: one result per record, in request order.',
        body: 'ProduceResponse',
        example: {
          records: [
            { partition: 1, offset: 1, timestamp: 1764000000000 },
            { partition: 0, error: { code: 'RECORD_TOO_LARGE', message: 'Record 1 is 2000000 bytes; the limit is 1048588 bytes.', retriable: false, limit: 1048588, size: 2000000 } },
          ],
        },
      },
    ],
    // Per request, or the first record's when every record failed (then with `records`).
    errors: [
      ...TOPIC,
      'INVALID_RECORD',
      'RECORD_TOO_LARGE',
      'OFFSET_MISMATCH',
      'UNKNOWN_PRODUCER_ID',
      'INVALID_PRODUCER_EPOCH',
      'OUT_OF_ORDER_SEQUENCE',
      'DUPLICATE_SEQUENCE_MISMATCH',
      'RESERVATION_ABORTED',
      'CONCURRENT_MODIFICATION',
      AUTHZ,
    ],
    errorBody: 'ProduceErrorResponse',
    requestExample: {
      records: [
        { key: { type: 'STRING', data: 'customer-7' }, value: { type: 'JSON', data: { total: 42 } }, headers: [{ name: 'trace', value: 'abc' }] },
        { partition: 2, value: { type: 'STRING', data: 'hello' } },
      ],
    },
  },
  transaction: {
    success: [
      ok('TransactionResponse', 'Every record was stored and every offset committed, together: where each record landed, in request order.', {
        records: [
          { topic: 'orders', partition: 1, offset: 7, timestamp: 1764000000000 },
          { topic: 'invoices', partition: 0, offset: 3, timestamp: 1764000000000 },
        ],
        committed: [{ topic: 'payments', partition: 2, offset: 41 }],
      }),
    ],
    // All or nothing: any error means nothing of the transaction is visible and nothing was committed.
    errors: [
      ...TOPIC,
      'INVALID_REQUEST',
      'INVALID_RECORD',
      'RECORD_TOO_LARGE',
      'UNKNOWN_PRODUCER_ID',
      'INVALID_PRODUCER_EPOCH',
      'OUT_OF_ORDER_SEQUENCE',
      'DUPLICATE_SEQUENCE_MISMATCH',
      'RESERVATION_ABORTED',
      'CONCURRENT_MODIFICATION',
      'INVALID_GROUP_ID',
      'UNKNOWN_MEMBER_ID',
      'FENCED_MEMBER_EPOCH',
      'STALE_MEMBER_EPOCH',
      AUTHZ,
    ],
    requestExample: {
      records: [
        { topic: 'orders', key: { type: 'STRING', data: 'customer-7' }, value: { type: 'JSON', data: { total: 42 } } },
        { topic: 'invoices', partition: 0, value: { type: 'STRING', data: 'invoice for customer-7' } },
      ],
      groupCommit: { groupId: 'billing', memberId: 'c-1', memberEpoch: 3, offsets: [{ topic: 'payments', partition: 2, offset: 41 }] },
    },
  },
  initProducer: { success: [ok('ProducerIdentity', 'A new producer id at epoch 0, or the id sent at its next epoch.')], errors: ['UNKNOWN_PRODUCER_ID', 'INVALID_PRODUCER_EPOCH', AUTHZ] },
  fetch: {
    success: [
      ok('FetchResponse', 'Records from `offset`, never beyond the high watermark; at least the first available record.', {
        topic: 'orders',
        topicId: TOPIC_ID,
        partition: 1,
        records: [
          {
            offset: 0,
            timestamp: 1764000000000,
            key: { type: 'STRING', data: 'customer-7' },
            value: { type: 'JSON', data: { total: 42 } },
            headers: [{ name: 'trace', value: { type: 'STRING', data: 'abc' } }],
          },
        ],
        nextOffset: 1,
        highWatermark: 1,
        logStartOffset: 0,
        abortedRanges: [],
      }),
    ],
    errors: [...TOPIC, 'INVALID_REQUEST', 'UNKNOWN_TOPIC_ID', 'OFFSET_OUT_OF_RANGE', AUTHZ],
  },
  listOffsets: { success: [ok('OffsetLookup', 'The offset asked for, with the log start and high watermark.')], errors: [...TOPIC, 'INVALID_REQUEST', AUTHZ] },
  topicOffsets: { success: [ok('TopicOffsets', 'Log start and high watermark of every partition.')], errors: [...TOPIC, AUTHZ] },
  listGroups: { success: [ok('GroupList', 'Every group the caller may describe.')], errors: [] },
  describeGroup: { success: [ok('GroupDescription', 'The group, its state and members.')], errors: ['INVALID_GROUP_ID', 'GROUP_ID_NOT_FOUND', AUTHZ] },
  deleteGroup: { success: [noContent('Deleted.')], errors: ['INVALID_GROUP_ID', 'GROUP_ID_NOT_FOUND', 'GROUP_NOT_EMPTY', 'CONCURRENT_MODIFICATION', AUTHZ] },
  groupHeartbeat: { success: [ok('HeartbeatResponse', "The member's epoch and assignment.")], errors: [...HEARTBEAT, AUTHZ] },
  groupPoll: {
    success: [
      ok('PollResponse', 'The heartbeat answer, records of the assigned partitions, the positions after them and, if the poll committed, the outcome of each offset.', {
        memberId: 'c-1',
        memberEpoch: 1,
        assignment: [{ topic: 'orders', partitions: [0, 1, 2] }],
        heartbeatIntervalMs: 5000,
        records: [{ topic: 'orders', partition: 1, offset: 1, timestamp: 1764000000000, key: null, value: { type: 'STRING', data: 'hello' }, headers: [] }],
        positions: [
          { topic: 'orders', partition: 0, offset: 0 },
          { topic: 'orders', partition: 1, offset: 2 },
          { topic: 'orders', partition: 2, offset: 0 },
        ],
        topicIds: { orders: TOPIC_ID },
        commits: [{ topic: 'orders', partition: 1, offset: 1 }],
      }),
    ],
    errors: [...HEARTBEAT, 'INVALID_REQUEST', AUTHZ],
    requestExample: {
      memberId: 'c-1',
      memberEpoch: 1,
      topics: ['orders'],
      owned: [{ topic: 'orders', partitions: [0, 1, 2] }],
      positions: [{ topic: 'orders', partition: 1, offset: 1 }],
      commit: [{ topic: 'orders', partition: 1, offset: 1 }],
      maxWaitMs: 5000,
    },
  },
  groupCommit: {
    success: [ok('CommitResponse', 'Every offset was committed.')],
    // The first failed offset's code, with every offset's outcome in `offsets`.
    errors: ['INVALID_GROUP_ID', 'INVALID_REQUEST', 'UNKNOWN_MEMBER_ID', 'FENCED_MEMBER_EPOCH', 'STALE_MEMBER_EPOCH', 'UNKNOWN_TOPIC_OR_PARTITION', AUTHZ],
    errorBody: 'CommitErrorResponse',
  },
  groupOffsets: { success: [ok('GroupOffsets', "The group's committed offsets.")], errors: ['INVALID_GROUP_ID', AUTHZ] },
  resetGroupOffsets: {
    success: [ok('ResetOffsetsResponse', 'The offsets now committed.')],
    errors: ['INVALID_GROUP_ID', ...TOPIC, 'GROUP_NOT_EMPTY', 'OFFSET_OUT_OF_RANGE', AUTHZ],
  },
  groupLag: { success: [ok('GroupLag', 'Lag per partition and in total.')], errors: ['INVALID_GROUP_ID', 'GROUP_ID_NOT_FOUND', AUTHZ] },
  removeGroupMember: { success: [noContent('Removed; its partitions move on.')], errors: ['INVALID_GROUP_ID', 'INVALID_REQUEST', 'UNKNOWN_MEMBER_ID', 'CONCURRENT_MODIFICATION', AUTHZ] },
  createSubscription: {
    success: [{ status: 201, description: 'Created; `secret` is shown this once.', body: 'CreatedSubscription' }],
    errors: ['INVALID_SUBSCRIPTION', ...TOPIC, 'SUBSCRIPTION_ALREADY_EXISTS', 'GROUP_NOT_EMPTY', AUTHZ],
    requestExample: { name: 'orders-to-billing', topic: 'orders', endpoint: 'https://billing.example.com/hooks/orders', deadLetterTopic: 'orders-dlq', maxRecords: 100 },
  },
  listSubscriptions: { success: [ok('SubscriptionList', 'Every subscription whose topic the caller may describe (without partitions).')], errors: [] },
  describeSubscription: { success: [ok('SubscriptionDescription', 'Settings, state and per-partition progress.')], errors: ['INVALID_SUBSCRIPTION', 'SUBSCRIPTION_NOT_FOUND', AUTHZ] },
  deleteSubscription: { success: [noContent('Deleted.')], errors: ['INVALID_SUBSCRIPTION', 'SUBSCRIPTION_NOT_FOUND', AUTHZ] },
  pauseSubscription: { success: [ok('SubscriptionDescription', 'Paused (without partitions).')], errors: ['INVALID_SUBSCRIPTION', 'SUBSCRIPTION_NOT_FOUND', AUTHZ] },
  resumeSubscription: { success: [ok('SubscriptionDescription', 'Active again (without partitions).')], errors: ['INVALID_SUBSCRIPTION', 'SUBSCRIPTION_NOT_FOUND', AUTHZ] },
};

function topicExample(): W.TopicDescription {
  return {
    name: 'orders',
    topicId: TOPIC_ID,
    partitions: [{ partition: 0 }, { partition: 1 }, { partition: 2 }],
    configs: [
      { name: 'retention.ms', value: '604800000', source: 'topic' },
      { name: 'max.message.bytes', value: '1048588', source: 'default' },
      { name: 'compression.type', value: 'none', source: 'default' },
    ],
    createdAt: '2026-01-01T00:00:00.000Z',
  };
}

// Compile-time: what lib returns (and the handlers send on) is exactly the wire type.
const _libChecks: {
  produce: Equal<ProduceResult, W.ProduceResponse>;
  producerIdentity: Equal<LibProducerIdentity, W.ProducerIdentity>;
  heartbeat: Equal<HeartbeatResult, W.HeartbeatResponse>;
  commit: Equal<CommitResult, W.CommitOffsetResult>;
  poll: Equal<Omit<PollResult, 'records'>, Omit<W.PollResponse, 'records'>>;
  wireRecord: Equal<ReturnType<typeof toWireRecord>, W.FetchedWireRecord>;
  acl: Equal<StoredAcl, W.Acl>;
  issuedApiKey: Equal<LibIssuedApiKey, W.IssuedApiKey>;
  apiKeyView: Equal<LibApiKeyView, W.ApiKeyView>;
  groupLag: Equal<Awaited<ReturnType<typeof groupLag>>, W.GroupLag>;
  listGroups: Equal<Awaited<ReturnType<typeof listGroups>>, W.GroupListing[]>;
  resetOffsets: Equal<Awaited<ReturnType<typeof resetOffsets>>, W.TopicPartitionOffset[]>;
  deleteRecords: Equal<Awaited<ReturnType<typeof deleteRecords>>, W.DeleteRecordsResponse>;
  topicOffsets: Equal<Awaited<ReturnType<typeof topicOffsets>>, W.PartitionOffsets[]>;
} = {
  produce: true,
  producerIdentity: true,
  heartbeat: true,
  commit: true,
  poll: true,
  wireRecord: true,
  acl: true,
  issuedApiKey: true,
  apiKeyView: true,
  groupLag: true,
  listGroups: true,
  resetOffsets: true,
  deleteRecords: true,
  topicOffsets: true,
};
void _libChecks;

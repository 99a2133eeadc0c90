/**
 * What each route does, in one line: the OpenAPI document's operation
 * summaries. Apart from the route table (./routes.ts) because the SDK bundles
 * that table and never shows these. Keyed by route id and checked with
 * `satisfies Record<RouteId, string>`, so a route without a summary, or a
 * summary of a route that does not exist, does not compile.
 */
import type { RouteId } from './routes';

export const ROUTE_SUMMARIES = {
  health: 'Liveness check (no credentials needed)',
  whoami: 'The principal the credentials belong to',
  createApiKey: 'Issue an API key (the secret is shown once)',
  listApiKeys: 'List API keys (never their secrets)',
  revokeApiKey: 'Revoke an API key',
  createAcl: 'Add an ACL binding (idempotent)',
  listAcls: 'List ACL bindings',
  deleteAcl: 'Remove an ACL binding',
  openApi: 'This API as an OpenAPI 3.1 document (no credentials needed)',
  listTopics: 'List topics',
  createTopic: 'Create a topic',
  describeTopic: 'Describe a topic',
  deleteTopic: 'Delete a topic',
  createPartitions: 'Increase the partition count',
  alterTopicConfigs: 'Alter topic configs',
  deleteRecords: 'Delete records before an offset (moves the log start)',
  produce: 'Produce records',
  initProducer: 'Get an idempotent producer id and epoch',
  transaction: 'Produce to several partitions and topics atomically, optionally with a group commit',
  fetch: 'Fetch records from an offset',
  listOffsets: 'Log start, high watermark, or the offset for a timestamp',
  topicOffsets: 'Offsets of every partition',
  listGroups: 'List consumer groups',
  describeGroup: 'Describe a group: state, epoch, members',
  deleteGroup: 'Delete a group without live members',
  groupHeartbeat: 'Join, heartbeat or leave (KIP-848)',
  groupPoll: 'Commit, heartbeat and fetch in one call',
  groupCommit: 'Commit offsets (fenced by ownership)',
  groupOffsets: 'Committed offsets',
  resetGroupOffsets: 'Reset committed offsets of a topic (group without live members)',
  groupLag: 'Lag per partition and total',
  removeGroupMember: 'Remove a member; its partitions move on',
  createSubscription: 'Push a topic to an HTTPS webhook (the signing secret is shown once) or a Lambda function (by ARN)',
  listSubscriptions: 'List push subscriptions',
  describeSubscription: 'Describe a subscription: state, committed offsets, lag, attempts, last error',
  deleteSubscription: 'Delete a subscription and its consumer group',
  pauseSubscription: 'Pause delivery',
  resumeSubscription: 'Resume delivery from the committed offset',
} as const satisfies Record<RouteId, string>;

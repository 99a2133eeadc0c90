/**
 * Calls each API function must never be able to make, whatever its code
 * does: the IAM replay asserts every one DENIED for the function's
 * synthesized role. Calls name tables by their logical key (`log`, `meta`),
 * which request-context.ts maps to the synthesized ARNs; `request` entries
 * are IAM requests that no Samsa code path builds (table administration,
 * PartiQL, another table).
 *
 * KNOWN_GAPS are calls that should be forbidden but that IAM cannot tell
 * from the calls the function must make (each says why); they are asserted
 * ALLOWED, so a change that closes one fails the test until the entry moves
 * to FORBIDDEN.
 */
import type { FunctionArea } from '../../functions/http/routes';
import { ACCOUNT, tableArn, type IamRequest } from './policies';
import type { CallInput } from './request-context';

export interface ForbiddenCall {
  areas: readonly FunctionArea[];
  what: string;
  /** KNOWN_GAPS only: why no IAM policy can deny it while allowing the function's real calls. */
  why?: string;
  call?: CallInput;
  request?: IamRequest;
}

const ALL: readonly FunctionArea[] = ['admin', 'produce', 'fetch', 'groups'];
const READERS: readonly FunctionArea[] = ['fetch', 'groups'];

const PK = '00000000-0000-4000-8000-000000000000#0';
const batchItem = { pk: PK, sk: 7, o: 40, n: 2, r: new Uint8Array([1, 2, 3]), ra: 1, ttl: 2_000_000_000 };
const markerItem = { pk: PK, sk: 7, o: 40, ab: true, ra: 1, ttl: 2_000_000_000 };
const queryOf = (TableName: string, pk: string, IndexName?: string): CallInput => ({
  command: 'Query',
  input: { TableName, ...(IndexName === undefined ? {} : { IndexName }), KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': pk } },
});
const otherTable = `arn:aws:dynamodb:us-east-1:${ACCOUNT}:table/SomeoneElsesTable`;

export const FORBIDDEN: ForbiddenCall[] = [
  // Readers write only abort markers and counter cursors.
  { areas: READERS, what: 'write a record batch to the log', call: { command: 'PutItem', input: { TableName: 'log', Item: batchItem, ConditionExpression: 'attribute_not_exists(sk)' } } },
  { areas: READERS, what: 'write a chunk of a large batch', call: { command: 'PutItem', input: { TableName: 'log', Item: { pk: `${PK}#chunks`, sk: 7 * 256, d: new Uint8Array([1]) } } } },
  { areas: READERS, what: "rewrite a batch's records", call: { command: 'UpdateItem', input: { TableName: 'log', Key: { pk: PK, sk: 7 }, UpdateExpression: 'SET r = :r', ExpressionAttributeValues: { ':r': new Uint8Array([0]) } } } },
  { areas: READERS, what: 'reserve offsets on the counter (the writers\' ADD seq, next)', call: { command: 'UpdateItem', input: { TableName: 'log', Key: { pk: PK, sk: -1 }, UpdateExpression: 'ADD #seq :one, #next :n', ExpressionAttributeNames: { '#seq': 'seq', '#next': 'next' }, ExpressionAttributeValues: { ':one': 1, ':n': 2 } } } },
  { areas: READERS, what: 'read back the old item with a marker put (ReturnValues ALL_OLD)', call: { command: 'PutItem', input: { TableName: 'log', Item: markerItem, ReturnValues: 'ALL_OLD' } } },
  { areas: READERS, what: 'delete a log item', call: { command: 'DeleteItem', input: { TableName: 'log', Key: { pk: PK, sk: 7 } } } },
  { areas: READERS, what: 'batch-write the log, even marker-shaped items', call: { command: 'BatchWriteItem', input: { RequestItems: { log: [{ PutRequest: { Item: markerItem } }] } } } },
  // Each reader write is confined to its own attributes: a cursor update cannot expire an item, a marker put cannot move a cursor.
  { areas: READERS, what: 'expire any log item early by setting its ttl (reader UpdateItem)', call: { command: 'UpdateItem', input: { TableName: 'log', Key: { pk: PK, sk: 7 }, UpdateExpression: 'SET #ttl = :past', ExpressionAttributeNames: { '#ttl': 'ttl' }, ExpressionAttributeValues: { ':past': 1 } } } },
  { areas: READERS, what: "move a partition's stable cursor with a put (PutItem of a counter-shaped item)", call: { command: 'PutItem', input: { TableName: 'log', Item: { pk: PK, sk: -1, cur: 99, co: 999 } } } },
  // admin writes counters, markers and ttls to the log, never record payloads or chunks.
  { areas: ['admin'], what: 'write a record batch to the log', call: { command: 'PutItem', input: { TableName: 'log', Item: batchItem, ConditionExpression: 'attribute_not_exists(sk)' } } },
  { areas: ['admin'], what: 'batch-write a record batch to the log', call: { command: 'BatchWriteItem', input: { RequestItems: { log: [{ PutRequest: { Item: batchItem } }] } } } },
  { areas: ['admin'], what: "rewrite a batch's records", call: { command: 'UpdateItem', input: { TableName: 'log', Key: { pk: PK, sk: 7 }, UpdateExpression: 'SET r = :r', ExpressionAttributeValues: { ':r': new Uint8Array([0]) } } } },
  { areas: ['admin'], what: 'write a chunk of a large batch', call: { command: 'PutItem', input: { TableName: 'log', Item: { pk: `${PK}#chunks`, sk: 7 * 256, d: new Uint8Array([1]) } } } },
  { areas: ['admin'], what: 'read back a counter with an update (ReturnValues ALL_NEW)', call: { command: 'UpdateItem', input: { TableName: 'log', Key: { pk: PK, sk: -1 }, UpdateExpression: 'SET cv = :v', ExpressionAttributeValues: { ':v': 2 }, ReturnValues: 'ALL_NEW' } } },
  // groups writes only the group registry and groups' own partitions on meta.
  { areas: ['groups'], what: 'delete an API key', call: { command: 'DeleteItem', input: { TableName: 'meta', Key: { pk: 'apikeys', sk: 'k1' } } } },
  { areas: ['groups'], what: 'write an ACL binding', call: { command: 'PutItem', input: { TableName: 'meta', Item: { pk: 'acls', sk: 'a1', principal: 'x', operation: 'All' } } } },
  { areas: ['groups'], what: 'change a topic item', call: { command: 'UpdateItem', input: { TableName: 'meta', Key: { pk: 'topics', sk: 't' }, UpdateExpression: 'SET partitions = :p', ExpressionAttributeValues: { ':p': 1 } } } },
  { areas: ['groups'], what: "fence a producer (bump its epoch)", call: { command: 'UpdateItem', input: { TableName: 'meta', Key: { pk: 'producers', sk: 'id#1' }, UpdateExpression: 'ADD epoch :one', ExpressionAttributeValues: { ':one': 1 } } } },
  { areas: ['groups'], what: 'batch-delete an API key beside a group item', call: { command: 'BatchWriteItem', input: { RequestItems: { meta: [{ DeleteRequest: { Key: { pk: 'group#g', sk: 'group' } } }, { DeleteRequest: { Key: { pk: 'apikeys', sk: 'k1' } } }] } } } },
  // produce writes only producer ids and producer state on meta.
  { areas: ['produce'], what: 'write an API key item', call: { command: 'PutItem', input: { TableName: 'meta', Item: { pk: 'apikeys', sk: 'k1', principal: 'admin' } } } },
  { areas: ['produce'], what: "change a topic's configs", call: { command: 'UpdateItem', input: { TableName: 'meta', Key: { pk: 'topics', sk: 't' }, UpdateExpression: 'SET configs = :c', ExpressionAttributeValues: { ':c': {} } } } },
  { areas: ['produce'], what: 'move a group commit', call: { command: 'UpdateItem', input: { TableName: 'meta', Key: { pk: 'group#g', sk: `commit#${PK}` }, UpdateExpression: 'SET #o = :o', ExpressionAttributeNames: { '#o': 'offset' }, ExpressionAttributeValues: { ':o': 0 } } } },
  // transactions writes the log as produce does, its producers' transaction state, and only the commit attributes of group items.
  { areas: ['transactions'], what: 'write an API key item', call: { command: 'PutItem', input: { TableName: 'meta', Item: { pk: 'apikeys', sk: 'k1', principal: 'admin' } } } },
  { areas: ['transactions'], what: 'put a group item (outside the transaction state partitions)', call: { command: 'PutItem', input: { TableName: 'meta', Item: { pk: 'group#g', sk: 'member#m', epoch: 9 } } } },
  { areas: ['transactions'], what: "raise a member's epoch", call: { command: 'UpdateItem', input: { TableName: 'meta', Key: { pk: 'group#g', sk: 'member#m' }, UpdateExpression: 'SET epoch = :e', ExpressionAttributeValues: { ':e': 9 } } } },
  { areas: ['transactions'], what: "fence a producer (bump its epoch)", call: { command: 'UpdateItem', input: { TableName: 'meta', Key: { pk: 'producers', sk: 'id#1' }, UpdateExpression: 'ADD epoch :one', ExpressionAttributeValues: { ':one': 1 } } } },
  { areas: ['transactions'], what: 'delete a batch', call: { command: 'DeleteItem', input: { TableName: 'log', Key: { pk: PK, sk: 7 } } } },
  { areas: ['transactions'], what: "query a group's items", call: queryOf('meta', 'group#g') },
  // fetch only reads meta (keys, topics, the ACL partition).
  { areas: ['fetch'], what: 'write a group commit', call: { command: 'PutItem', input: { TableName: 'meta', Item: { pk: 'group#g', sk: `commit#${PK}`, offset: 9 } } } },
  { areas: ['fetch', 'produce'], what: 'delete an API key', call: { command: 'DeleteItem', input: { TableName: 'meta', Key: { pk: 'apikeys', sk: 'k1' } } } },
  { areas: ['fetch', 'produce'], what: 'query the meta table outside the ACL partition (topic registry)', call: queryOf('meta', 'topics') },
  { areas: ['fetch', 'produce'], what: "query a group's items", call: queryOf('meta', 'group#g') },
  // produce appends; it never deletes, batch-writes or queries the log.
  { areas: ['produce'], what: 'delete a batch', call: { command: 'DeleteItem', input: { TableName: 'log', Key: { pk: PK, sk: 7 } } } },
  { areas: ['produce'], what: 'delete a consumer group', call: { command: 'DeleteItem', input: { TableName: 'meta', Key: { pk: 'group#g', sk: 'group' } } } },
  { areas: ['produce', 'fetch'], what: 'batch-write the meta table', call: { command: 'BatchWriteItem', input: { RequestItems: { meta: [{ DeleteRequest: { Key: { pk: 'group#g', sk: 'group' } } }] } } } },
  { areas: ['produce'], what: 'batch-write the log', call: { command: 'BatchWriteItem', input: { RequestItems: { log: [{ PutRequest: { Item: batchItem } }] } } } },
  { areas: ['produce'], what: 'query the log', call: queryOf('log', PK) },
  { areas: ['produce'], what: 'query the byOffset index', call: queryOf('log', PK, 'byOffset') },
  { areas: ['produce'], what: 'batch-read the log', call: { command: 'BatchGetItem', input: { RequestItems: { log: { Keys: [{ pk: PK, sk: 7 }] } } } } },
  // Nobody scans, administers the tables, uses PartiQL or touches a table that is not Samsa's.
  { areas: ALL, what: 'scan the log', call: { command: 'Scan', input: { TableName: 'log' } } },
  { areas: ALL, what: 'scan the meta table', call: { command: 'Scan', input: { TableName: 'meta' } } },
  { areas: ALL, what: 'scan the byOffset index', call: { command: 'Scan', input: { TableName: 'log', IndexName: 'byOffset' } } },
  { areas: ALL, what: 'delete the log table', request: { action: 'dynamodb:DeleteTable', resource: tableArn('log'), context: {} } },
  { areas: ALL, what: 'change the meta table (TTL, throughput, indexes)', request: { action: 'dynamodb:UpdateTable', resource: tableArn('meta'), context: {} } },
  { areas: ALL, what: 'turn TTL off on the log', request: { action: 'dynamodb:UpdateTimeToLive', resource: tableArn('log'), context: {} } },
  { areas: ALL, what: 'update the log through PartiQL', request: { action: 'dynamodb:PartiQLUpdate', resource: tableArn('log'), context: {} } },
  { areas: ALL, what: 'export the log', request: { action: 'dynamodb:ExportTableToPointInTime', resource: tableArn('log'), context: {} } },
  { areas: ALL, what: "read another application's table", request: { action: 'dynamodb:GetItem', resource: otherTable, context: {} } },
  { areas: ALL, what: "write another application's table", request: { action: 'dynamodb:PutItem', resource: otherTable, context: {} } },
];

export const KNOWN_GAPS: ForbiddenCall[] = [
  {
    areas: READERS,
    what: 'overwrite a settled batch with an unconditional marker put',
    call: { command: 'PutItem', input: { TableName: 'log', Item: markerItem } },
    why:
      'IAM has no condition key for a ConditionExpression: the conditional marker put names the same attributes (sk is a key), ' +
      "so only the code's attribute_not_exists(sk) keeps a marker off a settled seq.",
  },
  {
    areas: READERS,
    what: "move a batch's byOffset index key (SET o with a reader UpdateItem)",
    call: { command: 'UpdateItem', input: { TableName: 'log', Key: { pk: PK, sk: 7 }, UpdateExpression: 'SET o = :o', ExpressionAttributeValues: { ':o': 0 } } },
    why:
      'AWS requires the key attributes of the table and of its indexes in every dynamodb:Attributes list, so `o` (byOffset sort key) ' +
      'is in the cursor list; dynamodb:LeadingKeys sees only the partition key, so IAM cannot tell the counter (sk -1) from a batch.',
  },
  {
    areas: READERS,
    what: "set a cursor attribute on a batch item (SET cur on sk >= 0)",
    call: { command: 'UpdateItem', input: { TableName: 'log', Key: { pk: PK, sk: 7 }, UpdateExpression: 'SET cur = :c', ExpressionAttributeValues: { ':c': 1 } } },
    why: 'IAM has no condition key for the sort key, so cursor updates cannot be held to the counter item; the code conditions them on the counter.',
  },
  {
    areas: ['admin'],
    what: 'expire a batch early by lowering its ttl',
    call: { command: 'UpdateItem', input: { TableName: 'log', Key: { pk: PK, sk: 7 }, UpdateExpression: 'SET #ttl = :past', ExpressionAttributeNames: { '#ttl': 'ttl' }, ExpressionAttributeValues: { ':past': 1 } } },
    why:
      "A retention change must SET ttl on batches (lib/topics/retention-ttl.ts); that it only ever raises it is the ConditionExpression's " +
      '`#ttl < :ttl`, which IAM cannot see.',
  },
];

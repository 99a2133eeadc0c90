/**
 * A recorded DynamoDB call as the IAM authorization request(s) DynamoDB makes
 * for it, following AWS's "Actions, resources, and condition keys for Amazon
 * DynamoDB" and the fine-grained access control condition keys:
 *
 * - action `dynamodb:<Operation>`; resource the table ARN, or the index ARN
 *   (`table/T/index/I`) for a Query on an index; a batch call is one request
 *   per table it names.
 * - `dynamodb:LeadingKeys`: the partition key value(s) of the items the call
 *   addresses (Key, Item, each key of a batch, the `pk = :v` of a Query).
 * - `dynamodb:Attributes`: the top-level attribute names the call names: the
 *   key attributes, Item's attributes, every name in UpdateExpression,
 *   ConditionExpression, KeyConditionExpression, FilterExpression and
 *   ProjectionExpression. A read without a projection reads every attribute
 *   and names none; no Samsa policy confines reads by attribute.
 * - `dynamodb:ReturnValues`, `dynamodb:Select`, `dynamodb:ReturnConsumedCapacity`
 *   as the call gives them, only for the actions that take them.
 *
 * Tables are mapped by logical table (log, meta) from the test stack's
 * physical names to the synthesized ARNs. A call on an unknown table or with
 * an operation not modelled here throws, so nothing escapes the check.
 */
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { TABLES, type TableNames } from '../../lib/storage/schema';
import { tableArn, type IamRequest, type TableKey } from './policies';

export interface CallInput {
  command: string;
  input: Record<string, any>;
}

/** Condition keys each modelled action takes (the service authorization reference's list, less the ones Samsa never sends). */
const KEYS_BY_ACTION: Record<string, readonly string[]> = {
  GetItem: ['Attributes', 'LeadingKeys', 'Select', 'ReturnConsumedCapacity'],
  BatchGetItem: ['Attributes', 'LeadingKeys', 'Select', 'ReturnConsumedCapacity'],
  Query: ['Attributes', 'LeadingKeys', 'Select', 'ReturnValues', 'ReturnConsumedCapacity'],
  Scan: ['Attributes', 'Select', 'ReturnValues', 'ReturnConsumedCapacity'],
  PutItem: ['Attributes', 'LeadingKeys', 'ReturnValues', 'ReturnConsumedCapacity'],
  UpdateItem: ['Attributes', 'LeadingKeys', 'ReturnValues', 'ReturnConsumedCapacity'],
  DeleteItem: ['Attributes', 'LeadingKeys', 'ReturnValues', 'ReturnConsumedCapacity'],
  BatchWriteItem: ['Attributes', 'LeadingKeys', 'ReturnConsumedCapacity'],
  TransactWriteItems: [],
};

/** Words of DynamoDB's expression grammar that are not attribute names (case-insensitive). */
const GRAMMAR = new Set(['SET', 'REMOVE', 'ADD', 'DELETE', 'AND', 'OR', 'NOT', 'IN', 'BETWEEN']);

/**
 * Top-level attribute names in an expression: `#alias` resolved, `:values`,
 * function names and keywords skipped, and of a path `a.b[0].c` only `a`.
 */
export function expressionAttributes(expression: string | undefined, aliases: Record<string, string> = {}): string[] {
  const names: string[] = [];
  for (const m of String(expression ?? '').matchAll(/(?<![.:#\w])(#?[A-Za-z_][A-Za-z0-9_]*)(\s*\()?/g)) {
    const token = m[1]!;
    if (m[2] !== undefined || GRAMMAR.has(token.toUpperCase())) continue;
    if (token.startsWith('#')) {
      const name = aliases[token];
      if (name === undefined) throw new Error(`Expression '${expression}' uses ${token} without ExpressionAttributeNames.`);
      names.push(name);
    } else names.push(token);
  }
  return names;
}

export function iamRequests(call: CallInput, tables: TableNames): IamRequest[] {
  const { command, input } = call;
  const allowed = KEYS_BY_ACTION[command];
  if (allowed === undefined) throw new Error(`DynamoDB operation ${command} is not modelled in test/iam/request-context.ts; add it.`);
  const tableOf = (name: string): TableKey => {
    const key = (Object.keys(tables) as TableKey[]).find((k) => tables[k] === name);
    if (key === undefined) throw new Error(`${command} on table '${name}', which is not one of the stack's tables.`);
    return key;
  };
  const request = (table: string, parts: { index?: string; leading?: unknown[]; attributes?: Iterable<string>; params: Record<string, any> }): IamRequest => {
    const key = tableOf(table);
    const context: Record<string, string | string[]> = {};
    if (parts.leading !== undefined) context['dynamodb:LeadingKeys'] = [...new Set(parts.leading.map(String))].sort();
    const attributes = [...new Set(parts.attributes ?? [])].sort();
    if (attributes.length > 0) context['dynamodb:Attributes'] = attributes;
    for (const name of ['Select', 'ReturnValues', 'ReturnConsumedCapacity']) {
      if (parts.params[name] !== undefined) context[`dynamodb:${name}`] = String(parts.params[name]);
    }
    for (const k of Object.keys(context)) {
      if (!allowed.includes(k.slice('dynamodb:'.length))) throw new Error(`${command} does not take ${k}`);
    }
    const resource = parts.index === undefined ? tableArn(key) : `${tableArn(key)}/index/${parts.index}`;
    return { action: `dynamodb:${command}`, resource, context };
  };
  const names = (params: Record<string, any>, ...expressions: string[]) =>
    expressions.flatMap((e) => expressionAttributes(params[e], params.ExpressionAttributeNames));
  const pkName = (table: string) => TABLES[tableOf(table)].partitionKey.name;

  switch (command) {
    case 'GetItem':
    case 'DeleteItem':
    case 'UpdateItem': {
      const projected = input.ProjectionExpression !== undefined;
      const attributes = [...Object.keys(input.Key), ...names(input, 'UpdateExpression', 'ConditionExpression', 'ProjectionExpression')];
      const read = command === 'GetItem';
      return [request(input.TableName, { leading: [input.Key[pkName(input.TableName)]], attributes: read && !projected ? [] : attributes, params: input })];
    }
    case 'PutItem':
      return [request(input.TableName, { leading: [input.Item[pkName(input.TableName)]], attributes: [...Object.keys(input.Item), ...names(input, 'ConditionExpression')], params: input })];
    case 'Query': {
      const def = TABLES[tableOf(input.TableName)];
      const index = input.IndexName === undefined ? undefined : def.globalIndexes.find((g) => g.indexName === input.IndexName);
      if (input.IndexName !== undefined && index === undefined) throw new Error(`Query on unknown index ${input.IndexName}`);
      const partitionKey = (index ?? def).partitionKey.name;
      const leading = partitionKeyValue(input, partitionKey);
      const attributes = input.ProjectionExpression === undefined ? [] : names(input, 'KeyConditionExpression', 'FilterExpression', 'ProjectionExpression');
      return [request(input.TableName, { ...(index === undefined ? {} : { index: index.indexName }), leading: [leading], attributes, params: input })];
    }
    case 'Scan':
      return [request(input.TableName, { ...(input.IndexName === undefined ? {} : { index: input.IndexName }), params: input })];
    case 'BatchGetItem':
      return Object.entries(input.RequestItems as Record<string, any>).map(([table, spec]) => {
        const projected = spec.ProjectionExpression !== undefined;
        const keys = spec.Keys as Record<string, unknown>[];
        const attributes = projected ? [...keys.flatMap((k) => Object.keys(k)), ...names(spec, 'ProjectionExpression')] : [];
        return request(table, { leading: keys.map((k) => k[pkName(table)]), attributes, params: input });
      });
    case 'BatchWriteItem':
      return Object.entries(input.RequestItems as Record<string, any[]>).map(([table, writes]) => {
        const items = writes.map((w) => w.PutRequest?.Item ?? w.DeleteRequest?.Key) as Record<string, unknown>[];
        return request(table, { leading: items.map((i) => i[pkName(table)]), attributes: items.flatMap((i) => Object.keys(i)), params: input });
      });
    case 'TransactWriteItems':
      // No IAM action of its own: each action is authorized as the single-item write it stands for (ConditionCheck: not modelled).
      return (input.TransactItems as Record<string, any>[]).flatMap((action) => {
        const [kind, spec] = Object.entries(action)[0]!;
        const single = ({ Put: 'PutItem', Update: 'UpdateItem', Delete: 'DeleteItem' } as Record<string, string>)[kind];
        if (single === undefined) throw new Error(`TransactWriteItems action ${kind} is not modelled in test/iam/request-context.ts; add it.`);
        const { ReturnValuesOnConditionCheckFailure: _, ...params } = spec as Record<string, any>;
        for (const f of ['Item', 'Key', 'ExpressionAttributeValues']) if (isMarshalled(params[f])) params[f] = unmarshall(params[f]);
        return iamRequests({ command: single, input: params }, tables);
      });
    default:
      throw new Error(`unreachable: ${command}`);
  }
}

/** The value the KeyConditionExpression gives the partition key (`pk = :v`, either side, aliases resolved). */
function partitionKeyValue(input: Record<string, any>, partitionKey: string): unknown {
  const aliases: Record<string, string> = input.ExpressionAttributeNames ?? {};
  const nameOf = (token: string) => (token.startsWith('#') ? aliases[token] : token);
  for (const m of String(input.KeyConditionExpression).matchAll(/(#?\w+|:\w+)\s*=\s*(#?\w+|:\w+)/g)) {
    const [left, right] = [m[1]!, m[2]!];
    if (nameOf(left) === partitionKey && right.startsWith(':')) return input.ExpressionAttributeValues[right];
    if (nameOf(right) === partitionKey && left.startsWith(':')) return input.ExpressionAttributeValues[left];
  }
  throw new Error(`No '${partitionKey} = :value' in KeyConditionExpression '${input.KeyConditionExpression}'.`);
}

/** An attribute map still in DynamoDB's wire form ({ S: … }, { N: … }) rather than plain values. */
function isMarshalled(map: unknown): map is Record<string, any> {
  if (typeof map !== 'object' || map === null) return false;
  const first = Object.values(map)[0];
  return typeof first === 'object' && first !== null && !Array.isArray(first) && Object.keys(first).length === 1 && /^(S|N|B|BOOL|NULL|M|L|SS|NS|BS)$/.test(Object.keys(first)[0]!);
}

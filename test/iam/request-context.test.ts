/** The translation of DynamoDB calls into IAM requests that the IAM replay relies on. */
import { describe, expect, it } from 'vitest';
import { tableArn } from './policies';
import { expressionAttributes, iamRequests } from './request-context';

const tables = { meta: 't1-meta', log: 't1-log' };

describe('IAM request context of a DynamoDB call', () => {
  it('names top-level attributes only: aliases resolved, values, functions, keywords and nested paths skipped', () => {
    const aliases = { '#ttl': 'ttl', '#o': 'o' };
    expect(expressionAttributes('SET #ttl = if_not_exists(#ttl, :t), m.inner = :v, l[0] = :w REMOVE gone ADD seq :one', aliases)).toEqual(['ttl', 'ttl', 'm', 'l', 'gone', 'seq']);
    expect(expressionAttributes('attribute_not_exists(sk) AND (#o BETWEEN :a AND :b OR size(r) > :n)', aliases)).toEqual(['sk', 'o', 'r']);
    expect(() => expressionAttributes('SET #x = :x')).toThrow(/#x/);
  });

  it('maps a write to its table ARN, partition key, attributes and ReturnValues', () => {
    const [put] = iamRequests({ command: 'PutItem', input: { TableName: 't1-log', Item: { pk: 'a#0', sk: 3, ab: true }, ConditionExpression: 'attribute_not_exists(sk)' } }, tables);
    expect(put).toEqual({ action: 'dynamodb:PutItem', resource: tableArn('log'), context: { 'dynamodb:LeadingKeys': ['a#0'], 'dynamodb:Attributes': ['ab', 'pk', 'sk'] } });
    const [update] = iamRequests(
      { command: 'UpdateItem', input: { TableName: 't1-meta', Key: { pk: 'producers', sk: 'next' }, UpdateExpression: 'ADD #n :one', ExpressionAttributeNames: { '#n': 'next' }, ReturnValues: 'UPDATED_NEW' } },
      tables,
    );
    expect(update!.context).toEqual({ 'dynamodb:LeadingKeys': ['producers'], 'dynamodb:Attributes': ['next', 'pk', 'sk'], 'dynamodb:ReturnValues': 'UPDATED_NEW' });
  });

  it('maps a Query on an index to the index ARN and the partition key value of its key condition', () => {
    const [query] = iamRequests(
      { command: 'Query', input: { TableName: 't1-log', IndexName: 'byOffset', KeyConditionExpression: '#pk = :pk AND o <= :o', ExpressionAttributeNames: { '#pk': 'pk' }, ExpressionAttributeValues: { ':pk': 'a#0', ':o': 5 }, Select: 'COUNT' } },
      tables,
    );
    expect(query).toEqual({ action: 'dynamodb:Query', resource: `${tableArn('log')}/index/byOffset`, context: { 'dynamodb:LeadingKeys': ['a#0'], 'dynamodb:Select': 'COUNT' } });
  });

  it('makes one request per table of a batch, with every partition key and attribute', () => {
    const requests = iamRequests(
      { command: 'BatchWriteItem', input: { RequestItems: { 't1-log': [{ DeleteRequest: { Key: { pk: 'a#0', sk: -1 } } }, { PutRequest: { Item: { pk: 'a#1', sk: -1, seq: 0 } } }], 't1-meta': [{ DeleteRequest: { Key: { pk: 'x', sk: 'y' } } }] } } },
      tables,
    );
    expect(requests.map((r) => [r.resource, r.context['dynamodb:LeadingKeys'], r.context['dynamodb:Attributes']])).toEqual([
      [tableArn('log'), ['a#0', 'a#1'], ['pk', 'seq', 'sk']],
      [tableArn('meta'), ['x'], ['pk', 'sk']],
    ]);
  });

  it('refuses what it cannot map, so nothing escapes the replay', () => {
    expect(() => iamRequests({ command: 'GetItem', input: { TableName: 'elsewhere', Key: { pk: 'a', sk: 1 } } }, tables)).toThrow(/not one of the stack's tables/);
    expect(() => iamRequests({ command: 'TransactGetItems', input: {} }, tables)).toThrow(/not modelled/);
  });
});

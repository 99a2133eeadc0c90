/**
 * No silent changes, no lenient validation (issue 14): what produce and the
 * topic admin routes used to acknowledge while storing something else, or
 * accept although Kafka refuses it.
 * - STRING data, header values and header names with an unpaired surrogate
 *   (stored as U+FFFD before): 400 INVALID_RECORD.
 * - A conditional append (expectedOffset) is all or nothing; a negative
 *   expectedOffset is 400 INVALID_REQUEST, not 412.
 * - Idempotent produce needs an issued producer id at its issued epoch
 *   (UNKNOWN_PRODUCER_ID / INVALID_PRODUCER_EPOCH), at no read on the plain
 *   path and at most one small read per producer and instance.
 * - Unknown and prototype config names (`__proto__`, which zod's record
 *   parsing drops) are INVALID_CONFIG.
 * Bodies are sent as raw JSON text where JSON.stringify would not say what
 * a client may send.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { ANONYMOUS } from '../../lib/auth/authorize';
import type { LibContext } from '../../lib/context';
import { produce } from '../../lib/log/produce';
import { initProducer, ProducerEpochCache } from '../../lib/log/producer-id';
import type { ProduceBody } from '../../lib/protocol/records';
import { ddbHook } from '../support/ddb-faults';
import { createTestStack, uniqueName, type TestStack } from '../support/stack';

/** Strong reads of producer items (pk 'producers'), as sent to DynamoDB. */
let producerReads = 0;
const countProducerReads = ddbHook('initialize', async (call, next) => {
  if (call.command === 'GetItem' && call.input.Key?.pk === 'producers') producerReads++;
  return next();
});

let stack: TestStack;
beforeAll(async () => {
  stack = await createTestStack({ plugins: [countProducerReads] });
});

const str = (data: string) => ({ type: 'STRING', data });

async function topic(partitions = 1, configs?: Record<string, string>): Promise<string> {
  const name = uniqueName();
  expect((await stack.call('POST', '/v1/topics', { name, partitions, ...(configs === undefined ? {} : { configs }) })).status).toBe(201);
  return name;
}

async function latest(name: string, partition = 0): Promise<number> {
  return (await stack.call('GET', `/v1/topics/${name}/partitions/${partition}/offsets?at=latest`)).body.offset;
}

async function values(name: string, partition = 0): Promise<unknown[]> {
  const res = await stack.call('GET', `/v1/topics/${name}/partitions/${partition}/records?offset=0&maxRecords=1000`);
  return res.body.records.map((r: { value: { data: unknown } | null }) => r.value?.data ?? null);
}

describe('unpaired surrogates are refused, never stored as U+FFFD', () => {
  // `\\ud800` in these templates is the JSON escape: the server's JSON.parse makes the lone surrogate.
  it.each([
    ['a STRING value', '{"value":{"type":"STRING","data":"a\\ud800b"}}', 'records[0].value'],
    ['a trailing high surrogate', '{"value":{"type":"STRING","data":"ab\\ud83d"}}', 'records[0].value'],
    ['a lone low surrogate', '{"value":{"type":"STRING","data":"\\udc00"}}', 'records[0].value'],
    ['a STRING key', '{"key":{"type":"STRING","data":"k\\udfff"},"value":null}', 'records[0].key'],
    ['a bare-string header value', '{"value":null,"headers":[{"name":"h","value":"v\\ud800"}]}', 'records[0].headers[0]'],
    ['a STRING header value', '{"value":null,"headers":[{"name":"h","value":{"type":"STRING","data":"\\ud800"}}]}', 'records[0].headers[0]'],
    ['a header name', '{"value":null,"headers":[{"name":"h\\ud800","value":"v"}]}', 'records[0].headers[0].name'],
  ])('%s: 400 INVALID_RECORD, nothing stored', async (_what, record, field) => {
    const name = await topic();
    const res = await stack.call('POST', `/v1/topics/${name}/records`, `{"records":[${record}]}`);
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('INVALID_RECORD');
    expect(res.body.error.message).toContain(field);
    expect(res.body.error.message).toContain('unpaired');
    expect(await latest(name)).toBe(0);
  });

  it('stores surrogate pairs, and lone surrogates inside JSON (escaped), byte for byte', async () => {
    const name = await topic();
    const res = await stack.call(
      'POST',
      `/v1/topics/${name}/records`,
      '{"records":[{"key":{"type":"STRING","data":"k\\ud83d\\ude00"},"value":{"type":"STRING","data":"a\\ud83d\\ude00b"},"headers":[{"name":"\\ud83d\\ude00","value":"\\ud83d\\ude00"}]},{"value":{"type":"JSON","data":{"s":"a\\ud800b"}}}]}',
    );
    expect(res.status).toBe(200);
    const fetched = (await stack.call('GET', `/v1/topics/${name}/partitions/0/records?offset=0`)).body.records;
    expect(fetched[0]).toMatchObject({ key: str('k\ud83d\ude00'), value: str('a\ud83d\ude00b'), headers: [{ name: '\ud83d\ude00', value: str('\ud83d\ude00') }] });
    expect(fetched[1].value).toEqual({ type: 'JSON', data: { s: 'a\ud800b' } });
  });
});

describe('conditional append', () => {
  it('is all or nothing: one invalid record fails every record, 400 with the per-record errors, nothing stored', async () => {
    const name = await topic(2);
    const records = [{ partition: 0, value: str('ok') }, { partition: 0, value: { type: 'BINARY', data: '!not base64!' } }, { partition: 0, value: str('ok too') }];
    const res = await stack.call('POST', `/v1/topics/${name}/records`, { expectedOffset: 0, records });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'INVALID_RECORD', invalidRecords: [1] });
    expect(res.body.error.message).toContain('all or nothing');
    expect(res.body.records).toHaveLength(3);
    expect(res.body.records[1].error.message).toContain('base64');
    for (const r of res.body.records) expect(r.error.code).toBe('INVALID_RECORD');
    expect(await latest(name)).toBe(0);
    // The same request without expectedOffset stores what it can (207): the all-or-nothing rule is the condition's.
    const plain = await stack.call('POST', `/v1/topics/${name}/records`, { records });
    expect(plain.status).toBe(207);
    expect(await values(name)).toEqual(['ok', 'ok too']);
  });

  it('is all or nothing for a bad partition and an oversized record too, and the expected offset stays free', async () => {
    const name = await topic(1, { 'max.message.bytes': '10' });
    const badPartition = await stack.call('POST', `/v1/topics/${name}/records`, { expectedOffset: 0, records: [{ value: str('a') }, { partition: 5, value: str('b') }] });
    expect(badPartition.status).toBe(400);
    expect(badPartition.body.records[1].error.code).toBe('UNKNOWN_TOPIC_OR_PARTITION');
    const tooLarge = await stack.call('POST', `/v1/topics/${name}/records`, { expectedOffset: 0, records: [{ value: str('x'.repeat(11)) }, { value: str('b') }] });
    // The first error's status: records[0] is the oversized one.
    expect(tooLarge.status).toBe(413);
    expect(tooLarge.body.records.map((r: { error: { code: string } }) => r.error.code)).toEqual(['RECORD_TOO_LARGE', 'INVALID_RECORD']);
    expect(await latest(name)).toBe(0);
    const ok = await stack.call('POST', `/v1/topics/${name}/records`, { expectedOffset: 0, records: [{ value: str('a') }] });
    expect(ok.status).toBe(200);
  });

  it('consumes no sequence of an idempotent producer when it refuses the request', async () => {
    const name = await topic();
    const p = (await stack.call('POST', '/v1/producers')).body;
    const idempotent = { producerId: p.producerId, producerEpoch: p.producerEpoch, baseSequences: { '0': 0 }, expectedOffset: 0 };
    const refused = await stack.call('POST', `/v1/topics/${name}/records`, { ...idempotent, records: [{ value: str('a') }, { value: { type: 'JSON' } }] });
    expect(refused.status).toBe(400);
    const retry = await stack.call('POST', `/v1/topics/${name}/records`, { ...idempotent, records: [{ value: str('a') }, { value: str('b') }] });
    expect(retry.status).toBe(200);
    expect(await values(name)).toEqual(['a', 'b']);
  });

  it.each([
    ['-1', -1],
    ['-5', -5],
    ['a fraction', 1.5],
    ['2^53', 2 ** 53],
    ['1e300', 1e300],
    ['a string', '0'],
  ])('refuses expectedOffset %s with 400 INVALID_REQUEST (not 412), storing nothing', async (_what, expectedOffset) => {
    const name = await topic();
    const res = await stack.call('POST', `/v1/topics/${name}/records`, { expectedOffset, records: [{ value: str('x') }] });
    expect(res.status).toBe(400);
    expect(res.body.error.code).toBe('INVALID_REQUEST');
    expect(res.body.error.message).toContain('expectedOffset');
    expect(await latest(name)).toBe(0);
  });
});

describe('expectedOffset through lib (no wire schema in front)', () => {
  it('refuses a negative expectedOffset with INVALID_REQUEST before reserving anything', async () => {
    const name = await topic();
    const body = { expectedOffset: -1, records: [{ value: str('x') }] } as ProduceBody;
    await expect(produce(stack.lib, ANONYMOUS, name, body)).rejects.toMatchObject({ code: 'INVALID_REQUEST' });
    expect(await latest(name)).toBe(0);
  });
});

describe('idempotent produce needs an issued producer id at its issued epoch', () => {
  const batch = (producerId: string, producerEpoch: number, seq: number, value: string) => ({
    producerId,
    producerEpoch,
    baseSequences: { '0': seq },
    records: [{ partition: 0, value: str(value) }],
  });

  it.each([
    ['an id never issued', '987654321'],
    ['an issued id spelled with a leading zero', '01'],
  ])('answers %s with 404 UNKNOWN_PRODUCER_ID and stores nothing', async (_what, producerId) => {
    await stack.call('POST', '/v1/producers'); // id 1 exists, so '01' differs from it only in spelling
    const name = await topic();
    const res = await stack.call('POST', `/v1/topics/${name}/records`, batch(producerId, 0, 0, 'x'));
    expect(res.status).toBe(404);
    expect(res.body.error).toMatchObject({ code: 'UNKNOWN_PRODUCER_ID', retriable: false });
    expect(await latest(name)).toBe(0);
  });

  it('answers an epoch that was never issued with 409 INVALID_PRODUCER_EPOCH', async () => {
    const name = await topic();
    const p = (await stack.call('POST', '/v1/producers')).body;
    const ahead = await stack.call('POST', `/v1/topics/${name}/records`, batch(p.producerId, p.producerEpoch + 1, 0, 'x'));
    expect(ahead.status).toBe(409);
    expect(ahead.body.error).toMatchObject({ code: 'INVALID_PRODUCER_EPOCH', producerEpoch: 0, retriable: false });
    expect(ahead.body.error.message).toContain('never issued');
    expect(await latest(name)).toBe(0);
  });

  it('fences an older epoch once a newer one is issued, even on a partition the new epoch never wrote', async () => {
    const name = await topic();
    const p = (await stack.call('POST', '/v1/producers')).body;
    const bumped = (await stack.call('POST', '/v1/producers', { producerId: p.producerId })).body;
    // Before, the old epoch was accepted here: this partition held no state of the new one.
    const zombie = await stack.call('POST', `/v1/topics/${name}/records`, batch(p.producerId, p.producerEpoch, 0, 'zombie'));
    expect(zombie.status).toBe(409);
    expect(zombie.body.error).toMatchObject({ code: 'INVALID_PRODUCER_EPOCH', producerEpoch: bumped.producerEpoch });
    expect((await stack.call('POST', `/v1/topics/${name}/records`, batch(bumped.producerId, bumped.producerEpoch, 0, 'new'))).status).toBe(200);
    expect(await values(name)).toEqual(['new']);
  });

  it('another instance (cold cache) reads the producer item once, then caches; plain produce never reads it', async () => {
    const name = await topic();
    const p = (await stack.call('POST', '/v1/producers')).body;
    const other: LibContext = { ...stack.lib, producerEpochs: new ProducerEpochCache() };
    const send = (ctx: LibContext, body: unknown) => produce(ctx, ANONYMOUS, name, body as ProduceBody);

    producerReads = 0;
    for (let i = 0; i < 3; i++) await send(other, { records: [{ value: str(`plain ${i}`) }] });
    expect(producerReads).toBe(0);

    for (let seq = 0; seq < 3; seq++) {
      const out = await send(other, batch(p.producerId, p.producerEpoch, seq, `idem ${seq}`));
      expect('offset' in out.records[0]!).toBe(true);
    }
    expect(producerReads).toBe(1);

    // The instance that issued the id knows its epoch without a read.
    producerReads = 0;
    expect((await stack.call('POST', `/v1/topics/${name}/records`, batch(p.producerId, p.producerEpoch, 3, 'idem 3'))).status).toBe(200);
    expect(producerReads).toBe(0);

    // A bump seen by neither cache: the newer epoch is read fresh, then the older one is fenced without a read.
    const bumpedElsewhere: LibContext = { ...stack.lib, producerEpochs: new ProducerEpochCache() };
    const bumped = await initProducer(bumpedElsewhere, ANONYMOUS, p.producerId);
    producerReads = 0;
    const fresh = await send(other, batch(p.producerId, bumped.producerEpoch, 0, 'bumped'));
    expect('offset' in fresh.records[0]!).toBe(true);
    await expect(send(other, batch(p.producerId, p.producerEpoch, 4, 'zombie'))).rejects.toMatchObject({ code: 'INVALID_PRODUCER_EPOCH' });
    expect(producerReads).toBe(1);
  });
});

// Mutation checked: without checkRawConfigNames in functions/admin/handlers.ts the __proto__ cases answer 201/200.
describe('topic configs: unknown and prototype names are INVALID_CONFIG', () => {
  const PROTOTYPE_NAMES = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', '__defineGetter__', 'valueOf'];

  it.each(PROTOTYPE_NAMES)('create with configs {"%s": …} (raw JSON): 400 INVALID_CONFIG, no topic', async (config) => {
    for (const value of ['"x"', 'null', '{"retention.ms":"1"}', '"86400000"']) {
      const name = uniqueName();
      const res = await stack.call('POST', '/v1/topics', `{"name":"${name}","partitions":1,"configs":{${JSON.stringify(config)}:${value}}}`);
      // An object value is refused by the schema (INVALID_CONFIG too) unless zod dropped the key; either way no topic.
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('INVALID_CONFIG');
      expect((await stack.call('GET', `/v1/topics/${name}`)).status).toBe(404);
    }
  });

  it.each(PROTOTYPE_NAMES)('alter configs {"%s": …} (raw JSON) beside a valid one: 400 INVALID_CONFIG, nothing changed', async (config) => {
    const name = await topic();
    const before = (await stack.call('GET', `/v1/topics/${name}`)).body.configs;
    for (const value of ['"x"', 'null']) {
      const res = await stack.call('PATCH', `/v1/topics/${name}/configs`, `{"configs":{"retention.ms":"1000",${JSON.stringify(config)}:${value}}}`);
      expect(res.status).toBe(400);
      expect(res.body.error.code).toBe('INVALID_CONFIG');
      expect(res.body.error.message).toContain(config);
    }
    expect((await stack.call('GET', `/v1/topics/${name}`)).body.configs).toEqual(before);
  });

  it('still accepts the known names, and an unknown one names itself', async () => {
    const name = await topic();
    expect((await stack.call('PATCH', `/v1/topics/${name}/configs`, '{"configs":{"retention.ms":"1000"}}')).status).toBe(200);
    const unknown = await stack.call('PATCH', `/v1/topics/${name}/configs`, '{"configs":{"cleanup.policy":"compact"}}');
    expect(unknown.body.error).toMatchObject({ code: 'INVALID_CONFIG', config: 'cleanup.policy' });
  });
});

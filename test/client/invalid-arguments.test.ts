/**
 * The SDK never drops data silently: every public call refuses an unknown
 * field, a missing required one or a value of the wrong kind with SamsaError
 * INVALID_ARGUMENT, before any request. A fetch that counts calls proves
 * nothing was sent. (Valid calls of the same shapes: valid-arguments.test.ts.)
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { Samsa, SamsaError, type ProducerRecord } from '../../client';

let calls: string[];
let samsa: Samsa;
beforeEach(() => {
  calls = [];
  const fetch: typeof globalThis.fetch = async (input) => {
    calls.push(String(input));
    return new Response('{}', { status: 500 });
  };
  samsa = new Samsa({ url: 'http://127.0.0.1:9', fetch, retry: { retries: 0 } });
});

/** The call throws or rejects with INVALID_ARGUMENT (matching `message`), and no request went out. */
async function refused(call: () => unknown, message?: RegExp): Promise<void> {
  let error: unknown;
  try {
    await call();
  } catch (err) {
    error = err;
  }
  expect(error).toBeInstanceOf(SamsaError);
  expect(error).toMatchObject({ code: 'INVALID_ARGUMENT', retriable: false });
  if (message !== undefined) expect((error as Error).message).toMatch(message);
  expect(calls).toEqual([]);
}

const record = (fields: Record<string, unknown>) => fields as unknown as ProducerRecord;

describe('producer.send refuses, before anything is sent', () => {
  it("a KafkaJS-style messages array, and says to call send() per record", async () => {
    const producer = samsa.producer();
    await refused(
      () => producer.send(record({ topic: 'orders', messages: [{ key: 'k', value: 'v' }] })),
      /^Unknown field 'messages' in producer\.send\(record\): it has topic, key, value, headers, partition, timestamp\. For several records, call send\(\) once per record/,
    );
  });

  it('a record without value (null, a tombstone, is a value), and typos of its fields', async () => {
    const producer = samsa.producer();
    await refused(() => producer.send(record({ topic: 'orders', key: 'k' })), /^Missing field 'value' in producer\.send\(record\)\..*value null is a tombstone/);
    await refused(() => producer.send(record({ topic: 'orders', key: 'k', value: undefined })), /Missing field 'value'/);
    await refused(() => producer.send(record({ topic: 'orders', val: 'v' })), /Unknown field 'val'/);
    await refused(() => producer.send(record({ topic: 'orders', keys: 'k', value: 'v' })), /Unknown field 'keys'/);
    await refused(() => producer.send(record({ topic: 'orders', value: 'v', header: { a: 'b' } })), /Unknown field 'header'/);
    await refused(() => producer.send(record({ value: 'v' })), /Missing field 'topic'/);
    await refused(() => producer.send(record({ topic: '', value: 'v' })), /Invalid topic .*a non-empty string; got ""/);
  });

  it('a record that is not a plain object', async () => {
    const producer = samsa.producer();
    for (const bad of [undefined, null, 'v', [{ topic: 'orders', value: 'v' }], new (class Rec { topic = 'orders'; value = 'v'; })()]) {
      await refused(() => producer.send(bad as never), /producer\.send\(record\) takes an object \{ topic, key, value, headers, partition, timestamp \}/);
    }
  });

  it('keys and values the SDK cannot send as given', async () => {
    const producer = samsa.producer();
    const bad: unknown[] = [
      42,
      true,
      { total: 42 },
      { json: undefined },
      { json: () => 1 },
      { json: 1, extra: 2 },
      { type: 'STRING', data: 5 },
      { type: 'TEXT', data: 'x' },
      { type: 'BINARY', data: 7 },
      { type: 'JSON' },
      new ArrayBuffer(2),
      new Map(),
    ];
    for (const value of bad) await refused(() => producer.send(record({ topic: 'orders', value })), /^Invalid value: a string, a Uint8Array, \{ json: value \}/);
    await refused(() => producer.send(record({ topic: 'orders', key: 7, value: 'v' })), /^Invalid key: .*; got 7\.$/);
    // What JSON cannot hold fails this send, not a batch later.
    await refused(() => producer.send(record({ topic: 'orders', value: { json: { n: 10n } } })), /BigInt/);
    const cycle: Record<string, unknown> = {};
    cycle.self = cycle;
    await refused(() => producer.send(record({ topic: 'orders', value: { json: cycle } })), /circular/);
  });

  it('timestamps that are not milliseconds since the epoch or a valid Date', async () => {
    const producer = samsa.producer();
    for (const timestamp of [NaN, -1, 1.5, Infinity, '1700000000000', new Date(NaN)]) {
      await refused(() => producer.send(record({ topic: 'orders', value: 'v', timestamp })), /^Invalid timestamp in producer\.send\(record\): a valid Date or milliseconds/);
    }
  });

  it('partitions that are not non-negative integers', async () => {
    const producer = samsa.producer();
    for (const partition of [-1, 1.5, '0', null]) {
      await refused(() => producer.send(record({ topic: 'orders', value: 'v', partition })), /^Invalid partition in producer\.send\(record\): a non-negative integer/);
    }
  });

  it('headers that are not { name: value } or [{ name, value }] with string, bytes or null values', async () => {
    const producer = samsa.producer();
    await refused(() => producer.send(record({ topic: 'orders', value: 'v', headers: { trace: 5 } })), /^Invalid value of header 'trace'/);
    await refused(() => producer.send(record({ topic: 'orders', value: 'v', headers: { trace: undefined } })), /header 'trace'/);
    await refused(() => producer.send(record({ topic: 'orders', value: 'v', headers: [{ name: 'trace' }] })), /^Missing field 'value' in a header/);
    await refused(() => producer.send(record({ topic: 'orders', value: 'v', headers: [{ key: 'trace', value: 'x' }] })), /^Unknown field 'key' in a header/);
    await refused(() => producer.send(record({ topic: 'orders', value: 'v', headers: new Map([['trace', 'x']]) })), /^Invalid headers/);
    await refused(() => producer.send(record({ topic: 'orders', value: 'v', headers: 'trace=x' })), /^Invalid headers/);
  });
});

describe('options and calls refuse unknown, missing and mistyped fields before any request', () => {
  it('the client and the producer', async () => {
    await refused(() => new Samsa({ url: 'http://127.0.0.1:9', apikey: 'samsa_x' } as never), /^Unknown field 'apikey' in new Samsa\(options\): it has url, apiKey, headers, timeoutMs, fetch, retry\./);
    await refused(() => new Samsa({ url: 'http://127.0.0.1:9', timeoutMs: 0 }), /Invalid timeoutMs/);
    await refused(() => new Samsa({ url: 'http://127.0.0.1:9', retry: { retries: 1.5 } }), /Invalid retries in retry options/);
    await refused(() => samsa.producer({ linger: 5 } as never), /^Unknown field 'linger' in samsa\.producer\(options\)/);
    await refused(() => samsa.producer({ acks: -1 } as never), /Unknown field 'acks'/);
    await refused(() => samsa.producer({ lingerMs: -1 }), /Invalid lingerMs .*a non-negative number; got -1/);
    await refused(() => samsa.producer({ batchRecords: 0 }), /Invalid batchRecords .*a positive integer/);
    await refused(() => samsa.producer({ idempotent: 'no' as never }), /Invalid idempotent .*true or false; got "no"/);
    await refused(() => samsa.producer({ retry: { retry: 3 } as never }), /Unknown field 'retry' in retry options/);
  });

  it('the group consumer: options, subscribe, run handlers, seek, pause, commit', async () => {
    await refused(() => samsa.consumer({ topics: ['orders'] } as never), /^Missing field 'groupId' in samsa\.consumer\(options\)/);
    await refused(() => samsa.consumer({ groupID: 'g' } as never), /Unknown field 'groupID'/);
    await refused(() => samsa.consumer({ groupId: 'g', fromBeginning: true } as never), /Unknown field 'fromBeginning'.*offsetReset: 'earliest'/);
    await refused(() => samsa.consumer({ groupId: 'g', topics: 'orders' as never }), /Invalid topics .*an array of non-empty strings; got "orders"/);
    await refused(() => samsa.consumer({ groupId: 'g', offsetReset: 'beginning' as never }), /Invalid offsetReset .*'earliest' or 'latest'; got "beginning"/);
    await refused(() => samsa.consumer({ groupId: 'g', autoCommit: 'false' as never }), /Invalid autoCommit/);
    await refused(() => samsa.consumer({ groupId: 'g', sessionTimeout: 10_000 } as never), /Unknown field 'sessionTimeout'/);

    const consumer = samsa.consumer({ groupId: 'g', topics: ['orders'] });
    await refused(() => consumer.subscribe({ topic: 'orders' } as never), /^Unknown field 'topic' in consumer\.subscribe\(options\)/);
    await refused(() => consumer.subscribe({ topics: ['orders'], fromBeginning: true } as never), /Unknown field 'fromBeginning'/);
    const eachMessage = () => {};
    await refused(() => consumer.run({}), /exactly one of eachMessage and eachBatch/);
    await refused(() => consumer.run({ eachMessage, eachBatch: () => {} }), /exactly one/);
    await refused(() => consumer.run({ eachMessage, autoCommit: false } as never), /^Unknown field 'autoCommit' in consumer\.run\(handlers\): it has eachMessage, eachBatch\./);
    await refused(() => consumer.run({ eachMessage: 'print' as never }), /Invalid eachMessage .*a function/);
    await refused(() => consumer.seek('orders', 0, -1), /Invalid offset in consumer\.seek/);
    await refused(() => consumer.seek('orders', '0' as never, 5), /Invalid partition/);
    await refused(() => consumer.seek('', 0, 5), /Invalid topic/);
    await refused(() => consumer.pause({ topic: 'orders' } as never), /take an array/);
    await refused(() => consumer.pause([{ topic: 'orders', partition: 0 }] as never), /Unknown field 'partition' in pause\(\) or resume\(\)/);
    await refused(() => consumer.commit([{ topic: 'orders', partition: 0, offset: 3, leaderEpoch: 1 }] as never), /Unknown field 'leaderEpoch' in consumer\.commit/);
    await refused(() => consumer.commit([{ topic: 'orders', partition: 0, offset: '3' }] as never), /Invalid offset/);

    // Nothing started: a consumer without topics is refused at run(), and can still subscribe and be closed.
    const idle = samsa.consumer({ groupId: 'g' });
    await refused(() => idle.run({ eachMessage }), /Subscribe to at least one topic first/);
    idle.subscribe({ topics: ['orders'] });
    await idle.close();
    expect(calls).toEqual([]);
  });

  it('the partition consumer and single fetches', async () => {
    await refused(() => samsa.partitionConsumer({ topic: 'orders', partition: 0 } as never), /^Missing field 'offset' in samsa\.partitionConsumer\(options\)/);
    await refused(() => samsa.partitionConsumer({ topic: 'orders', partition: 0, offset: 0, fromBeginning: true } as never), /Unknown field 'fromBeginning'/);
    await refused(() => samsa.partitionConsumer({ topic: 'orders', partition: 0, offset: -1 }), /Invalid offset/);
    await refused(() => samsa.partitionConsumer({ topic: 'orders', partition: 0, offset: 0, offsetReset: 'smallest' as never }), /'earliest' or 'latest' or 'none'/);
    const consumer = samsa.partitionConsumer({ topic: 'orders', partition: 0, offset: 0 });
    await refused(() => consumer.run({ eachMessage: () => {}, maxRecords: 5 } as never), /Unknown field 'maxRecords' in consumer\.run\(handlers\)/);
    await refused(() => consumer.seek(-3), /Invalid offset/);
    await refused(() => samsa.fetchRecords({ topic: 'orders', partition: 0 } as never), /^Missing field 'offset' in samsa\.fetchRecords\(options\)/);
    await refused(() => samsa.fetchRecords({ topic: 'orders', partition: 0, offset: 0, max: 5 } as never), /Unknown field 'max'/);
  });

  it('path parameters that cannot be a name or a partition reject rather than reach another path', async () => {
    await refused(() => samsa.topics.describe(''), /^Invalid topic: a non-empty string; got ""\.$/);
    await refused(() => samsa.topics.delete(undefined as never), /Invalid topic: a non-empty string; got undefined/);
    await refused(() => samsa.listOffsets('orders', -1), /Invalid partition: a non-negative integer; got -1/);
    await refused(() => samsa.deleteRecords('orders', 1.5, 0), /Invalid partition/);
    await refused(() => samsa.groups.describe(''), /Invalid group/);
    await refused(() => samsa.groups.removeMember('g', ''), /Invalid member/);
    await refused(() => samsa.keys.revoke(undefined as never), /Invalid keyId/);
    // Promise-returning calls reject (a caller's .catch() sees it), never throw synchronously.
    const pending = samsa.topics.describe('');
    expect(pending).toBeInstanceOf(Promise);
    await expect(pending).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });

  it('admin option objects (config names and enumerations are left to the server)', async () => {
    await refused(() => samsa.topics.create({ name: 'orders', config: { 'retention.ms': 1 } } as never), /^Unknown field 'config' in topics\.create\(options\): it has name, partitions, configs\./);
    await refused(() => samsa.topics.create({ name: 'orders', numPartitions: 3 } as never), /Unknown field 'numPartitions'/);
    await refused(() => samsa.topics.create({ partitions: 3 } as never), /Missing field 'name'/);
    await refused(() => samsa.topics.create({ name: 'orders', configs: [['retention.ms', '1']] } as never), /Invalid configs .*a plain object; got an array/);
    await refused(() => samsa.topics.alterConfigs('orders', undefined as never), /Missing field 'configs'/);
    await refused(() => samsa.topics.createPartitions('orders', 0), /Invalid total .*a positive integer/);
    await refused(() => samsa.groups.resetOffsets('g', { topic: 'orders', to: 'earliest', partition: 0 } as never), /Unknown field 'partition'/);
    await refused(() => samsa.groups.resetOffsets('g', { topic: 'orders', to: 'beginning' as never }), /'earliest', 'latest', \{ timestamp \} or \{ offset \}; got "beginning"/);
    await refused(() => samsa.groups.resetOffsets('g', { topic: 'orders', to: { timestamp: 1, offset: 2 } as never }), /got \{ timestamp, offset \}/);
    await refused(() => samsa.groups.resetOffsets('g', { topic: 'orders', to: { offsets: 2 } as never }), /Unknown field 'offsets' in options\.to/);
    await refused(() => samsa.keys.create({ principal: 'alice', expiresIn: 60 } as never), /Unknown field 'expiresIn' in keys\.create\(options\)/);
    await refused(() => samsa.keys.list({ user: 'alice' } as never), /Unknown field 'user'/);
    const binding = { principal: 'alice', resourceType: 'topic', resourceName: 'orders', operation: 'read' } as const;
    await refused(() => samsa.acls.create({ ...binding, allow: true } as never), /Unknown field 'allow' in acls\.create\(binding\)/);
    await refused(() => samsa.acls.create({ ...binding, operation: undefined } as never), /Missing field 'operation'/);
    await refused(() => samsa.acls.list({ topic: 'orders' } as never), /Unknown field 'topic' in acls\.list\(filter\)/);
  });
});

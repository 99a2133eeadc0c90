/**
 * Atomic produce across partitions and topics (`POST /v1/transactions`):
 * everything visible together or nothing, every reservation of a failed
 * transaction closed as an aborted range, bounds refused with 400, and an
 * idempotent producer's retry answered with the same offsets and stored once.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { awsError, ddbHook, type CallHook } from '../support/ddb-faults';
import { readerAbortsSecondItem } from '../support/abort-transaction';
import { createTestStack, uniqueName, type TestStack } from '../support/stack';

let stack: TestStack;
/** Runs around every DynamoDB call while set (plain inputs: before the document client marshals them). */
let fault: CallHook | undefined;
/** Around every call on the wire (inside the SDK's retries), while set. */
let wireFault: CallHook | undefined;

beforeAll(async () => {
  stack = await createTestStack({
    // The default abort bound: a partition whose offsets show closed did not wait for a reader to close them.
    limits: { abortAfterMs: 15_000, maxClockSkewMs: 1_000 },
    plugins: [
      ddbHook('initialize', (call, next) => (fault === undefined ? next() : fault(call, next))),
      ddbHook('wire', (call, next) => (wireFault === undefined ? next() : wireFault(call, next))),
    ],
  });
});

const str = (data: string) => ({ type: 'STRING', data });

async function topic(partitions = 2): Promise<string> {
  const name = uniqueName();
  expect((await stack.call('POST', '/v1/topics', { name, partitions })).status).toBe(201);
  return name;
}

/** Every record from the log start; a log whose every offset was aborted starts past them (416 at offset 0 tells its bounds). */
async function fetchAll(name: string, partition: number) {
  const path = `/v1/topics/${name}/partitions/${partition}/records?maxRecords=1000&offset=`;
  let res = await stack.call('GET', `${path}0`);
  if (res.status === 416) res = await stack.call('GET', `${path}${res.body.error.logStartOffset}`);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body as { records: { offset: number; value: { data: string } }[]; abortedRanges: { first: number; last: number }[]; highWatermark: number; logStartOffset: number };
}

const values = async (name: string, partition: number) => (await fetchAll(name, partition)).records.map((r) => r.value.data);

describe('atomic produce', () => {
  it('stores records for several partitions of several topics together, each where the answer says', async () => {
    const a = await topic(3);
    const b = await topic(1);
    const res = await stack.call('POST', '/v1/transactions', {
      records: [
        { topic: a, partition: 0, value: str('a0-1') },
        { topic: b, value: str('b-1') },
        { topic: a, partition: 2, value: str('a2-1') },
        { topic: a, partition: 0, value: str('a0-2') },
      ],
    });
    expect(res.status).toBe(200);
    expect(res.body.committed).toEqual([]);
    expect(res.body.records.map((r: { topic: string; partition: number; offset: number }) => [r.topic, r.partition, r.offset])).toEqual([
      [a, 0, 0],
      [b, 0, 0],
      [a, 2, 0],
      [a, 0, 1],
    ]);
    expect(await values(a, 0)).toEqual(['a0-1', 'a0-2']);
    expect(await values(a, 2)).toEqual(['a2-1']);
    expect(await values(b, 0)).toEqual(['b-1']);
    expect(await values(a, 1)).toEqual([]);
  });

  it('writes nothing anywhere when a reader aborted one of its reservations first, and leaves aborted ranges that readers skip', async () => {
    const a = await topic(2);
    const b = await topic(1);
    // A slow writer: before the transaction lands, a reader closes the seq of its second batch.
    fault = readerAbortsSecondItem(stack);
    const res = await stack.call('POST', '/v1/transactions', {
      records: [
        { topic: a, partition: 0, value: str('x') },
        { topic: a, partition: 1, value: str('y') },
        { topic: b, partition: 0, value: str('z') },
      ],
    });
    fault = undefined;
    expect(res.status).toBe(503);
    expect(res.body.error).toMatchObject({ code: 'RESERVATION_ABORTED', retriable: true });
    for (const [t, p] of [[a, 0], [a, 1], [b, 0]] as const) {
      const log = await fetchAll(t, p);
      expect(log.records).toEqual([]);
      // Closed at once (not after the abort bound): the high watermark is past the aborted offset.
      expect(log.highWatermark).toBe(1);
      expect(log.logStartOffset).toBe(1);
    }
    // The partitions carry on after their aborted range.
    const again = await stack.call('POST', '/v1/transactions', { records: [{ topic: a, partition: 0, value: str('x2') }, { topic: b, partition: 0, value: str('z2') }] });
    expect(again.status).toBe(200);
    expect(again.body.records.map((r: { offset: number }) => r.offset)).toEqual([1, 1]);
    expect(await values(a, 0)).toEqual(['x2']);
  });

  it('commits once when the first answer is lost and the call is retried', async () => {
    const a = await topic(2);
    let lost = 0;
    wireFault = async (call, next) => {
      const out = await next();
      if (call.command === 'TransactWriteItems' && lost === 0) {
        lost++;
        throw awsError('TimeoutError');
      }
      return out;
    };
    const res = await stack.call('POST', '/v1/transactions', { records: [{ topic: a, partition: 0, value: str('p0') }, { topic: a, partition: 1, value: str('p1') }] });
    wireFault = undefined;
    expect(lost).toBe(1);
    expect(res.status).toBe(200);
    expect(await values(a, 0)).toEqual(['p0']);
    expect(await values(a, 1)).toEqual(['p1']);
  });

  it('refuses a bad record, an unknown topic or partition, and duplicate commits with 4xx and writes nothing', async () => {
    const a = await topic(1);
    const bad = await stack.call('POST', '/v1/transactions', { records: [{ topic: a, value: str('ok') }, { topic: a, timestamp: -5, value: str('bad') }] });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('INVALID_RECORD');
    const unknown = await stack.call('POST', '/v1/transactions', { records: [{ topic: a, value: str('ok') }, { topic: uniqueName('missing'), value: str('x') }] });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('UNKNOWN_TOPIC_OR_PARTITION');
    const partition = await stack.call('POST', '/v1/transactions', { records: [{ topic: a, partition: 3, value: str('x') }] });
    expect(partition.status).toBe(404);
    const empty = await stack.call('POST', '/v1/transactions', { records: [] });
    expect(empty.status).toBe(400);
    expect(empty.body.error.code).toBe('INVALID_REQUEST');
    const twice = await stack.call('POST', '/v1/transactions', {
      records: [],
      groupCommit: { groupId: 'g', memberId: 'm', memberEpoch: 1, offsets: [{ topic: a, partition: 0, offset: 1 }, { topic: a, partition: 0, offset: 2 }] },
    });
    expect(twice.status).toBe(400);
    expect((await fetchAll(a, 0)).highWatermark).toBe(0);
  });
});

describe('bounds', () => {
  it('refuses more than 100 items, a partition over one batch item and more than 3.5 MB in all, with 400 and details', async () => {
    const wide = await topic(101);
    const items = await stack.call('POST', '/v1/transactions', {
      records: Array.from({ length: 101 }, (_, p) => ({ topic: wide, partition: p, value: str('x') })),
    });
    expect(items.status).toBe(400);
    expect(items.body.error).toMatchObject({ code: 'INVALID_REQUEST', bound: 'items', limit: 100, size: 101 });
    // 100 partitions is within the bound.
    const hundred = await stack.call('POST', '/v1/transactions', {
      records: Array.from({ length: 100 }, (_, p) => ({ topic: wide, partition: p, value: str('x') })),
    });
    expect(hundred.status).toBe(200);

    const big = await topic(10);
    const large = await stack.call('POST', '/v1/transactions', { records: [{ topic: big, partition: 0, value: str('x'.repeat(390_000)) }] });
    expect(large.status).toBe(400);
    expect(large.body.error).toMatchObject({ code: 'INVALID_REQUEST', bound: 'partitionPayloadBytes', limit: 380_000 });
    const total = await stack.call('POST', '/v1/transactions', {
      records: Array.from({ length: 10 }, (_, p) => ({ topic: big, partition: p, value: str('y'.repeat(370_000)) })),
    });
    expect(total.status).toBe(400);
    expect(total.body.error).toMatchObject({ code: 'INVALID_REQUEST', bound: 'payloadBytes', limit: 3_500_000 });
    for (let p = 0; p < 10; p++) expect((await fetchAll(big, p)).highWatermark).toBe(0);
  });
});

describe('idempotent transactions', () => {
  async function newProducer(): Promise<{ producerId: string; producerEpoch: number }> {
    const res = await stack.call('POST', '/v1/producers');
    expect(res.status).toBe(200);
    return res.body;
  }

  it('answers a retry with the same offsets and stores nothing twice; refuses a changed retry, a gap and a fenced epoch', async () => {
    const a = await topic(2);
    const p = await newProducer();
    const body = (sequence: number, tag: string) => ({
      ...p,
      sequence,
      records: [{ topic: a, value: str(`${tag}-1`) }, { topic: a, partition: 1, value: str(`${tag}-2`) }],
    });
    const first = await stack.call('POST', '/v1/transactions', body(0, 't0'));
    expect(first.status).toBe(200);
    const retry = await stack.call('POST', '/v1/transactions', body(0, 't0'));
    expect(retry.status).toBe(200);
    expect(retry.body).toEqual(first.body);
    const second = await stack.call('POST', '/v1/transactions', body(1, 't1'));
    expect(second.status).toBe(200);
    const all = [...(await values(a, 0)), ...(await values(a, 1))].sort();
    expect(all).toEqual(['t0-1', 't0-2', 't1-1', 't1-2']);

    const changed = await stack.call('POST', '/v1/transactions', body(1, 'other'));
    expect(changed.status).toBe(409);
    expect(changed.body.error.code).toBe('DUPLICATE_SEQUENCE_MISMATCH');
    const gap = await stack.call('POST', '/v1/transactions', body(5, 't5'));
    expect(gap.status).toBe(409);
    expect(gap.body.error).toMatchObject({ code: 'OUT_OF_ORDER_SEQUENCE', expectedSequence: 2 });
    const bumped = await stack.call('POST', '/v1/producers', { producerId: p.producerId });
    expect(bumped.status).toBe(200);
    const next = await stack.call('POST', '/v1/transactions', { ...body(0, 'e1'), producerEpoch: bumped.body.producerEpoch });
    expect(next.status).toBe(200);
    const zombie = await stack.call('POST', '/v1/transactions', body(2, 'old'));
    expect(zombie.status).toBe(409);
    expect(zombie.body.error.code).toBe('INVALID_PRODUCER_EPOCH');
    const after = [...(await values(a, 0)), ...(await values(a, 1))];
    expect(after.filter((v) => v.startsWith('t1'))).toHaveLength(2);
    expect(after.some((v) => v.startsWith('other') || v.startsWith('t5') || v.startsWith('old'))).toBe(false);
  });

  it('a retry racing its original (first answer lost before it landed) answers the same offsets once it lands', async () => {
    const a = await topic(1);
    const p = await newProducer();
    const body = { ...p, sequence: 0, records: [{ topic: a, value: str('once') }] };
    // The original's transaction is held until the retry has read the state: both believe the sequence is new.
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    let hold = true;
    fault = async (call, next) => {
      if (call.command === 'TransactWriteItems' && hold) {
        hold = false;
        await held;
      }
      return next();
    };
    const original = stack.call('POST', '/v1/transactions', body);
    await new Promise((r) => setTimeout(r, 300));
    const retry = stack.call('POST', '/v1/transactions', body);
    await new Promise((r) => setTimeout(r, 300));
    release();
    const [o, r] = await Promise.all([original, retry]);
    fault = undefined;
    expect(o.status).toBe(200);
    expect(r.status).toBe(200);
    expect(r.body.records).toEqual(o.body.records);
    expect(await values(a, 0)).toEqual(['once']);
  });
});

import { beforeAll, describe, expect, it } from 'vitest';
import { ANONYMOUS } from '../../lib/auth/authorize';
import { InjectedCrash, type CrashPoint } from '../../lib/log/crash-points';
import { produce } from '../../lib/log/produce';
import type { ProduceBody } from '../../lib/protocol/records';
import { createTestStack, uniqueName, type TestStack } from '../support/stack';

let stack: TestStack;
beforeAll(async () => {
  stack = await createTestStack({ limits: { abortAfterMs: 400, maxClockSkewMs: 50 } });
});

const str = (data: string) => ({ type: 'STRING', data });

async function topic(partitions = 1): Promise<string> {
  const name = uniqueName();
  expect((await stack.call('POST', '/v1/topics', { name, partitions })).status).toBe(201);
  return name;
}

async function newProducer(): Promise<{ producerId: string; producerEpoch: number }> {
  const res = await stack.call('POST', '/v1/producers');
  expect(res.status).toBe(200);
  return res.body;
}

function batch(p: { producerId: string; producerEpoch: number }, seq: number, values: string[], partition = 0) {
  return {
    producerId: p.producerId,
    producerEpoch: p.producerEpoch,
    baseSequences: { [String(partition)]: seq },
    records: values.map((v) => ({ partition, value: str(v) })),
  };
}

async function allValues(name: string, partition = 0): Promise<string[]> {
  const res = await stack.call('GET', `/v1/topics/${name}/partitions/${partition}/records?offset=0&maxRecords=10000`);
  return res.body.records.map((r: { value: { data: string } }) => r.value.data);
}

const offsets = (res: { body: { records: { offset: number }[] } }) => res.body.records.map((r) => r.offset);

describe('idempotent producer', () => {
  it('mints distinct producer ids and bumps the epoch of an existing one', async () => {
    const a = await newProducer();
    const b = await newProducer();
    expect(a.producerId).not.toBe(b.producerId);
    expect(a.producerEpoch).toBe(0);
    const bumped = await stack.call('POST', '/v1/producers', { producerId: a.producerId });
    expect(bumped.body).toEqual({ producerId: a.producerId, producerEpoch: 1 });
    const unknown = await stack.call('POST', '/v1/producers', { producerId: '999999999' });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.code).toBe('UNKNOWN_PRODUCER_ID');
  });

  it('returns the original offsets for a retried batch and stores it once', async () => {
    const name = await topic();
    const p = await newProducer();
    const first = await stack.call('POST', `/v1/topics/${name}/records`, batch(p, 0, ['a', 'b']));
    const second = await stack.call('POST', `/v1/topics/${name}/records`, batch(p, 2, ['c']));
    const retry = await stack.call('POST', `/v1/topics/${name}/records`, batch(p, 0, ['a', 'b']));
    expect(offsets(first)).toEqual([0, 1]);
    expect(offsets(second)).toEqual([2]);
    expect(offsets(retry)).toEqual([0, 1]);
    expect(await allValues(name)).toEqual(['a', 'b', 'c']);
  });

  it('remembers the last five batches and rejects older retries as out of order', async () => {
    const name = await topic();
    const p = await newProducer();
    const firstOffsets: number[][] = [];
    for (let i = 0; i < 7; i++) firstOffsets.push(offsets(await stack.call('POST', `/v1/topics/${name}/records`, batch(p, i, [`v${i}`]))));
    const inWindow = await stack.call('POST', `/v1/topics/${name}/records`, batch(p, 2, ['v2']));
    expect(offsets(inWindow)).toEqual(firstOffsets[2]);
    const tooOld = await stack.call('POST', `/v1/topics/${name}/records`, batch(p, 1, ['v1']));
    expect(tooOld.status).toBe(409);
    expect(tooOld.body.error.code).toBe('OUT_OF_ORDER_SEQUENCE');
    expect(await allValues(name)).toEqual(['v0', 'v1', 'v2', 'v3', 'v4', 'v5', 'v6']);
  });

  it('rejects a sequence gap, a retry with other content, and an older epoch', async () => {
    const name = await topic();
    const p = await newProducer();
    await stack.call('POST', `/v1/topics/${name}/records`, batch(p, 0, ['a']));
    const gap = await stack.call('POST', `/v1/topics/${name}/records`, batch(p, 5, ['x']));
    expect(gap.status).toBe(409);
    expect(gap.body.error).toMatchObject({ code: 'OUT_OF_ORDER_SEQUENCE', expectedSequence: 1, retriable: false });
    const changed = await stack.call('POST', `/v1/topics/${name}/records`, batch(p, 0, ['not a']));
    expect(changed.body.error.code).toBe('DUPLICATE_SEQUENCE_MISMATCH');
    const bumped = (await stack.call('POST', '/v1/producers', { producerId: p.producerId })).body;
    expect((await stack.call('POST', `/v1/topics/${name}/records`, batch(bumped, 0, ['new epoch']))).status).toBe(200);
    const zombie = await stack.call('POST', `/v1/topics/${name}/records`, batch(p, 1, ['zombie']));
    expect(zombie.body.error.code).toBe('INVALID_PRODUCER_EPOCH');
    expect(await allValues(name)).toEqual(['a', 'new epoch']);
  });

  it('requires a base sequence for every partition it writes to', async () => {
    const name = await topic(2);
    const p = await newProducer();
    const res = await stack.call('POST', `/v1/topics/${name}/records`, {
      ...batch(p, 0, ['a']),
      records: [{ partition: 1, value: str('b') }],
    });
    expect(res.status).toBe(400);
    expect(res.body.records[0].error.code).toBe('INVALID_REQUEST');
  });

  it('lets exactly one of many concurrent identical retries write, all with the same offsets', async () => {
    const name = await topic();
    const p = await newProducer();
    const results = await Promise.all(Array.from({ length: 8 }, () => stack.call('POST', `/v1/topics/${name}/records`, batch(p, 0, ['once', 'only']))));
    const ok = results.filter((r) => r.status === 200);
    expect(ok.length).toBeGreaterThanOrEqual(1);
    for (const r of ok) expect(offsets(r)).toEqual(offsets(ok[0]!));
    for (const r of results) if (r.status !== 200) expect(r.body.error.retriable).toBe(true);
    await new Promise((r) => setTimeout(r, 600));
    expect(await allValues(name)).toEqual(['once', 'only']);
  });

  async function produceWithCrash(point: CrashPoint, name: string, body: ProduceBody) {
    const ctx = { ...stack.lib, crash: (at: CrashPoint) => { if (at === point) throw new InjectedCrash(at); } };
    return produce(ctx, ANONYMOUS, name, body);
  }

  it('finishes a batch whose writer died after claiming its sequence, at the original offsets', async () => {
    const name = await topic();
    const p = await newProducer();
    await stack.call('POST', `/v1/topics/${name}/records`, batch(p, 0, ['before']));
    const crashed = await produceWithCrash('produce.afterProducerState', name, batch(p, 1, ['x', 'y']) as ProduceBody);
    expect('error' in crashed.records[0]!).toBe(true);
    const retry = await stack.call('POST', `/v1/topics/${name}/records`, batch(p, 1, ['x', 'y']));
    expect(retry.status).toBe(200);
    expect(offsets(retry)).toEqual([1, 2]);
    expect(await allValues(name)).toEqual(['before', 'x', 'y']);
  });

  it('re-reserves a batch whose claimed reservation was aborted, without duplicates', async () => {
    const name = await topic();
    const p = await newProducer();
    await produceWithCrash('produce.afterProducerState', name, batch(p, 0, ['late']) as ProduceBody);
    await new Promise((r) => setTimeout(r, 600));
    // A reader closes the dead reservation.
    const gapRead = await stack.call('GET', `/v1/topics/${name}/partitions/0/records?offset=0`);
    expect(gapRead.body.abortedRanges).toEqual([{ from: 0, to: 1 }]);
    const retry = await stack.call('POST', `/v1/topics/${name}/records`, batch(p, 0, ['late']));
    expect(retry.status).toBe(200);
    expect(offsets(retry)).toEqual([1]);
    expect(await allValues(name)).toEqual(['late']);
  });

  it('retries an idempotent batch after a crash right after its reservation (orphan aborted)', async () => {
    const name = await topic();
    const p = await newProducer();
    await produceWithCrash('produce.afterReserve', name, batch(p, 0, ['a']) as ProduceBody);
    const retry = await stack.call('POST', `/v1/topics/${name}/records`, batch(p, 0, ['a']));
    expect(offsets(retry)).toEqual([1]);
    await new Promise((r) => setTimeout(r, 600));
    expect(await allValues(name)).toEqual(['a']);
  });
});

describe('conditional append', () => {
  it('appends at the expected offset and rejects a mismatch with 412 and the current offset, writing nothing', async () => {
    const name = await topic();
    const ok = await stack.call('POST', `/v1/topics/${name}/records`, { expectedOffset: 0, records: [{ value: str('e0') }, { value: str('e1') }] });
    expect(offsets(ok)).toEqual([0, 1]);
    const stale = await stack.call('POST', `/v1/topics/${name}/records`, { expectedOffset: 1, records: [{ value: str('lost race') }] });
    expect(stale.status).toBe(412);
    expect(stale.body.error).toMatchObject({ code: 'OFFSET_MISMATCH', nextOffset: 2, expectedOffset: 1 });
    const next = await stack.call('POST', `/v1/topics/${name}/records`, { expectedOffset: 2, records: [{ value: str('e2') }] });
    expect(offsets(next)).toEqual([2]);
    expect(await allValues(name)).toEqual(['e0', 'e1', 'e2']);
  });

  it('returns the original offsets when an idempotent conditional append is retried', async () => {
    const name = await topic();
    const p = await newProducer();
    const body = { ...batch(p, 0, ['once']), expectedOffset: 0 };
    const first = await stack.call('POST', `/v1/topics/${name}/records`, body);
    const retry = await stack.call('POST', `/v1/topics/${name}/records`, body);
    expect(offsets(first)).toEqual([0]);
    expect(retry.status).toBe(200);
    expect(offsets(retry)).toEqual([0]);
  });

  it('rejects expectedOffset across several partitions', async () => {
    const name = await topic(2);
    const res = await stack.call('POST', `/v1/topics/${name}/records`, {
      expectedOffset: 0,
      records: [{ partition: 0, value: str('a') }, { partition: 1, value: str('b') }],
    });
    expect(res.status).toBe(400);
  });
});

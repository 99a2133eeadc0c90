/**
 * Writers that die between their steps (lib/log/crash-points.ts), and a
 * writer too slow to finish before readers close its reservation. Nothing
 * acknowledged is lost, nothing unacknowledged-and-aborted ever shows up,
 * readers wait at a gap only until the abort bound, and the high watermark
 * never goes backwards.
 *
 * Time is a ManualClock on the stack's context: "after the bound" is a jump.
 */
import { randomUUID } from 'node:crypto';
import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { ANONYMOUS } from '../../lib/auth/authorize';
import type { LibContext } from '../../lib/context';
import { abortSeq } from '../../lib/log/abort';
import { writeReserved } from '../../lib/log/append';
import { reserve } from '../../lib/log/counter';
import { InjectedCrash, type CrashPoint } from '../../lib/log/crash-points';
import { partitionRef, type PartitionRef } from '../../lib/log/partition';
import { produce } from '../../lib/log/produce';
import { chunkKeys, logKeys } from '../../lib/storage/keys';
import { getTopic } from '../../lib/topics/topic-item';
import { callCounter, ManualClock } from '../support/ddb-faults';
import { createTestStack, uniqueName, type TestStack } from '../support/stack';
import { incompressibleBase64 } from '../support/noise';
import { emptyRecords } from '../support/empty-records';

const ABORT_AFTER_MS = 4_000;
const SKEW_MS = 50;
const PAST_THE_BOUND = ABORT_AFTER_MS + SKEW_MS + 500;

const counter = callCounter();
let stack: TestStack;
let clock: ManualClock;
beforeAll(async () => {
  stack = await createTestStack({ limits: { abortAfterMs: ABORT_AFTER_MS, maxClockSkewMs: SKEW_MS }, plugins: [counter.plugin] });
  clock = new ManualClock();
  stack.lib.clock = clock;
});

const str = (data: string) => ({ type: 'STRING' as const, data });

function crashingAt(point: CrashPoint): LibContext {
  return {
    ...stack.lib,
    crash: (p) => {
      if (p === point) throw new InjectedCrash(p);
    },
  };
}

/** A partition under test: its name, ref, and every high watermark its fetches reported. */
async function partition(): Promise<{ name: string; ref: PartitionRef; hws: number[] }> {
  const name = uniqueName('crash');
  expect((await stack.call('POST', '/v1/topics', { name, partitions: 1 })).status).toBe(201);
  return { name, ref: partitionRef(await getTopic(stack.lib, name), 0), hws: [] };
}

async function fetchFrom(p: { name: string; hws: number[] }, offset: number, query = '') {
  const res = await stack.call('GET', `/v1/topics/${p.name}/partitions/0/records?offset=${offset}${query}`);
  expect(res.status).toBe(200);
  p.hws.push(res.body.highWatermark);
  return res.body as { records: { offset: number; value: { data: string } }[]; highWatermark: number; nextOffset: number; abortedRanges: { from: number; to: number }[]; logStartOffset: number };
}

const valuesOf = (body: { records: { value: { data: string } }[] }) => body.records.map((r) => r.value.data);

function expectMonotonic(hws: number[]): void {
  for (let i = 1; i < hws.length; i++) expect(hws[i]).toBeGreaterThanOrEqual(hws[i - 1]!);
}

async function produceOk(name: string, values: string[]): Promise<number[]> {
  const res = await stack.call('POST', `/v1/topics/${name}/records`, { records: values.map((v) => ({ partition: 0, value: str(v) })) });
  expect(res.status).toBe(200);
  return res.body.records.map((r: { offset: number }) => r.offset);
}

describe('writer dies after reserving (produce.afterReserve)', () => {
  // Checked against: readers aborting a reservation without waiting out the bound (abortable in
  // lib/log/partition-view.ts always true) makes this fail.
  it('readers stop at the gap until the abort bound, then skip it as aborted; the dead records never appear', async () => {
    const p = await partition();
    expect(await produceOk(p.name, ['first'])).toEqual([0]);

    const dead = await produce(crashingAt('produce.afterReserve'), ANONYMOUS, p.name, {
      records: ['dead0', 'dead1', 'dead2'].map((v) => ({ partition: 0, value: str(v) })),
    });
    for (const r of dead.records) expect(r).toHaveProperty('error');

    expect(await produceOk(p.name, ['later4', 'later5'])).toEqual([4, 5]);

    // Before the bound: the stable end is the gap at offset 1.
    const blocked = await fetchFrom(p, 0);
    expect(valuesOf(blocked)).toEqual(['first']);
    expect(blocked).toMatchObject({ highWatermark: 1, nextOffset: 1, abortedRanges: [] });
    // Offsets of the later batch exist (they are not out of range) but are not returned yet.
    const early = await fetchFrom(p, 4);
    expect(early).toMatchObject({ records: [], highWatermark: 1, nextOffset: 4 });
    const latest = await stack.call('GET', `/v1/topics/${p.name}/partitions/0/offsets?at=latest`);
    expect(latest.body.offset).toBe(1);

    // Still within the bound (just): nothing changes.
    clock.advance(ABORT_AFTER_MS / 2);
    expect(await fetchFrom(p, 1)).toMatchObject({ records: [], highWatermark: 1, nextOffset: 1 });

    // After the bound: the reader closes the dead reservation and moves on.
    clock.advance(PAST_THE_BOUND);
    const after = await fetchFrom(p, 1);
    expect(valuesOf(after)).toEqual(['later4', 'later5']);
    expect(after.records.map((r) => r.offset)).toEqual([4, 5]);
    expect(after.abortedRanges).toEqual([{ from: 1, to: 4 }]);
    expect(after).toMatchObject({ highWatermark: 6, nextOffset: 6 });

    const all = await fetchFrom(p, 0);
    expect(valuesOf(all)).toEqual(['first', 'later4', 'later5']);
    expect(all.abortedRanges).toEqual([{ from: 1, to: 4 }]);
    // From inside the aborted range.
    const inside = await fetchFrom(p, 2);
    expect(valuesOf(inside)).toEqual(['later4', 'later5']);
    expect(inside.abortedRanges).toEqual([{ from: 2, to: 4 }]);

    // The next produce continues after it.
    expect(await produceOk(p.name, ['next6'])).toEqual([6]);
    expect(valuesOf(await fetchFrom(p, 0))).toEqual(['first', 'later4', 'later5', 'next6']);
    expectMonotonic(p.hws);
  });

  it('reports the aborted range also when the log start lies inside it', async () => {
    const p = await partition();
    await produceOk(p.name, ['a0']);
    await produce(crashingAt('produce.afterReserve'), ANONYMOUS, p.name, { records: ['d1', 'd2', 'd3'].map((v) => ({ partition: 0, value: str(v) })) });
    await produceOk(p.name, ['e4', 'e5']);
    clock.advance(PAST_THE_BOUND);
    expect((await fetchFrom(p, 0)).abortedRanges).toEqual([{ from: 1, to: 4 }]);
    const del = await stack.call('DELETE', `/v1/topics/${p.name}/partitions/0/records?before=2`);
    expect(del.body).toEqual({ logStartOffset: 2 });
    const res = await fetchFrom(p, 2);
    expect(res.logStartOffset).toBe(2);
    // Offsets 2 and 3 hold no records: the response must say why they are skipped.
    expect(res.records.map((r) => r.offset)).toEqual([4, 5]);
    expect(res.abortedRanges).toEqual([{ from: 2, to: 4 }]);
    expect((await fetchFrom(p, 3)).abortedRanges).toEqual([{ from: 3, to: 4 }]);
  });

  it('reports the aborted range when the log start lies inside one at the tail', async () => {
    const p = await partition();
    await produceOk(p.name, ['a0']);
    await produce(crashingAt('produce.afterReserve'), ANONYMOUS, p.name, { records: ['d1', 'd2', 'd3'].map((v) => ({ partition: 0, value: str(v) })) });
    clock.advance(PAST_THE_BOUND);
    expect(await fetchFrom(p, 0)).toMatchObject({ highWatermark: 4, abortedRanges: [{ from: 1, to: 4 }] });
    expect((await stack.call('DELETE', `/v1/topics/${p.name}/partitions/0/records?before=2`)).body).toEqual({ logStartOffset: 2 });
    const res = await fetchFrom(p, 2);
    expect(res).toMatchObject({ records: [], logStartOffset: 2, highWatermark: 4, nextOffset: 4, abortedRanges: [{ from: 2, to: 4 }] });
    expect(await produceOk(p.name, ['e4'])).toEqual([4]);
    const after = await fetchFrom(p, 2);
    expect(valuesOf(after)).toEqual(['e4']);
    expect(after.abortedRanges).toEqual([{ from: 2, to: 4 }]);
    expectMonotonic(p.hws);
  });

  it('a dead reservation at the tail holds nothing back once aborted', async () => {
    const p = await partition();
    await produceOk(p.name, ['a']);
    await produce(crashingAt('produce.afterReserve'), ANONYMOUS, p.name, { records: [{ partition: 0, value: str('dead') }] });
    expect(await fetchFrom(p, 1)).toMatchObject({ records: [], highWatermark: 1 });
    clock.advance(PAST_THE_BOUND);
    const res = await fetchFrom(p, 1);
    expect(res).toMatchObject({ records: [], highWatermark: 2, nextOffset: 2, abortedRanges: [{ from: 1, to: 2 }] });
    expect(await produceOk(p.name, ['b'])).toEqual([2]);
    expect(valuesOf(await fetchFrom(p, 0))).toEqual(['a', 'b']);
    expectMonotonic(p.hws);
  });
});

describe('writer dies after its batch put, before answering (produce.afterBatchPut)', () => {
  it('the unacknowledged records are in the log once, and the log goes on', async () => {
    const p = await partition();
    const res = await produce(crashingAt('produce.afterBatchPut'), ANONYMOUS, p.name, {
      records: ['w0', 'w1', 'w2'].map((v) => ({ partition: 0, value: str(v) })),
    });
    for (const r of res.records) expect(r).toHaveProperty('error');
    // Written but not acknowledged is allowed: visible at once, no gap, exactly once.
    const body = await fetchFrom(p, 0);
    expect(valuesOf(body)).toEqual(['w0', 'w1', 'w2']);
    expect(body).toMatchObject({ highWatermark: 3, abortedRanges: [] });
    expect(await produceOk(p.name, ['w3'])).toEqual([3]);
    clock.advance(PAST_THE_BOUND);
    const later = await fetchFrom(p, 0);
    expect(valuesOf(later)).toEqual(['w0', 'w1', 'w2', 'w3']);
    expect(later.abortedRanges).toEqual([]);
    expectMonotonic(p.hws);
  });
});

describe('a slow writer racing the readers that abort its reservation', () => {
  // Checked against: removing `attribute_not_exists(sk)` from the batch put (settle, lib/log/write-batch.ts) makes this
  // fail (the stalled writer's put overwrites the abort marker).
  it('is refused with RESERVATION_ABORTED once a reader aborted its seq, and its records never appear', async () => {
    const p = await partition();
    await produceOk(p.name, ['before']);
    const reservation = await reserve(stack.lib, p.ref, emptyRecords(2));
    expect(reservation.baseOffset).toBe(1);
    clock.advance(PAST_THE_BOUND);
    expect(await fetchFrom(p, 0)).toMatchObject({ highWatermark: 3, abortedRanges: [{ from: 1, to: 3 }] });

    const records = ['slow1', 'slow2'].map((v) => ({ key: null, value: Buffer.from(v), headers: [], keyType: 0, valueType: 1, timestamp: undefined }));
    // (1) Past its own deadline the writer does not even try the put.
    await expect(writeReserved(stack.lib, p.ref, reservation, records, randomUUID())).rejects.toMatchObject({
      code: 'RESERVATION_ABORTED',
      retriable: true,
      status: 503,
    });

    // (2) A writer that passed its deadline check and then stalled (its clock says it is still in time):
    // its put is sent and loses the attribute_not_exists race against the marker.
    const second = await reserve(stack.lib, p.ref, emptyRecords(2));
    clock.advance(PAST_THE_BOUND);
    expect(await fetchFrom(p, 0)).toMatchObject({ highWatermark: 5, abortedRanges: [{ from: 1, to: 5 }] });
    counter.log.reset();
    const stalled: LibContext = { ...stack.lib, clock: { now: () => second.reservedAt } };
    await expect(writeReserved(stalled, p.ref, second, records, randomUUID())).rejects.toMatchObject({ code: 'RESERVATION_ABORTED', retriable: true });
    expect(counter.log.batchPuts).toBe(1);
    expect(counter.log.conditionFailures.map((f) => f.command)).toEqual(['PutItem']);

    const res = await fetchFrom(p, 0);
    expect(valuesOf(res)).toEqual(['before']);
    expect(res).toMatchObject({ highWatermark: 5, nextOffset: 5, abortedRanges: [{ from: 1, to: 5 }] });
    expect(await produceOk(p.name, ['after'])).toEqual([5]);
    const final = await fetchFrom(p, 0);
    expect(valuesOf(final)).toEqual(['before', 'after']);
    expect(final.abortedRanges).toEqual([{ from: 1, to: 5 }]);
    expectMonotonic(p.hws);
  });

  // Checked against: removing `attribute_not_exists(sk)` from the abort marker put (lib/log/abort.ts) makes this fail.
  it('when the late batch lands first, a reader’s abort attempt loses and the records are visible', async () => {
    const p = await partition();
    const reservation = await reserve(stack.lib, p.ref, emptyRecords(1));
    clock.advance(PAST_THE_BOUND);
    const late: LibContext = { ...stack.lib, clock: { now: () => reservation.reservedAt } };
    const records = [{ key: null, value: Buffer.from('late'), headers: [], keyType: 0, valueType: 1, timestamp: undefined }];
    await writeReserved(late, p.ref, reservation, records, randomUUID());
    // A reader that saw the seq missing just before tries to close it: the batch wins the race.
    const entry = await abortSeq(stack.lib, p.ref, reservation.seq, 0, 60_000);
    expect(entry).toMatchObject({ seq: reservation.seq, aborted: false, n: 1 });
    const res = await fetchFrom(p, 0);
    expect(valuesOf(res)).toEqual(['late']);
    expect(res.abortedRanges).toEqual([]);
  });
});

describe('a long poll waiting behind an open reservation', () => {
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

  it('wakes up when that reservation’s batch is written', async () => {
    const p = await partition();
    await produceOk(p.name, ['a0']);
    const reservation = await reserve(stack.lib, p.ref, emptyRecords(1));
    const started = Date.now();
    const poll = stack.call('GET', `/v1/topics/${p.name}/partitions/0/records?offset=1&maxWaitMs=5000`);
    await sleep(300);
    const records = [{ key: null, value: Buffer.from('b1'), headers: [], keyType: 0, valueType: 1, timestamp: undefined }];
    await writeReserved(stack.lib, p.ref, reservation, records, randomUUID());
    const res = await poll;
    expect(res.status).toBe(200);
    expect(valuesOf(res.body)).toEqual(['b1']);
    expect(Date.now() - started).toBeLessThan(2_500);
  });

  it('wakes up when a dead writer’s reservation passes the abort bound', async () => {
    const p = await partition();
    await produceOk(p.name, ['a0']);
    await produce(crashingAt('produce.afterReserve'), ANONYMOUS, p.name, { records: [{ partition: 0, value: str('dead') }] });
    await produceOk(p.name, ['c2']);
    const started = Date.now();
    const poll = stack.call('GET', `/v1/topics/${p.name}/partitions/0/records?offset=1&maxWaitMs=8000`);
    await sleep(300);
    clock.advance(PAST_THE_BOUND);
    const res = await poll;
    expect(res.status).toBe(200);
    expect(valuesOf(res.body)).toEqual(['c2']);
    expect(res.body.abortedRanges).toEqual([{ from: 1, to: 2 }]);
    expect(Date.now() - started).toBeLessThan(2_500);
  });
});

describe('batches larger than one item (chunks + manifest)', () => {
  const RECORDS = 30;
  const BYTES = 20_000;

  function bigRecords(tag: number) {
    return Array.from({ length: RECORDS }, (_, i) => ({ partition: 0, value: { type: 'BINARY' as const, data: incompressibleBase64(BYTES, tag * 1000 + i) } }));
  }

  async function chunkItems(ref: PartitionRef, seq: number): Promise<number> {
    const out = await stack.lib.ddb.send(
      new QueryCommand({
        TableName: stack.tables.log,
        KeyConditionExpression: 'pk = :pk AND sk BETWEEN :a AND :b',
        ExpressionAttributeValues: { ':pk': chunkKeys.pk(ref.pk), ':a': chunkKeys.chunk(ref.pk, seq, 0).sk, ':b': chunkKeys.chunk(ref.pk, seq, 255).sk },
        ConsistentRead: true,
      }),
    );
    return out.Items?.length ?? 0;
  }

  it('are stored as chunks and a manifest and fetched back byte-identical', async () => {
    const p = await partition();
    const sent = bigRecords(1);
    const res = await stack.call('POST', `/v1/topics/${p.name}/records`, { records: sent });
    expect(res.status).toBe(200);
    expect(res.body.records.map((r: { offset: number }) => r.offset)).toEqual(Array.from({ length: RECORDS }, (_, i) => i));

    const manifest = (await stack.lib.ddb.send(new GetCommand({ TableName: stack.tables.log, Key: logKeys.batch(p.ref.topic.topicId, 0, 0), ConsistentRead: true }))).Item;
    expect(manifest?.ch).toBeGreaterThanOrEqual(2);
    expect(manifest?.r).toBeUndefined();
    expect(await chunkItems(p.ref, 0)).toBe(manifest?.ch);

    const got: { offset: number; value: { type: string; data: string } }[] = [];
    let offset = 0;
    while (offset < RECORDS) {
      const body = await fetchFrom(p, offset);
      got.push(...(body.records as any[]));
      offset = body.nextOffset;
    }
    expect(got.map((r) => r.offset)).toEqual(Array.from({ length: RECORDS }, (_, i) => i));
    got.forEach((r, i) => expect(r.value).toEqual(sent[i]!.value));
    // From the middle of the batch.
    const mid = await fetchFrom(p, 17, '&maxRecords=2');
    expect(mid.records.map((r) => r.offset)).toEqual([17, 18]);
    expect((mid.records[0] as any).value).toEqual(sent[17]!.value);
  });

  it('a writer dying after its chunks (produce.afterChunks) leaves nothing visible; readers move past after the bound', async () => {
    const p = await partition();
    await produceOk(p.name, ['small0']);
    const dead = await produce(crashingAt('produce.afterChunks'), ANONYMOUS, p.name, { records: bigRecords(2) });
    for (const r of dead.records) expect(r).toHaveProperty('error');
    // The chunks were written (the crash came after them), the manifest was not.
    expect(await chunkItems(p.ref, 1)).toBeGreaterThanOrEqual(2);
    const manifest = await stack.lib.ddb.send(new GetCommand({ TableName: stack.tables.log, Key: logKeys.batch(p.ref.topic.topicId, 0, 1), ConsistentRead: true }));
    expect(manifest.Item).toBeUndefined();

    expect(await produceOk(p.name, ['small31'])).toEqual([1 + RECORDS]);
    expect(await fetchFrom(p, 0)).toMatchObject({ highWatermark: 1, nextOffset: 1 });
    clock.advance(PAST_THE_BOUND);
    const res = await fetchFrom(p, 0);
    expect(valuesOf(res)).toEqual(['small0', 'small31']);
    expect(res.abortedRanges).toEqual([{ from: 1, to: 1 + RECORDS }]);
    expect(res.highWatermark).toBe(2 + RECORDS);
    expectMonotonic(p.hws);
  });
});

/**
 * Retention, delete-records, topic re-creation and TTL.
 *
 * Time is a ManualClock on the stack's LibContext (the app uses the same
 * context), so "retention passed" is a clock jump, not a sleep. DynamoDB
 * Local does not run TTL on our schedule, so `sweepTtl` emulates it: it
 * deletes every log item whose `ttl` (epoch seconds) is at or before the
 * clock — what DynamoDB's TTL may do from that moment on.
 */
import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { TTL_MARGIN_MS } from '../../lib/log/batch-item';
import { reserve } from '../../lib/log/counter';
import { partitionRef } from '../../lib/log/partition';
import { chunkKeys, logKeys } from '../../lib/storage/keys';
import { getTopic } from '../../lib/topics/topic-item';
import { extendRetentionTtl } from '../../lib/topics/retention-ttl';
import { ddbHook, ManualClock } from '../support/ddb-faults';
import { createTestStack, uniqueName, type TestStack } from '../support/stack';
import { incompressibleBase64 } from '../support/noise';
import { sweepTtl as sweepTtlAt } from '../support/ttl';
import { emptyRecords } from '../support/empty-records';

const DAY = 24 * 3600 * 1000;
let stack: TestStack;
let clock: ManualClock;
beforeAll(async () => {
  stack = await createTestStack({ limits: { abortAfterMs: 2_000, maxClockSkewMs: 100 } });
  clock = new ManualClock();
  stack.lib.clock = clock;
});

const str = (data: string) => ({ type: 'STRING', data });

async function topic(configs: Record<string, unknown> = {}, name = uniqueName('retention')): Promise<string> {
  const res = await stack.call('POST', '/v1/topics', { name, partitions: 1, configs });
  expect(res.status).toBe(201);
  return name;
}

async function produce(name: string, values: string[]): Promise<number[]> {
  const res = await stack.call('POST', `/v1/topics/${name}/records`, { records: values.map((v) => ({ partition: 0, value: str(v) })) });
  expect(res.status).toBe(200);
  return res.body.records.map((r: { offset: number }) => r.offset);
}

const fetchFrom = (name: string, offset: number) => stack.call('GET', `/v1/topics/${name}/partitions/0/records?offset=${offset}`);
const values = (res: { body: any }) => res.body.records.map((r: { value: { data: string } }) => r.value.data);
const earliest = async (name: string) => (await stack.call('GET', `/v1/topics/${name}/partitions/0/offsets?at=earliest`)).body.offset;

async function logItem(name: string, seq: number): Promise<Record<string, any> | undefined> {
  const t = await getTopic(stack.lib, name);
  const out = await stack.lib.ddb.send(new GetCommand({ TableName: stack.tables.log, Key: logKeys.batch(t.topicId, 0, seq), ConsistentRead: true }));
  return out.Item;
}

const sweepTtl = () => sweepTtlAt(stack, clock.now());

describe('time-based retention', () => {
  it('skips a week of TTL-deleted batches nobody read at once, without aborting them one by one', async () => {
    const name = await topic({ 'retention.ms': DAY });
    clock.advance(7 * 3600 * 1000); // a later checkpoint interval than the topic's creation
    for (let i = 0; i < 12; i++) await produce(name, [`old${i}`]);
    clock.advance(9 * DAY); // nobody reads; TTL (retention + 1 day) deletes every old batch
    expect(await sweepTtl()).toBeGreaterThanOrEqual(12);
    expect(await produce(name, ['new'])).toEqual([12]);
    const puts: unknown[] = [];
    const spy = stack.lib.ddb.send.bind(stack.lib.ddb);
    stack.lib.ddb.send = ((command: { constructor: { name: string }; input: { Item?: { ab?: number } } }, ...rest: unknown[]) => {
      if (command.constructor.name === 'PutCommand' && command.input.Item?.ab !== undefined) puts.push(command.input);
      return (spy as (...a: unknown[]) => unknown)(command, ...rest);
    }) as typeof stack.lib.ddb.send;
    try {
      // No wait for the abort bound: the checkpoint bounds when the deleted seqs were reserved.
      const res = await fetchFrom(name, 12);
      expect(values(res)).toEqual(['new']);
      expect(res.body.logStartOffset).toBe(12);
      expect(await earliest(name)).toBe(12);
      expect(puts).toEqual([]);
    } finally {
      stack.lib.ddb.send = spy;
    }
  });

  it('drops expired batches from fetch, moves the log start and earliest, then continues at the next offset', async () => {
    const name = await topic({ 'retention.ms': 2_000 });
    expect(await produce(name, ['a0', 'a1', 'a2'])).toEqual([0, 1, 2]);
    clock.advance(1_200);
    expect(await produce(name, ['b3', 'b4'])).toEqual([3, 4]);
    expect(values(await fetchFrom(name, 0))).toEqual(['a0', 'a1', 'a2', 'b3', 'b4']);

    clock.advance(1_200); // a* are 2.4 s old, b* 1.2 s
    const old = await fetchFrom(name, 0);
    expect(old.status).toBe(416);
    expect(old.body.error).toMatchObject({ code: 'OFFSET_OUT_OF_RANGE', logStartOffset: 3, highWatermark: 5 });
    const live = await fetchFrom(name, 3);
    expect(live.status).toBe(200);
    expect(values(live)).toEqual(['b3', 'b4']);
    expect(live.body).toMatchObject({ logStartOffset: 3, highWatermark: 5, nextOffset: 5 });
    expect(await earliest(name)).toBe(3);
    // The timestamp of a0 now resolves to the first record that is still there.
    const byTime = await stack.call('GET', `/v1/topics/${name}/partitions/0/offsets?at=0`);
    expect(byTime.body).toMatchObject({ offset: 3, logStartOffset: 3 });

    clock.advance(2_500); // everything expired
    const gone = await fetchFrom(name, 3);
    expect(gone.status).toBe(416);
    expect(gone.body.error).toMatchObject({ logStartOffset: 5, highWatermark: 5 });
    const atEnd = await fetchFrom(name, 5);
    expect(atEnd.status).toBe(200);
    expect(atEnd.body).toMatchObject({ records: [], logStartOffset: 5, highWatermark: 5, nextOffset: 5 });
    expect((await stack.call('GET', `/v1/topics/${name}/offsets`)).body.partitions).toEqual([{ partition: 0, logStartOffset: 5, highWatermark: 5 }]);

    // Offsets are never reused: the counter outlives every record.
    expect(await produce(name, ['c5'])).toEqual([5]);
    const next = await fetchFrom(name, 5);
    expect(values(next)).toEqual(['c5']);
    expect(next.body).toMatchObject({ logStartOffset: 5, highWatermark: 6 });
    expect(await earliest(name)).toBe(5);
  });

  it('keeps records forever with retention.ms = -1', async () => {
    const name = await topic({ 'retention.ms': -1 });
    await produce(name, ['x']);
    clock.advance(365 * DAY);
    expect(values(await fetchFrom(name, 0))).toEqual(['x']);
    expect(await earliest(name)).toBe(0);
  });

  // Checked against: removing `attribute_exists(pk)` from the reservation's condition (reserve, lib/log/counter.ts) makes
  // this fail (the old id's reservation re-creates its counter instead of being refused).
  it('a topic deleted and re-created with the same name starts at 0 and never returns old records', async () => {
    const name = await topic({ 'retention.ms': -1 });
    expect(await produce(name, ['old0', 'old1', 'old2'])).toEqual([0, 1, 2]);
    await produce(name, ['old3', 'old4']);
    const oldTopic = await getTopic(stack.lib, name);
    expect((await stack.call('DELETE', `/v1/topics/${name}`)).status).toBeLessThan(300);
    expect((await fetchFrom(name, 0)).status).toBe(404);

    await topic({ 'retention.ms': -1 }, name);
    expect((await stack.call('GET', `/v1/topics/${name}/partitions/0/offsets?at=latest`)).body).toMatchObject({ offset: 0, highWatermark: 0 });
    expect(await produce(name, ['new0'])).toEqual([0]);
    const res = await fetchFrom(name, 0);
    expect(values(res)).toEqual(['new0']);
    expect(res.body).toMatchObject({ highWatermark: 1, logStartOffset: 0 });
    expect((await fetchFrom(name, 2)).status).toBe(416);
    // A writer still holding the old topic id cannot append: its counter is gone.
    await expect(reserve(stack.lib, partitionRef(oldTopic, 0), emptyRecords(1))).rejects.toMatchObject({ code: 'UNKNOWN_TOPIC_OR_PARTITION' });
    expect(values(await fetchFrom(name, 0))).toEqual(['new0']);
  });
});

describe('delete records', () => {
  // Checked against: removing delete-records' own check of the log start it read (`before <= view.logStartOffset`,
  // lib/log/delete-records.ts) makes this fail. The storage condition is exercised by the race test below.
  it('moves the log start to a batch boundary or inside a batch, never backwards, never beyond the high watermark', async () => {
    const name = await topic();
    await produce(name, ['r0', 'r1', 'r2']);
    await produce(name, ['r3', 'r4', 'r5']);
    await produce(name, ['r6', 'r7', 'r8']);
    const del = (before: number | string) => stack.call('DELETE', `/v1/topics/${name}/partitions/0/records?before=${before}`);

    expect((await del(3)).body).toEqual({ logStartOffset: 3 });
    expect(values(await fetchFrom(name, 3))).toEqual(['r3', 'r4', 'r5', 'r6', 'r7', 'r8']);

    // Inside a batch: r4 is the first record left.
    expect((await del(4)).body).toEqual({ logStartOffset: 4 });
    const inside = await fetchFrom(name, 4);
    expect(values(inside)).toEqual(['r4', 'r5', 'r6', 'r7', 'r8']);
    expect(inside.body.logStartOffset).toBe(4);
    const below = await fetchFrom(name, 3);
    expect(below.status).toBe(416);
    expect(below.body.error).toMatchObject({ code: 'OFFSET_OUT_OF_RANGE', logStartOffset: 4, highWatermark: 9 });
    expect(await earliest(name)).toBe(4);

    // Never backwards.
    const back = await del(1);
    expect(back.status).toBe(200);
    expect(back.body).toEqual({ logStartOffset: 4 });
    expect(await earliest(name)).toBe(4);
    expect((await fetchFrom(name, 3)).status).toBe(416);

    // Beyond the high watermark.
    const beyond = await del(10);
    expect(beyond.status).toBe(416);
    expect(beyond.body.error).toMatchObject({ code: 'OFFSET_OUT_OF_RANGE', highWatermark: 9 });
    expect((await del('x')).status).toBe(400);
    expect(await earliest(name)).toBe(4);

    // Up to the high watermark deletes everything; the next record continues the offsets.
    expect((await del(9)).body).toEqual({ logStartOffset: 9 });
    expect((await fetchFrom(name, 9)).body).toMatchObject({ records: [], logStartOffset: 9, highWatermark: 9 });
    expect(await produce(name, ['r9'])).toEqual([9]);
    expect(values(await fetchFrom(name, 9))).toEqual(['r9']);
    expect(await earliest(name)).toBe(9);
  });

  // Checked against: removing `ls <= :ls AND lo <= :lo` from advanceLogStart (lib/log/counter.ts) makes this fail; the
  // sequential "never backwards" above passes without it (delete-records checks the log start it read first).
  it('never moves the log start backwards when deletes race and the lower one lands last', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((r) => (release = r));
    let arrived: () => void = () => undefined;
    const atUpdate = new Promise<void>((r) => (arrived = r));
    // Holds the counter update that moves the log start to offset 3.
    const hold = ddbHook('initialize', async (call, next) => {
      if (call.command === 'UpdateItem' && call.input.ExpressionAttributeValues?.[':lo'] === 3) {
        arrived();
        await gate;
      }
      return next();
    });
    const racing = await createTestStack({ plugins: [hold] });
    const name = uniqueName('retention');
    expect((await racing.call('POST', '/v1/topics', { name, partitions: 1 })).status).toBe(201);
    for (const batch of [['r0', 'r1', 'r2'], ['r3', 'r4', 'r5'], ['r6', 'r7', 'r8']]) {
      expect((await racing.call('POST', `/v1/topics/${name}/records`, { records: batch.map((v) => ({ partition: 0, value: str(v) })) })).status).toBe(200);
    }
    const del = (before: number) => racing.call('DELETE', `/v1/topics/${name}/partitions/0/records?before=${before}`);

    // The lower delete read log start 0 and stops just before its counter update; the higher one completes meanwhile.
    const lower = del(3);
    await atUpdate;
    expect((await del(6)).body).toEqual({ logStartOffset: 6 });
    release();
    expect((await lower).status).toBe(200);

    const start = await racing.call('GET', `/v1/topics/${name}/partitions/0/offsets?at=earliest`);
    expect(start.body.offset).toBe(6);
    expect((await racing.call('GET', `/v1/topics/${name}/partitions/0/records?offset=3`)).status).toBe(416);
  });

  it('keeps a log start inside a batch while that batch is live, and moves past it when it expires', async () => {
    const name = await topic({ 'retention.ms': 2_000 });
    await produce(name, ['s0', 's1', 's2']);
    clock.advance(1_200);
    await produce(name, ['s3']);
    expect((await stack.call('DELETE', `/v1/topics/${name}/partitions/0/records?before=1`)).body).toEqual({ logStartOffset: 1 });
    expect(values(await fetchFrom(name, 1))).toEqual(['s1', 's2', 's3']);
    expect(await earliest(name)).toBe(1);
    clock.advance(1_200); // the first batch expired
    expect(await earliest(name)).toBe(3);
    expect(values(await fetchFrom(name, 3))).toEqual(['s3']);
  });
});

describe('TTL', () => {
  it('is append time + retention + a day, in epoch seconds, on batches, chunks and abort markers', async () => {
    const retention = 3_600_000;
    const name = await topic({ 'retention.ms': retention });
    const before = clock.now();
    // Producer timestamps far in the past must not shorten the TTL.
    const res = await stack.call('POST', `/v1/topics/${name}/records`, { records: [{ value: str('t'), timestamp: 1_000 }] });
    expect(res.status).toBe(200);
    const item = await logItem(name, 0);
    expect(item?.at).toBeGreaterThanOrEqual(before);
    expect(item?.at).toBeLessThanOrEqual(clock.now());
    expect(item?.ttl).toBe(Math.ceil((item!.at + retention + TTL_MARGIN_MS) / 1000));
    expect(TTL_MARGIN_MS).toBeGreaterThanOrEqual(DAY);
    // Seconds, not milliseconds: within a few days of now.
    expect(item!.ttl * 1000 - clock.now()).toBeGreaterThan(DAY);
    expect(item!.ttl * 1000 - clock.now()).toBeLessThan(3 * DAY);

    // A batch too large for one item: the chunks expire with their manifest.
    const big = Array.from({ length: 3 }, (_, i) => ({ value: { type: 'BINARY', data: incompressibleBase64(200_000, i) } }));
    expect((await stack.call('POST', `/v1/topics/${name}/records`, { records: big })).status).toBe(200);
    const manifest = await logItem(name, 1);
    expect(manifest?.ch).toBeGreaterThan(1);
    const t = await getTopic(stack.lib, name);
    const chunks = await stack.lib.ddb.send(
      new QueryCommand({
        TableName: stack.tables.log,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': chunkKeys.pk(logKeys.partitionPk(t.topicId, 0)) },
        ConsistentRead: true,
      }),
    );
    expect(chunks.Items).toHaveLength(manifest!.ch);
    for (const c of chunks.Items ?? []) expect(c.ttl).toBe(manifest!.ttl);
    expect(manifest!.ttl).toBe(Math.ceil((manifest!.at + retention + TTL_MARGIN_MS) / 1000));

    // An abort marker (a dead writer's reservation closed by a reader) expires too.
    await reserve(stack.lib, partitionRef(t, 0), emptyRecords(1));
    clock.advance(5_000);
    const abortedAt = clock.now();
    expect((await fetchFrom(name, 0)).status).toBe(200);
    const marker = await logItem(name, 2);
    expect(marker?.ab).toBeDefined();
    expect(marker?.ttl).toBeGreaterThanOrEqual(Math.ceil((abortedAt + retention + TTL_MARGIN_MS) / 1000));
    expect(marker?.ttl).toBeLessThanOrEqual(Math.ceil((clock.now() + retention + TTL_MARGIN_MS) / 1000));
  });

  it('is absent with retention.ms = -1, on batches and abort markers', async () => {
    const name = await topic({ 'retention.ms': -1 });
    await produce(name, ['forever']);
    expect(await logItem(name, 0)).toBeDefined();
    expect(await logItem(name, 0)).not.toHaveProperty('ttl');
    await reserve(stack.lib, partitionRef(await getTopic(stack.lib, name), 0), emptyRecords(1));
    clock.advance(5_000);
    await fetchFrom(name, 0);
    const marker = await logItem(name, 1);
    expect(marker?.ab).toBeDefined();
    expect(marker).not.toHaveProperty('ttl');
  });
});

describe('TTL deletion never strands readers', () => {
  it('an idle partition whose expired batches TTL deleted before any reader came back still serves earliest', async () => {
    const name = await topic({ 'retention.ms': 7 * DAY });
    await produce(name, ['old0', 'old1']);
    await produce(name, ['old2']);
    expect(values(await fetchFrom(name, 0))).toEqual(['old0', 'old1', 'old2']);
    // Nobody reads for 9 days: retention (7 d) passed, then TTL (7 d + 1 d) deleted the batches.
    clock.advance(9 * DAY);
    expect(await sweepTtl()).toBeGreaterThanOrEqual(2);
    expect(await produce(name, ['new3'])).toEqual([3]);

    expect(await earliest(name)).toBe(3);
    const res = await fetchFrom(name, 3);
    expect(res.status).toBe(200);
    expect(values(res)).toEqual(['new3']);
    expect((await fetchFrom(name, 0)).body.error).toMatchObject({ code: 'OFFSET_OUT_OF_RANGE', logStartOffset: 3 });
  });

  it('a reservation aborted long after its neighbours were written does not hold the log start on expired batches', async () => {
    const name = await topic({ 'retention.ms': 7 * DAY });
    const t = await getTopic(stack.lib, name);
    await produce(name, ['a0']); // seq 0
    await reserve(stack.lib, partitionRef(t, 0), emptyRecords(1)); // seq 1: the writer dies
    await produce(name, ['b2']); // seq 2
    // The first reader comes 6 days later: it aborts seq 1 (the marker is stamped with that time).
    clock.advance(6 * DAY);
    const first = await fetchFrom(name, 0);
    expect(values(first)).toEqual(['a0', 'b2']);
    expect(first.body.abortedRanges).toEqual([{ from: 1, to: 2 }]);
    // 8 days + 1 hour after the writes: a0 and b2 expired a day ago and TTL removed them.
    clock.advance(2 * DAY + 3_600_000);
    expect(await sweepTtl()).toBeGreaterThanOrEqual(2);
    expect(await logItem(name, 1)).toHaveProperty('ab');

    expect(await earliest(name)).toBe(3);
    const res = await fetchFrom(name, 3);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ records: [], logStartOffset: 3, highWatermark: 3 });
    expect(await produce(name, ['c3'])).toEqual([3]);
    expect(values(await fetchFrom(name, 3))).toEqual(['c3']);
  });
});

describe('raising retention.ms', () => {
  async function raiseAndCheck(name: string, viaApiOnly: boolean): Promise<void> {
    const res = await stack.call('PATCH', `/v1/topics/${name}/configs`, { configs: { 'retention.ms': 30 * DAY } });
    expect(res.status).toBe(200);
    if (!viaApiOnly) await extendRetentionTtl(stack.lib, await getTopic(stack.lib, name));
    const item = await logItem(name, 0);
    expect(item?.ttl).toBeGreaterThanOrEqual(Math.ceil((item!.at + 30 * DAY + TTL_MARGIN_MS) / 1000));
    // Two days later — past the old TTL, well within the new retention — TTL may run: nothing is gone.
    clock.advance(2 * DAY);
    await sweepTtl();
    const fetched = await fetchFrom(name, 0);
    expect(fetched.status).toBe(200);
    expect(values(fetched)).toEqual(['keep0', 'keep1', 'keep2', 'keep3']);
    expect(await earliest(name)).toBe(0);
  }

  async function topicWithShortRetention(): Promise<string> {
    const name = await topic({ 'retention.ms': 3_600_000 });
    await produce(name, ['keep0', 'keep1']);
    // A large batch (chunks + manifest) and an abort marker must keep living too.
    await reserve(stack.lib, partitionRef(await getTopic(stack.lib, name), 0), emptyRecords(1));
    clock.advance(3_000);
    expect((await fetchFrom(name, 0)).status).toBe(200);
    await produce(name, ['keep2', 'keep3']);
    return name;
  }

  it('extendRetentionTtl rewrites the TTL of every live item (batches, chunks, markers) so nothing is deleted early', async () => {
    const name = await topicWithShortRetention();
    const big = await stack.call('POST', `/v1/topics/${name}/records`, {
      records: Array.from({ length: 3 }, (_, i) => ({ partition: 0, value: { type: 'BINARY', data: incompressibleBase64(200_000, 10 + i) } })),
    });
    expect(big.status).toBe(200);
    const raised = { ...(await getTopic(stack.lib, name)), configs: { 'retention.ms': 30 * DAY } };
    const updated = await extendRetentionTtl(stack.lib, raised);
    expect(updated.items).toBeGreaterThanOrEqual(4);
    // Idempotent: a second run (as alter-configs does after open reservations settle) changes nothing.
    expect((await extendRetentionTtl(stack.lib, raised)).items).toBe(0);
    const res = await stack.call('PATCH', `/v1/topics/${name}/configs`, { configs: { 'retention.ms': 30 * DAY } });
    expect(res.status).toBe(200);

    const required = (at: number) => Math.ceil((at + 30 * DAY + TTL_MARGIN_MS) / 1000);
    const t = await getTopic(stack.lib, name);
    const pk = logKeys.partitionPk(t.topicId, 0);
    const all = await stack.lib.ddb.send(
      new QueryCommand({ TableName: stack.tables.log, KeyConditionExpression: 'pk = :pk AND sk >= :zero', ExpressionAttributeValues: { ':pk': pk, ':zero': 0 }, ConsistentRead: true }),
    );
    expect(all.Items?.length).toBe(4); // batch, marker, batch, manifest
    for (const item of all.Items ?? []) expect(item.ttl).toBeGreaterThanOrEqual(required(item.at ?? item.ra));
    const chunks = await stack.lib.ddb.send(
      new QueryCommand({ TableName: stack.tables.log, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': chunkKeys.pk(pk) }, ConsistentRead: true }),
    );
    const manifest = all.Items?.find((i) => i.ch !== undefined);
    expect(chunks.Items?.length).toBe(manifest?.ch);
    for (const c of chunks.Items ?? []) expect(c.ttl).toBe(manifest?.ttl);

    // Lowering retention never shortens a TTL (the log start, not TTL, enforces the shorter retention).
    const ttlBefore = (await logItem(name, 0))?.ttl;
    await stack.call('PATCH', `/v1/topics/${name}/configs`, { configs: { 'retention.ms': 3_600_000 } });
    await extendRetentionTtl(stack.lib, await getTopic(stack.lib, name));
    expect((await logItem(name, 0))?.ttl).toBe(ttlBefore);

    // Back to 30 days; two days later (past the original TTL) TTL may run: nothing is gone.
    await stack.call('PATCH', `/v1/topics/${name}/configs`, { configs: { 'retention.ms': 30 * DAY } });
    clock.advance(2 * DAY);
    await sweepTtl();
    const fetched = await fetchFrom(name, 0);
    expect(fetched.status).toBe(200);
    expect(values(fetched).slice(0, 4)).toEqual(['keep0', 'keep1', 'keep2', 'keep3']);
    expect(fetched.body.records).toHaveLength(7);
  });

  it('extendRetentionTtl removes the TTL when retention becomes -1 (forever)', async () => {
    const name = await topicWithShortRetention();
    await stack.call('PATCH', `/v1/topics/${name}/configs`, { configs: { 'retention.ms': -1 } });
    await extendRetentionTtl(stack.lib, await getTopic(stack.lib, name));
    expect(await logItem(name, 0)).not.toHaveProperty('ttl');
    expect(await logItem(name, 1)).not.toHaveProperty('ttl'); // the marker
    clock.advance(400 * DAY);
    await sweepTtl();
    expect(values(await fetchFrom(name, 0))).toEqual(['keep0', 'keep1', 'keep2', 'keep3']);
  });

  it('extendRetentionTtl after the PATCH keeps already-written records', async () => {
    await raiseAndCheck(await topicWithShortRetention(), false);
  });

  // Required behaviour through the API alone: alter-configs raises the TTLs itself.
  it('PATCH retention.ms alone must not let already-written records be deleted early', async () => {
    await raiseAndCheck(await topicWithShortRetention(), true);
  });
});

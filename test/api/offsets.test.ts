/**
 * ListOffsets: earliest, latest, by timestamp (Kafka's rule for
 * non-monotonic producer timestamps), and the per-topic summary.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { reserve } from '../../lib/log/counter';
import { partitionRef } from '../../lib/log/partition';
import { getTopic } from '../../lib/topics/topic-item';
import { createTestStack, uniqueName, type TestStack } from '../support/stack';
import { emptyRecords } from '../support/empty-records';

let stack: TestStack;
beforeAll(async () => {
  stack = await createTestStack();
});

async function topic(partitions = 1, configs: Record<string, unknown> = {}): Promise<string> {
  const name = uniqueName('offsets');
  const res = await stack.call('POST', '/v1/topics', { name, partitions, configs });
  expect(res.status).toBe(201);
  return name;
}

const str = (data: string) => ({ type: 'STRING', data });

async function produce(name: string, records: unknown[]): Promise<number[]> {
  const res = await stack.call('POST', `/v1/topics/${name}/records`, { records });
  expect(res.status).toBe(200);
  return res.body.records.map((r: { offset: number }) => r.offset);
}

const offsetsAt = (name: string, at: string, partition = 0) => stack.call('GET', `/v1/topics/${name}/partitions/${partition}/offsets?at=${at}`);

describe('earliest and latest', () => {
  it('earliest is the log start and latest the high watermark, after several produces and a delete', async () => {
    const name = await topic();
    const empty = await offsetsAt(name, 'earliest');
    expect(empty.status).toBe(200);
    expect(empty.body).toEqual({ partition: 0, logStartOffset: 0, highWatermark: 0, offset: 0 });
    expect((await offsetsAt(name, 'latest')).body.offset).toBe(0);

    expect(await produce(name, [{ value: str('a') }, { value: str('b') }])).toEqual([0, 1]);
    expect(await produce(name, [{ value: str('c') }])).toEqual([2]);
    expect(await produce(name, [{ value: str('d') }, { value: str('e') }, { value: str('f') }])).toEqual([3, 4, 5]);

    expect((await offsetsAt(name, 'earliest')).body).toEqual({ partition: 0, logStartOffset: 0, highWatermark: 6, offset: 0 });
    expect((await offsetsAt(name, 'latest')).body).toEqual({ partition: 0, logStartOffset: 0, highWatermark: 6, offset: 6 });
    // `at` defaults to latest.
    expect((await stack.call('GET', `/v1/topics/${name}/partitions/0/offsets`)).body.offset).toBe(6);

    const deleted = await stack.call('DELETE', `/v1/topics/${name}/partitions/0/records?before=4`);
    expect(deleted.status).toBe(200);
    expect((await offsetsAt(name, 'earliest')).body).toMatchObject({ offset: 4, logStartOffset: 4, highWatermark: 6 });
    expect((await offsetsAt(name, 'latest')).body.offset).toBe(6);
  });

  it('latest stays below an open reservation; records after it are neither latest nor found by time', async () => {
    const name = await topic();
    await produce(name, [{ value: str('before'), timestamp: 1_000 }]);
    // A writer reserved offsets 1..2 and has not written them yet (it may still).
    await reserve(stack.lib, partitionRef(await getTopic(stack.lib, name), 0), emptyRecords(2));
    expect(await produce(name, [{ value: str('after'), timestamp: 5_000 }])).toEqual([3]);

    expect((await offsetsAt(name, 'latest')).body).toMatchObject({ offset: 1, highWatermark: 1 });
    expect((await offsetsAt(name, '1000')).body.offset).toBe(0);
    // Offset 3 has timestamp 5000 but lies beyond the stable end: not visible yet.
    expect((await offsetsAt(name, '2000')).body.offset).toBeNull();
  });
});

describe('by timestamp', () => {
  // Non-monotonic timestamps, across and within batches (one produce request = one batch):
  //   batch 0: offsets 0..2 with ts 1000, 5000, 2000   (max 5000)
  //   batch 1: offsets 3..4 with ts 3000, 4000         (max 4000)
  //   batch 2: offsets 5..7 with ts 7000, 6000, 8000   (max 8000)
  //   batch 3: offset  8    with ts 6500               (max 6500)
  const BASE = 1_700_000_000_000;
  const batches = [
    [1000, 5000, 2000],
    [3000, 4000],
    [7000, 6000, 8000],
    [6500],
  ];
  let name: string;
  beforeAll(async () => {
    name = await topic();
    let n = 0;
    for (const batch of batches) {
      await produce(name, batch.map((ts) => ({ value: str(`r${n++}`), timestamp: BASE + ts })));
    }
  });

  // Kafka: the first batch whose running max timestamp is ≥ T, then its first record with ts ≥ T.
  it.each([
    [0, 0, 1000],
    [1000, 0, 1000],
    [1001, 1, 5000],
    // Offset 3 (ts 3000) is an exact match, but batch 0 already reached 3000 at offset 1.
    [3000, 1, 5000],
    [5000, 1, 5000],
    // Batches 0 and 1 never reach 5500; batch 2 does, from its first record.
    [5500, 5, 7000],
    // Offset 8 has exactly 6500, but batch 2 reached it first (offset 5, ts 7000).
    [6500, 5, 7000],
    [7001, 7, 8000],
    [8000, 7, 8000],
  ])('at=BASE+%i → offset %i (timestamp BASE+%i)', async (t, offset, ts) => {
    const res = await offsetsAt(name, String(BASE + t));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ partition: 0, logStartOffset: 0, highWatermark: 9, offset, timestamp: BASE + ts });
  });

  it('answers null for a timestamp past every record', async () => {
    const res = await offsetsAt(name, String(BASE + 8001));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ partition: 0, logStartOffset: 0, highWatermark: 9, offset: null });
  });

  // Checked against: offsetForTimestamp ignoring the log start inside a batch (`entry.o + i >= fromOffset`,
  // lib/log/list-offsets.ts) makes this fail.
  it('never answers an offset below the log start, also when the log start is inside a batch', async () => {
    const other = await topic();
    await produce(other, [1000, 5000, 2000, 9000].map((ts, i) => ({ value: str(`x${i}`), timestamp: BASE + ts })));
    await produce(other, [{ value: str('y'), timestamp: BASE + 4000 }]);
    expect((await stack.call('DELETE', `/v1/topics/${other}/partitions/0/records?before=2`)).status).toBe(200);
    // Offset 1 (5000) is deleted; in the same batch, offset 3 (9000) is the first ≥ 3000 at or after the start.
    expect((await offsetsAt(other, String(BASE + 3000))).body).toMatchObject({ offset: 3, timestamp: BASE + 9000, logStartOffset: 2 });
    expect((await offsetsAt(other, String(BASE + 0))).body).toMatchObject({ offset: 2, timestamp: BASE + 2000 });
    // Nothing left in batch 0 reaches 9500, nor in batch 1.
    expect((await offsetsAt(other, String(BASE + 9500))).body.offset).toBeNull();
  });

  it('finds records stamped with the append time when the producer sent none', async () => {
    const other = await topic();
    const before = Date.now();
    const res = await stack.call('POST', `/v1/topics/${other}/records`, { records: [{ value: str('now') }] });
    const appended = res.body.records[0].timestamp as number;
    expect(appended).toBeGreaterThanOrEqual(before - 1000);
    expect((await offsetsAt(other, String(appended))).body).toMatchObject({ offset: 0, timestamp: appended });
    expect((await offsetsAt(other, String(appended + 1))).body.offset).toBeNull();
  });
});

describe('validation', () => {
  it.each(['abc', '-1', '1.5', 'EARLIEST', '12345678901234567', '9007199254740993', '1e3', '%20'])('rejects at=%s with 400', async (at) => {
    const name = await topic();
    const res = await offsetsAt(name, at);
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'INVALID_REQUEST', retriable: false });
  });

  it('rejects an empty at with 400', async () => {
    const name = await topic();
    const res = await stack.call('GET', `/v1/topics/${name}/partitions/0/offsets?at=`);
    expect(res.status).toBe(400);
  });

  it('answers unknown topics and partitions with 404', async () => {
    const name = await topic(2);
    expect((await offsetsAt(name, 'latest', 2)).status).toBe(404);
    expect((await offsetsAt(uniqueName('missing'), 'latest')).status).toBe(404);
    expect((await stack.call('GET', `/v1/topics/${uniqueName('missing')}/offsets`)).status).toBe(404);
  });
});

describe('per-topic summary', () => {
  it('lists every partition with its log start and high watermark', async () => {
    const name = await topic(4);
    await produce(name, [0, 0, 0].map(() => ({ partition: 0, value: str('p0') })));
    await produce(name, [0, 0, 0, 0, 0].map(() => ({ partition: 2, value: str('p2') })));
    await produce(name, [{ partition: 3, value: str('p3') }]);
    expect((await stack.call('DELETE', `/v1/topics/${name}/partitions/2/records?before=2`)).status).toBe(200);

    const res = await stack.call('GET', `/v1/topics/${name}/offsets`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      topic: name,
      partitions: [
        { partition: 0, logStartOffset: 0, highWatermark: 3 },
        { partition: 1, logStartOffset: 0, highWatermark: 0 },
        { partition: 2, logStartOffset: 2, highWatermark: 5 },
        { partition: 3, logStartOffset: 0, highWatermark: 1 },
      ],
    });
  });
});

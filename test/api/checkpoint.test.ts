/**
 * Reservation-time checkpoints (lib/log/counter.ts writeCheckpoint): the first
 * writer of a six-hour interval records "every seq below S was reserved by T".
 * It is the only record of T, and without it a reader that finds batches TTL
 * deleted cannot tell them from a dead writer's gap: it would abort expired,
 * acknowledged batches (reporting them as aborted) instead of moving the log
 * start past them. So the checkpoint must survive storage errors that the
 * batch beside it survives, and the writer's own failure.
 * Checked against mutations of lib/log: a single checkpoint put (SDK retries
 * only) fails the first test; the checkpoint written only after the batch put
 * succeeded fails the second.
 */
import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ANONYMOUS } from '../../lib/auth/authorize';
import type { LibContext } from '../../lib/context';
import { InjectedCrash } from '../../lib/log/crash-points';
import { pendingCheckpoints } from '../../lib/log/checkpoints';
import { partitionRef } from '../../lib/log/partition';
import { produce } from '../../lib/log/produce';
import { checkpointKeys, COUNTER_SK } from '../../lib/storage/keys';
import { getTopic } from '../../lib/topics/topic-item';
import { awsError, ddbHook, ManualClock, type CallHook } from '../support/ddb-faults';
import { createTestStack, uniqueName, type TestStack } from '../support/stack';
import { sweepTtl } from '../support/ttl';

const DAY = 24 * 3600 * 1000;
let stack: TestStack;
let clock: ManualClock;
let fault: CallHook | undefined;

beforeAll(async () => {
  stack = await createTestStack({
    limits: { abortAfterMs: 2_000, maxClockSkewMs: 100 },
    plugins: [ddbHook('wire', (call, next) => (fault === undefined ? next() : fault(call, next)))],
  });
  clock = new ManualClock();
  stack.lib.clock = clock;
});

afterEach(() => {
  fault = undefined;
});

const str = (data: string) => ({ type: 'STRING' as const, data });
const isCheckpointPut = (call: Parameters<CallHook>[0]) => call.command === 'PutItem' && String(call.input.Item?.pk).endsWith('#cp');
const isBatchPut = (call: Parameters<CallHook>[0]) => call.command === 'PutItem' && call.input.Item?.r !== undefined;

/** Fails the first `times` calls matching `when` with a retriable storage error (more than the SDK's own retries). */
function failing(when: (call: Parameters<CallHook>[0]) => boolean, times: number): CallHook {
  let left = times;
  return (call, next) => {
    if (!when(call) || left <= 0) return next();
    left--;
    return Promise.reject(awsError('InternalServerError'));
  };
}

async function expiredLogThenNewWriter(name: string): Promise<void> {
  expect((await stack.call('POST', '/v1/topics', { name, partitions: 1, configs: { 'retention.ms': DAY } })).status).toBe(201);
  clock.advance(7 * 3600 * 1000); // a later checkpoint interval than the topic's creation
  for (let i = 0; i < 5; i++) {
    expect((await stack.call('POST', `/v1/topics/${name}/records`, { records: [{ partition: 0, value: str(`old${i}`) }] })).status).toBe(200);
  }
  clock.advance(3 * DAY); // nobody reads; TTL (retention + 1 day) deletes every old batch
  expect(await sweepTtl(stack, clock.now())).toBeGreaterThanOrEqual(5);
}

/** The fetch from the first offset: expired (log start past it), never "aborted". */
async function expectExpiredNotAborted(name: string, logStart: number): Promise<void> {
  clock.advance(2_500); // past the abort bound of anything open
  const res = await stack.call('GET', `/v1/topics/${name}/partitions/0/records?offset=${logStart}`);
  expect(res.status).toBe(200);
  expect(res.body.logStartOffset).toBe(logStart);
  expect(res.body.abortedRanges.filter((r: { from: number }) => r.from < logStart)).toEqual([]);
  const old = await stack.call('GET', `/v1/topics/${name}/partitions/0/records?offset=0`);
  expect(old.status).toBe(416);
}

describe('the checkpoint of the first writer after a gap', () => {
  it('is retried through storage errors that outlast the SDK’s own retries', async () => {
    const name = uniqueName('cp');
    await expiredLogThenNewWriter(name);
    fault = failing(isCheckpointPut, 5);
    expect((await stack.call('POST', `/v1/topics/${name}/records`, { records: [{ partition: 0, value: str('new') }] })).status).toBe(200);
    await expectExpiredNotAborted(name, 5);
  });

  it('is written even when the writer’s batch fails and the writer aborts its own reservation', async () => {
    const name = uniqueName('cp');
    await expiredLogThenNewWriter(name);
    let batchPuts = 0;
    // Every batch put fails while the clock runs past the writer's deadline.
    fault = (call, next) => {
      if (!isBatchPut(call)) return next();
      batchPuts++;
      clock.advance(500);
      return Promise.reject(awsError('InternalServerError'));
    };
    const res = await stack.call('POST', `/v1/topics/${name}/records`, { records: [{ partition: 0, value: str('new') }] });
    expect(res.status).toBe(503);
    expect(batchPuts).toBeGreaterThan(0);
    fault = undefined;
    await expectExpiredNotAborted(name, 6);
  });

  it('survives the writer dying between its reservation and its puts (nothing but the counter update landed)', async () => {
    const name = uniqueName('cp');
    await expiredLogThenNewWriter(name);
    const dying: LibContext = {
      ...stack.lib,
      crash: (p) => {
        if (p === 'produce.afterReserve') throw new InjectedCrash(p);
      },
    };
    const dead = await produce(dying, ANONYMOUS, name, { records: [{ partition: 0, value: str('dead') }] });
    expect(dead.records[0]).toHaveProperty('error');
    // A later writer in the same interval is not the first of it: only the dead writer knew T.
    clock.advance(1_000);
    expect((await stack.call('POST', `/v1/topics/${name}/records`, { records: [{ partition: 0, value: str('new') }] })).status).toBe(200);
    await expectExpiredNotAborted(name, 5);
  });

  it('left on the counter by a writer that died is copied to an item by the next interval’s first writer, then removed there', async () => {
    const name = uniqueName('cp');
    await expiredLogThenNewWriter(name);
    const dying: LibContext = { ...stack.lib, crash: (p) => { if (p === 'produce.afterReserve') throw new InjectedCrash(p); } };
    await produce(dying, ANONYMOUS, name, { records: [{ partition: 0, value: str('dead') }] });
    const ref = partitionRef(await getTopic(stack.lib, name), 0);
    const counterItem = async () => (await stack.lib.ddb.send(new GetCommand({ TableName: stack.tables.log, Key: { pk: ref.pk, sk: COUNTER_SK }, ConsistentRead: true }))).Item!;
    // The old writes' interval (its first writer's copy was never removed: no writer came in the next
    // interval but the dead one) and the dead writer's own.
    const left = pendingCheckpoints(await counterItem());
    expect(left.map((c) => c.seq)).toEqual([0, 5]);
    expect(left[1]).toMatchObject({ seq: 5, offset: 5 });
    clock.advance(7 * 3600 * 1000); // the next interval
    expect((await stack.call('POST', `/v1/topics/${name}/records`, { records: [{ partition: 0, value: str('next') }] })).status).toBe(200);
    const now = pendingCheckpoints(await counterItem());
    expect(now.map((c) => c.seq)).toEqual([6]); // only the current interval's
    const items = await stack.lib.ddb.send(new QueryCommand({ TableName: stack.tables.log, KeyConditionExpression: 'pk = :pk', ExpressionAttributeValues: { ':pk': checkpointKeys.pk(ref.pk) }, ConsistentRead: true }));
    expect(items.Items?.map((i) => [i.sk, i.at, i.o])).toContainEqual([5, left[1]!.at, 5]);
    expect(items.Items?.map((i) => i.sk)).toContain(6);
  });
});

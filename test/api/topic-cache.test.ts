/**
 * The read path's topic cache never serves a stale answer that matters: a
 * deleted or re-created topic, a new partition, or a raised retention.ms is
 * seen on the very next fetch, while repeated fetches skip the topic read.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { ManualClock } from '../support/ddb-faults';
import { createTestStack, uniqueName, type TestStack } from '../support/stack';

let stack: TestStack;
let clock: ManualClock;
let topicReads = 0;
beforeAll(async () => {
  stack = await createTestStack();
  clock = new ManualClock();
  stack.lib.clock = clock;
  const send = stack.lib.ddb.send.bind(stack.lib.ddb);
  stack.lib.ddb.send = ((command: { constructor: { name: string }; input: { Key?: { pk?: unknown } } }, ...rest: unknown[]) => {
    if (command instanceof GetCommand && command.input.Key?.pk === 'topics') topicReads++;
    return (send as (...a: unknown[]) => unknown)(command, ...rest);
  }) as typeof stack.lib.ddb.send;
});

const str = (data: string) => ({ type: 'STRING', data });
const fetch0 = (name: string, partition = 0) => stack.call('GET', `/v1/topics/${name}/partitions/${partition}/records?offset=0`);
const values = (res: { body: any }) => res.body.records.map((r: { value: { data: string } }) => r.value.data);

describe('topic cache on the read path', () => {
  it('reads the topic once for repeated fetches within its TTL', async () => {
    const name = uniqueName();
    await stack.call('POST', '/v1/topics', { name });
    await stack.call('POST', `/v1/topics/${name}/records`, { records: [{ value: str('a') }] });
    await fetch0(name);
    const before = topicReads;
    for (let i = 0; i < 5; i++) expect(values(await fetch0(name))).toEqual(['a']);
    expect(topicReads - before).toBe(0);
  });

  it('sees a deleted and re-created topic at once', async () => {
    const name = uniqueName();
    await stack.call('POST', '/v1/topics', { name });
    await stack.call('POST', `/v1/topics/${name}/records`, { records: [{ value: str('old') }] });
    expect(values(await fetch0(name))).toEqual(['old']);
    await stack.call('DELETE', `/v1/topics/${name}`);
    expect((await fetch0(name)).status).toBe(404);
    await stack.call('POST', '/v1/topics', { name });
    await stack.call('POST', `/v1/topics/${name}/records`, { records: [{ value: str('new') }] });
    expect(values(await fetch0(name))).toEqual(['new']);
  });

  it('sees new partitions at once', async () => {
    const name = uniqueName();
    await stack.call('POST', '/v1/topics', { name, partitions: 1 });
    await fetch0(name);
    await stack.call('POST', `/v1/topics/${name}/partitions`, { partitions: 3 });
    await stack.call('POST', `/v1/topics/${name}/records`, { records: [{ partition: 2, value: str('p2') }] });
    expect(values(await fetch0(name, 2))).toEqual(['p2']);
  });

  // Checked against: the partition view applying retention by the cached topic without re-reading it
  // (lib/log/partition-view.ts) makes this fail.
  it('never drops records by a cached retention.ms older than a raise', async () => {
    const name = uniqueName();
    await stack.call('POST', '/v1/topics', { name, configs: { 'retention.ms': 200 } });
    await stack.call('POST', `/v1/topics/${name}/records`, { records: [{ value: str('keep') }] });
    expect(values(await fetch0(name))).toEqual(['keep']); // caches retention.ms = 200
    await stack.call('PATCH', `/v1/topics/${name}/configs`, { configs: { 'retention.ms': 3_600_000 } });
    // Past the old retention, within the cache's 1 s TTL: the view re-reads the topic before moving the start.
    clock.advance(400);
    const res = await fetch0(name);
    expect(values(res)).toEqual(['keep']);
    expect(res.body.logStartOffset).toBe(0);
  });
});

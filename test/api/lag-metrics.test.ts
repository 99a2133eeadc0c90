/**
 * The scheduled lag publisher (functions/lag-metrics): a read-only snapshot
 * of every group's lag (lib/groups/lag-snapshot.ts) published as EMF
 * `ConsumerLag` per group and per group and topic.
 */
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { publishLag } from '../../functions/lag-metrics/publish';
import { METRICS } from '../../functions/telemetry/names';
import { Telemetry } from '../../functions/telemetry/telemetry';
import { lagSnapshot } from '../../lib/groups/lag-snapshot';
import { createTestStack, uniqueName, type TestStack } from '../support/stack';

let stack: TestStack;
beforeAll(async () => {
  stack = await createTestStack();
});
afterEach(() => vi.restoreAllMocks());

const str = (data: string) => ({ type: 'STRING' as const, data });

async function topicWith(counts: number[]): Promise<string> {
  const name = uniqueName('lag');
  expect((await stack.call('POST', '/v1/topics', { name, partitions: counts.length })).status).toBe(201);
  for (const [partition, n] of counts.entries()) {
    const records = Array.from({ length: n }, (_, i) => ({ partition, value: str(`v${i}`) }));
    if (n > 0) expect((await stack.call('POST', `/v1/topics/${name}/records`, { records })).status).toBe(200);
  }
  return name;
}

async function join(group: string, memberId: string, topics: string[]): Promise<number> {
  const res = await stack.call('POST', `/v1/groups/${group}/heartbeat`, { memberId, memberEpoch: 0, topics, offsetReset: 'earliest' });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.memberEpoch as number;
}

describe('lag snapshot', () => {
  it('counts subscribed partitions from the log start and committed ones from the commit, per topic, agreeing with GET lag', async () => {
    const t1 = await topicWith([5, 3]);
    const t2 = await topicWith([4]);
    const group = uniqueName('g');
    const epoch = await join(group, 'm1', [t1, t2]);
    const commit = await stack.call('POST', `/v1/groups/${group}/commits`, {
      memberId: 'm1',
      memberEpoch: epoch,
      offsets: [{ topic: t1, partition: 0, offset: 4 }],
    });
    expect(commit.status, JSON.stringify(commit.body)).toBe(200);

    const sample = (await lagSnapshot(stack.lib)).find((s) => s.group === group);
    expect(sample).toEqual({
      group,
      totalLag: 1 + 3 + 4,
      topics: [
        { group, topic: t1, lag: 4, partitions: 2 },
        { group, topic: t2, lag: 4, partitions: 1 },
      ].sort((a, b) => a.topic.localeCompare(b.topic)),
    });
    expect((await stack.call('GET', `/v1/groups/${group}/lag`)).body.totalLag).toBe(sample!.totalLag);
  });

  it('reads only: sends no write to DynamoDB', async () => {
    const t = await topicWith([2]);
    await join(uniqueName('g'), 'm1', [t]);
    const sent: string[] = [];
    const send = stack.lib.ddb.send.bind(stack.lib.ddb);
    vi.spyOn(stack.lib.ddb, 'send').mockImplementation(((command: { constructor: { name: string } }, ...rest: unknown[]) => {
      sent.push(command.constructor.name);
      return (send as (...a: unknown[]) => unknown)(command, ...rest);
    }) as typeof stack.lib.ddb.send);
    await lagSnapshot(stack.lib);
    expect(sent.length).toBeGreaterThan(0);
    expect(sent.filter((name) => !/^(Get|Query|BatchGet)Command$/.test(name))).toEqual([]);
  });
});

describe('publishLag', () => {
  it('writes ConsumerLag per group and per group and topic as EMF', async () => {
    const t = await topicWith([3, 2]);
    const group = uniqueName('g');
    await join(group, 'm1', [t]);
    const lines: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: unknown) => {
      lines.push(...String(chunk).split('\n').filter((l) => l.startsWith('{')));
      return true;
    });
    await publishLag(stack.lib, new Telemetry({ serviceName: 'lag-test', logLevel: 'INFO' }));
    const emf = lines.map((l) => JSON.parse(l)).filter((l) => l.group === group);
    expect(emf.map((l) => [l._aws.CloudWatchMetrics[0].Dimensions, l.topic, l[METRICS.consumerLag]])).toEqual([
      [[['service', 'group'], ['service']], undefined, 5],
      [[['service', 'group', 'topic']], t, 5],
    ]);
    expect(emf[0]._aws.CloudWatchMetrics[0].Metrics).toEqual([{ Name: 'ConsumerLag', Unit: 'Count' }]);
    expect(lines.map((l) => JSON.parse(l)).find((l) => l.message === 'consumer lag published')).toMatchObject({ service: 'lag-test' });
  });

  it('without per-topic metrics writes only the per-group lines', async () => {
    const t = await topicWith([1]);
    const group = uniqueName('g');
    await join(group, 'm1', [t]);
    const lines: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: unknown) => {
      lines.push(...String(chunk).split('\n').filter((l) => l.startsWith('{')));
      return true;
    });
    await publishLag(stack.lib, new Telemetry({ serviceName: 'lag-test', logLevel: 'WARN', perTopic: false }));
    const emf = lines.map((l) => JSON.parse(l)).filter((l) => l.group === group);
    expect(emf.map((l) => l._aws.CloudWatchMetrics[0].Dimensions)).toEqual([[['service', 'group'], ['service']]]);
  });
});

/**
 * A partition that ends in aborted records (a transaction that failed after
 * its reservations) must not stall a subscription: delivery polls from the
 * group's commits, and the read plan gives the record budget to the
 * partitions in turn, so unless delivery commits past the aborted records the
 * same partition takes the budget on every poll, returns nothing, and the
 * others are never delivered (found by the checker's webhook-loss check).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ANONYMOUS } from '../../lib/auth/authorize';
import { committedOffsets } from '../../lib/groups/offsets';
import { createSubscription } from '../../lib/subscriptions/create';
import { deliver } from '../../lib/subscriptions/deliver';
import { subscriptionGroup } from '../../lib/subscriptions/items';
import { fetchTransport, type DeliveryPorts } from '../../lib/subscriptions/ports';
import { readerAbortsSecondItem } from '../support/abort-transaction';
import { ddbHook, type CallHook } from '../support/ddb-faults';
import { createTestStack, uniqueName, type TestStack } from '../support/stack';
import { Receiver } from './receiver';

let stack: TestStack;
let fault: CallHook | undefined;
const receiver = new Receiver();
let url: string;
const ports: DeliveryPorts = { transport: fetchTransport, scheduler: { wakeAt: async () => undefined } };

beforeAll(async () => {
  stack = await createTestStack({ plugins: [ddbHook('initialize', (call, next) => (fault === undefined ? next() : fault(call, next)))] });
  url = await receiver.start();
});
afterAll(() => receiver.stop());

const str = (data: string) => ({ type: 'STRING', data });

describe('push delivery past aborted records', () => {
  it('commits past a partition that ends in an aborted range and delivers the other partitions', async () => {
    const topic = uniqueName();
    const dlq = uniqueName('dlq');
    for (const name of [topic, dlq]) expect((await stack.call('POST', '/v1/topics', { name, partitions: 2 })).status).toBe(201);
    const name = uniqueName('sub');
    await createSubscription(stack.lib, ANONYMOUS, { name, topic, endpoint: url, deadLetterTopic: dlq, maxRecords: 3 });

    // A transaction of three records into partition 0 (and one into 1) fails after reserving: a reader
    // closes partition 1's reservation first, so both reservations end as aborted ranges.
    fault = readerAbortsSecondItem(stack);
    const tx = await stack.call('POST', '/v1/transactions', {
      records: [
        { topic, partition: 0, value: str('x0') },
        { topic, partition: 0, value: str('x1') },
        { topic, partition: 0, value: str('x2') },
        { topic, partition: 1, value: str('y') },
      ],
    });
    fault = undefined;
    expect(tx.status).toBe(503);
    // Partition 1 then gets records; partition 0 stays at its aborted tail.
    expect((await stack.call('POST', `/v1/topics/${topic}/records`, { records: ['b1', 'b2'].map((v) => ({ partition: 1, value: str(v) })) })).status).toBe(200);

    const report = await deliver(stack.lib, ports, name, { deadline: Date.now() + 10_000 });
    expect(report).toMatchObject({ outcome: 'delivered', delivered: 2, failures: 0 });
    const posted = receiver.received.filter((r) => r.json.subscription === name).flatMap((r) => (r.json.records as { value: { data: string } }[]).map((x) => x.value.data));
    expect(posted).toEqual(['b1', 'b2']);
    // Both partitions committed to their ends: partition 0 past its aborted range, nothing left to deliver.
    const commits = await committedOffsets(stack.lib, ANONYMOUS, subscriptionGroup(name));
    expect(commits.map((c) => [c.partition, c.offset]).sort()).toEqual([
      [0, 3],
      [1, 3],
    ]);
  });
});

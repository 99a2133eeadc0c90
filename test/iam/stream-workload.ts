/**
 * The workload of the functions API Gateway routes do not serve, for the IAM
 * replay: the WebSocket door (connect with a header key and with `?token=`,
 * a refused key, subscribe, ping, link and unlink group members, unsubscribe,
 * disconnect, which makes a linked member leave), the fan-out (one subscriber
 * sent to, one gone and removed, its linked member leaving) and subscription delivery (a
 * stream-triggered run whose webhook fails, a scheduled wake-up whose retry
 * exhausts the attempts and dead-letters the batch, then a delivered and
 * committed batch; the same for a second subscription whose target is a Lambda
 * function, which throws, then returns). Each function's calls are recorded under its name by
 * FunctionRecorder; the harness's own setup (topics, ACLs, produces over
 * HTTP) is not. The ports (send, webhook transport, Lambda invoker, scheduler) are stand-ins:
 * they are not DynamoDB, and their AWS adapters have their own tests.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { DynamoDBRecord, DynamoDBStreamEvent } from 'aws-lambda';
import { handleConnect, handleDisconnect, handleMessage } from '../../functions/push/handlers';
import { deliveryHandler } from '../../functions/subscriptions/stream-handler';
import { storeApiKey } from '../../lib/auth/keys';
import type { DeliveryPorts } from '../../lib/subscriptions/ports';
import { getTopic } from '../../lib/topics/topic-item';
import { fanOutHandler } from '../../functions/push/handlers';
import { ddbHook, type DdbCall, type ManualClock } from '../support/ddb-faults';
import { uniqueName, type TestStack } from '../support/stack';

export const STREAM_FUNCTIONS = ['push', 'pushFanOut', 'delivery'] as const;
export type StreamFunction = (typeof STREAM_FUNCTIONS)[number];

export interface FunctionCall extends DdbCall {
  fn: StreamFunction;
}

/** Records the DynamoDB calls made inside `as(fn, …)` under that function's name. */
export class FunctionRecorder {
  readonly calls: FunctionCall[] = [];
  private readonly running = new AsyncLocalStorage<StreamFunction>();
  readonly plugin = ddbHook('initialize', (call, next) => {
    const fn = this.running.getStore();
    if (fn !== undefined) this.calls.push({ ...call, fn });
    return next();
  });

  as<T>(fn: StreamFunction, run: () => Promise<T>): Promise<T> {
    return this.running.run(fn, run);
  }
}

function check(ok: boolean, what: string): void {
  if (!ok) throw new Error(`stream workload step failed: ${what}`);
}

/** A settled batch as the log table's stream reports it (NEW_IMAGE of an INSERT). */
function settled(topicId: string, partition: number, offset: number, count: number): DynamoDBRecord {
  return {
    eventName: 'INSERT',
    dynamodb: { NewImage: { pk: { S: `${topicId}#${partition}` }, sk: { N: String(offset) }, o: { N: String(offset) }, n: { N: String(count) } } },
  };
}

export interface StreamHarness {
  stack: TestStack;
  recorder: FunctionRecorder;
  clock: ManualClock;
  adminKey: string;
}

export async function runStreamWorkload(h: StreamHarness): Promise<{ sent: number; gone: number; posts: number; invocations: number; wakeUps: number }> {
  const { stack, recorder } = h;
  const admin = { authorization: `Bearer ${h.adminKey}` };
  const prefix = uniqueName('iampush');
  const topic = `${prefix}-t`;
  const dlq = `${prefix}-dlq`;
  const principal = `${prefix}-user`;
  for (const name of [topic, dlq]) check((await stack.call('POST', '/v1/topics', { name, partitions: 2 }, admin)).status === 201, `create ${name}`);
  for (const resourceType of ['topic', 'group']) {
    const acl = { principal, resourceType, resourceName: prefix, patternType: 'prefixed', operation: 'all' };
    check((await stack.call('POST', '/v1/acls', acl, admin)).status === 201, `acl ${resourceType}`);
  }
  const { apiKey } = await storeApiKey(stack.lib, { principal }, 'iam replay push');
  const user = { authorization: `Bearer ${apiKey}` };
  const { topicId } = await getTopic(stack.lib, topic);

  // The WebSocket door.
  const door = <T>(run: () => Promise<T>) => recorder.as('push', run);
  const [c1, c2] = [`${prefix}-c1`, `${prefix}-c2`];
  check((await door(() => handleConnect(stack.deps, c1, { headers: user, query: {} }))).ok, 'connect with a header');
  check((await door(() => handleConnect(stack.deps, c2, { headers: {}, query: { token: apiKey } }))).ok, 'connect with ?token=');
  const refused = await door(() => handleConnect(stack.deps, `${prefix}-c3`, { headers: { authorization: 'Bearer samsa_nope' }, query: {} }));
  check(!refused.ok, 'a bad key is refused');
  for (const c of [c1, c2]) {
    const reply = await door(() => handleMessage(stack.deps, c, JSON.stringify({ action: 'subscribe', topic })));
    check(reply.type === 'subscribed', `subscribe: ${JSON.stringify(reply)}`);
  }
  check((await door(() => handleMessage(stack.deps, c1, '{"action":"ping"}'))).type === 'pong', 'ping');
  // Group members linked to the connections: c1's leaves on $disconnect (door), c2's when the fan-out finds c2 gone.
  const group = `${prefix}-g`;
  const members: Record<string, number> = {};
  for (const memberId of ['m1', 'm2']) {
    const joined = await stack.call('POST', `/v1/groups/${group}/heartbeat`, { memberId, memberEpoch: 0, topics: [topic] }, user);
    check(joined.status === 200, `join ${memberId}: ${JSON.stringify(joined.body)}`);
    members[memberId] = joined.body.memberEpoch as number;
  }
  const link = (c: string, memberId: string) => door(() => handleMessage(stack.deps, c, JSON.stringify({ action: 'link', group, memberId, memberEpoch: members[memberId] })));
  check((await link(c1, 'm1')).type === 'linked', 'link m1');
  check((await door(() => handleMessage(stack.deps, c1, JSON.stringify({ action: 'unlink', group, memberId: 'm1' })))).type === 'unlinked', 'unlink m1');
  check((await link(c1, 'm1')).type === 'linked', 'link m1 again');
  check((await link(c2, 'm2')).type === 'linked', 'link m2');
  const un = await door(() => handleMessage(stack.deps, c2, JSON.stringify({ action: 'unsubscribe', topic, partitions: [1] })));
  check(un.type === 'unsubscribed', 'unsubscribe');

  // The fan-out: c2's connection is gone, so it is removed from the registry.
  const records = (p: number, ...values: string[]) => ({ records: values.map((v) => ({ partition: p, value: { type: 'STRING', data: v } })) });
  for (const p of [0, 1]) check((await stack.call('POST', `/v1/topics/${topic}/records`, records(p, 'a'), user)).status === 200, 'produce');
  const event: DynamoDBStreamEvent = { Records: [settled(topicId, 0, 0, 1), settled(topicId, 1, 0, 1)] };
  const outcome = { sent: 0, gone: 0 };
  await recorder.as('pushFanOut', () =>
    fanOutHandler(stack.deps, async (id) => {
      if (id === c2) {
        outcome.gone++;
        return 'gone';
      }
      outcome.sent++;
      return 'sent';
    })(event),
  );
  await door(() => handleDisconnect(stack.deps, c1));
  const left = await stack.call('GET', `/v1/groups/${group}`, undefined, user);
  check(left.status === 200 && JSON.stringify(left.body).includes('"m1"') === false && JSON.stringify(left.body).includes('"m2"') === false, `linked members left: ${JSON.stringify(left.body)}`);

  // Delivery: two failed attempts (the second, a wake-up, dead-letters), then a delivered batch.
  const sub = `${prefix}-sub`;
  const created = await stack.call('POST', '/v1/subscriptions', { name: sub, topic, endpoint: 'https://example.com/hook', deadLetterTopic: dlq, maxAttempts: 2, retryBackoffMs: 100 }, user);
  check(created.status === 201, `create subscription: ${JSON.stringify(created.body)}`);
  const fnSub = `${prefix}-fn-sub`;
  const fnEndpoint = 'arn:aws:lambda:us-east-1:123456789012:function:samsa-target-iam';
  const fnCreated = await stack.call('POST', '/v1/subscriptions', { name: fnSub, topic, endpoint: fnEndpoint, deadLetterTopic: dlq, maxAttempts: 2, retryBackoffMs: 100 }, user);
  check(fnCreated.status === 201, `create Lambda-target subscription: ${JSON.stringify(fnCreated.body)}`);
  for (const p of [0, 1]) check((await stack.call('POST', `/v1/topics/${topic}/records`, records(p, 'b', 'c'), user)).status === 200, 'produce');
  let status = 500;
  let posts = 0;
  let invocations = 0;
  let wakeUps = 0;
  const ports: DeliveryPorts = {
    transport: { post: async () => ({ status: (posts++, status) }) },
    lambda: {
      invoke: async () => (invocations++, { functionError: status === 200 ? undefined : 'Unhandled', payload: '{"errorType":"Error","errorMessage":"failing"}' }),
    },
    scheduler: { wakeAt: async () => void wakeUps++ },
  };
  const deliver = deliveryHandler(stack.lib, ports, 20_000);
  await recorder.as('delivery', () => deliver({ Records: [settled(topicId, 0, 1, 2), settled(topicId, 1, 1, 2)] }));
  h.clock.advance(1_000);
  await recorder.as('delivery', () => deliver({ subscription: sub }));
  await recorder.as('delivery', () => deliver({ subscription: fnSub }));
  status = 200;
  for (const p of [0, 1]) check((await stack.call('POST', `/v1/topics/${topic}/records`, records(p, 'd'), user)).status === 200, 'produce');
  await recorder.as('delivery', () => deliver({ Records: [settled(topicId, 0, 3, 1)] }));
  check(posts >= 3 && invocations >= 3 && wakeUps >= 2, `delivery posted ${posts} times, invoked ${invocations} times and scheduled ${wakeUps} wake-ups`);
  return { ...outcome, posts, invocations, wakeUps };
}

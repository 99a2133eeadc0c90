/**
 * A representative API workload for the IAM replay: every route at least
 * once, through the paths that write (topic lifecycle, plain, idempotent,
 * conditional and chunked produce, reads that close a dead writer's
 * reservation in fetch, group poll and delete-records, the whole group life
 * cycle, keys and ACLs), run as the deployment runs: API keys, a super user
 * for administration and an ordinary principal with ACL grants for data, so
 * every data request loads the ACL partition. Each step checks its status:
 * a refused request would not reach the calls it is there to exercise.
 */
import { InjectedCrash } from '../../lib/log/crash-points';
import { produce } from '../../lib/log/produce';
import type { ManualClock } from '../support/ddb-faults';
import { incompressibleBase64 } from '../support/noise';
import type { RouteRecorder } from '../support/route-recorder';
import { uniqueName, type TestStack } from '../support/stack';

export interface Harness {
  stack: TestStack;
  recorder: RouteRecorder;
  clock: ManualClock;
  /** A super user's key (stored by the harness, as `bootstrap` would). */
  adminKey: string;
  /** Past the stack's abort bound (abortAfterMs + clock skew): a reservation this old is dead. */
  abortAfterMs: number;
}

type Res = { status: number; body: any };

function ok(res: Res, status?: number): any {
  const good = status === undefined ? res.status >= 200 && res.status < 300 : res.status === status;
  if (!good) throw new Error(`workload step answered ${res.status}: ${JSON.stringify(res.body)}`);
  return res.body;
}

const str = (data: string) => ({ type: 'STRING' as const, data });

export async function runWorkload(h: Harness): Promise<void> {
  const call = h.recorder.caller(h.stack);
  const admin = { authorization: `Bearer ${h.adminKey}` };
  const prefix = uniqueName('iam');

  // Public routes, identity, keys and ACLs (admin function).
  ok(await call('GET', '/v1/health'), 200);
  ok(await call('GET', '/v1/openapi.json'), 200);
  ok(await call('GET', '/v1/whoami', undefined, admin), 200);
  const appKey = ok(await call('POST', '/v1/apikeys', { principal: 'app', description: 'iam replay' }, admin), 201).apiKey;
  const app = { authorization: `Bearer ${appKey}` };
  ok(await call('GET', '/v1/apikeys?principal=app', undefined, admin), 200);
  const temp = ok(await call('POST', '/v1/apikeys', { principal: 'temp' }, admin), 201);
  ok(await call('DELETE', `/v1/apikeys/${temp.keyId}`, undefined, admin));
  for (const resourceType of ['topic', 'group']) {
    ok(await call('POST', '/v1/acls', { principal: 'app', resourceType, resourceName: prefix, patternType: 'prefixed', operation: 'all' }, admin), 201);
  }
  const tempAcl = ok(await call('POST', '/v1/acls', { principal: 'temp', resourceType: 'topic', resourceName: prefix, operation: 'read' }, admin), 201);
  ok(await call('DELETE', `/v1/acls/${tempAcl.id}`, undefined, admin), 200);
  ok(await call('GET', '/v1/acls', undefined, admin), 200);
  ok(await call('GET', '/v1/whoami', undefined, app), 200);

  // Topic lifecycle (admin).
  const t = `${prefix}-log`;
  const single = `${prefix}-single`;
  ok(await call('POST', '/v1/topics', { name: t, partitions: 2 }, admin), 201);
  ok(await call('POST', '/v1/topics', { name: single, partitions: 1 }, admin), 201);
  ok(await call('GET', '/v1/topics', undefined, admin), 200);
  ok(await call('GET', `/v1/topics/${t}`, undefined, app), 200);
  ok(await call('POST', `/v1/topics/${t}/partitions`, { partitions: 3 }, admin));
  ok(await call('PATCH', `/v1/topics/${t}/configs`, { configs: { 'retention.ms': 86_400_000 } }, admin), 200);

  // Produce: plain, keyed, chunked (a batch larger than one item), idempotent with a retry and an epoch bump, conditional.
  const records = (partition: number, ...values: string[]) => ({ records: values.map((v, i) => ({ partition, key: str(`k${i}`), value: str(v) })) });
  for (const p of [0, 1, 2]) ok(await call('POST', `/v1/topics/${t}/records`, records(p, 'a', 'b'), app), 200);
  ok(await call('POST', `/v1/topics/${t}/records`, { records: [{ partition: 1, value: str(incompressibleBase64(450_000, 1)) }] }, app), 200);
  const producer = ok(await call('POST', '/v1/producers', undefined, app), 200);
  const idempotent = (seq: number, epoch: number) => ({ producerId: producer.producerId, producerEpoch: epoch, baseSequences: { '0': seq }, ...records(0, `i${seq}`) });
  ok(await call('POST', `/v1/topics/${t}/records`, idempotent(0, producer.producerEpoch), app), 200);
  ok(await call('POST', `/v1/topics/${t}/records`, idempotent(0, producer.producerEpoch), app), 200); // a retry: answered from producer state
  const bumped = ok(await call('POST', '/v1/producers', { producerId: producer.producerId }, app), 200);
  ok(await call('POST', `/v1/topics/${t}/records`, idempotent(0, bumped.producerEpoch), app), 200);
  // A transaction over two partitions, idempotent, and its retry (answered from the producer's transaction state).
  const txn = { producerId: bumped.producerId, producerEpoch: bumped.producerEpoch, sequence: 0, records: [0, 2].map((partition) => ({ topic: t, partition, value: str(`t${partition}`) })) };
  ok(await call('POST', '/v1/transactions', txn, app), 200);
  ok(await call('POST', '/v1/transactions', txn, app), 200);
  ok(await call('POST', `/v1/topics/${single}/records`, { expectedOffset: 0, records: [{ value: str('c0') }] }, app), 200);
  const stale = await call('POST', `/v1/topics/${single}/records`, { expectedOffset: 0, records: [{ value: str('late') }] }, app);
  if (stale.status < 400) throw new Error(`a stale expectedOffset was accepted: ${JSON.stringify(stale.body)}`);

  // A produce function that dies after reserving leaves a reservation open on each partition;
  // one record behind each, then time passes the abort bound. Its calls are produce's.
  const dying = { ...h.stack.lib, crash: (point: string) => { if (point === 'produce.afterReserve') throw new InjectedCrash(point as never); } };
  for (const p of [0, 1, 2]) {
    const dead = await h.recorder.as('produce', () => produce(dying, { name: 'app' }, t, { records: [{ partition: p, value: str('lost') }] }));
    if (!('error' in dead.records[0]!)) throw new Error('the crashed produce did not leave a dead reservation');
    ok(await call('POST', `/v1/topics/${t}/records`, records(p, 'after'), app), 200);
  }
  h.clock.advance(h.abortAfterMs + 1_000);

  // Partition 0: fetch closes the dead reservation with an abort marker.
  const fetched = ok(await call('GET', `/v1/topics/${t}/partitions/0/records?offset=0`, undefined, app), 200);
  if (fetched.abortedRanges.length === 0) throw new Error('fetch did not close the dead reservation');
  // Partition 2: delete-records (admin) walks past it.
  ok(await call('DELETE', `/v1/topics/${t}/partitions/2/records?before=1`, undefined, admin), 200);
  // Partition 1: a group poll closes it, and reads the chunked batch.
  const g = `${prefix}-group`;
  const joined = ok(await call('POST', `/v1/groups/${g}/heartbeat`, { memberId: 'm1', memberEpoch: 0, topics: [t] }, app), 200);
  const polled = ok(
    await call('POST', `/v1/groups/${g}/poll`, { memberId: 'm1', memberEpoch: joined.memberEpoch, topics: [t], owned: joined.assignment, offsetReset: 'earliest', maxRecords: 100, maxWaitMs: 200 }, app),
    200,
  );
  const positions: { topic: string; partition: number; offset: number }[] = polled.positions;
  ok(await call('GET', `/v1/topics/${t}/partitions/1/records?offset=0&maxRecords=100`, undefined, app), 200);
  ok(await call('GET', `/v1/topics/${t}/partitions/2/records?offset=1`, undefined, app), 200);

  // Offsets.
  for (const at of ['earliest', 'latest', '0']) ok(await call('GET', `/v1/topics/${t}/partitions/0/offsets?at=${at}`, undefined, app), 200);
  ok(await call('GET', `/v1/topics/${t}/offsets`, undefined, app), 200);
  ok(await call('DELETE', `/v1/topics/${t}/partitions/0/records?before=${fetched.highWatermark}`, undefined, admin), 200);

  // Consumer group: commit, a second member, describe/list/offsets/lag, remove, leave, reset, delete.
  ok(await call('POST', `/v1/groups/${g}/commits`, { memberId: 'm1', memberEpoch: polled.memberEpoch, offsets: positions.filter((p) => p.offset > 0) }, app), 200);
  // Consume-transform-produce: an output record and the member's commits in one transaction; a stale epoch's is refused.
  const moved = positions.filter((p) => p.offset > 0);
  const groupCommit = { groupId: g, memberId: 'm1', memberEpoch: polled.memberEpoch, offsets: moved };
  ok(await call('POST', '/v1/transactions', { records: [{ topic: t, partition: 0, value: str('derived') }], groupCommit }, app), 200);
  const fenced = await call('POST', '/v1/transactions', { records: [{ topic: t, partition: 0, value: str('late') }], groupCommit: { ...groupCommit, memberId: 'm9' } }, app);
  if (fenced.status < 400) throw new Error(`an unknown member's transaction was accepted: ${JSON.stringify(fenced.body)}`);
  ok(await call('POST', `/v1/groups/${g}/poll`, { memberId: 'm1', memberEpoch: polled.memberEpoch, topics: [t], owned: polled.assignment, positions, commit: positions, maxWaitMs: 0 }, app), 200);
  ok(await call('POST', `/v1/groups/${g}/heartbeat`, { memberId: 'm2', memberEpoch: 0, topics: [t] }, app), 200);
  ok(await call('POST', `/v1/groups/${g}/heartbeat`, { memberId: 'm1', memberEpoch: polled.memberEpoch, topics: [t], owned: polled.assignment }, app), 200);
  ok(await call('GET', `/v1/groups/${g}`, undefined, app), 200);
  ok(await call('GET', '/v1/groups', undefined, app), 200);
  ok(await call('GET', `/v1/groups/${g}/offsets`, undefined, app), 200);
  ok(await call('GET', `/v1/groups/${g}/lag`, undefined, app), 200);
  ok(await call('DELETE', `/v1/groups/${g}/members/m2`, undefined, app), 204);
  ok(await call('POST', `/v1/groups/${g}/heartbeat`, { memberId: 'm1', memberEpoch: -1 }, app), 200);
  ok(await call('POST', `/v1/groups/${g}/offsets/reset`, { topic: t, to: 'earliest' }, app), 200);
  ok(await call('DELETE', `/v1/groups/${g}`, undefined, app), 204);

  // Push subscriptions (groups function): create (resets the subscription's group to the topic's end), list, describe, pause, resume, delete.
  const sub = `${prefix}-sub`;
  ok(await call('POST', '/v1/subscriptions', { name: sub, topic: t, endpoint: 'https://example.com/hook', deadLetterTopic: single }, app), 201);
  ok(await call('GET', '/v1/subscriptions', undefined, app), 200);
  ok(await call('GET', `/v1/subscriptions/${sub}`, undefined, app), 200);
  ok(await call('POST', `/v1/subscriptions/${sub}/pause`, undefined, app), 200);
  ok(await call('POST', `/v1/subscriptions/${sub}/resume`, undefined, app), 200);
  ok(await call('DELETE', `/v1/subscriptions/${sub}`, undefined, app), 204);

  // Topic deletion (admin).
  ok(await call('DELETE', `/v1/topics/${single}`, undefined, admin));
  ok(await call('DELETE', `/v1/topics/${t}`, undefined, admin));
}

/**
 * Scenario 7, groups: what consumer groups cost per operation, from
 * DynamoDB's ConsumedCapacity (RRU and WRU apart, per command type), through
 * the Hono app (`app.request`, HTTP parsing included), one request in flight.
 *  1. Steady-state heartbeat of one member of a settled group of 1, 4 and 16
 *     members subscribed to one 16-partition topic. "Settled": every member
 *     heartbeats with `owned` = its assignment, round after round, until a
 *     whole round changes no member's epoch or assignment.
 *  2. Rebalance: a 5th member joins a settled group of 4; then every member
 *     heartbeats in turn (owned = assignment) until describe says Stable
 *     (every member holds exactly its target). Capacity of those heartbeats
 *     only (the describe calls that judge stability are not counted).
 *  3. Commit (POST …/commits) of 1 and of 16 offsets by their owner.
 *  4. Poll (group-poll.ts): POST …/poll of a member owning 4 partitions of 1,000 records of
 *     100 B each, with positions, maxWaitMs 0, HTTP defaults otherwise
 *     (maxRecords 500, maxBytes 1 MiB), from offset 0 until caught up,
 *     several passes; then polls with no new data (the fixed overhead).
 *  5. Raw baseline: one strongly consistent GetItem + one PutItem of a
 *     300-byte item in the scratch table — what a minimal heartbeat (read
 *     your state, write your liveness) could cost.
 *  6. Scale (group-scale.ts): polls at 16 and 256 partitions, idle rounds of
 *     1, 8 and 32 members.
 */
import { GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { marshall } from '@aws-sdk/util-dynamodb';
import { metaKeys } from '../../lib/storage/keys';
import { itemBytes, mergeTallies, summarizeTally, type Tally } from '../capacity';
import { memberAnswer, sequentialLoop, type BenchEnv } from '../env';
import { row, type Row, type ScenarioOutput, type TableRow } from '../report';
import { POLL_PARTITIONS, POLL_RECORDS_PER_PARTITION, runGroupPoll } from './group-poll';
import { runGroupScale } from './group-scale';
import { ratio, round, summarize } from '../stats';

const TOPIC_PARTITIONS = 16;
const GROUP_SIZES = [1, 4, 16];
const HEARTBEATS = 150;
/** Unmeasured heartbeats of the measured member first (JIT, connection reuse). */
const WARMUP_HEARTBEATS = 20;
const COMMITS_ONE = 150;
const COMMITS_SIXTEEN = 60;
const REBALANCE_REPEATS = 3;
const RAW_PAIRS = 200;
const RAW_ITEM_BYTES = 300;
/** Long enough that no member expires while the scenario runs. */
const SESSION_MS = 600_000;

interface TP {
  topic: string;
  partitions: number[];
}

interface Member {
  id: string;
  epoch: number;
  assignment: TP[];
}

const flat = (a: TP[]): string[] => a.flatMap((tp) => tp.partitions.map((p) => `${tp.topic}/${p}`)).sort();
const sameAssignment = (a: TP[], b: TP[]) => JSON.stringify(flat(a)) === JSON.stringify(flat(b));

/** Per-operation figures of a tally: RRU and WRU apart, calls, round trips and units per command type. */
/**
 * The first idle poll once writes stopped learns that each partition is caught up: an eventually
 * consistent read of its counter (0.5 RRU), then a strong one (1 RRU) whose answer the member item
 * keeps (lib/groups/caught-up.ts), plus the member read (1) and the marks Query (0.5): once per
 * quiet period, so later idle polls read no counter. Waiting out the quiet window (2.5 s) may also
 * make the member's heartbeat due (every half heartbeat interval), and with it the group's sweep
 * (the first heartbeat of an interval Queries the members): group and topic reads plus the sweep,
 * measured at 3.5 RRU, allowed 4.
 */
export const firstIdleBound = (partitions: number) => 1.5 + 1.5 * partitions + 4;
export const FIRST_IDLE_BOUND = '1.5 + 1.5 RRU per partition (member 1, marks 0.5; each counter 0.5, then strongly 1) + 4 for a heartbeat and group sweep if due; once per quiet period';

export function perOp(tally: Tally, ops: number) {
  const s = summarizeTally(tally);
  const byCommand: Record<string, { calls: number; roundTrips: number; units: number }> = {};
  for (const [name, c] of Object.entries(tally.byCommand)) {
    byCommand[name] = { calls: round(c.calls / ops, 3), roundTrips: round(c.roundTrips / ops, 3), units: round(c.capacityUnits / ops, 3) };
  }
  return {
    rru: round(s.rru / ops, 3),
    wru: round(s.wru / ops, 3),
    roundTrips: round(s.roundTrips / ops, 3),
    readCalls: round(s.readCalls / ops, 3),
    writeCalls: round(s.writeCalls / ops, 3),
    wastedWru: s.wastedWru,
    conditionalFailures: s.conditionalFailures,
    byCommand,
  };
}

const SHORT: Record<string, string> = { GetItem: 'Get', PutItem: 'Put', UpdateItem: 'Update', DeleteItem: 'Delete', BatchGetItem: 'BatchGet' };

/** "Get 2×/2 RRU, Query 1×/1 RRU, Put 1×/2 WRU": calls and units per operation by command. */
function commandsNote(byCommand: Record<string, { calls: number; units: number }>): string {
  const reads = new Set(['GetItem', 'Query', 'BatchGetItem', 'Scan', 'TransactGetItems']);
  return Object.entries(byCommand)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, c]) => `${SHORT[name] ?? name} ${round(c.calls, 2)}×/${round(c.units, 2)} ${reads.has(name) ? 'RRU' : 'WRU'}`)
    .join(', ');
}

export async function runGroups(env: BenchEnv, fetchDefaultsRruPerRecord?: number): Promise<ScenarioOutput> {
  let groups = 0;
  const groupName = (what: string) => `${what}-${++groups}-${env.prefix}`;

  const heartbeat = async (group: string, m: Member, topics: string[]): Promise<boolean> => {
    const body = {
      memberId: m.id,
      memberEpoch: m.epoch,
      topics,
      ...(m.epoch > 0 ? { owned: m.assignment } : {}),
      sessionTimeoutMs: SESSION_MS,
      rebalanceTimeoutMs: SESSION_MS,
    };
    const res = await env.call('POST', `/v1/groups/${group}/heartbeat`, body);
    if (res.status !== 200) throw new Error(`heartbeat ${group}/${m.id}: HTTP ${res.status} ${JSON.stringify(res.body)}`);
    const answer = memberAnswer(res.body);
    const changed = answer.memberEpoch !== m.epoch || !sameAssignment(answer.assignment, m.assignment);
    m.epoch = answer.memberEpoch;
    m.assignment = answer.assignment;
    return changed;
  };

  const describe = async (group: string) => {
    const res = await env.call('GET', `/v1/groups/${group}`);
    if (res.status !== 200) throw new Error(`describe ${group}: HTTP ${res.status} ${JSON.stringify(res.body)}`);
    return res.body as { state: string; epoch: number; members: { memberId: string; assignment: TP[]; target: TP[] }[] };
  };

  /** Joins `ids` one by one, then heartbeats round-robin until a whole round changes nothing. */
  const settle = async (group: string, topic: string, ids: string[]): Promise<{ members: Member[]; heartbeats: number; rounds: number }> => {
    const members: Member[] = ids.map((id) => ({ id, epoch: 0, assignment: [] }));
    let heartbeats = 0;
    for (const m of members) {
      await heartbeat(group, m, [topic]);
      heartbeats++;
    }
    for (let rounds = 1; rounds <= 30; rounds++) {
      let changed = false;
      for (const m of members) {
        if (await heartbeat(group, m, [topic])) changed = true;
        heartbeats++;
      }
      if (!changed) return { members, heartbeats, rounds };
    }
    throw new Error(`group ${group} did not settle within 30 rounds`);
  };

  const metaItemBytes = async (key: { pk: string; sk: string }): Promise<number> => {
    const out = await env.doc.send(new GetCommand({ TableName: env.tables.meta, Key: key }));
    return out.Item === undefined ? 0 : itemBytes(marshall(out.Item, { removeUndefinedValues: true }) as Record<string, unknown>);
  };

  const topic = await env.createTopic(TOPIC_PARTITIONS, {}, 'groups');

  // 1. Steady-state heartbeats.
  const hbRows = [];
  let oneMemberGroup: { group: string; member: Member } | undefined;
  for (const size of GROUP_SIZES) {
    const group = groupName(`hb${size}`);
    const ids = Array.from({ length: size }, (_, i) => `m${String(i).padStart(2, '0')}`);
    const settled = await settle(group, topic, ids);
    const me = settled.members[0] as Member;
    const epochBefore = me.epoch;
    const groupEpochBefore = (await describe(group)).epoch;
    const assignmentBefore = flat(me.assignment);
    let changes = 0;
    for (let i = 0; i < WARMUP_HEARTBEATS; i++) if (await heartbeat(group, me, [topic])) changes++;
    const before = env.meter.snapshot();
    const loop = await sequentialLoop(HEARTBEATS, 15_000, async () => {
      if (await heartbeat(group, me, [topic])) changes++;
    });
    const tally = env.meter.since(before);
    const after = await describe(group);
    const f = perOp(tally, loop.completed);
    const lat = summarize(loop.latenciesMs);
    hbRows.push({
      members: size,
      partitionsOwned: assignmentBefore.length,
      settleRounds: settled.rounds,
      settleHeartbeats: settled.heartbeats,
      heartbeats: loop.completed,
      heartbeatsPerSec: round((loop.completed / loop.elapsedMs) * 1000, 1),
      p50Ms: lat.p50Ms,
      p99Ms: lat.p99Ms,
      rruPerHeartbeat: f.rru,
      wruPerHeartbeat: f.wru,
      roundTripsPerHeartbeat: f.roundTrips,
      readCallsPerHeartbeat: f.readCalls,
      writeCallsPerHeartbeat: f.writeCalls,
      byCommand: f.byCommand,
      wastedWru: f.wastedWru,
      memberItemBytes: await metaItemBytes(metaKeys.member(group, me.id)),
      groupItemBytes: await metaItemBytes(metaKeys.group(group)),
      assignmentOrEpochChanges: changes,
      memberEpochUnchanged: me.epoch === epochBefore && JSON.stringify(flat(me.assignment)) === JSON.stringify(assignmentBefore),
      groupEpochUnchanged: after.epoch === groupEpochBefore,
      truncated: loop.truncated,
    });
    if (size === 1) oneMemberGroup = { group, member: me };
  }

  // 2. Rebalance: a 5th member joins a settled group of 4.
  const rebalances = [];
  for (let r = 0; r < REBALANCE_REPEATS; r++) {
    const group = groupName('rebalance');
    const { members } = await settle(group, topic, ['m00', 'm01', 'm02', 'm03']);
    const groupEpochBefore = (await describe(group)).epoch;
    const joiner: Member = { id: 'm04', epoch: 0, assignment: [] };
    const all = [...members, joiner];
    const tallies: Tally[] = [];
    const latencies: number[] = [];
    let heartbeats = 0;
    let stable = false;
    const start = performance.now();
    const step = async (m: Member) => {
      const before = env.meter.snapshot();
      const t0 = performance.now();
      await heartbeat(group, m, [topic]);
      latencies.push(performance.now() - t0);
      tallies.push(env.meter.since(before));
      heartbeats++;
      const d = await describe(group);
      stable =
        d.state === 'Stable' &&
        d.members.length === all.length &&
        all.every((x) => sameAssignment(x.assignment, d.members.find((dm) => dm.memberId === x.id)?.target ?? []));
    };
    await step(joiner);
    while (!stable && heartbeats < 60) {
      for (const m of all) {
        await step(m);
        if (stable) break;
      }
    }
    const elapsedMs = performance.now() - start;
    const tally = mergeTallies(...tallies);
    const s = summarizeTally(tally);
    const sizes = all.map((m) => flat(m.assignment).length).sort((a, b) => b - a);
    const owned = all.flatMap((m) => flat(m.assignment));
    const d = await describe(group);
    rebalances.push({
      heartbeats,
      stable,
      elapsedMs: round(elapsedMs, 1),
      rru: s.rru,
      wru: s.wru,
      roundTrips: s.roundTrips,
      wastedWru: s.wastedWru,
      conditionalFailures: s.conditionalFailures,
      byCommand: perOp(tally, 1).byCommand,
      groupEpochBefore,
      groupEpochAfter: d.epoch,
      finalAssignmentSizes: sizes,
      everyPartitionOwnedOnce: owned.length === TOPIC_PARTITIONS && new Set(owned).size === TOPIC_PARTITIONS,
      p50Ms: summarize(latencies).p50Ms,
      p99Ms: summarize(latencies).p99Ms,
      latenciesMs: latencies.map((x) => round(x, 1)),
    });
  }
  const rb = {
    repeats: rebalances.length,
    heartbeats: round(rebalances.reduce((a, x) => a + x.heartbeats, 0) / rebalances.length, 2),
    rru: round(rebalances.reduce((a, x) => a + x.rru, 0) / rebalances.length, 2),
    wru: round(rebalances.reduce((a, x) => a + x.wru, 0) / rebalances.length, 2),
    roundTrips: round(rebalances.reduce((a, x) => a + x.roundTrips, 0) / rebalances.length, 2),
    p50Ms: summarize(rebalances.flatMap((x) => x.latenciesMs)).p50Ms,
    p99Ms: summarize(rebalances.flatMap((x) => x.latenciesMs)).p99Ms,
    converged: rebalances.every(
      (x) => x.stable && x.everyPartitionOwnedOnce && JSON.stringify(x.finalAssignmentSizes) === JSON.stringify([4, 3, 3, 3, 3]),
    ),
  };

  // 3. Commits by the owner of all 16 partitions (the 1-member group).
  if (oneMemberGroup === undefined) throw new Error('groups: the 1-member group is missing');
  const owner = oneMemberGroup;
  let committed = 0;
  const commitRun = async (offsetsPerCommit: number, count: number) => {
    let failed = 0;
    const before = env.meter.snapshot();
    const loop = await sequentialLoop(count, 15_000, async () => {
      committed++;
      const offsets = Array.from({ length: offsetsPerCommit }, (_, p) => ({ topic, partition: p, offset: committed }));
      const res = await env.call('POST', `/v1/groups/${owner.group}/commits`, {
        memberId: owner.member.id,
        memberEpoch: owner.member.epoch,
        offsets,
      });
      if (res.status !== 200) failed++;
    });
    const f = perOp(env.meter.since(before), loop.completed);
    const lat = summarize(loop.latenciesMs);
    return {
      offsetsPerCommit,
      commits: loop.completed,
      failedCommits: failed,
      commitsPerSec: round((loop.completed / loop.elapsedMs) * 1000, 1),
      p50Ms: lat.p50Ms,
      p99Ms: lat.p99Ms,
      wruPerCommit: f.wru,
      wruPerOffset: round(f.wru / offsetsPerCommit, 3),
      rruPerCommit: f.rru,
      roundTripsPerCommit: f.roundTrips,
      byCommand: f.byCommand,
      wastedWru: f.wastedWru,
      truncated: loop.truncated,
    };
  };
  const commits = [await commitRun(1, COMMITS_ONE), await commitRun(TOPIC_PARTITIONS, COMMITS_SIXTEEN)];
  const topicItem = await env.doc.send(new GetCommand({ TableName: env.tables.meta, Key: metaKeys.topic(topic) }));
  const topicId = topicItem.Item?.topicId as string;
  const commitItemBytes = await metaItemBytes(metaKeys.commit(owner.group, topicId, 0));

  // 4. Poll (group-poll.ts).
  const { consumed, idle, passes } = await runGroupPoll(env, groupName, heartbeat, fetchDefaultsRruPerRecord);

  // 5. Raw baseline: strong GetItem + PutItem of a 300-byte item.
  const rawKey = { pk: `hb-raw-${env.prefix}`, sk: 0 };
  const rawItem = (i: number) => ({ ...rawKey, lastHeartbeat: Date.now(), epoch: i, pad: '' });
  const pad = RAW_ITEM_BYTES - itemBytes(marshall(rawItem(0)) as Record<string, unknown>);
  const fullItem = (i: number) => ({ ...rawItem(i), pad: 'x'.repeat(pad) });
  const rawBytes = itemBytes(marshall(fullItem(0)) as Record<string, unknown>);
  await env.doc.send(new PutCommand({ TableName: env.scratchTable, Item: fullItem(0) }));
  const rawBefore = env.meter.snapshot();
  const rawLoop = await sequentialLoop(RAW_PAIRS, 10_000, async (i) => {
    await env.doc.send(new GetCommand({ TableName: env.scratchTable, Key: rawKey, ConsistentRead: true }));
    await env.doc.send(new PutCommand({ TableName: env.scratchTable, Item: fullItem(i + 1) }));
  });
  const rawOps = perOp(env.meter.since(rawBefore), rawLoop.completed);
  const rawLat = summarize(rawLoop.latenciesMs);
  const raw = {
    itemBytes: rawBytes,
    pairs: rawLoop.completed,
    p50Ms: rawLat.p50Ms,
    p99Ms: rawLat.p99Ms,
    rruPerPair: rawOps.rru,
    wruPerPair: rawOps.wru,
    roundTripsPerPair: rawOps.roundTrips,
    byCommand: rawOps.byCommand,
  };

  // Polls at 16 and 256 partitions, idle rounds of 1, 8 and 32 members (group-scale.ts).
  const scaled = await runGroupScale(env, env.prefix);

  // Table rows.
  const rows: TableRow[] = [];
  for (const h of hbRows) {
    rows.push({
      scenario: 'groups',
      variant: `heartbeat, ${h.members} member${h.members === 1 ? '' : 's'} (owns ${h.partitionsOwned})`,
      p50Ms: h.p50Ms,
      p99Ms: h.p99Ms,
      rruPerOp: h.rruPerHeartbeat,
      wruPerOp: h.wruPerHeartbeat,
      roundTripsPerOp: h.roundTripsPerHeartbeat,
      note:
        `${commandsNote(h.byCommand)}; member item ${h.memberItemBytes} B, group item ${h.groupItemBytes} B; ` +
        `vs raw ×${round(ratio(h.rruPerHeartbeat, raw.rruPerPair), 2)} RRU, ×${round(ratio(h.wruPerHeartbeat, raw.wruPerPair), 2)} WRU` +
        (h.memberEpochUnchanged && h.groupEpochUnchanged ? '' : '; EPOCH CHANGED'),
    });
  }
  rows.push({
    scenario: 'groups',
    variant: 'rebalance: 5th member joins 4',
    p50Ms: rb.p50Ms,
    p99Ms: rb.p99Ms,
    rruPerOp: rb.rru,
    wruPerOp: rb.wru,
    roundTripsPerOp: rb.roundTrips,
    note:
      `per rebalance (mean of ${rb.repeats}): ${rb.heartbeats} heartbeats to Stable (${rebalances.map((x) => x.heartbeats).join('/')}); ` +
      `p50/p99 per heartbeat; ${commandsNote(Object.fromEntries(Object.entries(rebalances[0]!.byCommand)))} (first run)` +
      (rb.converged ? '' : '; DID NOT CONVERGE'),
  });
  for (const c of commits) {
    rows.push({
      scenario: 'groups',
      variant: `commit ${c.offsetsPerCommit} offset${c.offsetsPerCommit === 1 ? '' : 's'}`,
      p50Ms: c.p50Ms,
      p99Ms: c.p99Ms,
      rruPerOp: c.rruPerCommit,
      wruPerOp: c.wruPerCommit,
      roundTripsPerOp: c.roundTripsPerCommit,
      note: `${c.wruPerOffset} WRU/offset; ${commandsNote(c.byCommand)}` + (c.failedCommits > 0 ? `; ${c.failedCommits} FAILED` : ''),
    });
  }
  rows.push({
    scenario: 'groups',
    variant: `poll 4×${POLL_RECORDS_PER_PARTITION} rec, defaults`,
    recordsPerSec: consumed.recordsPerSec,
    p50Ms: consumed.p50Ms,
    p99Ms: consumed.p99Ms,
    rruPerRecord: consumed.rruPerRecord,
    wruPerRecord: consumed.wruPerRecord,
    rruPerOp: consumed.rruPerPoll,
    wruPerOp: consumed.wruPerPoll,
    roundTripsPerOp: consumed.roundTripsPerPoll,
    note:
      `${consumed.recordsPerPoll} rec/poll, ${passes.length} passes, first pass ${consumed.firstPassRruPerRecord} RRU/rec` +
      (fetchDefaultsRruPerRecord === undefined ? '' : `; vs 1-partition fetch (defaults) ×${round(ratio(consumed.rruPerRecord, fetchDefaultsRruPerRecord), 2)}`) +
      (consumed.everyRecordOnceInOrder ? '' : '; RECORDS MISSING OR OUT OF ORDER'),
  });
  rows.push({
    scenario: 'groups',
    variant: 'poll, no new data (4 partitions)',
    p50Ms: idle.p50Ms,
    p99Ms: idle.p99Ms,
    rruPerOp: idle.rruPerPoll,
    wruPerOp: idle.wruPerPoll,
    roundTripsPerOp: idle.roundTripsPerPoll,
    note: `fixed per-poll overhead, maxWaitMs 0; ${commandsNote(idle.byCommand)}`,
  });
  rows.push({
    scenario: 'groups',
    variant: `raw strong Get + Put ${raw.itemBytes} B`,
    p50Ms: raw.p50Ms,
    p99Ms: raw.p99Ms,
    rruPerOp: raw.rruPerPair,
    wruPerOp: raw.wruPerPair,
    roundTripsPerOp: raw.roundTripsPerPair,
    note: 'baseline: a minimal heartbeat (read own state, write liveness), scratch table, no HTTP',
  });

  const last = hbRows.at(-1);
  const first = hbRows[0];
  const checks: Row[] = [
    ...hbRows.map((h) => row('groups', `steady-state heartbeat, ${h.members} member${h.members === 1 ? '' : 's'}: WRU`, h.wruPerHeartbeat, 'WRU', ['<=', 1], `${h.rruPerHeartbeat} RRU`)),
    row(
      'groups',
      'steady-state heartbeats that moved an epoch or an assignment',
      hbRows.reduce((n, h) => n + h.assignmentOrEpochChanges + (h.memberEpochUnchanged ? 0 : 1) + (h.groupEpochUnchanged ? 0 : 1), 0),
      'changes',
      ['=', 0],
    ),
    row('groups', 'rebalance 4 → 5 members: runs that did not end Stable with each partition owned once', rebalances.filter((x) => !x.stable).length + (rb.converged ? 0 : 1), 'runs', ['=', 0], rebalances.map((x) => `${x.finalAssignmentSizes.join('/')} after ${x.heartbeats} heartbeats`).join('; ')),
    ...commits.map((c) => row('groups', `commit of ${c.offsetsPerCommit} offset${c.offsetsPerCommit === 1 ? '' : 's'}: WRU per offset`, c.failedCommits > 0 ? Number.NaN : c.wruPerOffset, 'WRU', ['<=', 1])),
    row('groups', 'group poll, 4 partitions: records missed, repeated or out of order', consumed.everyRecordOnceInOrder ? 0 : 1, 'passes', ['=', 0], `${passes.length} passes of ${POLL_PARTITIONS * POLL_RECORDS_PER_PARTITION} records`),
    row('groups', 'group poll, 4 partitions × 1,000 records of 100 B, defaults: RRU/record', consumed.rruPerRecord, 'RRU', ['<=', 0.015], fetchDefaultsRruPerRecord === undefined ? undefined : `1-partition sequential fetch, defaults: ${fetchDefaultsRruPerRecord}`),
    row('groups', 'group poll, 4 partitions: sequential DynamoDB round trips per poll (mean)', consumed.sequentialRoundTripsPerPoll, 'round trips', undefined, `max ${consumed.maxSequentialRoundTrips}; ${consumed.roundTripsPerPoll} calls/poll`),
    row('groups', 'idle group poll, 4 partitions: RRU per poll', idle.rruPerPoll, 'RRU', ['<=', 3], `${idle.sequentialRoundTripsPerPoll} sequential round trips; measured ${idle.waitedMsAfterLastWrite} ms after the last write and after the first idle poll`),
    row('groups', 'first idle group poll once the data stopped, 4 partitions: RRU', idle.first.rru, 'RRU', ['<=', firstIdleBound(4)], `${idle.first.wru} WRU (the member item records the partitions caught up); target ${FIRST_IDLE_BOUND}`),
    row('groups', `heartbeat RRU growth from 1 to ${last?.members ?? 0} members`, (last?.rruPerHeartbeat ?? Number.NaN) - (first?.rruPerHeartbeat ?? Number.NaN), 'RRU', ['<=', 1], hbRows.map((h) => `${h.members}m: ${h.rruPerHeartbeat}`).join(', ')),
    ...scaled.checks,
  ];

  return {
    key: 'groups',
    json: {
      via: 'Hono app.request (POST /v1/groups/{g}/heartbeat, /commits, /poll); raw baseline on the scratch table',
      topicPartitions: TOPIC_PARTITIONS,
      sessionTimeoutMs: SESSION_MS,
      heartbeat: hbRows,
      rebalance: { ...rb, runs: rebalances },
      commit: { commitItemBytes, rows: commits },
      poll: consumed,
      pollNoNewData: idle,
      rawGetPut: raw,
      scale: scaled.json,
    },
    rows: [...rows, ...scaled.rows],
    checks,
    notes: [
      'groups: heartbeat/commit/poll figures are per operation (RRU/op, WRU/op, RT/op = every DynamoDB round trip of one request); rebalance figures are per whole rebalance, counting only the heartbeats (not the describe calls that judge stability).',
    ],
  };
}

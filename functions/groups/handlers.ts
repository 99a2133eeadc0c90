/** Consumer-group routes: membership, poll, commits and group admin. */
import { ERROR_CODES, type ErrorCode } from '../../lib/errors';
import { commitOffsets } from '../../lib/groups/commit';
import { deleteGroup, removeGroupMember } from '../../lib/groups/delete';
import { describeGroup } from '../../lib/groups/describe';
import { heartbeat } from '../../lib/groups/heartbeat';
import { groupLag } from '../../lib/groups/lag';
import { listGroups } from '../../lib/groups/list';
import { committedOffsets } from '../../lib/groups/offsets';
import { poll } from '../../lib/groups/poll';
import { resetOffsets } from '../../lib/groups/reset-offsets';
import { parseInput } from '../../lib/protocol/parse';
import { commitBody, heartbeatBody, pollBody, resetOffsetsBody } from '../../lib/protocol/groups';
import type { RouteHandlers } from '../http/app';
import { noteTraffic } from '../http/observability';
import { payloadBytes, toWireRecord } from '../http/records';
import { pathParam, readJson } from '../http/request';

export const groupHandlers: RouteHandlers = {
  listGroups: async (c, { lib, principalOf }) => c.json({ groups: await listGroups(lib, principalOf(c)) }),

  describeGroup: async (c, { lib, principalOf }) => c.json(await describeGroup(lib, principalOf(c), pathParam(c, 'group'))),

  deleteGroup: async (c, { lib, principalOf }) => {
    await deleteGroup(lib, principalOf(c), pathParam(c, 'group'));
    return c.body(null, 204);
  },

  groupHeartbeat: async (c, { lib, principalOf }) => {
    const body = parseInput(heartbeatBody, await readJson(c, lib.limits));
    return c.json(await heartbeat(lib, principalOf(c), pathParam(c, 'group'), body));
  },

  groupPoll: async (c, { lib, principalOf }) => {
    const body = parseInput(pollBody, await readJson(c, lib.limits));
    const result = await poll(lib, principalOf(c), pathParam(c, 'group'), body);
    for (const topic of new Set(result.records.map((r) => r.topic))) {
      const records = result.records.filter((r) => r.topic === topic);
      noteTraffic(c, { topic, direction: 'out', records: records.length, bytes: payloadBytes(records) });
    }
    return c.json({ ...result, records: result.records.map((r) => ({ topic: r.topic, partition: r.partition, ...toWireRecord(r, false) })) });
  },

  groupCommit: async (c, { lib, principalOf }) => {
    const body = parseInput(commitBody, await readJson(c, lib.limits));
    const offsets = await commitOffsets(lib, principalOf(c), pathParam(c, 'group'), body.memberId, body.memberEpoch, body.offsets);
    const failed = offsets.filter((o) => 'error' in o);
    if (failed.length === 0) return c.json({ offsets });
    const first = (failed[0] as { error: { code: ErrorCode; message: string; retriable: boolean } }).error;
    return c.json({ error: { ...first, requestId: c.get('requestId') }, offsets }, ERROR_CODES[first.code].status as 409);
  },

  groupOffsets: async (c, { lib, principalOf }) => {
    const group = pathParam(c, 'group');
    const offsets = await committedOffsets(lib, principalOf(c), group);
    return c.json({ group, offsets: offsets.map(({ topicId: _id, ...o }) => ({ ...o, committedAt: new Date(o.committedAt).toISOString() })) });
  },

  resetGroupOffsets: async (c, { lib, principalOf }) => {
    const body = parseInput(resetOffsetsBody, await readJson(c, lib.limits));
    const group = pathParam(c, 'group');
    return c.json({ group, offsets: await resetOffsets(lib, principalOf(c), group, body) });
  },

  groupLag: async (c, { lib, principalOf }) => c.json(await groupLag(lib, principalOf(c), pathParam(c, 'group'))),

  removeGroupMember: async (c, { lib, principalOf }) => {
    await removeGroupMember(lib, principalOf(c), pathParam(c, 'group'), pathParam(c, 'member'));
    return c.body(null, 204);
  },
};

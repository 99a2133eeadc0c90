/**
 * OffsetCommit and OffsetFetch over Samsa's commit store, the same one the
 * HTTP API's commits and `GET /v1/groups/{g}/offsets` use.
 * - A member's commit (generation ≥ 0) → lib/groups/commit.ts with the
 *   generation as member epoch: fenced exactly like an HTTP member's commit
 *   (only partitions it owns, only from its live incarnation).
 * - A commit outside any generation (generation -1, no member id: tools and
 *   admin clients) → lib/groups/reset-offsets.ts to that offset, which Samsa
 *   allows only while the group has no live member, as Kafka does.
 * - OffsetFetch: the group's committed offsets; -1 where there is none.
 * Commit metadata is kept; leader epochs are not (Samsa has none).
 */
import { commitOffsets } from '../../lib/groups/commit';
import { committedOffsets } from '../../lib/groups/offsets';
import { resetOffsets } from '../../lib/groups/reset-offsets';
import type { ApiHandler, Gateway, Session } from '../api';
import { KafkaError, kafkaCode } from '../errors';
import type { KStruct } from '../protocol/codec';

export const offsetCommit: ApiHandler = {
  key: 8,
  name: 'OffsetCommit',
  min: 2,
  max: 8,
  async handle(g, s, req) {
    const generation = req.generationIdOrMemberEpoch as number;
    const memberId = req.memberId as string;
    const topics = req.topics as KStruct[];
    const codes = new Map<string, number>();
    const key = (t: string, p: number) => `${p}:${t}`;
    if (generation < 0 && memberId === '') {
      await standaloneCommit(g, s, req.groupId, topics, codes);
    } else {
      const offsets = topics.flatMap((t) =>
        (t.partitions as KStruct[]).map((p) => ({ topic: t.name as string, partition: p.partitionIndex as number, offset: Number(p.committedOffset), metadata: p.committedMetadata ?? '' })),
      );
      try {
        const results = await commitOffsets(g.lib, s.principal, req.groupId, memberId, generation, offsets);
        for (const r of results) codes.set(key(r.topic, r.partition), 'error' in r ? kafkaCode(r.error.code, 'group') : KafkaError.NONE);
      } catch (err) {
        for (const o of offsets) codes.set(key(o.topic, o.partition), kafkaCode(err, 'group'));
      }
    }
    return {
      throttleTimeMs: 0,
      topics: topics.map((t) => ({
        name: t.name,
        partitions: (t.partitions as KStruct[]).map((p) => ({ partitionIndex: p.partitionIndex, errorCode: codes.get(key(t.name, p.partitionIndex)) ?? KafkaError.UNKNOWN_SERVER_ERROR })),
      })),
    };
  },
};

async function standaloneCommit(g: Gateway, s: Session, group: string, topics: KStruct[], codes: Map<string, number>): Promise<void> {
  for (const t of topics) {
    for (const p of t.partitions as KStruct[]) {
      let code: number = KafkaError.NONE;
      try {
        await resetOffsets(g.lib, s.principal, group, { topic: t.name, partitions: [p.partitionIndex], to: { offset: Number(p.committedOffset) } });
      } catch (err) {
        // A live group refuses outside commits: Kafka answers those with UNKNOWN_MEMBER_ID too.
        const samsa = kafkaCode(err, 'group');
        code = samsa === KafkaError.NON_EMPTY_GROUP ? KafkaError.UNKNOWN_MEMBER_ID : samsa;
      }
      codes.set(`${p.partitionIndex}:${t.name}`, code);
    }
  }
}

export const offsetFetch: ApiHandler = {
  key: 9,
  name: 'OffsetFetch',
  min: 1,
  max: 7,
  async handle(g, s, req) {
    let committed;
    try {
      committed = await committedOffsets(g.lib, s.principal, req.groupId);
    } catch (err) {
      return { throttleTimeMs: 0, errorCode: kafkaCode(err, 'group'), topics: [] };
    }
    const found = new Map(committed.map((c) => [`${c.partition}:${c.topic}`, c]));
    const asked: KStruct[] =
      req.topics === null
        ? [...new Set(committed.map((c) => c.topic))].map((name) => ({ name, partitionIndexes: committed.filter((c) => c.topic === name).map((c) => c.partition) }))
        : req.topics;
    return {
      throttleTimeMs: 0,
      errorCode: KafkaError.NONE,
      topics: asked.map((t) => ({
        name: t.name,
        partitions: (t.partitionIndexes as number[]).map((p) => {
          const c = found.get(`${p}:${t.name}`);
          return { partitionIndex: p, committedOffset: BigInt(c?.offset ?? -1), committedLeaderEpoch: -1, metadata: c?.metadata ?? '', errorCode: KafkaError.NONE };
        }),
      })),
    };
  },
};

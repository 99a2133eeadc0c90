/**
 * The storage schema: the one source of truth for Samsa's DynamoDB tables,
 * imported by the CDK stack (cdk/) and by the local/test bootstrap
 * (lib/storage/ensure-tables.ts). Plain data, no AWS SDK or CDK types.
 *
 * Two tables, both on-demand (PAY_PER_REQUEST), encrypted, with point-in-time
 * recovery, retained when the stack is deleted.
 *
 * ## meta table — `pk` (S), `sk` (S), TTL attribute `ttl`
 * | item             | pk                            | sk                   | holds |
 * |------------------|-------------------------------|----------------------|-------|
 * | topic            | `topics`                      | `<name>`             | topicId (UUID minted at create), partitions, configs, createdAt, version |
 * | producer ids     | `producers`                   | `next`               | atomic counter that mints producer ids |
 * | producer         | `producers`                   | `id#<producerId>`    | current epoch (bumped to fence an older instance) |
 * | producer state   | `pstate#<topicId>#<p>`        | `<producerId>`       | epoch, last five sequences → reservations, payload hashes |
 * | group registry   | `groups`                      | `<group>`            | one item per group, for listing |
 * | group            | `group#<group>`               | `group`              | group epoch, members' subscriptions, target assignment, topic metadata it was computed from |
 * | member           | `group#<group>`               | `member#<memberId>`  | member epoch, assigned and held partitions, last heartbeat (liveness lives here, not in the group item) |
 * | retired member   | `group#<group>`               | `retired#<memberId>` | the highest epoch any removed incarnation of the member id held; a re-join starts above it (kept when the group is deleted) |
 * | commit           | `group#<group>`               | `commit#<topicId>#<p>` | committed offset and metadata, and the partition's ownership lease (owner member id + the epoch it was granted in) that fences every commit |
 *
 * The topic registry is one item collection so that listing is one Query;
 * handlers cache topic metadata briefly, so the key is not hot.
 *
 * ## log table — `pk` (S) = `<topicId>#<partition>`, `sk` (N), TTL attribute `ttl`
 * | item          | sk            | holds |
 * |---------------|---------------|-------|
 * | counter       | -1            | `seq` next reservation sequence, `next` next offset, `ra` last reservedAt, log start (`ls` seq, `lo` offset, `lra`), stable cursor (`cur` seq, `co` offset) |
 * | batch         | seq ≥ 0       | `o` baseOffset, `n` record count, timestamps, `r` encoded records, `ra` reservedAt, `ttl` |
 * | abort marker  | seq ≥ 0       | `o` baseOffset, `n` count, `ab` = true, `ttl` — closes a dead writer's reservation |
 *
 * Beside each partition: chunk items of large batches (pk `<topicId>#<p>#chunks`,
 * sk = seq × 256 + index) and six-hourly reservation-time checkpoints (pk
 * `<topicId>#<p>#cp`, sk = seq, `at`), both with TTL. Beside each topic:
 * activity marks (pk `<topicId>#act`, sk = partition ÷ 16, `p<partition>` =
 * time of the partition's last mark, TTL), which let a group poll tell which
 * partitions may have new records in one Query (lib/log/activity.ts); the
 * counter's `mt` records a mark known to have landed.
 *
 * Index `byOffset` (GSI): `pk`, `o`, projecting `n`, `ra`, `ab`, `mt` — finds the
 * batch holding an offset and lets readers walk settled sequence numbers
 * without reading record bytes. Only batches and abort markers carry `o`, so
 * the index is sparse (the counter is not in it). It lags: a hint, never
 * evidence of absence.
 *
 * ## Invariants (why: docs/design.md, "The partition log")
 * - Data is keyed by the immutable topic id, never the name: delete + re-create
 *   of a name yields a new id, so old items (TTL removes them days later) can
 *   never collide with or leak into the new topic. Group commits too.
 * - The counter item is created with the topic, before the topic is visible;
 *   every reservation is conditional on it existing (an ADD on a missing item
 *   would silently resurrect a deleted topic). Deleting a topic deletes its
 *   counters, so late writers that still hold the old id fail.
 * - Each seq is settled at most once, by its batch or by an abort marker,
 *   through `attribute_not_exists`, and never changes afterwards.
 * - TTL = server append time + retention + margin, in epoch seconds; the log
 *   start is stored explicitly and moves before anything can expire.
 */

export type AttributeType = 'S' | 'N' | 'B';

export interface KeyAttribute {
  name: string;
  type: AttributeType;
}

export interface GlobalIndexDefinition {
  indexName: string;
  partitionKey: KeyAttribute;
  sortKey: KeyAttribute;
  projection: 'KEYS_ONLY' | 'INCLUDE' | 'ALL';
  /** With INCLUDE: the non-key attributes copied into the index. */
  nonKeyAttributes?: string[];
}

export interface TableDefinition {
  /** Stable CloudFormation logical id: changing it would replace the table and lose data. */
  logicalId: string;
  /** Suffix of the table name in the local stack and tests (`<prefix>-<localName>`). */
  localName: string;
  partitionKey: KeyAttribute;
  sortKey: KeyAttribute;
  timeToLiveAttribute: string;
  globalIndexes: GlobalIndexDefinition[];
  billingMode: 'PAY_PER_REQUEST';
  pointInTimeRecovery: true;
  /** Retained on stack deletion. */
  retain: true;
  /**
   * A DynamoDB Stream of item changes, if any. Enabling one on an existing
   * table is an in-place update (no replacement, no data copied).
   */
  stream?: 'NEW_IMAGE' | 'KEYS_ONLY';
}

export const META_TABLE: TableDefinition = {
  logicalId: 'MetaTable',
  localName: 'meta',
  partitionKey: { name: 'pk', type: 'S' },
  sortKey: { name: 'sk', type: 'S' },
  timeToLiveAttribute: 'ttl',
  globalIndexes: [],
  billingMode: 'PAY_PER_REQUEST',
  pointInTimeRecovery: true,
  retain: true,
};

export const BY_OFFSET_INDEX = 'byOffset';

export const LOG_TABLE: TableDefinition = {
  logicalId: 'LogTable',
  localName: 'log',
  partitionKey: { name: 'pk', type: 'S' },
  sortKey: { name: 'sk', type: 'N' },
  timeToLiveAttribute: 'ttl',
  globalIndexes: [
    {
      indexName: BY_OFFSET_INDEX,
      partitionKey: { name: 'pk', type: 'S' },
      sortKey: { name: 'o', type: 'N' },
      // Tiny entries (< 100 B, still 1 WCU each) that let readers find the
      // stable end and the batch for an offset without reading record bytes.
      projection: 'INCLUDE',
      nonKeyAttributes: ['n', 'ra', 'ab', 'mt'],
    },
  ],
  billingMode: 'PAY_PER_REQUEST',
  pointInTimeRecovery: true,
  retain: true,
  // Push fan-out (lib/push/settled.ts) reads a settled batch's `o` and `n`
  // (its high watermark) and tells it from an abort marker (`ab`): the key
  // alone cannot. Lambda reads of a stream are free, so the image costs
  // nothing but event-size (bounded by the 400 KB item).
  stream: 'NEW_IMAGE',
};

export const TABLES = { meta: META_TABLE, log: LOG_TABLE } as const;

/** Physical table names, passed to lib by whoever built the client. */
export interface TableNames {
  meta: string;
  log: string;
}

export function localTableNames(prefix: string): TableNames {
  return { meta: `${prefix}-${META_TABLE.localName}`, log: `${prefix}-${LOG_TABLE.localName}` };
}

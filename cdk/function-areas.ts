/**
 * One Lambda function per FunctionArea (functions/http/routes.ts). Adding an
 * area is one entry here; the `Record<FunctionArea, …>` type makes a missing
 * entry a type error, so a route can never point at a function that does not
 * exist. The entry point is always `functions/<area>/index.ts`.
 */
import { Duration } from 'aws-cdk-lib';
import type { FunctionArea } from '../functions/http/routes';
import { READER_WRITTEN_ATTRIBUTES } from '../lib/log/reader-writes';
import { metaKeys } from '../lib/storage/keys';
import { subscriptionKeys } from '../lib/subscriptions/items';
import type { ConfinedWrites, TableAccess, TableKey } from './constructs/tables';

export interface FunctionAreaSpec {
  /** MB; Lambda CPU scales with it, so it is set per area rather than defaulted. */
  memorySize: number;
  /**
   * Must stay below API Gateway's 30 s integration timeout (checked at synth),
   * or the client sees a 503 while the function keeps running.
   */
  timeout: Duration;
  /** The exact DynamoDB actions per table; the grant also sets the table-name env var. */
  tables: TableAccess;
  /** Query allowed only on these partition keys (IAM `dynamodb:LeadingKeys`), per table. */
  queryPartitions?: Partial<Record<TableKey, readonly string[]>>;
  /** Writes allowed only to named attributes or partitions, one IAM statement per entry. */
  confinedWrites?: Partial<Record<TableKey, readonly ConfinedWrites[]>>;
  /**
   * Reserved concurrency when asked for (CDK context `samsa:reservedConcurrency=true`, or a JSON
   * object of overrides); off by default, since a new account's whole limit is 10.
   * It guarantees the area its instances, so long-polls in fetch and groups can never take the
   * instances producers need, and caps how many instances (and quota buckets) the area can have.
   */
  reservedConcurrency: number;
}

type ReaderAttribute = (typeof READER_WRITTEN_ATTRIBUTES)[number];
/** The log's table and byOffset index keys: AWS requires them in every dynamodb:Attributes list. */
const LOG_KEYS = ['pk', 'sk', 'o'] as const satisfies readonly ReaderAttribute[];
/** An abort marker (lib/log/batch-item.ts markerItem). */
const MARKER = [...LOG_KEYS, 'ab', 'ra', 'ttl'] as const satisfies readonly ReaderAttribute[];
/** The counter's stable cursor, log start and newest hole (lib/log/counter.ts). No ttl: the counter never expires. */
const CURSORS = [...LOG_KEYS, 'cur', 'co', 'ls', 'lo', 'lra', 'hs', 'hra'] as const satisfies readonly ReaderAttribute[];

/**
 * What a reader may write to the log: abort markers (PutItem) and cursor moves
 * (UpdateItem), each confined to its own attributes, so an UpdateItem cannot
 * set a ttl and a PutItem cannot carry a cursor or a record payload.
 */
export const READER_WRITES: readonly ConfinedWrites[] = [
  { actions: ['PutItem'], attributes: MARKER },
  { actions: ['UpdateItem'], attributes: CURSORS },
];

/** A new partition counter (lib/topics/counters.ts newCounterItem) and the config version stamped on it. */
const COUNTER = [...LOG_KEYS, 'seq', 'next', 'ls', 'lo', 'cur', 'co', 'ra', 'cv'] as const;
/**
 * What admin writes to the log: counters (created and deleted with their
 * topic, stamped with config versions), markers and the log start
 * (delete-records), and longer or removed ttls when retention changes
 * (lib/topics/retention-ttl.ts). Never a record payload or a chunk.
 */
const ADMIN_LOG_WRITES: readonly ConfinedWrites[] = [
  { actions: ['PutItem', 'BatchWriteItem'], attributes: [...new Set([...COUNTER, ...MARKER])] },
  { actions: ['UpdateItem'], attributes: [...new Set([...COUNTER, ...CURSORS, 'ttl'])] },
];

/** Functions without a general Query on meta still load the ACL bindings (lib/auth/acl-store.ts). */
const ACL_PARTITION = { meta: [metaKeys.aclPk] };

export const FUNCTION_AREAS: Record<FunctionArea, FunctionAreaSpec> = {
  // Topic CRUD: topic items and registry Query on meta; partition counters on log (BatchWriteItem on create/delete).
  admin: {
    memorySize: 256,
    timeout: Duration.seconds(10),
    tables: {
      meta: ['GetItem', 'PutItem', 'UpdateItem', 'DeleteItem', 'Query'],
      // Index Query and strong reads for delete-records and retention; the writes are confined below.
      log: ['GetItem', 'DeleteItem', 'Query'],
    },
    confinedWrites: { log: ADMIN_LOG_WRITES },
    reservedConcurrency: 5,
  },
  // Reserve (counter UpdateItem), settle (conditional PutItem), chunk reads are not needed; producer ids and state on meta.
  produce: {
    memorySize: 512,
    timeout: Duration.seconds(10),
    tables: {
      meta: ['GetItem'],
      log: ['GetItem', 'PutItem', 'UpdateItem'],
    },
    queryPartitions: ACL_PARTITION,
    // Producer ids and per-partition producer state only: never a key, ACL, topic or group item.
    // (lib/storage/keys.ts: `producers` holds the id counter and each producer's epoch, `pstate#<topicId>#<p>` its state.)
    confinedWrites: { meta: [{ actions: ['PutItem', 'UpdateItem'], partitions: [metaKeys.producerIdCounter().pk, 'pstate#*'] }] },
    reservedConcurrency: 50,
  },
  // Readers: Query batches and the index, strong GetItem/BatchGetItem; writes only abort markers (PutItem) and
  // cursor / log-start advances (UpdateItem), all conditional, confined by IAM to those attributes.
  fetch: {
    memorySize: 512,
    timeout: Duration.seconds(25),
    tables: {
      meta: ['GetItem'],
      log: ['GetItem', 'BatchGetItem', 'Query'],
    },
    queryPartitions: ACL_PARTITION,
    confinedWrites: { log: READER_WRITES },
    reservedConcurrency: 25,
  },
  // Members, group item, commit/ownership items on meta; poll reads the log like fetch does.
  groups: {
    memorySize: 512,
    timeout: Duration.seconds(25),
    tables: {
      meta: ['GetItem', 'Query', 'BatchGetItem'],
      log: ['GetItem', 'BatchGetItem', 'Query'],
    },
    confinedWrites: {
      // The group registry and each group's own partition: never a key, ACL, topic or producer item.
      // Push subscriptions too (lib/subscriptions/items.ts): the registry, topic pointers and retry states.
      meta: [
        {
          actions: ['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem'],
          partitions: [metaKeys.groupRegistryPk, metaKeys.groupPk('*'), subscriptionKeys.registryPk, subscriptionKeys.topicPk('*'), subscriptionKeys.statePk('*')],
        },
      ],
      log: READER_WRITES,
    },
    reservedConcurrency: 25,
  },
  // Transactions (lib/log/transaction.ts): produce's log writes, plus the producer's transaction state and group
  // commits on meta. Its own function, so produce never writes group items and groups never append to the log.
  transactions: {
    memorySize: 512,
    timeout: Duration.seconds(10),
    tables: {
      meta: ['GetItem'],
      log: ['GetItem', 'PutItem', 'UpdateItem'],
    },
    queryPartitions: ACL_PARTITION,
    confinedWrites: {
      meta: [
        // lib/log/transaction-items.ts: `txn#<producerId>` holds a producer's transaction state.
        { actions: ['PutItem'], partitions: ['txn#*'] },
        // Commits only (the attributes of lib/groups/commit.ts's fenced update): never a member, lease grant or group item field.
        { actions: ['UpdateItem'], partitions: [metaKeys.groupPk('*')], attributes: ['pk', 'sk', 'offset', 'metadata', 'committedAt', 'commitEpoch', 'owner', 'ownerEpoch'] },
      ],
    },
    reservedConcurrency: 10,
  },
};

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
  /** Writes allowed only on named attributes (readers closing gaps and moving cursors). */
  confinedWrites?: Partial<Record<TableKey, ConfinedWrites>>;
  /**
   * Default reserved concurrency (CDK context `samsa:reservedConcurrency` overrides or disables it).
   * It guarantees the area its instances, so long-polls in fetch and groups can never take the
   * instances producers need, and caps how many instances (and quota buckets) the area can have.
   */
  reservedConcurrency: number;
}

/** What a reader may write to the log: abort markers, the stable cursor and the log start, nothing else. */
const READER_WRITES: ConfinedWrites = { actions: ['PutItem', 'UpdateItem'], attributes: READER_WRITTEN_ATTRIBUTES };

/** Functions without a general Query on meta still load the ACL bindings (lib/auth/acl-store.ts). */
const ACL_PARTITION = { meta: [metaKeys.aclPk] };

export const FUNCTION_AREAS: Record<FunctionArea, FunctionAreaSpec> = {
  // Topic CRUD: topic items and registry Query on meta; partition counters on log (BatchWriteItem on create/delete).
  admin: {
    memorySize: 256,
    timeout: Duration.seconds(10),
    tables: {
      meta: ['GetItem', 'PutItem', 'UpdateItem', 'DeleteItem', 'Query'],
      // Counters on create/delete; counter update, index Query and strong reads for delete-records; markers when it walks the log.
      log: ['GetItem', 'PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem', 'Query'],
    },
    reservedConcurrency: 5,
  },
  // Reserve (counter UpdateItem), settle (conditional PutItem), chunk reads are not needed; producer ids and state on meta.
  produce: {
    memorySize: 512,
    timeout: Duration.seconds(10),
    tables: {
      meta: ['GetItem', 'PutItem', 'UpdateItem'],
      log: ['GetItem', 'PutItem', 'UpdateItem'],
    },
    queryPartitions: ACL_PARTITION,
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
      meta: ['GetItem', 'PutItem', 'UpdateItem', 'DeleteItem', 'Query', 'BatchGetItem', 'BatchWriteItem'],
      log: ['GetItem', 'BatchGetItem', 'Query'],
    },
    confinedWrites: { log: READER_WRITES },
    reservedConcurrency: 25,
  },
};

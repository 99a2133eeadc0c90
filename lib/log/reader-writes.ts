/**
 * The only attributes a reader (fetch, group poll) ever writes to the log
 * table: abort markers that close a dead writer's reservation, and the
 * counter item's stable cursor and log start. The CDK stack grants the
 * fetch and groups functions PutItem/UpdateItem on the log table only for
 * requests confined to these names (IAM `dynamodb:Attributes`), so a reader
 * can never write record payloads. Key attributes of the table and of the
 * byOffset index must be listed for IAM to allow the request at all.
 */
export const READER_WRITTEN_ATTRIBUTES = [
  // Table and index keys.
  'pk',
  'sk',
  'o',
  // Abort marker (lib/log/batch-item.ts markerItem).
  'ab',
  'ra',
  'ttl',
  // Counter item: stable cursor (cur, co), log start (ls, lo, lra) and newest hole (hs, hra) (lib/log/counter.ts).
  'cur',
  'co',
  'ls',
  'lo',
  'lra',
  'hs',
  'hra',
] as const;

/** Help texts and the exit codes scripts can rely on. */

export const EXIT = {
  OK: 0,
  /** The server answered with an error (unknown topic, invalid config, fenced member, …). */
  API_ERROR: 1,
  /** Bad command line or unreadable input. */
  USAGE: 2,
  /** No answer: the server is down, unreachable or timed out. */
  UNREACHABLE: 3,
  /** Stopped with Ctrl-C (or SIGTERM). */
  INTERRUPTED: 130,
} as const;

export class UsageError extends Error {}

/** Input that cannot be turned into records (a line without the key separator, bad JSON); also exit code 2. */
export class InputError extends UsageError {}

export const HELP = `Usage: samsa [--url URL] [--api-key KEY] [--json] <command> [options]

Commands:
  topics list                          list topics
  topics create <topic> [--partitions N] [--config k=v]...
  topics describe <topic>              partitions and configs
  topics alter <topic> [--partitions N] [--config k=v]... [--reset-config k]...
  topics delete <topic>
  produce <topic> [value...]           values from arguments, else --file, else stdin (one per line)
  transaction [TOPIC[:PARTITION]=VALUE...] [--file F] [--group G --member-id M --member-epoch E --commit T:P=O...]
                                       records for several topics and partitions (and a group's offsets),
                                       all visible and committed together or not at all
  consume <topic>                      print records (from partitions, or as a member of --group)
  offsets <topic>                      log start and high watermark per partition
  groups list
  groups describe <group>              state, members and assignments
  groups lag <group>                   lag per partition and total
  groups offsets <group>               committed offsets
  groups reset <group> --topic T --to earliest|latest|<offset>|<ISO 8601 time>
  groups delete <group>
  groups remove-member <group> <member-id>
  subscriptions create <name> --topic T --endpoint URL --dead-letter-topic T [--max-records N] [--max-attempts N] ...
                                       push a topic to an HTTPS webhook (prints the signing secret once)
  subscriptions list|describe <name>|pause <name>|resume <name>|delete <name>
  whoami                               the principal your API key belongs to
  keys create --principal P [--expires-in 30d] [--description D]
  keys list [--principal P]            API keys (never their secrets)
  keys revoke <key-id>
  keys bootstrap --principal admin --meta-table TABLE [--region R]
                                       first key of a deployment, written with AWS credentials
  acls add --principal P (--topic T|--group G|--cluster) [--prefixed] --operation OP [--deny]
  acls list [--principal P] [--topic T|--group G|--cluster]
  acls remove <acl-id>
  doctor --meta-table T --log-table T [--region R] [--endpoint URL] [--url URL]
                                       check a deployment's tables (and API health) against this version

Global options:
  --url URL          Samsa API (default $SAMSA_URL, else http://127.0.0.1:4000)
  --api-key KEY      API key (default $SAMSA_API_KEY, which other users cannot see in ps;
                     for the local default URL, else ./.samsa/dev-key as written by npm start)
  --json             machine-readable output (JSON) instead of tables, for every command
                     (produce: a JSON line per record; JSON values are produce --value-type json)
  --timeout-ms N     per-request timeout (default 30000)
  -h, --help         help (also: samsa <command> --help)
  --version          print the version

Exit codes:
  0    success
  1    the server answered with an error (printed as "samsa: CODE: message")
  2    usage error: bad arguments or unreadable input
  3    the server could not be reached or did not answer in time
  130  interrupted (Ctrl-C)`;

export const COMMAND_HELP: Record<string, string> = {
  topics: `Usage:
  samsa topics list
  samsa topics create <topic> [--partitions N] [--config k=v]...
  samsa topics describe <topic>
  samsa topics alter <topic> [--partitions N] [--config k=v]... [--reset-config k]...
  samsa topics delete <topic>

  --partitions N      create: partition count (default 1); alter: the new, larger total
  --config k=v        a topic config, e.g. retention.ms=86400000, compression.type=gzip (repeatable)
  --reset-config k    alter: reset a config to its default (repeatable)`,

  produce: `Usage: samsa produce <topic> [value...] [options]

Records come from the value arguments, else from --file, else from stdin, one per line.
  --key-separator SEP   split each line at the first SEP into key and value
  --partition N         send every record to partition N (default: by key, else sticky)
  --header k=v          add a header to every record (repeatable)
  --value-type T        string (default) or json: each value must parse as JSON and is sent as JSON
  --file PATH           read records from a file, one per line
  --output json         print each record's partition, offset and timestamp as a JSON line (also: --json)
  --no-idempotence      plain produce (retries only what the server marks retriable)`,

  transaction: `Usage: samsa transaction [TOPIC[:PARTITION]=VALUE...] [options]

Sends ONE transaction (POST /v1/transactions): every record becomes visible and every offset is
committed together, or nothing is (any error: nothing was written). Retried safely after a lost
answer (an idempotent producer id and sequence). Prints where each record landed.
Records come from the arguments, TOPIC=VALUE (partition by key, else one per topic) or
TOPIC:PARTITION=VALUE, or from --file; not both.
  --key-separator SEP   split each VALUE at the first SEP into key and value
  --value-type T        string (default) or json: each VALUE must parse as JSON and is sent as JSON
  --header k=v          add a header to every record given as an argument (repeatable)
  --file PATH           a JSON object in the HTTP API's shape, '-' for stdin:
                        {"records": [{"topic", "partition"?, "key"?, "value", "headers"?}, ...],
                         "groupCommit"?: {"groupId", "memberId", "memberEpoch", "offsets": [{"topic", "partition", "offset"}]}}
                        a key or value is a string, {"json": ...} or {"type": "STRING|JSON|BINARY", "data": ...}
Exactly-once consume-transform-produce: commit a live group member's offsets with the records
  --group G             the group
  --member-id M         the member (its id from the group's heartbeat or poll)
  --member-epoch E      the epoch that member last got; a stale one refuses the whole transaction
  --commit T:P=O        commit offset O (the next to consume) of topic T partition P (repeatable)
Bounds: 100 items (one per partition written and per offset), 380 KB per partition, 3.5 MB in all.
  --json                print {records, committed} as one JSON line`,

  consume: `Usage: samsa consume <topic> [options]

Without --group, reads partitions directly (all of them unless --partition) and keeps no state.
Without --follow it stops at the end of the log; with --follow it waits for new records until Ctrl-C.
  --partition N         read only partition N
  --offset O            start at an offset, or earliest / latest (default: earliest, or latest with --follow)
  --from-beginning      start at the log start (same as --offset earliest)
  --group G             consume as a member of group G: resumes from its commits, commits what it
                        printed and leaves the group on exit (without --follow: once caught up)
  --follow              keep waiting for new records: told by WebSocket notifications when the
                        endpoint answers (else by long polls, with a note on stderr)
  --ws-url URL          the notification endpoint (default: SAMSA_WS_URL, else the one GET /v1/health names)
  --max-messages N      stop after N records
  --output text|json    text: the value per line (default); json: one JSON object per record
  --print-key           text output: print key<TAB>value (see --key-separator)
  --key-separator SEP   separator for --print-key (default a tab)`,

  offsets: `Usage: samsa offsets <topic>

Prints, per partition, the log start offset, the high watermark and the offsets between them
(the records, plus any aborted ranges of writers that died).`,

  groups: `Usage:
  samsa groups list
  samsa groups describe <group>
  samsa groups lag <group>
  samsa groups offsets <group>
  samsa groups reset <group> --topic T --to earliest|latest|<offset>|<ISO 8601 time> [--partition N]...
  samsa groups delete <group>
  samsa groups remove-member <group> <member-id>

States (Kafka's): Empty (no live member), Assigning (a member joined or left and the target
assignment is being recomputed), Reconciling (partitions are moving to their target owners),
Stable (every member holds its target), Dead (deleted). A member is live until its session
timeout passes without a heartbeat; list and describe count the same live members.
reset and delete need a group without live members.`,

  subscriptions: `Usage:
  samsa subscriptions list
  samsa subscriptions create <name> --topic T --endpoint URL --dead-letter-topic T
        [--max-records N] [--max-bytes N] [--linger-ms N] [--max-attempts N] [--retry-backoff-ms N] [--secret S]
  samsa subscriptions describe <name>     state; per partition committed offset, lag, attempts, last error
  samsa subscriptions pause <name>
  samsa subscriptions resume <name>
  samsa subscriptions delete <name>

Delivers the topic to the endpoint (https://, or http:// to localhost) as signed JSON batches,
retries failures with exponential backoff, then moves failed batches to the dead-letter topic.
create prints the signing secret once. See docs/subscriptions.md.`,

  whoami: `Usage: samsa whoami

Prints the principal the API key belongs to ('anonymous' on a server without authentication).`,

  keys: `Usage:
  samsa keys create --principal P [--expires-in 30d|12h|90m|3600s] [--description D]
  samsa keys list [--principal P]
  samsa keys revoke <key-id>
  samsa keys bootstrap --principal admin --meta-table TABLE [--region R] [--endpoint URL]
                       [--expires-in D] [--description D]

create prints the new key on stdout (details on stderr): it is shown only this once, so store it.
create, list and revoke need a super user's key (or ACLs allowing alter/describe on the cluster).

bootstrap makes the first key of a deployed stack, when no key exists yet to call the API with:
it writes the key straight into the stack's meta table with the AWS credentials of the
environment (AWS_PROFILE, AWS_ACCESS_KEY_ID, SSO, a role); no --url or API key is used.
  --meta-table TABLE  the name of the stack's meta table (aws dynamodb list-tables shows it)
  --region R          its region (default $AWS_REGION)
  --endpoint URL      a DynamoDB endpoint, e.g. DynamoDB Local at http://127.0.0.1:8000
Give the key a super user's name (SAMSA_SUPER_USERS, default admin) to administer the rest.`,

  acls: `Usage:
  samsa acls add --principal P (--topic NAME|--group NAME|--cluster) [--prefixed] --operation OP [--deny]
  samsa acls list [--principal P] [--topic NAME|--group NAME|--cluster]
  samsa acls remove <acl-id>

  --principal P     a principal name, or '*' for every authenticated principal
  --topic NAME      topics named NAME ('*' = every topic), or starting with NAME with --prefixed
  --group NAME      consumer groups, likewise
  --cluster         the cluster (creating topics, producer ids, key and ACL admin)
  --operation OP    read, write, create, delete, describe, alter or all
  --deny            a deny binding (any matching deny wins over every allow)

Adding the same binding twice yields one ACL with the same id. Super users need no ACLs.`,

  doctor: `Usage: samsa doctor --meta-table TABLE --log-table TABLE [--region R] [--endpoint URL] [--url URL]

Checks a deployment against what this version of Samsa needs: both tables exist and are ACTIVE,
their key schema, the byOffset index (keys, projection, ACTIVE), TTL on 'ttl', point-in-time
recovery, billing mode and deletion protection; with --url, that /v1/health answers.
Prints one ok / warn / fail line per fact (--json: {ok, checks}); exits 1 when any check fails.
Uses your AWS credentials for read-only Describe* calls.
  --meta-table T, --log-table T   the table names (stack outputs MetaTableName and LogTableName)
  --region R          their region (default $AWS_REGION)
  --endpoint URL      a DynamoDB endpoint, e.g. DynamoDB Local at http://127.0.0.1:8000
  --url URL           also check the API's /v1/health`,
};

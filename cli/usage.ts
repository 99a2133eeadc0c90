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

export const HELP = `Usage: samsa [--url URL] [--json] <command> [options]

Commands:
  topics list                          list topics
  topics create <topic> [--partitions N] [--config k=v]...
  topics describe <topic>              partitions and configs
  topics alter <topic> [--partitions N] [--config k=v]... [--reset-config k]...
  topics delete <topic>
  produce <topic> [value...]           values from arguments, else --file, else stdin (one per line)
  consume <topic>                      print records (from partitions, or as a member of --group)
  offsets <topic>                      log start and high watermark per partition
  groups list
  groups describe <group>              state, members and assignments
  groups lag <group>                   lag per partition and total
  groups offsets <group>               committed offsets
  groups reset <group> --topic T --to earliest|latest|<offset>|<ISO 8601 time>
  groups delete <group>
  groups remove-member <group> <member-id>

Global options:
  --url URL          Samsa API (default $SAMSA_URL, else http://127.0.0.1:4000)
  --json             machine-readable output (JSON) instead of tables
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
  --json                values are JSON (each line must parse); default: strings
  --file PATH           read records from a file, one per line
  --output json         print each record's partition, offset and timestamp as a JSON line
  --no-idempotence      plain produce (retries only what the server marks retriable)`,

  consume: `Usage: samsa consume <topic> [options]

Without --group, reads partitions directly (all of them unless --partition) and keeps no state.
Without --follow it stops at the end of the log; with --follow it waits for new records until Ctrl-C.
  --partition N         read only partition N
  --offset O            start at an offset, or earliest / latest (default: earliest, or latest with --follow)
  --from-beginning      start at the log start (same as --offset earliest)
  --group G             consume as a member of group G: resumes from its commits, commits what it
                        printed and leaves the group on exit (without --follow: once caught up)
  --follow              keep waiting for new records
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

reset and delete need a group without live members.`,
};

/**
 * The samsa CLI: parses the command line, runs one command against the API
 * and turns the outcome into one line on stderr and an exit code.
 */
import { readFileSync } from 'node:fs';
import { Samsa, SamsaApiError, SamsaError, SamsaNetworkError } from '../client';
import { findCommand, intOption, parse, stringOption } from './args';
import type { Command } from './command';
import { acls } from './commands/acls';
import { consume } from './commands/consume';
import { doctor } from './commands/doctor';
import { groups } from './commands/groups';
import { keys } from './commands/keys';
import { offsets } from './commands/offsets';
import { produce } from './commands/produce';
import { subscriptions } from './commands/subscriptions';
import { topics } from './commands/topics';
import { transaction } from './commands/transaction';
import { whoami } from './commands/whoami';
import { resolveApiKey, type KeySource } from './credentials';
import { stdio } from './output';
import { COMMAND_HELP, EXIT, HELP, InputError, UsageError } from './usage';

const COMMANDS: Record<string, Command> = { topics, produce, transaction, consume, offsets, groups, subscriptions, whoami, keys, acls, doctor };

const DEFAULT_URL = 'http://127.0.0.1:4000';

export async function main(argv: string[], env: Record<string, string | undefined>, signal: AbortSignal): Promise<number> {
  const out = stdio(false);
  let keySource: KeySource = 'none';
  try {
    const name = findCommand(argv);
    const command = name === undefined ? undefined : COMMANDS[name];
    const parsed = parse(argv, command?.options ?? {});
    if (parsed.values.version === true) {
      out.out(version());
      return EXIT.OK;
    }
    if (parsed.values.help === true || name === undefined || name === 'help') {
      const topic = name === 'help' ? parsed.positionals[0] : name;
      out.out((topic !== undefined && COMMAND_HELP[topic]) || HELP);
      return name === undefined && parsed.values.help !== true ? EXIT.USAGE : EXIT.OK;
    }
    if (command === undefined) throw new UsageError(`unknown command '${name}'`);
    const timeoutMs = intOption(parsed.values, 'timeout-ms', 1);
    const url = stringOption(parsed.values, 'url') ?? (env.SAMSA_URL || DEFAULT_URL);
    const { apiKey, source } = resolveApiKey(stringOption(parsed.values, 'api-key'), env, url, process.cwd());
    keySource = source;
    // Fewer retries than the SDK's default: a person is waiting for the answer.
    const client = new Samsa({ url, retry: { retries: 3 }, ...(apiKey === undefined ? {} : { apiKey }), ...(timeoutMs === undefined ? {} : { timeoutMs }) });
    const wsUrl = stringOption(parsed.values, 'ws-url') ?? (env.SAMSA_WS_URL || undefined);
    const endpoint = { url, ...(apiKey === undefined ? {} : { apiKey }), ...(wsUrl === undefined ? {} : { wsUrl }) };
    await command.run({ client, output: stdio(parsed.values.json === true), parsed, signal, endpoint });
    return signal.aborted ? EXIT.INTERRUPTED : EXIT.OK;
  } catch (err) {
    return report(err, signal, out.err, keySource);
  }
}

/** One line per failure, and the exit code that says what kind it was. */
function report(err: unknown, signal: AbortSignal, print: (line: string) => void, keySource: KeySource): number {
  if (err instanceof UsageError) {
    print(`samsa: ${err.message}${err instanceof InputError ? '' : " (see 'samsa --help')"}`);
    return EXIT.USAGE;
  }
  if (signal.aborted && err instanceof SamsaError && err.code === 'ABORTED') return EXIT.INTERRUPTED;
  if (err instanceof TypeError && err.message.startsWith('url must be')) {
    print(`samsa: --url ${err.message.slice(4)}`);
    return EXIT.USAGE;
  }
  if (err instanceof TypeError && err.message.startsWith('apiKey must be')) {
    print(`samsa: the API key ${err.message.slice(7)}`);
    return EXIT.USAGE;
  }
  if (err instanceof SamsaError) {
    print(`samsa: ${err.code}: ${oneLine(err.message)}${err.code === 'UNAUTHENTICATED' ? KEY_HINT[keySource] : ''}`);
    if (err instanceof SamsaNetworkError) return EXIT.UNREACHABLE;
    return err instanceof SamsaApiError ? EXIT.API_ERROR : EXIT.USAGE;
  }
  const missing = missingPackage(err);
  if (missing?.startsWith('@aws-sdk/')) {
    // The published CLI leaves the AWS SDK out (an optional peer): only doctor and keys bootstrap load it.
    print(`samsa: this command needs ${missing}, which @samsa/cli does not install: npm install ${AWS_SDK.join(' ')} beside it (with -g for a global samsa)`);
    return EXIT.USAGE;
  }
  print(`samsa: ${oneLine(err instanceof Error ? err.message : String(err))}`);
  return EXIT.API_ERROR;
}

const AWS_SDK = ['@aws-sdk/client-dynamodb', '@aws-sdk/lib-dynamodb'];

/** The package an import could not find (Node's ERR_MODULE_NOT_FOUND), if that is what failed. */
function missingPackage(err: unknown): string | undefined {
  if (!(err instanceof Error) || (err as NodeJS.ErrnoException).code !== 'ERR_MODULE_NOT_FOUND') return undefined;
  return /Cannot find package '([^']+)'/.exec(err.message)?.[1];
}

/** Where the rejected key came from (never the key itself). */
const KEY_HINT: Record<KeySource, string> = {
  flag: ' (key from --api-key)',
  env: ' (key from $SAMSA_API_KEY)',
  'dev-key': ' (key from .samsa/dev-key; restart npm start or pass --api-key)',
  none: ' (no API key: pass --api-key or set $SAMSA_API_KEY)',
};

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ');
}

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
  return `samsa ${pkg.version}`;
}


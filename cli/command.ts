/** What every command receives, and how it declares its options. */
import type { Samsa } from '../client';
import type { OptionSpecs, Parsed } from './args';
import type { Endpoint } from './notifications';
import type { Output } from './output';

export interface CommandContext {
  client: Samsa;
  output: Output;
  parsed: Parsed;
  /** Aborted on Ctrl-C / SIGTERM: stop reading, settle what is in flight, return. */
  signal: AbortSignal;
  /** Where the client points, for commands that open more than HTTP requests (consume --follow's notifications). */
  endpoint: Endpoint;
}

export interface Command {
  options: OptionSpecs;
  run(ctx: CommandContext): Promise<void>;
}

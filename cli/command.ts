/** What every command receives, and how it declares its options. */
import type { Samsa } from '../client';
import type { OptionSpecs, Parsed } from './args';
import type { Output } from './output';

export interface CommandContext {
  client: Samsa;
  output: Output;
  parsed: Parsed;
  /** Aborted on Ctrl-C / SIGTERM: stop reading, settle what is in flight, return. */
  signal: AbortSignal;
}

export interface Command {
  options: OptionSpecs;
  run(ctx: CommandContext): Promise<void>;
}

/**
 * What every checker client shares: its name (the history's process), the
 * API, the history, its own random stream, unique values, and the run's
 * stop flag. Each client runs one operation at a time — so its own
 * operations are ordered in real time, which the analysis relies on.
 */
import type { HistoryRecorder } from '../history';
import type { Random } from '../faults/random';
import type { Api } from './api';

export interface ClientContext {
  api: Api;
  history: HistoryRecorder;
  random: Random;
  /** Unique per run: prefixes every value, member id and topic name. */
  runId: string;
  stopped(): boolean;
}

export abstract class Client {
  private counter = 0;
  constructor(
    readonly name: string,
    protected readonly ctx: ClientContext,
  ) {}

  abstract run(): Promise<void>;

  /** A value no other record of the run carries. */
  protected nextValue(): string {
    return `${this.ctx.runId}:${this.name}:${this.counter++}`;
  }
}

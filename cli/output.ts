/** How the CLI writes: aligned tables and notes for humans, JSON for machines, progress only on a terminal. */
import type { Data } from '../client';

export interface Output {
  /** `--json`: machine-readable stdout. */
  json: boolean;
  out(line: string): void;
  err(line: string): void;
}

export function stdio(json: boolean): Output {
  return {
    json,
    out: (line) => void process.stdout.write(`${line}\n`),
    err: (line) => void process.stderr.write(`${line}\n`),
  };
}

/** Columns padded to their widest cell; numbers right-aligned. */
export function table(headers: string[], rows: (string | number)[][]): string {
  const cells = [headers, ...rows.map((r) => r.map(String))];
  const numeric = headers.map((_, i) => rows.length > 0 && rows.every((r) => typeof r[i] === 'number'));
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  return cells
    .map((r) =>
      r
        .map((cell, i) => (numeric[i] ? cell.padStart(widths[i]!) : i === r.length - 1 ? cell : cell.padEnd(widths[i]!)))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** A key or value as one line of text: STRING as is, JSON as JSON text, BINARY as base64. */
export function dataText(data: Data | null): string {
  if (data === null) return 'null';
  if (data.type === 'STRING') return data.data;
  if (data.type === 'JSON') return JSON.stringify(data.data);
  return base64(data.data);
}

/** The wire form `{ type, data }` (BINARY as base64), the same the HTTP API uses. */
export function dataWire(data: Data | null): { type: string; data: unknown } | null {
  if (data === null) return null;
  return data.type === 'BINARY' ? { type: 'BINARY', data: base64(data.data) } : data;
}

function base64(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
}

/**
 * "produced 12,345 records (4,120/s)" rewritten in place on stderr, only
 * when stderr is a terminal and the run lasts over a second, so pipes and
 * scripts never see it.
 */
export class Progress {
  private count = 0;
  private readonly started = Date.now();
  private timer: ReturnType<typeof setInterval> | undefined;
  private shown = false;

  constructor(private readonly verb: string) {
    if (process.stderr.isTTY === true) {
      this.timer = setInterval(() => this.draw(), 250);
      this.timer.unref();
    }
  }

  add(n = 1): void {
    this.count += n;
  }

  get total(): number {
    return this.count;
  }

  /** Clears the line; leaves a final summary when a progress line was shown. */
  stop(): void {
    if (this.timer === undefined) return;
    clearInterval(this.timer);
    this.timer = undefined;
    if (this.shown) {
      this.draw();
      process.stderr.write('\n');
    }
  }

  private draw(): void {
    const seconds = (Date.now() - this.started) / 1000;
    if (seconds < 1) return;
    this.shown = true;
    const rate = Math.round(this.count / seconds);
    process.stderr.write(`\r\x1b[K${this.verb} ${this.count.toLocaleString('en-US')} records (${rate.toLocaleString('en-US')}/s)`);
  }
}

/**
 * The checker's own DynamoDB Local, on disk so it can be killed with
 * SIGKILL mid-run and restarted on the same port and data directory: what
 * was acknowledged before the kill must still be there after it, and the
 * stack must recover without manual steps. (An endpoint given with
 * `--dynamodb-endpoint` is used as is, and never killed.)
 */
import { startDynamoLocal, freePort, type DynamoLocal } from '../../local/dynamodb';

export class DynamoProcess {
  kills = 0;
  private current: DynamoLocal | undefined;

  private constructor(
    readonly endpoint: string,
    private readonly port: number,
    private readonly dataDir: string | undefined,
  ) {}

  static async start(dataDir: string): Promise<DynamoProcess> {
    const port = await freePort();
    const dynamo = new DynamoProcess(`http://127.0.0.1:${port}`, port, dataDir);
    dynamo.current = await startDynamoLocal({ port, dataDir });
    return dynamo;
  }

  /** An endpoint somebody else runs: no kill -9. */
  static external(endpoint: string): DynamoProcess {
    return new DynamoProcess(endpoint, 0, undefined);
  }

  get killable(): boolean {
    return this.dataDir !== undefined;
  }

  /** SIGKILL, stay down for `downMs`, restart on the same port and data directory. */
  async killAndRestart(downMs: number): Promise<void> {
    if (this.dataDir === undefined || this.current === undefined) return;
    this.current.kill();
    this.current = undefined;
    this.kills++;
    await new Promise((r) => setTimeout(r, downMs));
    for (let attempt = 0; ; attempt++) {
      try {
        this.current = await startDynamoLocal({ port: this.port, dataDir: this.dataDir });
        return;
      } catch (err) {
        // The port may linger for a moment after the kill.
        if (attempt >= 20) throw err;
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  }

  async stop(): Promise<void> {
    await this.current?.stop();
    this.current = undefined;
  }

  /** For process exit: never leave a Java process behind. */
  killNow(): void {
    this.current?.kill();
  }
}

/**
 * A test stack (its own tables) with a Kafka gateway in front of its lib
 * context on a free port, plus helpers to run kcat against it.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { ApiKeyAuthenticator } from '../../lib/auth/authenticate';
import { startKafkaGateway, type KafkaGateway } from '../../kafka/server';
import { createTestStack, type TestStack } from '../support/stack';

const run = promisify(execFile);

export interface KafkaStack {
  stack: TestStack;
  gateway: KafkaGateway;
  bootstrap: string;
  close(): Promise<void>;
}

/** `auth`: API keys on, the gateway taking them as SASL/PLAIN passwords (no key cache, so revocation is immediate). */
export async function createKafkaStack(options: { auth?: boolean } = {}): Promise<KafkaStack> {
  const stack = await createTestStack(options.auth ? { auth: { mode: 'api-keys', cacheMs: 0 } } : {});
  const keys = new ApiKeyAuthenticator(stack.lib, 0);
  const gateway = await startKafkaGateway(stack.lib, { port: 0, ...(options.auth ? { authenticate: (key: string) => keys.authenticate(key) } : {}) });
  const k: KafkaStack = { stack, gateway, bootstrap: `127.0.0.1:${gateway.port}`, close: () => k.gateway.close() };
  return k;
}

export async function createTopic(stack: TestStack, name: string, partitions: number, headers: Record<string, string> = {}): Promise<void> {
  const res = await stack.call('POST', '/v1/topics', { name, partitions }, headers);
  if (res.status !== 201) throw new Error(`create topic: ${res.status} ${JSON.stringify(res.body)}`);
}

/** Runs kcat with `args`, feeding `input` on stdin; returns stdout. */
export async function kcat(args: string[], input?: string, timeoutMs = 20_000): Promise<string> {
  const child = run('kcat', args, { timeout: timeoutMs, maxBuffer: 16 * 1024 * 1024 });
  if (input !== undefined) {
    child.child.stdin!.end(input);
  }
  const { stdout } = await child;
  return stdout;
}

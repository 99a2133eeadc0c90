/**
 * A test stack (its own tables) with a Kafka gateway in front of its lib
 * context on a free port, plus helpers to run kcat against it.
 */
import { execFile } from 'node:child_process';
import { connect, type Socket } from 'node:net';
import { promisify } from 'node:util';
import { ApiKeyAuthenticator } from '../../lib/auth/authenticate';
import type { PrincipalQuota } from '../../lib/auth/quota';
import { decodeMessage, encodeMessage, type KStruct } from '../../kafka/protocol/codec';
import { inRange, schema } from '../../kafka/protocol/schema';
import { Reader, Writer } from '../../kafka/protocol/wire';
import { encodeBatch } from '../../kafka/records/batch';
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
export async function createKafkaStack(options: { auth?: boolean; quota?: PrincipalQuota } = {}): Promise<KafkaStack> {
  const stack = await createTestStack(options.auth ? { auth: { mode: 'api-keys', cacheMs: 0 } } : {});
  const keys = new ApiKeyAuthenticator(stack.lib, 0);
  const gateway = await startKafkaGateway(stack.lib, {
    port: 0,
    ...(options.auth ? { authenticate: (key: string) => keys.authenticate(key) } : {}),
    ...(options.quota === undefined ? {} : { quota: options.quota }),
  });
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

/** One request/response over a raw socket, as a client library would send it. */
export async function call(socket: Socket, api: string, key: number, version: number, body: KStruct, correlationId: number): Promise<KStruct> {
  const w = new Writer().int32(0);
  const flexible = inRange(schema(`${api}Request`).flexible, version);
  encodeMessage(schema('RequestHeader'), flexible ? 2 : 1, { requestApiKey: key, requestApiVersion: version, correlationId, clientId: 'raw' }, w);
  encodeMessage(schema(`${api}Request`), version, body, w);
  const frame = w.toBuffer();
  frame.writeInt32BE(frame.length - 4, 0);
  const answer = await new Promise<Buffer>((resolve, reject) => {
    let got = Buffer.alloc(0);
    const onClose = () => reject(new Error(`connection closed before the ${api} v${version} response`));
    const onData = (d: Buffer) => {
      got = Buffer.concat([got, d]);
      if (got.length >= 4 && got.length >= 4 + got.readInt32BE(0)) {
        socket.off('data', onData);
        socket.off('close', onClose);
        resolve(got.subarray(4));
      }
    };
    socket.on('data', onData);
    socket.once('close', onClose);
    socket.write(frame);
  });
  const r = new Reader(answer);
  const header = decodeMessage(schema('ResponseHeader'), flexible && key !== 18 ? 1 : 0, r);
  if (header.correlationId !== correlationId) throw new Error('response to another request');
  return decodeMessage(schema(`${api}Response`), version, r);
}

export function openSocket(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1', () => resolve(s));
    s.once('error', reject);
  });
}

/** A raw connection that has logged in with SASL/PLAIN, `apiKey` as the password. */
export async function saslSocket(port: number, apiKey: string): Promise<Socket> {
  const socket = await openSocket(port);
  const hello = await call(socket, 'SaslHandshake', 17, 1, { mechanism: 'PLAIN' }, 1);
  const auth = await call(socket, 'SaslAuthenticate', 36, 2, { authBytes: Buffer.from(`\u0000user\u0000${apiKey}`) }, 2);
  if (hello.errorCode !== 0 || auth.errorCode !== 0) throw new Error(`SASL failed: ${auth.errorMessage}`);
  return socket;
}

/** A Fetch v12 request body for one partition. */
export function fetchBody(topic: string, partition: number, offset: number, isolationLevel = 0): KStruct {
  return {
    replicaId: -1,
    maxWaitMs: 0,
    minBytes: 0,
    maxBytes: 1 << 20,
    isolationLevel,
    sessionId: 0,
    sessionEpoch: -1,
    topics: [{ topic, partitions: [{ partition, currentLeaderEpoch: -1, fetchOffset: BigInt(offset), lastFetchedEpoch: -1, logStartOffset: -1n, partitionMaxBytes: 1 << 20 }] }],
    forgottenTopicsData: [],
    rackId: '',
  };
}

/** A Produce v7 request body: `values` as one uncompressed batch to one partition. */
export function produceBody(topic: string, partition: number, values: string[], acks = -1): KStruct {
  const records = encodeBatch(values.map((v, i) => ({ offset: i, timestamp: Date.now(), key: null, value: Buffer.from(v), headers: [] })), 0, values.length - 1);
  return { transactionalId: null, acks, timeoutMs: 5_000, topicData: [{ name: topic, partitionData: [{ index: partition, records }] }] };
}

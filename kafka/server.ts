/**
 * The Kafka protocol gateway: a TCP server that reads size-prefixed Kafka
 * requests, decodes each from Kafka's schemas, answers it by calling the
 * same lib operations the HTTP handlers call, and writes the response.
 * Stateless: nothing outlives a connection except what lib stores, so any
 * number of instances can run behind one address, each advertising that
 * address as the single broker that leads every partition and coordinates
 * every group.
 *
 * Requests of one connection are handled one at a time, in order, as a
 * Kafka broker does (so a client's pipelined produces stay ordered).
 * An API or version the gateway does not serve (absent from ApiVersions)
 * is answered with UNSUPPORTED_VERSION, and a request whose handler failed
 * with UNKNOWN_SERVER_ERROR, in the response's top-level error code or else
 * in each item the request named (protocol/error-response.ts); a request no
 * schema describes closes the connection.
 * Requests before SASL completes (when authentication is on) other than
 * ApiVersions and the SASL ones close the connection, as Kafka does.
 * Quotas: the principal's request quota (lib/auth/quota.ts, the same
 * buckets as the HTTP API's when shared) is taken per request; a request
 * over it is served, answered with the throttle time, and the connection is
 * then muted for that long, as Kafka's brokers do (KIP-219).
 */
import { createServer, type Server, type Socket } from 'node:net';
import { ANONYMOUS, type Principal } from '../lib/auth/authorize';
import type { PrincipalQuota } from '../lib/auth/quota';
import { isSamsaError } from '../lib/errors';
import type { LibContext } from '../lib/context';
import type { Gateway, Session } from './api';
import { KafkaError } from './errors';
import { apiVersionsTable, HANDLERS } from './handlers/registry';
import { rawSaslToken } from './handlers/sasl';
import { decodeMessage, encodeMessage, type KStruct } from './protocol/codec';
import { errorResponse } from './protocol/error-response';
import { inRange, requestSchema, schema, schemas, type MessageSpec } from './protocol/schema';
import { Reader, Writer } from './protocol/wire';

export interface KafkaGatewayOptions {
  port: number;
  /** Interface to listen on (default 127.0.0.1). */
  host?: string;
  /** Address clients are told to use; defaults to host and the bound port (a load balancer's address in production). */
  advertisedHost?: string;
  advertisedPort?: number;
  nodeId?: number;
  /** SASL PLAIN with Samsa API keys as passwords. */
  authenticate?: (apiKey: string) => Promise<Principal>;
  /** SASL OAUTHBEARER: verifies a JWT (kafka/jwt.ts). Without this and `authenticate`, there is no authentication (everyone is anonymous). */
  verifyToken?: (jwt: string) => Promise<Principal>;
  /** Per-principal request quota; absent = none. */
  quota?: PrincipalQuota;
  /** Where unexpected errors are reported (default console.error); the client gets UNKNOWN_SERVER_ERROR or a closed connection either way. */
  onError?: (message: string, err: unknown) => void;
}

export interface KafkaGateway {
  host: string;
  port: number;
  close(): Promise<void>;
}

/** Kafka's default socket.request.max.bytes. */
const MAX_FRAME = 100 * 1024 * 1024;
const SASL_APIS = new Set([17, 36]);
const API_VERSIONS = 18;

export async function startKafkaGateway(lib: LibContext, options: KafkaGatewayOptions): Promise<KafkaGateway> {
  schemas(); // a missing or broken schema fails the start, not the first request
  const host = options.host ?? '127.0.0.1';
  const sockets = new Set<Socket>();
  const gateway: Gateway = {
    lib,
    nodeId: options.nodeId ?? 0,
    host: options.advertisedHost ?? host,
    port: options.advertisedPort ?? options.port,
    clusterId: 'samsa',
    authenticate: options.authenticate,
    verifyToken: options.verifyToken,
    quota: options.quota,
  };
  const onError = options.onError ?? ((message: string, err: unknown) => console.error(message, err));
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    serveConnection(gateway, socket, onError);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : options.port;
  if (options.advertisedPort === undefined) gateway.port = port;
  return {
    host,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

function serveConnection(g: Gateway, socket: Socket, onError: (message: string, err: unknown) => void): void {
  socket.setNoDelay(true);
  const session: Session = {
    principal: ANONYMOUS,
    clientId: null,
    authenticated: g.authenticate === undefined && g.verifyToken === undefined,
    mechanism: undefined,
    rawSaslNext: false,
    members: new Map(),
  };
  let pending = Buffer.alloc(0);
  let chain = Promise.resolve();
  // Set when the gateway drops the connection; a client that hung up still has the requests it sent
  // served (a produce with acks=0 is often the last thing a client sends before closing).
  let dropped = false;
  const drop = () => {
    dropped = true;
    socket.destroy();
  };
  socket.on('error', () => socket.destroy());
  socket.on('data', (data) => {
    pending = pending.length === 0 ? data : Buffer.concat([pending, data]);
    while (pending.length >= 4) {
      const size = pending.readInt32BE(0);
      if (size < 0 || size > MAX_FRAME) return drop();
      if (pending.length < 4 + size) break;
      const frame = pending.subarray(4, 4 + size);
      pending = pending.subarray(4 + size);
      chain = chain.then(async () => {
        if (dropped) return;
        try {
          const throttle = { ms: 0 };
          const out = await handleFrame(g, session, frame, throttle, onError);
          if (out === 'close') drop();
          else if (out !== undefined && !socket.destroyed) socket.write(out);
          // Muted while throttled: the next request of this connection waits.
          if (throttle.ms > 0) await new Promise((r) => setTimeout(r, throttle.ms));
        } catch (err) {
          onError('kafka gateway: closing a connection after an unexpected error:', err);
          drop();
        }
      });
    }
  });
}

/** The framed response, undefined for none (acks=0), or 'close' where Kafka drops the connection. */
async function handleFrame(g: Gateway, s: Session, frame: Buffer, throttle: { ms: number }, onError: (message: string, err: unknown) => void): Promise<Buffer | undefined | 'close'> {
  if (s.rawSaslNext) {
    s.rawSaslNext = false;
    const token = await rawSaslToken(g, s, frame);
    return token === undefined ? 'close' : frame32(token);
  }
  const r = new Reader(frame);
  const apiKey = r.int16();
  const version = r.int16();
  const handler = HANDLERS.get(apiKey);
  // An API Kafka defines but the gateway does not serve still has its schemas, so it can be answered.
  const reqSpec = handler === undefined ? requestSchema(apiKey) : schema(`${handler.name}Request`);
  if (reqSpec === undefined || !inRange(reqSpec.valid, version)) {
    if (apiKey === API_VERSIONS) return unsupportedApiVersions(frame);
    // No schema describes this request (not even its header), so no response can be built; Kafka's
    // brokers close here too (RequestHeader.parse fails on an unknown key or version).
    return 'close';
  }
  const flexible = inRange(reqSpec.flexible, version);
  const r2 = new Reader(frame);
  const header = decodeMessage(schema('RequestHeader'), flexible ? 2 : 1, r2);
  s.clientId = header.clientId;
  if (!s.authenticated && apiKey !== API_VERSIONS && !SASL_APIS.has(apiKey)) return 'close';
  const resSpec = schema(`${reqSpec.name.replace(/Request$/, '')}Response`);
  let body: KStruct | undefined;
  if (handler === undefined || version < handler.min || version > handler.max) {
    body = errorResponse(reqSpec, resSpec, version, decodeOrUndefined(reqSpec, version, r2), KafkaError.UNSUPPORTED_VERSION);
    if (body === undefined) return 'close';
  } else {
    const req = decodeMessage(reqSpec, version, r2);
    if (apiKey !== API_VERSIONS && !SASL_APIS.has(apiKey)) throttle.ms = overQuota(g, s);
    try {
      body = await handler.handle(g, s, req, version);
    } catch (err) {
      onError(`kafka gateway: ${handler.name} v${version} failed:`, err);
      // An acks=0 producer reads no response: Kafka signals a failed one by closing the connection.
      if (apiKey === 0 && req.acks === 0) return 'close';
      body = errorResponse(reqSpec, resSpec, version, req, KafkaError.UNKNOWN_SERVER_ERROR);
      if (body === undefined) return 'close';
    }
    if (body === undefined) return undefined;
    if (throttle.ms > 0 && 'throttleTimeMs' in body) body.throttleTimeMs = throttle.ms;
    if (apiKey === 17 && version === 0 && body.errorCode === 0) s.rawSaslNext = true;
  }
  return frameResponse(resSpec, version, header.correlationId, body, apiKey !== API_VERSIONS);
}

/** Milliseconds this request puts the principal over its quota (0 within it). */
function overQuota(g: Gateway, s: Session): number {
  try {
    g.quota?.take(s.principal);
    return 0;
  } catch (err) {
    if (!isSamsaError(err) || err.code !== 'QUOTA_EXCEEDED') throw err;
    return Number((err.details as { retryAfterMs?: number } | undefined)?.retryAfterMs ?? 1000);
  }
}

function frameResponse(spec: MessageSpec, version: number, correlationId: number, body: KStruct, flexibleHeader: boolean): Buffer {
  const w = new Writer();
  w.int32(0);
  // ApiVersions answers with header v0 always: the client cannot know yet whether we speak flexible headers.
  encodeMessage(schema('ResponseHeader'), flexibleHeader && inRange(spec.flexible, version) ? 1 : 0, { correlationId }, w);
  encodeMessage(spec, version, body, w);
  const out = w.toBuffer();
  out.writeInt32BE(out.length - 4, 0);
  return out;
}

function frame32(payload: Buffer): Buffer {
  const out = Buffer.alloc(4 + payload.length);
  out.writeInt32BE(payload.length, 0);
  payload.copy(out, 4);
  return out;
}

/** The request body, or undefined when it does not decode (an error response then needs a top-level error code). */
function decodeOrUndefined(spec: MessageSpec, version: number, r: Reader): KStruct | undefined {
  try {
    return decodeMessage(spec, version, r);
  } catch {
    return undefined;
  }
}

/** KIP-511: an ApiVersions request of a version we do not know gets a v0 answer with UNSUPPORTED_VERSION and our versions. */
function unsupportedApiVersions(frame: Buffer): Buffer {
  const header = decodeMessage(schema('RequestHeader'), 1, new Reader(frame));
  return frameResponse(schema('ApiVersionsResponse'), 0, header.correlationId, { errorCode: KafkaError.UNSUPPORTED_VERSION, apiKeys: apiVersionsTable() }, false);
}

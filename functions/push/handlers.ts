/**
 * The WebSocket door, shared by the Lambda functions (./lambda.ts) and the
 * local stack (local/websocket.ts): decode → lib/push call → encode.
 *
 * `$connect` authenticates exactly as the HTTP API (functions/http/auth.ts,
 * through the same AppDeps.authenticate): an API key as a Bearer token in
 * the Authorization header, or, for browsers that cannot set headers on a
 * WebSocket, as `?token=<key>` on the URL (turned into that header here and
 * nowhere logged). In JWT mode on AWS the $connect route's Lambda authorizer
 * (./authorizer.ts) has already validated `?token=<jwt>`, and the principal
 * is its claim, read from `env` as the HTTP API reads API Gateway's JWT
 * claims (./lambda.ts connectEnv). `$default` answers each client message with one server
 * message; the stream handler fans settled batches out to subscribers.
 */
import type { DynamoDBStreamEvent } from 'aws-lambda';
import { Hono } from 'hono';
import type { Principal } from '../../lib/auth/authorize';
import { toSamsaError } from '../../lib/errors';
import { connect } from '../../lib/push/connect';
import { disconnect } from '../../lib/push/disconnect';
import { link, unlink } from '../../lib/push/link';
import { fanOut, type SendPort } from '../../lib/push/fan-out';
import { settledBatches } from '../../lib/push/settled';
import { subscribe } from '../../lib/push/subscribe';
import { unsubscribe } from '../../lib/push/unsubscribe';
import { parsePushClientMessage, PUSH_TOKEN_QUERY, type PushServerMessage } from '../../lib/protocol/push';
import type { AppDeps } from '../http/app';

export interface ConnectRequest {
  headers: Record<string, string | undefined>;
  query: Record<string, string | undefined>;
  /** The Lambda event (API Gateway's request context), for JWT claims; absent locally. */
  env?: unknown;
}

export type ConnectResult = { ok: true; principal: Principal } | { ok: false; status: number; code: string; message: string };

export async function handleConnect(deps: AppDeps, connectionId: string, request: ConnectRequest): Promise<ConnectResult> {
  try {
    const principal = await authenticateConnect(deps, request);
    await connect(deps.lib, connectionId, principal);
    return { ok: true, principal };
  } catch (err) {
    const e = toSamsaError(err);
    return { ok: false, status: e.status, code: e.code, message: e.message };
  }
}

export async function handleMessage(deps: AppDeps, connectionId: string, text: string): Promise<PushServerMessage> {
  let id: string | undefined;
  try {
    const message = parsePushClientMessage(text);
    id = message.id;
    const echo = id === undefined ? {} : { id };
    switch (message.action) {
      case 'ping':
        return { type: 'pong', ...echo };
      case 'subscribe':
        return { type: 'subscribed', topic: message.topic, partitions: await subscribe(deps.lib, connectionId, message.topic, message.partitions), ...echo };
      case 'unsubscribe':
        return {
          type: 'unsubscribed',
          topic: message.topic,
          partitions: await unsubscribe(deps.lib, connectionId, message.topic, message.partitions),
          ...echo,
        };
      case 'link':
        await link(deps.lib, connectionId, message.group, message.memberId, message.memberEpoch);
        return { type: 'linked', group: message.group, memberId: message.memberId, ...echo };
      case 'unlink':
        await unlink(deps.lib, connectionId, message.group, message.memberId);
        return { type: 'unlinked', group: message.group, memberId: message.memberId, ...echo };
    }
  } catch (err) {
    const e = toSamsaError(err);
    return { type: 'error', code: e.code, message: e.message, ...(id === undefined ? {} : { id }) };
  }
}

export async function handleDisconnect(deps: AppDeps, connectionId: string): Promise<void> {
  await disconnect(deps.lib, connectionId);
}

/** The fan-out, as a stream handler (Lambda's event source mapping, or local/streams.ts). */
export function fanOutHandler(deps: AppDeps, send: SendPort): (event: DynamoDBStreamEvent) => Promise<void> {
  return async (event) => {
    const batches = settledBatches(event.Records);
    if (batches.length > 0) await fanOut(deps.lib, batches, send);
  };
}

/** Runs the HTTP API's authenticator on the connect request's headers (a Hono context is what it reads). */
async function authenticateConnect(deps: AppDeps, request: ConnectRequest): Promise<Principal> {
  const headers = new Headers();
  for (const [k, v] of Object.entries(request.headers)) if (v !== undefined) headers.set(k, v);
  const token = request.query[PUSH_TOKEN_QUERY];
  if (!headers.has('authorization') && token !== undefined && token !== '') headers.set('authorization', `Bearer ${token}`);
  const box: { principal?: Principal; error?: unknown } = {};
  const app = new Hono().all('*', async (c) => {
    try {
      box.principal = await deps.authenticate(c);
    } catch (error) {
      box.error = error;
    }
    return c.body(null, 204);
  });
  await app.request('/$connect', { headers }, request.env);
  if (box.principal === undefined) throw box.error ?? new Error('The connect request was not authenticated.');
  return box.principal;
}

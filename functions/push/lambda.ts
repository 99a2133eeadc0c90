/**
 * API Gateway WebSocket events → the shared WebSocket door (./handlers.ts).
 *
 * One function serves the three routes; the route key tells them apart.
 * `$connect` authenticates as the HTTP API does (API key as a Bearer token,
 * or `?token=` for browsers) and a refusal is returned as the integration's
 * status code, which makes API Gateway refuse the WebSocket handshake with
 * it. `$default` answers each frame with one server message (the route has
 * a route response, so API Gateway sends the returned body back on the same
 * connection). `$disconnect` removes the registry rows; its status is
 * ignored by API Gateway, and the rows' TTL covers a failed cleanup.
 *
 * The event is decoded here, field by field: nothing else in the door reads
 * the Lambda event but JWT mode's claims lookup, which gets `connectEnv`: in
 * JWT mode the $connect authorizer (./authorizer.ts) has validated the token
 * and put the claims in `requestContext.authorizer`, and they are handed on
 * in the shape API Gateway's JWT authorizer gives the HTTP API's functions,
 * so the principal is found exactly as there (functions/http/auth.ts).
 */
import type { AppDeps } from '../http/app';
import { handleConnect, handleDisconnect, handleMessage } from './handlers';

export interface WebSocketEvent {
  routeKey: string;
  connectionId: string;
  /** The text frame ('' for a binary one: the protocol is JSON text frames, so it is refused as not JSON). */
  body: string;
  headers: Record<string, string | undefined>;
  query: Record<string, string | undefined>;
}

export interface WebSocketResult {
  statusCode: number;
  body?: string;
}

type Json = Record<string, unknown>;

const isRecord = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

function strings(v: unknown): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  if (isRecord(v)) for (const [k, value] of Object.entries(v)) if (typeof value === 'string') out[k] = value;
  return out;
}

/** The fields the door needs, or undefined when the event is not an API Gateway WebSocket event. */
export function decodeWebSocketEvent(event: unknown): WebSocketEvent | undefined {
  if (!isRecord(event) || !isRecord(event.requestContext)) return undefined;
  const { routeKey, connectionId } = event.requestContext;
  if (typeof routeKey !== 'string' || typeof connectionId !== 'string' || connectionId === '') return undefined;
  const binary = event.isBase64Encoded === true;
  return {
    routeKey,
    connectionId,
    body: !binary && typeof event.body === 'string' ? event.body : '',
    headers: strings(event.headers),
    query: strings(event.queryStringParameters),
  };
}

/**
 * The Lambda authorizer's context (`principal`, and `claims` as JSON: a context holds only strings)
 * → `requestContext.authorizer.jwt.claims`, as the HTTP API's JWT authorizer passes claims. Without
 * that context (API-key mode: no authorizer) the event goes on as it is.
 */
export function connectEnv(event: unknown): unknown {
  if (!isRecord(event) || !isRecord(event.requestContext) || !isRecord(event.requestContext.authorizer)) return event;
  const { claims } = event.requestContext.authorizer;
  if (typeof claims !== 'string') return event;
  let parsed: unknown;
  try {
    parsed = JSON.parse(claims);
  } catch {
    return event;
  }
  if (!isRecord(parsed)) return event;
  return { ...event, requestContext: { ...event.requestContext, authorizer: { jwt: { claims: parsed, scopes: [] } } } };
}

const errorBody = (code: string, message: string) => JSON.stringify({ error: { code, message } });

export function websocketHandler(deps: AppDeps): (event: unknown) => Promise<WebSocketResult> {
  return async (event) => {
    const e = decodeWebSocketEvent(event);
    if (e === undefined) return { statusCode: 400, body: errorBody('INVALID_REQUEST', 'Not an API Gateway WebSocket event.') };
    switch (e.routeKey) {
      case '$connect': {
        const result = await handleConnect(deps, e.connectionId, { headers: e.headers, query: e.query, env: connectEnv(event) });
        return result.ok ? { statusCode: 200 } : { statusCode: result.status, body: errorBody(result.code, result.message) };
      }
      case '$disconnect':
        await handleDisconnect(deps, e.connectionId);
        return { statusCode: 200 };
      default:
        return { statusCode: 200, body: JSON.stringify(await handleMessage(deps, e.connectionId, e.body)) };
    }
  };
}

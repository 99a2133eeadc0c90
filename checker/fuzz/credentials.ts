/**
 * Random credentials for the fuzzer (issue 9): each request carries one of
 * the stack's real keys or something that must not authenticate, chosen by
 * the seed. An invalid credential must never get a 2xx (except on the public
 * routes: the health check and the OpenAPI document) nor a 403 — a 403
 * would mean it got past authentication. A
 * valid key of a principal with no grants must never get a 2xx except on the
 * routes open to every authenticated caller, whose lists must then be empty.
 */
import fc from 'fast-check';
import { ROUTES, type RouteId, type RouteSpec } from '../../functions/http/routes';

export interface StackKeys {
  /** A super user's key: requests with it exercise the handlers. */
  admin: string;
  /** A valid key of a principal without any ACL. */
  stranger: string;
  revoked: string;
  expired: string;
}

export type CredentialKind = 'admin' | 'stranger' | 'invalid';

export interface Credential {
  kind: CredentialKind;
  label: string;
  /** The Authorization header to send; undefined sends none. */
  header: string | undefined;
}

/** The list routes any principal may call, filtered to what it may describe, and the field that holds what it was shown. */
const FILTERED_LISTS: Partial<Record<RouteId, 'topics' | 'groups' | 'subscriptions'>> = {
  listTopics: 'topics',
  listGroups: 'groups',
  listSubscriptions: 'subscriptions',
};

/** Routes any authenticated principal may call. */
const OPEN_TO_ANY_PRINCIPAL = new Set<RouteId>(['health', 'whoami', 'openApi', ...(Object.keys(FILTERED_LISTS) as RouteId[])]);

const hex = (n: number) => fc.string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: n, maxLength: n });
const b64url = (n: number) => fc.string({ unit: fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'), minLength: n, maxLength: n });

/** Credentials that must be refused with 401: garbage, lookalikes, tampered and dead keys, wrong schemes. */
function invalid(keys: StackKeys): fc.Arbitrary<Credential> {
  const tampered = keys.admin.slice(0, -1) + (keys.admin.endsWith('A') ? 'B' : 'A');
  return fc.oneof(
    fc.constant<Credential>({ kind: 'invalid', label: 'no header', header: undefined }),
    fc.constantFrom<Credential>(
      { kind: 'invalid', label: 'revoked key', header: `Bearer ${keys.revoked}` },
      { kind: 'invalid', label: 'expired key', header: `Bearer ${keys.expired}` },
      { kind: 'invalid', label: 'tampered key', header: `Bearer ${tampered}` },
      { kind: 'invalid', label: 'truncated key', header: `Bearer ${keys.admin.slice(0, 30)}` },
      { kind: 'invalid', label: 'key without scheme', header: keys.admin },
      { kind: 'invalid', label: 'basic auth', header: `Basic ${Buffer.from('admin:admin').toString('base64')}` },
      { kind: 'invalid', label: 'empty bearer', header: 'Bearer ' },
      { kind: 'invalid', label: 'two tokens', header: `Bearer ${keys.admin} ${keys.admin}` },
      { kind: 'invalid', label: 'huge token', header: `Bearer ${'A'.repeat(8_000)}` },
    ),
    fc.tuple(hex(16), b64url(43)).map(([id, secret]): Credential => ({ kind: 'invalid', label: 'unknown well-formed key', header: `Bearer samsa_${id}_${secret}` })),
    fc.string({ minLength: 1, maxLength: 200 }).map((s): Credential => ({ kind: 'invalid', label: 'random token', header: `Bearer ${s.replace(/[\r\n\0]/g, 'x')}` })),
  );
}

export function credential(keys: StackKeys): fc.Arbitrary<Credential> {
  return fc.oneof(
    { weight: 5, arbitrary: fc.constant<Credential>({ kind: 'admin', label: 'admin key', header: `Bearer ${keys.admin}` }) },
    { weight: 2, arbitrary: fc.constant<Credential>({ kind: 'stranger', label: 'key without grants', header: `Bearer ${keys.stranger}` }) },
    { weight: 3, arbitrary: invalid(keys) },
  );
}

/** The route a request really reaches (a fuzzed method or path may land on another route, or on none). */
export function reachedRoute(method: string, path: string): RouteId | undefined {
  const bare = path.split('?')[0] ?? path;
  for (const [id, route] of Object.entries(ROUTES) as [RouteId, RouteSpec][]) {
    if (route.method !== method) continue;
    if (new RegExp(`^${route.path.replace(/:[A-Za-z0-9_]+/g, '[^/]+')}/?$`).test(bare)) return id;
  }
  return undefined;
}

function isPublic(route: string): boolean {
  return route in ROUTES && (ROUTES[route as RouteId] as RouteSpec).public === true;
}

/** Why an answer breaks the rules for its credential (undefined when it keeps them). */
export function authViolation(method: string, path: string, c: Credential, status: number, text: string): string | undefined {
  if (c.kind === 'admin') return undefined;
  const route = reachedRoute(method, path) ?? `${method} ${path.slice(0, 80)}`;
  const ok = status >= 200 && status < 300;
  if (c.kind === 'invalid') {
    if (ok && !isPublic(route)) return `${c.label} got ${status} on ${route}`;
    if (status === 403) return `${c.label} got past authentication (403) on ${route}`;
    return undefined;
  }
  if (!ok) return undefined;
  if (!OPEN_TO_ANY_PRINCIPAL.has(route as RouteId)) return `${c.label} got ${status} on ${route}`;
  const field = FILTERED_LISTS[route as RouteId];
  if (field !== undefined) {
    const shown = (JSON.parse(text) as Record<string, unknown>)[field];
    if (!Array.isArray(shown)) return `${c.label} got ${status} on ${route} without a ${field} list`;
    if (shown.length > 0) return `${c.label} was shown ${field} it may not describe`;
  }
  return undefined;
}

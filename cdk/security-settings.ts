/**
 * Security settings of a deployment, from CDK context (`-c key=value` or
 * cdk.json) or props: how callers authenticate, who the super users are,
 * per-principal quotas, reserved concurrency per function and API Gateway
 * throttles per route. The stack refuses auth mode `none`: a deployed API is
 * public, and an open one would be one context flag away.
 */
import type { ThrottleSettings } from 'aws-cdk-lib/aws-apigatewayv2';
import type { Construct } from 'constructs';
import { DEFAULT_AUTH, ENV, type AuthConfig } from '../functions/config';
import { ROUTES, type FunctionArea, type RouteId } from '../functions/http/routes';
import { FUNCTION_AREAS } from './function-areas';

export type DeployedAuthMode = Exclude<AuthConfig['mode'], 'none'>;

export interface SecuritySettings {
  authMode: DeployedAuthMode;
  /** Required in `jwt` mode: the OIDC issuer URL and accepted audiences. */
  jwt: { issuer: string; audience: string[] } | undefined;
  jwtPrincipalClaim: string;
  superUsers: string[];
  quota: AuthConfig['quota'];
  /** Per function area; `false` (the default) reserves nothing, as a new account's limit of 10 requires. */
  reservedConcurrency: Record<FunctionArea, number> | false;
  /** Tighter API Gateway throttles for single routes, on top of the stage's. */
  routeThrottle: Partial<Record<RouteId, ThrottleSettings>>;
}

export const SECURITY_CONTEXT_KEYS = {
  authMode: 'samsa:authMode',
  jwtIssuer: 'samsa:jwtIssuer',
  jwtAudience: 'samsa:jwtAudience',
  jwtPrincipalClaim: 'samsa:jwtPrincipalClaim',
  superUsers: 'samsa:superUsers',
  quota: 'samsa:quota',
  reservedConcurrency: 'samsa:reservedConcurrency',
  routeThrottle: 'samsa:routeThrottle',
} as const;

/** Administrative routes change little and cost much when abused: a few requests per second are plenty. */
const ADMIN_THROTTLE: ThrottleSettings = { rateLimit: 10, burstLimit: 20 };
export const DEFAULT_ROUTE_THROTTLE: Partial<Record<RouteId, ThrottleSettings>> = Object.fromEntries(
  (['createTopic', 'deleteTopic', 'createPartitions', 'alterTopicConfigs', 'deleteRecords', 'createApiKey', 'revokeApiKey', 'createAcl', 'deleteAcl', 'deleteGroup', 'resetGroupOffsets'] as const).map(
    (id) => [id, ADMIN_THROTTLE],
  ),
);

export function resolveSecuritySettings(scope: Construct, overrides: Partial<SecuritySettings> = {}): SecuritySettings {
  const ctx = (key: string): unknown => scope.node.tryGetContext(key);
  const mode = overrides.authMode ?? String(ctx(SECURITY_CONTEXT_KEYS.authMode) ?? DEFAULT_AUTH.mode);
  if (mode !== 'api-keys' && mode !== 'jwt') {
    throw new Error(`Context ${SECURITY_CONTEXT_KEYS.authMode} must be 'api-keys' or 'jwt'; got '${mode}'. A deployed Samsa is never open.`);
  }
  const jwt = overrides.jwt ?? jwtSettings(ctx(SECURITY_CONTEXT_KEYS.jwtIssuer), ctx(SECURITY_CONTEXT_KEYS.jwtAudience));
  if (mode === 'jwt' && jwt === undefined) {
    throw new Error(`JWT mode needs ${SECURITY_CONTEXT_KEYS.jwtIssuer} and ${SECURITY_CONTEXT_KEYS.jwtAudience}.`);
  }
  return {
    authMode: mode,
    jwt,
    jwtPrincipalClaim: overrides.jwtPrincipalClaim ?? String(ctx(SECURITY_CONTEXT_KEYS.jwtPrincipalClaim) ?? DEFAULT_AUTH.jwtPrincipalClaim),
    superUsers: overrides.superUsers ?? list(ctx(SECURITY_CONTEXT_KEYS.superUsers)) ?? [...DEFAULT_AUTH.superUsers],
    quota: overrides.quota ?? { ...DEFAULT_AUTH.quota, ...json(ctx(SECURITY_CONTEXT_KEYS.quota), SECURITY_CONTEXT_KEYS.quota) },
    reservedConcurrency: overrides.reservedConcurrency ?? reserved(ctx(SECURITY_CONTEXT_KEYS.reservedConcurrency)),
    routeThrottle: overrides.routeThrottle ?? routeThrottle(ctx(SECURITY_CONTEXT_KEYS.routeThrottle)),
  };
}

/** The auth part of every API function's environment (functions/config.ts reads it). No secrets: keys live hashed in DynamoDB. */
export function authEnvironment(s: SecuritySettings): Record<string, string> {
  return {
    [ENV.authMode]: s.authMode,
    [ENV.superUsers]: s.superUsers.join(','),
    [ENV.jwtPrincipalClaim]: s.jwtPrincipalClaim,
    [ENV.quotaRate]: String(s.quota.ratePerSecond),
    [ENV.quotaBurst]: String(s.quota.burst),
  };
}

function jwtSettings(issuer: unknown, audience: unknown): SecuritySettings['jwt'] {
  if (issuer === undefined || audience === undefined) return undefined;
  const url = String(issuer);
  if (!/^https:\/\//.test(url)) throw new Error(`Context ${SECURITY_CONTEXT_KEYS.jwtIssuer} must be an https:// issuer URL.`);
  return { issuer: url, audience: list(audience) ?? [] };
}

function list(value: unknown): string[] | undefined {
  if (value === undefined) return undefined;
  return (Array.isArray(value) ? value : String(value).split(',')).map((v) => String(v).trim()).filter(Boolean);
}

function json(value: unknown, key: string): Record<string, unknown> {
  if (value === undefined) return {};
  const parsed: unknown = typeof value === 'string' ? JSON.parse(value) : value;
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error(`Context ${key} must be a JSON object.`);
  return parsed as Record<string, unknown>;
}

/**
 * Off by default: a new account may run only 10 concurrent executions in all,
 * and reserving the areas' 105 would fail the deployment. `true` reserves the
 * area defaults (cdk/function-areas.ts); a JSON object reserves those with
 * some areas overridden; `false` (or nothing) reserves nothing.
 */
function reserved(value: unknown): SecuritySettings['reservedConcurrency'] {
  const defaults = Object.fromEntries(Object.entries(FUNCTION_AREAS).map(([area, spec]) => [area, spec.reservedConcurrency])) as Record<FunctionArea, number>;
  if (value === undefined || value === false || value === 'false') return false;
  if (value === true || value === 'true') return defaults;
  const overrides = json(value, SECURITY_CONTEXT_KEYS.reservedConcurrency);
  for (const [area, n] of Object.entries(overrides)) {
    if (!(area in defaults)) throw new Error(`Context ${SECURITY_CONTEXT_KEYS.reservedConcurrency}: unknown function area '${area}'.`);
    if (!Number.isSafeInteger(n) || (n as number) < 1) throw new Error(`Context ${SECURITY_CONTEXT_KEYS.reservedConcurrency}.${area} must be a positive integer.`);
  }
  return { ...defaults, ...(overrides as Partial<Record<FunctionArea, number>>) };
}

function routeThrottle(value: unknown): SecuritySettings['routeThrottle'] {
  const overrides = json(value, SECURITY_CONTEXT_KEYS.routeThrottle) as Record<string, ThrottleSettings>;
  for (const id of Object.keys(overrides)) {
    if (!(id in ROUTES)) throw new Error(`Context ${SECURITY_CONTEXT_KEYS.routeThrottle}: unknown route '${id}'.`);
  }
  return { ...DEFAULT_ROUTE_THROTTLE, ...overrides };
}

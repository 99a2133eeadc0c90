/**
 * Deployment settings that vary per environment, read from CDK context
 * (`cdk synth -c samsa:corsOrigins=https://a.example,https://b.example`) or
 * passed as props; props win, then context, then the defaults below.
 */
import type { ThrottleSettings } from 'aws-cdk-lib/aws-apigatewayv2';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';

export interface SamsaSettings {
  /** Browser origins allowed by CORS; empty (the default) configures no CORS. */
  corsOrigins: string[];
  /** Stage-wide API Gateway limits; the account limit (10 000 rps) is shared with every other API. */
  throttle: ThrottleSettings;
  logRetention: RetentionDays;
}

export const CONTEXT_KEYS = {
  corsOrigins: 'samsa:corsOrigins',
  throttleRateLimit: 'samsa:throttleRateLimit',
  throttleBurstLimit: 'samsa:throttleBurstLimit',
} as const;

export const DEFAULT_SETTINGS: SamsaSettings = {
  corsOrigins: [],
  // Modest defaults: enough for a team, low enough that a runaway client is
  // stopped at the edge before it costs Lambda and DynamoDB money.
  throttle: { rateLimit: 100, burstLimit: 200 },
  logRetention: RetentionDays.ONE_MONTH,
};

export function resolveSettings(scope: Construct, overrides: Partial<SamsaSettings> = {}): SamsaSettings {
  const ctx = (key: string): unknown => scope.node.tryGetContext(key);
  return {
    corsOrigins: overrides.corsOrigins ?? origins(ctx(CONTEXT_KEYS.corsOrigins)) ?? DEFAULT_SETTINGS.corsOrigins,
    throttle: overrides.throttle ?? {
      rateLimit: positiveNumber(ctx(CONTEXT_KEYS.throttleRateLimit), CONTEXT_KEYS.throttleRateLimit) ?? DEFAULT_SETTINGS.throttle.rateLimit,
      burstLimit:
        positiveNumber(ctx(CONTEXT_KEYS.throttleBurstLimit), CONTEXT_KEYS.throttleBurstLimit) ?? DEFAULT_SETTINGS.throttle.burstLimit,
    },
    logRetention: overrides.logRetention ?? DEFAULT_SETTINGS.logRetention,
  };
}

/** Accepts a JSON array (cdk.json) or a comma-separated string (`-c` on the command line). */
function origins(value: unknown): string[] | undefined {
  if (value === undefined) return undefined;
  const list = Array.isArray(value) ? value : String(value).split(',');
  return list.map((o) => String(o).trim()).filter((o) => o !== '');
}

function positiveNumber(value: unknown, key: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`Context ${key} must be a positive number; got '${String(value)}'.`);
  return n;
}

/**
 * Deployment settings that vary per environment, read from CDK context
 * (`cdk synth -c samsa:corsOrigins=https://a.example,https://b.example`) or
 * passed as props; props win, then context, then the defaults below.
 */
import type { ThrottleSettings } from 'aws-cdk-lib/aws-apigatewayv2';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { TELEMETRY_ENV } from '../functions/telemetry/names';
import { DEFAULT_LIMITS, type Limits } from '../lib/limits';
import { validateTargetPattern } from '../lib/subscriptions/lambda-targets';
import type { KafkaGatewaySettings } from './constructs/kafka-gateway';
import type { TableKey } from './constructs/tables';

const TABLE_KEYS: readonly TableKey[] = ['meta', 'log'];

export interface SamsaSettings {
  /** Browser origins allowed by CORS; empty (the default) configures no CORS. */
  corsOrigins: string[];
  /** Stage-wide API Gateway limits; the account limit (10 000 rps) is shared with every other API. */
  throttle: ThrottleSettings;
  logRetention: RetentionDays;
  /** Overrides of lib/limits.ts, passed to every function as SAMSA_LIMIT_* variables. */
  limits: Partial<Limits>;
  /** The consumer-lag alarm fires when the worst group's lag (records) stays above this for 5 minutes. */
  lagAlarmThreshold: number;
  /** Subscribes this address to the alarm topic (which exists whenever alarms are on; its ARN is the output AlarmTopicArn). */
  alarmEmail: string | undefined;
  /** Traffic and lag metrics per topic (a CloudWatch custom metric per topic each); false = stack-wide only. */
  topicMetrics: boolean;
  // The three below cost money every month whether or not anyone uses the
  // stack, so they are off unless asked for (prices: docs/deploy.md).
  /** The lag publisher: a Lambda run every minute and ConsumerLag custom metrics per group. */
  lagMetrics: boolean;
  /** The CloudWatch dashboard. */
  dashboard: boolean;
  /** The CloudWatch alarms, their SNS topic and its KMS key. On by default only when alarmEmail is set. */
  alarms: boolean;
  /**
   * A cost guard for a public endpoint: the most read and write request units per second each
   * table (and its indexes) may consume on demand; DynamoDB throttles above it. None by default.
   */
  tableThroughputCap: Partial<Record<TableKey, ThroughputCap>>;
  /** The Kafka gateway as a Fargate service behind a TLS Network Load Balancer; off by default (it bills every hour). */
  kafkaGateway: KafkaGatewaySettings | undefined;
  /**
   * The Lambda functions push subscriptions may deliver to: ARN patterns with IAM wildcards, granted to the
   * delivery role as lambda:InvokeFunction and checked by delivery. undefined = the default, functions of the
   * stack's own account and region named `samsa-target-…` (LAMBDA_TARGET_PREFIX); [] = no Lambda targets.
   */
  subscriptionLambdaTargets: string[] | undefined;
}

/** The default Lambda targets: functions of the stack's account and region whose name starts with this. */
export const LAMBDA_TARGET_PREFIX = 'samsa-target-';

/** DynamoDB OnDemandThroughput; each limit at least 1 (request units per second). */
export interface ThroughputCap {
  maxReadRequestUnits?: number;
  maxWriteRequestUnits?: number;
}

export const CONTEXT_KEYS = {
  corsOrigins: 'samsa:corsOrigins',
  throttleRateLimit: 'samsa:throttleRateLimit',
  throttleBurstLimit: 'samsa:throttleBurstLimit',
  limits: 'samsa:limits',
  lagAlarmThreshold: 'samsa:lagAlarmThreshold',
  alarmEmail: 'samsa:alarmEmail',
  topicMetrics: 'samsa:topicMetrics',
  lagMetrics: 'samsa:lagMetrics',
  dashboard: 'samsa:dashboard',
  alarms: 'samsa:alarms',
  tableThroughputCap: 'samsa:tableThroughputCap',
  kafkaGateway: 'samsa:kafkaGateway',
  kafkaCertificateArn: 'samsa:kafkaCertificateArn',
  kafkaDomain: 'samsa:kafkaDomain',
  kafkaMaxTasks: 'samsa:kafkaMaxTasks',
  subscriptionLambdaTargets: 'samsa:subscriptionLambdaTargets',
} as const;

export const DEFAULT_SETTINGS: SamsaSettings = {
  corsOrigins: [],
  // Modest defaults: enough for a team, low enough that a runaway client is
  // stopped at the edge before it costs Lambda and DynamoDB money.
  throttle: { rateLimit: 100, burstLimit: 200 },
  logRetention: RetentionDays.ONE_MONTH,
  limits: {},
  lagAlarmThreshold: 100_000,
  alarmEmail: undefined,
  topicMetrics: true,
  lagMetrics: false,
  dashboard: false,
  alarms: false,
  tableThroughputCap: {},
  kafkaGateway: undefined,
  subscriptionLambdaTargets: undefined,
};

/** What the functions' telemetry reads (functions/telemetry/names.ts TELEMETRY_ENV). */
export function telemetryEnvironment(settings: SamsaSettings): Record<string, string> {
  return { [TELEMETRY_ENV.perTopic]: String(settings.topicMetrics) };
}

export function resolveSettings(scope: Construct, overrides: Partial<SamsaSettings> = {}): SamsaSettings {
  const ctx = (key: string): unknown => scope.node.tryGetContext(key);
  const alarmEmail = 'alarmEmail' in overrides ? overrides.alarmEmail : email(ctx(CONTEXT_KEYS.alarmEmail));
  // An address is a request for alarms: stacks that set one before alarms became opt-in keep them.
  const alarms = overrides.alarms ?? flag(ctx(CONTEXT_KEYS.alarms), CONTEXT_KEYS.alarms) ?? (alarmEmail !== undefined || DEFAULT_SETTINGS.alarms);
  if (!alarms && alarmEmail !== undefined) {
    throw new Error(`Context ${CONTEXT_KEYS.alarmEmail} is set but ${CONTEXT_KEYS.alarms} is false: there would be no alarm to send. Drop one of them.`);
  }
  return {
    corsOrigins: overrides.corsOrigins ?? origins(ctx(CONTEXT_KEYS.corsOrigins)) ?? DEFAULT_SETTINGS.corsOrigins,
    throttle: overrides.throttle ?? {
      rateLimit: positiveNumber(ctx(CONTEXT_KEYS.throttleRateLimit), CONTEXT_KEYS.throttleRateLimit) ?? DEFAULT_SETTINGS.throttle.rateLimit,
      burstLimit:
        positiveNumber(ctx(CONTEXT_KEYS.throttleBurstLimit), CONTEXT_KEYS.throttleBurstLimit) ?? DEFAULT_SETTINGS.throttle.burstLimit,
    },
    logRetention: overrides.logRetention ?? DEFAULT_SETTINGS.logRetention,
    limits: overrides.limits ?? limitOverrides(ctx(CONTEXT_KEYS.limits)) ?? DEFAULT_SETTINGS.limits,
    lagAlarmThreshold:
      overrides.lagAlarmThreshold ??
      positiveNumber(ctx(CONTEXT_KEYS.lagAlarmThreshold), CONTEXT_KEYS.lagAlarmThreshold) ??
      DEFAULT_SETTINGS.lagAlarmThreshold,
    alarmEmail,
    topicMetrics: overrides.topicMetrics ?? flag(ctx(CONTEXT_KEYS.topicMetrics), CONTEXT_KEYS.topicMetrics) ?? DEFAULT_SETTINGS.topicMetrics,
    lagMetrics: overrides.lagMetrics ?? flag(ctx(CONTEXT_KEYS.lagMetrics), CONTEXT_KEYS.lagMetrics) ?? DEFAULT_SETTINGS.lagMetrics,
    dashboard: overrides.dashboard ?? flag(ctx(CONTEXT_KEYS.dashboard), CONTEXT_KEYS.dashboard) ?? DEFAULT_SETTINGS.dashboard,
    alarms,
    tableThroughputCap: overrides.tableThroughputCap ?? throughputCap(ctx(CONTEXT_KEYS.tableThroughputCap)) ?? DEFAULT_SETTINGS.tableThroughputCap,
    kafkaGateway: 'kafkaGateway' in overrides ? overrides.kafkaGateway : kafkaGateway(ctx),
    subscriptionLambdaTargets: 'subscriptionLambdaTargets' in overrides ? overrides.subscriptionLambdaTargets : subscriptionLambdaTargets(scope),
  };
}

/**
 * samsa:subscriptionLambdaTargets: a JSON array (cdk.json) or a comma-separated string (-c) of Lambda
 * function ARN patterns; `[]`, '' or `none` = no Lambda targets; unset = undefined (the default).
 */
export function subscriptionLambdaTargets(scope: Construct): string[] | undefined {
  const key = CONTEXT_KEYS.subscriptionLambdaTargets;
  const value: unknown = scope.node.tryGetContext(key);
  if (value === undefined) return undefined;
  let list: unknown[];
  if (Array.isArray(value)) list = value;
  else if (typeof value === 'string') list = value.trim() === 'none' ? [] : value.trim().startsWith('[') ? (JSON.parse(value) as unknown[]) : value.split(',');
  else list = [];
  if (!Array.isArray(list) || !(Array.isArray(value) || typeof value === 'string')) {
    throw new Error(`Context ${key} must be a list of Lambda function ARN patterns; got ${JSON.stringify(value)}.`);
  }
  const patterns = list.map((p) => String(p).trim()).filter((p) => p !== '');
  for (const p of patterns) {
    try {
      validateTargetPattern(p);
    } catch (err) {
      throw new Error(`Context ${key}: ${(err as Error).message}`);
    }
  }
  return patterns;
}

/** On only with samsa:kafkaGateway=true, and then only with a certificate: the gateway never listens in plain text. */
function kafkaGateway(ctx: (key: string) => unknown): KafkaGatewaySettings | undefined {
  if (flag(ctx(CONTEXT_KEYS.kafkaGateway), CONTEXT_KEYS.kafkaGateway) !== true) return undefined;
  const arn = ctx(CONTEXT_KEYS.kafkaCertificateArn);
  if (typeof arn !== 'string' || !/^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate\/[A-Za-z0-9-]+$/.test(arn)) {
    throw new Error(
      `Context ${CONTEXT_KEYS.kafkaGateway}=true needs ${CONTEXT_KEYS.kafkaCertificateArn}: the ARN of an ACM certificate in this region for the ` +
        `gateway's TLS listener (got ${arn === undefined ? 'nothing' : `'${String(arn)}'`}). See docs/deploy.md, "Running the gateway in AWS".`,
    );
  }
  const domain = ctx(CONTEXT_KEYS.kafkaDomain);
  if (domain !== undefined && (typeof domain !== 'string' || !/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$/i.test(domain))) {
    throw new Error(`Context ${CONTEXT_KEYS.kafkaDomain} must be a DNS name; got '${String(domain)}'.`);
  }
  const maxTasks = positiveNumber(ctx(CONTEXT_KEYS.kafkaMaxTasks), CONTEXT_KEYS.kafkaMaxTasks) ?? 4;
  if (!Number.isSafeInteger(maxTasks)) throw new Error(`Context ${CONTEXT_KEYS.kafkaMaxTasks} must be a positive integer.`);
  return { certificateArn: arn, domain: domain as string | undefined, maxTasks };
}

/** `{"log":{"maxReadRequestUnits":4000,"maxWriteRequestUnits":1000},"meta":{...}}` (cdk.json, or a JSON string with -c). */
function throughputCap(value: unknown): SamsaSettings['tableThroughputCap'] | undefined {
  if (value === undefined) return undefined;
  const key = CONTEXT_KEYS.tableThroughputCap;
  const parsed: unknown = typeof value === 'string' ? JSON.parse(value) : value;
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error(`Context ${key} must be a JSON object keyed by table (${TABLE_KEYS.join(', ')}).`);
  const caps: SamsaSettings['tableThroughputCap'] = {};
  for (const [table, raw] of Object.entries(parsed)) {
    if (!(TABLE_KEYS as readonly string[]).includes(table)) throw new Error(`Context ${key}: unknown table '${table}'. Known: ${TABLE_KEYS.join(', ')}.`);
    if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new Error(`Context ${key}.${table} must be an object.`);
    const cap: ThroughputCap = {};
    for (const [limit, n] of Object.entries(raw)) {
      if (limit !== 'maxReadRequestUnits' && limit !== 'maxWriteRequestUnits') {
        throw new Error(`Context ${key}.${table}: unknown limit '${limit}'. Known: maxReadRequestUnits, maxWriteRequestUnits.`);
      }
      if (!Number.isSafeInteger(n) || (n as number) < 1) throw new Error(`Context ${key}.${table}.${limit} must be a positive integer.`);
      cap[limit] = n as number;
    }
    caps[table as TableKey] = cap;
  }
  return caps;
}

/** A JSON object of lib/limits.ts keys (cdk.json, or a JSON string with -c). */
function limitOverrides(value: unknown): Partial<Limits> | undefined {
  if (value === undefined) return undefined;
  const parsed: unknown = typeof value === 'string' ? JSON.parse(value) : value;
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new Error(`Context ${CONTEXT_KEYS.limits} must be a JSON object of limits.`);
  }
  const limits: Partial<Limits> = {};
  for (const [key, raw] of Object.entries(parsed)) {
    if (!(key in DEFAULT_LIMITS)) {
      throw new Error(`Context ${CONTEXT_KEYS.limits}: unknown limit '${key}'. Known: ${Object.keys(DEFAULT_LIMITS).join(', ')}.`);
    }
    const n = positiveNumber(raw, `${CONTEXT_KEYS.limits}.${key}`);
    if (n === undefined || !Number.isSafeInteger(n)) throw new Error(`Context ${CONTEXT_KEYS.limits}.${key} must be a positive integer.`);
    limits[key as keyof Limits] = n;
  }
  return limits;
}

/** Accepts a JSON array (cdk.json) or a comma-separated string (`-c` on the command line). */
function origins(value: unknown): string[] | undefined {
  if (value === undefined) return undefined;
  const list = Array.isArray(value) ? value : String(value).split(',');
  return list.map((o) => String(o).trim()).filter((o) => o !== '');
}

function flag(value: unknown, key: string): boolean | undefined {
  if (value === undefined) return undefined;
  if (value === true || value === 'true') return true;
  if (value === false || value === 'false') return false;
  throw new Error(`Context ${key} must be true or false; got '${String(value)}'.`);
}

function email(value: unknown): string | undefined {
  if (value === undefined || value === '') return undefined;
  const address = String(value).trim();
  if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(address)) throw new Error(`Context ${CONTEXT_KEYS.alarmEmail} must be an email address; got '${address}'.`);
  return address;
}

function positiveNumber(value: unknown, key: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`Context ${key} must be a positive number; got '${String(value)}'.`);
  return n;
}

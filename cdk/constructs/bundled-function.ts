/**
 * The one way Samsa builds a Lambda function: esbuild-bundled TypeScript
 * entry point, Node.js 22 on arm64, its own role (no managed policies) and
 * log group with explicit retention, JSON logs, active tracing, exactly the
 * table actions it is granted, the limit overrides, and the Powertools
 * service name (the stack name: the `service` of every log line and metric).
 * API functions (api-functions.ts) and scheduled ones (lag-metrics.ts) share it.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Stack, Validations, type Duration } from 'aws-cdk-lib';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { ApplicationLogLevel, Architecture, LoggingFormat, Runtime, SystemLogLevel, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { limitEnvName } from '../../functions/config';
import type { Limits } from '../../lib/limits';
import type { ConfinableTableAccess, SamsaTables, TableAccess } from './tables';

const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface BundledFunctionProps {
  /** Directory under functions/ holding the entry file. */
  entryDir: string;
  /** The entry file in entryDir (exporting `handler`); index.ts unless a directory holds two functions (functions/push). */
  entryFile?: string;
  memorySize: number;
  timeout: Duration;
  /** Table access; absent for functions that touch no table (the console's static files). */
  data?: { tables: SamsaTables; access: TableAccess | ConfinableTableAccess; limits: Partial<Limits> };
  logRetention: RetentionDays;
  description?: string;
  /** Shell commands run after esbuild, given the input and output directories (NodejsFunction commandHooks). */
  afterBundling?: (inputDir: string, outputDir: string) => string[];
  /** More environment (auth mode and quotas of API functions); never secrets. */
  environment?: Record<string, string>;
  /** Instances reserved for (and capping) this function; absent = the account's shared pool. */
  reservedConcurrency?: number;
}

/** Creates `<id>Logs`, `<id>Role` and `<id>` in `scope` (construct ids that existing stacks' logical ids depend on). */
export function bundledFunction(scope: Construct, id: string, props: BundledFunctionProps): NodejsFunction {
  const logGroup = new LogGroup(scope, `${id}Logs`, { retention: props.logRetention });
  // An own role instead of the default one: the default attaches the
  // AWSLambdaBasicExecutionRole managed policy, which may write to any log group.
  const role = new Role(scope, `${id}Role`, { assumedBy: new ServicePrincipal('lambda.amazonaws.com') });
  logGroup.grantWrite(role);

  // Reserved concurrency is opt-in per caller: it carves capacity out of the account pool
  // (new accounts may have as little as 10, and deploys fail if less than 10 stays unreserved).
  const fn = new NodejsFunction(scope, id, {
    entry: join(REPO_ROOT, 'functions', props.entryDir, props.entryFile ?? 'index.ts'),
    handler: 'handler',
    projectRoot: REPO_ROOT,
    depsLockFilePath: join(REPO_ROOT, 'package-lock.json'),
    runtime: Runtime.NODEJS_22_X,
    architecture: Architecture.ARM_64,
    ...(props.description === undefined ? {} : { description: props.description }),
    memorySize: props.memorySize,
    timeout: props.timeout,
    ...(props.reservedConcurrency === undefined ? {} : { reservedConcurrentExecutions: props.reservedConcurrency }),
    role,
    logGroup,
    loggingFormat: LoggingFormat.JSON,
    applicationLogLevelV2: ApplicationLogLevel.INFO,
    systemLogLevelV2: SystemLogLevel.INFO,
    tracing: Tracing.ACTIVE,
    environment: {
      // Read by Powertools Logger and Metrics (functions/telemetry): the dashboard and alarms select on it.
      POWERTOOLS_SERVICE_NAME: Stack.of(scope).stackName,
      ...Object.fromEntries(Object.entries(props.data?.limits ?? {}).map(([key, value]) => [limitEnvName(key as keyof Limits), String(value)])),
      ...props.environment,
    },
    bundling: {
      format: OutputFormat.CJS,
      target: 'node22',
      minify: true,
      sourceMap: false,
      // The Node.js 22 runtime ships AWS SDK v3; bundling it makes the admin
      // bundle ~600 KB instead of ~62 KB (measured), which costs cold-start time.
      externalModules: ['@aws-sdk/*'],
      // Bundle with the esbuild in node_modules; never fall back to Docker.
      forceDockerBundling: false,
      ...(props.afterBundling === undefined
        ? {}
        : { commandHooks: { beforeBundling: () => [], beforeInstall: () => [], afterBundling: props.afterBundling } }),
    },
  });
  if (props.data !== undefined) props.data.tables.grant(fn, props.data.access);
  Validations.of(role).acknowledge({
    id: 'AwsSolutions::AwsSolutions-IAM5[Resource::*]',
    reason:
      'Only xray:PutTraceSegments and xray:PutTelemetryRecords (added by active tracing) use Resource *: ' +
      'X-Ray does not support resource-level permissions. DynamoDB statements, where a function has any, name the tables and indexes (asserted in test/cdk).',
  });
  return fn;
}

/** The runtime choice, acknowledged once per construct that holds Samsa functions. */
export function acknowledgeRuntime(scope: Construct): void {
  for (const id of ['AwsSolutions::AwsSolutions-L1', 'Serverless::Serverless-LambdaLatestVersion']) {
    Validations.of(scope).acknowledge({
      id,
      reason:
        'Node.js 22 is a supported Lambda runtime (upstream end of life April 2027). The runtime, the esbuild target ' +
        '(node22) and the runtime-provided AWS SDK v3 move together in one tested change, not when a newer runtime appears.',
    });
  }
}

/**
 * One bundled Lambda function per FunctionArea, each with its own role (no
 * managed policies), its own log group with explicit retention, and exactly the
 * table actions its area spec lists.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Duration, Validations } from 'aws-cdk-lib';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { ApplicationLogLevel, Architecture, LoggingFormat, Runtime, SystemLogLevel, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { limitEnvName } from '../../functions/config';
import type { Limits } from '../../lib/limits';
import type { FunctionArea } from '../../functions/http/routes';
import type { FunctionAreaSpec } from '../function-areas';
import type { SamsaTables } from './tables';

const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/** API Gateway gives up on an integration after 30 s; leave room for the response to travel back. */
const MAX_TIMEOUT = Duration.seconds(29);

export interface ApiFunctionsProps {
  areas: Record<FunctionArea, FunctionAreaSpec>;
  tables: SamsaTables;
  logRetention: RetentionDays;
  limits: Partial<Limits>;
}

export class ApiFunctions extends Construct {
  readonly byArea: Record<FunctionArea, NodejsFunction>;

  constructor(scope: Construct, id: string, props: ApiFunctionsProps) {
    super(scope, id);
    const entries = Object.entries(props.areas) as [FunctionArea, FunctionAreaSpec][];
    this.byArea = Object.fromEntries(
      entries.map(([area, spec]) => [area, this.createFunction(area, spec, props)]),
    ) as Record<FunctionArea, NodejsFunction>;

    const functions = Validations.of(this);
    for (const id of ['AwsSolutions::AwsSolutions-L1', 'Serverless::Serverless-LambdaLatestVersion']) {
      functions.acknowledge({
        id,
        reason:
          'Node.js 22 is a supported Lambda runtime (upstream end of life April 2027). The runtime, the esbuild target ' +
          '(node22) and the runtime-provided AWS SDK v3 move together in one tested change, not when a newer runtime appears.',
      });
    }
    functions.acknowledge({
      id: 'Serverless::Serverless-LambdaDLQ',
      reason:
        'These functions are only invoked synchronously by API Gateway; the caller receives the error. ' +
        'There is no asynchronous invocation whose event could be dead-lettered.',
    });
  }

  private createFunction(area: FunctionArea, spec: FunctionAreaSpec, props: ApiFunctionsProps): NodejsFunction {
    if (spec.timeout.toSeconds() > MAX_TIMEOUT.toSeconds()) {
      throw new Error(`Function area '${area}': timeout ${spec.timeout.toSeconds()} s exceeds ${MAX_TIMEOUT.toSeconds()} s.`);
    }
    const id = area.charAt(0).toUpperCase() + area.slice(1);
    const logGroup = new LogGroup(this, `${id}Logs`, { retention: props.logRetention });
    // An own role instead of the default one: the default attaches the
    // AWSLambdaBasicExecutionRole managed policy, which may write to any log group.
    const role = new Role(this, `${id}Role`, { assumedBy: new ServicePrincipal('lambda.amazonaws.com') });
    logGroup.grantWrite(role);

    // No reserved concurrency: the stage throttle bounds traffic at the edge,
    // and reserving would carve capacity out of the account pool (new accounts
    // may have as little as 10, and deploys fail if less than 10 stays unreserved).
    const fn = new NodejsFunction(this, id, {
      entry: join(REPO_ROOT, 'functions', area, 'index.ts'),
      handler: 'handler',
      projectRoot: REPO_ROOT,
      depsLockFilePath: join(REPO_ROOT, 'package-lock.json'),
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      memorySize: spec.memorySize,
      timeout: spec.timeout,
      role,
      logGroup,
      loggingFormat: LoggingFormat.JSON,
      applicationLogLevelV2: ApplicationLogLevel.INFO,
      systemLogLevelV2: SystemLogLevel.INFO,
      tracing: Tracing.ACTIVE,
      environment: Object.fromEntries(
        Object.entries(props.limits).map(([key, value]) => [limitEnvName(key as keyof Limits), String(value)]),
      ),
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
      },
    });
    props.tables.grant(fn, spec.tables);
    Validations.of(role).acknowledge({
      id: 'AwsSolutions::AwsSolutions-IAM5[Resource::*]',
      reason:
        'Only xray:PutTraceSegments and xray:PutTelemetryRecords (added by active tracing) use Resource *: ' +
        'X-Ray does not support resource-level permissions. DynamoDB statements name the tables and indexes (asserted in test/cdk).',
    });
    return fn;
  }
}

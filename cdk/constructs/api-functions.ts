/**
 * One bundled Lambda function per FunctionArea (bundled-function.ts: own
 * role, own log group, exactly the table actions its area spec lists).
 */
import { Duration, Validations } from 'aws-cdk-lib';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { Limits } from '../../lib/limits';
import type { FunctionArea } from '../../functions/http/routes';
import type { FunctionAreaSpec } from '../function-areas';
import { acknowledgeRuntime, bundledFunction } from './bundled-function';
import type { ConfinedWrites, SamsaTables, TableKey } from './tables';

/** API Gateway gives up on an integration after 30 s; leave room for the response to travel back. */
const MAX_TIMEOUT = Duration.seconds(29);

export interface ApiFunctionsProps {
  areas: Record<FunctionArea, FunctionAreaSpec>;
  tables: SamsaTables;
  logRetention: RetentionDays;
  limits: Partial<Limits>;
  /** Auth mode, super users and quotas for functions/config.ts. */
  environment: Record<string, string>;
  reservedConcurrency: Record<FunctionArea, number> | false;
}

export class ApiFunctions extends Construct {
  readonly byArea: Record<FunctionArea, NodejsFunction>;

  constructor(scope: Construct, id: string, props: ApiFunctionsProps) {
    super(scope, id);
    const entries = Object.entries(props.areas) as [FunctionArea, FunctionAreaSpec][];
    this.byArea = Object.fromEntries(
      entries.map(([area, spec]) => [area, this.createFunction(area, spec, props)]),
    ) as Record<FunctionArea, NodejsFunction>;

    acknowledgeRuntime(this);
    Validations.of(this).acknowledge({
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
    const fn = bundledFunction(this, id, {
      entryDir: area,
      memorySize: spec.memorySize,
      timeout: spec.timeout,
      data: { tables: props.tables, access: spec.tables, limits: props.limits },
      logRetention: props.logRetention,
      environment: props.environment,
      ...(props.reservedConcurrency === false ? {} : { reservedConcurrency: props.reservedConcurrency[area] }),
    });
    for (const [table, partitions] of Object.entries(spec.queryPartitions ?? {}) as [TableKey, readonly string[]][]) {
      props.tables.grantQueryOfPartitions(fn, table, partitions);
    }
    for (const [table, list] of Object.entries(spec.confinedWrites ?? {}) as [TableKey, readonly ConfinedWrites[]][]) {
      for (const writes of list) props.tables.grantConfinedWrites(fn, table, writes);
    }
    return fn;
  }
}

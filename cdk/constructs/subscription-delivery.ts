/**
 * Push-subscription delivery on AWS (docs/subscriptions.md): the delivery
 * function (functions/subscriptions/index.ts) runs on the log table's stream
 * (settled batches only) and on one-shot EventBridge Scheduler wake-ups
 * (retry backoffs, lingers) that it creates itself in a dedicated schedule
 * group, through a role that may only invoke it. It posts to webhooks and
 * invokes the Lambda function targets samsa:subscriptionLambdaTargets allows
 * (cdk/settings.ts): its role may invoke those ARN patterns only, and the
 * function gets the same patterns to check before each invocation.
 *
 * Idle cost is nil: Lambda's stream reads are free, Scheduler bills per
 * invocation, and a schedule group costs nothing (docs/deploy.md, "Costs").
 */
import { ArnFormat, Duration, Stack, Token, Validations } from 'aws-cdk-lib';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { CfnScheduleGroup } from 'aws-cdk-lib/aws-scheduler';
import { Construct } from 'constructs';
import { DELIVERY_ENV } from '../../functions/subscriptions/aws-env';
import type { Limits } from '../../lib/limits';
import { metaKeys } from '../../lib/storage/keys';
import { subscriptionKeys } from '../../lib/subscriptions/items';
import { formatTargetPatterns } from '../../lib/subscriptions/lambda-targets';
import { LAMBDA_TARGET_PREFIX, subscriptionLambdaTargets } from '../settings';
import { acknowledgeRuntime, bundledFunction } from './bundled-function';
import { acknowledgeStreamRead, SETTLED_BATCH_FILTERS } from './push';
import type { ConfinedWrites, SamsaTables, TableAccess } from './tables';

export const DELIVERY_TIMEOUT = Duration.seconds(60);
/** Room after the budget for the last webhook post (10 s timeout, lib/subscriptions/deliver.ts) and the commit. */
export const DELIVERY_MARGIN = Duration.seconds(15);

/**
 * A run polls as the subscription's consumer group (the groups function's reads), posts, commits,
 * and dead-letters by producing (the produce function's log writes).
 */
export const DELIVERY_ACCESS: TableAccess = {
  meta: ['GetItem', 'Query', 'BatchGetItem'],
  log: ['GetItem', 'BatchGetItem', 'Query', 'PutItem', 'UpdateItem'],
};
/** Group items, subscription state and the producer id counter / state of a dead-letter produce: never a key, ACL or topic item. */
export const DELIVERY_META_WRITES: ConfinedWrites = {
  actions: ['PutItem', 'UpdateItem', 'DeleteItem'],
  partitions: [metaKeys.groupRegistryPk, metaKeys.groupPk('*'), subscriptionKeys.registryPk, subscriptionKeys.topicPk('*'), subscriptionKeys.statePk('*'), metaKeys.producerIdCounter().pk, 'pstate#*'],
};

export interface SubscriptionDeliveryProps {
  tables: SamsaTables;
  logRetention: RetentionDays;
  limits: Partial<Limits>;
  environment: Record<string, string>;
  /**
   * Lambda function ARN patterns subscriptions may target (SamsaSettings.subscriptionLambdaTargets);
   * absent = read samsa:subscriptionLambdaTargets from context, else the default (lambdaTargetDefault).
   */
  lambdaTargets?: string[] | undefined;
}

/** Functions of the stack's own account and region named samsa-target-…, any alias or version. */
export function lambdaTargetDefault(stack: Stack): string {
  return stack.formatArn({ service: 'lambda', resource: 'function', resourceName: `${LAMBDA_TARGET_PREFIX}*`, arnFormat: ArnFormat.COLON_RESOURCE_NAME });
}

export class SubscriptionDelivery extends Construct {
  readonly fn: NodejsFunction;
  readonly scheduleGroup: CfnScheduleGroup;
  readonly schedulerRole: Role;
  /** The Lambda targets the role may invoke (may hold tokens); the function serving POST /v1/subscriptions should get them too. */
  readonly lambdaTargets: string[];

  constructor(scope: Construct, id: string, props: SubscriptionDeliveryProps) {
    super(scope, id);
    const stack = Stack.of(this);
    this.lambdaTargets = props.lambdaTargets ?? subscriptionLambdaTargets(this) ?? [lambdaTargetDefault(stack)];
    this.scheduleGroup = new CfnScheduleGroup(this, 'Wakeups', {});
    const groupName = this.scheduleGroup.ref;
    const groupArn = stack.formatArn({ service: 'scheduler', resource: 'schedule-group', resourceName: groupName });
    // Assumed by EventBridge Scheduler for this account's schedules in this group only (confused-deputy guard).
    this.schedulerRole = new Role(this, 'SchedulerRole', {
      assumedBy: new ServicePrincipal('scheduler.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': stack.account }, ArnLike: { 'aws:SourceArn': groupArn } },
      }),
      description: 'Lets EventBridge Scheduler invoke the Samsa subscription delivery function (wake-ups)',
    });

    this.fn = bundledFunction(this, 'Deliver', {
      entryDir: 'subscriptions',
      description: 'Samsa push-subscription delivery (stream and scheduled wake-ups)',
      memorySize: 512,
      timeout: DELIVERY_TIMEOUT,
      data: { tables: props.tables, access: DELIVERY_ACCESS, limits: props.limits },
      logRetention: props.logRetention,
      environment: {
        ...props.environment,
        [DELIVERY_ENV.scheduleGroup]: groupName,
        [DELIVERY_ENV.schedulerRoleArn]: this.schedulerRole.roleArn,
        [DELIVERY_ENV.budgetMs]: String(DELIVERY_TIMEOUT.minus(DELIVERY_MARGIN).toMilliseconds()),
        [DELIVERY_ENV.lambdaTargets]: formatTargetPatterns(this.lambdaTargets),
      },
    });
    props.tables.grantConfinedWrites(this.fn, 'meta', DELIVERY_META_WRITES);
    this.schedulerRole.addToPolicy(new PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [this.fn.functionArn] }));
    this.fn.addToRolePolicy(
      new PolicyStatement({
        actions: ['scheduler:CreateSchedule'],
        resources: [stack.formatArn({ service: 'scheduler', resource: 'schedule', resourceName: `${groupName}/*` })],
      }),
    );
    this.fn.addToRolePolicy(
      new PolicyStatement({
        actions: ['iam:PassRole'],
        resources: [this.schedulerRole.roleArn],
        conditions: { StringEquals: { 'iam:PassedToService': 'scheduler.amazonaws.com' } },
      }),
    );
    this.grantLambdaTargets(stack);
    this.fn.addEventSource(
      new DynamoEventSource(props.tables.tables.log, {
        startingPosition: StartingPosition.LATEST,
        filters: SETTLED_BATCH_FILTERS,
        batchSize: 100,
        // Delivery resumes from the subscription's committed offsets, so a dropped stream batch delays
        // nothing for long: the next produce to the topic (or a wake-up) runs the subscription again.
        bisectBatchOnError: true,
        retryAttempts: 3,
        maxRecordAge: Duration.hours(1),
      }),
    );

    acknowledgeRuntime(this);
    Validations.of(this.fn).acknowledge({
      id: 'Serverless::Serverless-LambdaEventSourceMappingDestination',
      reason:
        'A stream batch dropped after its retries loses nothing: delivery polls from the subscription\'s committed offsets, so the next ' +
        'produce to the topic or a scheduled wake-up delivers what the dropped batch announced.',
    });
    Validations.of(this.fn.role!).acknowledge({
      id: `AwsSolutions::AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:scheduler:<AWS::Region>:<AWS::AccountId>:schedule/<${String(stack.resolve(stack.getLogicalId(this.scheduleGroup)))}>/*]`,
      reason:
        'Wake-up schedules are created at run time with names derived from the subscription and the time (functions/subscriptions/aws-scheduler.ts): ' +
        'the grant is CreateSchedule only, in the one schedule group this stack owns.',
    });
    Validations.of(this.fn).acknowledge({
      id: 'Serverless::Serverless-LambdaDLQ',
      reason:
        'A failed run loses nothing: the batch is not committed, its attempt state is stored in DynamoDB before any wake-up is ' +
        'scheduled, and the next run (stream or wake-up) resumes from the committed offsets; batches that exhaust their attempts ' +
        "go to the subscription's own dead-letter topic.",
    });
    acknowledgeStreamRead(this.fn);
  }

  /**
   * Gives a function the allowed Lambda targets (SAMSA_SUBSCRIPTION_LAMBDA_TARGETS): for the one that
   * serves POST /v1/subscriptions, so create refuses a function delivery could not invoke.
   */
  shareLambdaTargets(fn: NodejsFunction): void {
    fn.addEnvironment(DELIVERY_ENV.lambdaTargets, formatTargetPatterns(this.lambdaTargets));
  }

  /**
   * Lets a function start a delivery run (an asynchronous invocation `{"subscription": name}`, as a
   * wake-up): for the one that serves resume, so a resumed subscription delivers what waited at once.
   * lambda:InvokeFunction on this function only.
   */
  allowWake(fn: NodejsFunction): void {
    fn.addEnvironment(DELIVERY_ENV.functionArn, this.fn.functionArn);
    // The unqualified ARN only (grantInvoke would add `:*`, every version and alias: a wildcard for nothing).
    fn.addToRolePolicy(new PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [this.fn.functionArn] }));
  }

  /** lambda:InvokeFunction on exactly the allowed patterns (none: no statement); each wildcard acknowledged for cdk-nag. */
  private grantLambdaTargets(stack: Stack): void {
    if (this.lambdaTargets.length === 0) return;
    this.fn.addToRolePolicy(new PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: this.lambdaTargets }));
    for (const pattern of this.lambdaTargets.filter((p) => p.includes('*'))) {
      Validations.of(this.fn.role!).acknowledge({
        id: `AwsSolutions::AwsSolutions-IAM5[Resource::${nagResource(stack, pattern)}]`,
        reason:
          'Push subscriptions may deliver to the Lambda functions samsa:subscriptionLambdaTargets names (docs/subscriptions.md); a pattern ' +
          'is how the operator allows a family of target functions (by default the stack\'s own account and region, names samsa-target-*, ' +
          'any alias or version) without redeploying per subscription. The grant is lambda:InvokeFunction only.',
      });
    }
  }
}

/** How cdk-nag names a resource in a finding: CloudFormation references as <Name>, literal text as is. */
function nagResource(stack: Stack, value: string): string {
  const render = (v: unknown): string => {
    if (typeof v === 'string') return v;
    if (Array.isArray(v)) return v.map(render).join('');
    const [fn, arg] = Object.entries(v as Record<string, unknown>)[0]!;
    if (fn === 'Ref') return `<${String(arg)}>`;
    if (fn === 'Fn::Join') return ((arg as unknown[])[1] as unknown[]).map(render).join((arg as unknown[])[0] as string);
    if (fn === 'Fn::GetAtt') return `<${(arg as string[]).join('.')}>`;
    return JSON.stringify(v);
  };
  return Token.isUnresolved(value) ? render(stack.resolve(value)) : value;
}

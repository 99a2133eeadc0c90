/**
 * Environment variables of the subscription delivery function on AWS, set by
 * cdk/constructs/subscription-delivery.ts from the same names.
 * Dependency-free: the CDK app imports it.
 */
export const DELIVERY_ENV = {
  /** EventBridge Scheduler group the wake-ups are created in (the only one the function may write to). */
  scheduleGroup: 'SAMSA_WAKE_SCHEDULE_GROUP',
  /** The role the scheduler assumes to invoke this function (the only role the function may pass). */
  schedulerRoleArn: 'SAMSA_WAKE_ROLE_ARN',
  /** How long a run may keep starting batches: the function's timeout less a margin for the last post. */
  budgetMs: 'SAMSA_DELIVERY_BUDGET_MS',
  /**
   * The Lambda function ARN patterns subscriptions may target (samsa:subscriptionLambdaTargets),
   * comma-separated; '' = none. The same the delivery role may invoke. Read by the delivery
   * function, and meant for the function serving POST /v1/subscriptions too (create's check).
   */
  lambdaTargets: 'SAMSA_SUBSCRIPTION_LAMBDA_TARGETS',
  /** The delivery function, for the function serving resume: it starts a run at once (asynchronous invocation). */
  functionArn: 'SAMSA_SUBSCRIPTION_DELIVERY_FUNCTION',
} as const;

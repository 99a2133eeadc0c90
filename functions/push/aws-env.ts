/**
 * Environment variables the push functions read on AWS, set by the CDK
 * constructs (cdk/constructs/push.ts) from the same names, so the two cannot
 * drift apart. Dependency-free: the CDK app imports it.
 */
export const PUSH_ENV = {
  /** The WebSocket stage's management endpoint (`https://<api>.execute-api.<region>.amazonaws.com/<stage>`) for PostToConnection. */
  callbackUrl: 'SAMSA_PUSH_CALLBACK_URL',
} as const;

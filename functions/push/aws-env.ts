/**
 * Environment variables the push functions read on AWS, set by the CDK
 * constructs (cdk/constructs/push.ts) from the same names, so the two cannot
 * drift apart. Dependency-free: the CDK app imports it.
 */
export const PUSH_ENV = {
  /** The WebSocket stage's management endpoint (`https://<api>.execute-api.<region>.amazonaws.com/<stage>`) for PostToConnection. */
  callbackUrl: 'SAMSA_PUSH_CALLBACK_URL',
  /** JWT mode, the $connect authorizer (functions/push/aws-authorizer.ts): the OIDC issuer, as the HTTP API's JWT authorizer has it. */
  jwtIssuer: 'SAMSA_JWT_ISSUER',
  /** JWT mode: the accepted audiences, comma-separated. */
  jwtAudience: 'SAMSA_JWT_AUDIENCE',
} as const;

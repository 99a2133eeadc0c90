/**
 * Push notifications on AWS (docs/push.md): an API Gateway WebSocket API
 * whose three routes ($connect, $default, $disconnect) go to one `push`
 * function (functions/push/index.ts, the door the local stack also runs),
 * and a fan-out function (functions/push/aws-fan-out.ts) on the log table's
 * stream that notifies subscribers through the stage's @connections API.
 *
 * In JWT mode a Lambda REQUEST authorizer (functions/push/aws-authorizer.ts)
 * guards $connect: API Gateway has JWT authorizers for HTTP APIs only, so it
 * validates `?token=<jwt>` as the HTTP API's JWT authorizer would and passes
 * the principal to the door (docs/security.md).
 *
 * Nothing here bills while idle: the WebSocket API is billed per message and
 * connection minute, Lambda's reads of a DynamoDB stream are free, and the
 * functions are billed per invocation (docs/deploy.md, "Costs").
 */
import { Duration, Stack, Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import { LogGroupLogDestination, WebSocketApi, type CfnApi, WebSocketStage, type ThrottleSettings } from 'aws-cdk-lib/aws-apigatewayv2';
import { WebSocketLambdaAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { WebSocketLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { FilterCriteria, StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { ENV } from '../../functions/config';
import { PUSH_ENV } from '../../functions/push/aws-env';
import type { Limits } from '../../lib/limits';
import { PUSH_TOKEN_QUERY } from '../../lib/protocol/push';
import { SETTLED_BATCH_FILTER } from '../../lib/push/settled';
import { metaKeys } from '../../lib/storage/keys';
import { acknowledgeRuntime, bundledFunction } from './bundled-function';
import type { ConfinableTableAccess, ConfinedWrites, SamsaTables } from './tables';

/** The registry's partitions (lib/push/registry.ts pushKeys): connection items and per-partition subscriber rows. */
export const PUSH_REGISTRY_PARTITIONS = ['push#conn#*', 'push#sub#*'] as const;

/** The door: API key and topic reads (GetItem), the ACL partition (Query below); it reads nothing of the log. */
export const PUSH_DOOR_ACCESS: ConfinableTableAccess = { meta: ['GetItem'], log: [] };
/** Registry writes only: never a key, ACL, topic or group item. */
export const PUSH_REGISTRY_WRITES: ConfinedWrites = { actions: ['PutItem', 'UpdateItem', 'DeleteItem'], partitions: PUSH_REGISTRY_PARTITIONS };

/**
 * Closing a connection makes each group member linked to it leave (lib/push/disconnect.ts → the groups'
 * removeMember: retire the incarnation, delete the member, release its leases, mark a sweep), in the door
 * ($disconnect) and in the fan-out (a connection found gone): updates and deletes in group partitions only.
 */
export const LINKED_MEMBER_LEAVE: ConfinedWrites = { actions: ['UpdateItem', 'DeleteItem'], partitions: [metaKeys.groupPk('*')] };

/** The fan-out: nothing unconfined. It queries subscriber rows and deletes a gone connection's rows. */
export const PUSH_FAN_OUT_ACCESS: ConfinableTableAccess = { meta: [], log: [] };
export const PUSH_FAN_OUT_WRITES: ConfinedWrites = { actions: ['DeleteItem'], partitions: PUSH_REGISTRY_PARTITIONS };

export const PUSH_STAGE_NAME = 'v1';

/** The filter of both stream consumers (push here, subscription delivery): settled batches only. */
export const SETTLED_BATCH_FILTERS = [FilterCriteria.filter({ ...SETTLED_BATCH_FILTER })];

export interface PushProps {
  tables: SamsaTables;
  logRetention: RetentionDays;
  limits: Partial<Limits>;
  /** Auth mode, super users, quotas (the door authenticates as the HTTP API does). */
  environment: Record<string, string>;
  throttle: ThrottleSettings;
  /** JWT mode: $connect gets the Lambda authorizer validating tokens for this issuer and these audiences. */
  jwt?: { issuer: string; audience: string[]; principalClaim: string } | undefined;
}

/** Where the authorizer finds the token; API Gateway refuses a connect without it (401) before invoking anything. */
export const PUSH_AUTHORIZER_IDENTITY_SOURCE = `route.request.querystring.${PUSH_TOKEN_QUERY}`;

export class Push extends Construct {
  readonly api: WebSocketApi;
  readonly stage: WebSocketStage;
  readonly door: NodejsFunction;
  readonly fanOut: NodejsFunction;
  /** JWT mode only: the $connect authorizer. */
  readonly authorizer: NodejsFunction | undefined;

  constructor(scope: Construct, id: string, props: PushProps) {
    super(scope, id);
    const { tables } = props;

    this.door = bundledFunction(this, 'Door', {
      entryDir: 'push',
      description: 'Samsa WebSocket routes ($connect, $default, $disconnect)',
      memorySize: 256,
      // API Gateway WebSocket integrations time out after 29 s; a route does a few small DynamoDB calls.
      timeout: Duration.seconds(10),
      data: { tables, access: PUSH_DOOR_ACCESS, limits: props.limits },
      logRetention: props.logRetention,
      environment: props.environment,
    });
    tables.grantQueryOfPartitions(this.door, 'meta', [metaKeys.aclPk]);
    tables.grantConfinedWrites(this.door, 'meta', PUSH_REGISTRY_WRITES);
    tables.grantConfinedWrites(this.door, 'meta', LINKED_MEMBER_LEAVE);

    const integration = new WebSocketLambdaIntegration('DoorIntegration', this.door);
    this.authorizer = props.jwt === undefined ? undefined : this.jwtAuthorizer(props, props.jwt);
    this.api = new WebSocketApi(this, 'Api', {
      apiName: `${Stack.of(this).stackName}-push`,
      description: 'Samsa push notifications (docs/push.md)',
      connectRouteOptions: {
        integration,
        ...(this.authorizer === undefined
          ? {}
          : { authorizer: new WebSocketLambdaAuthorizer('JwtAuthorizer', this.authorizer, { identitySource: [PUSH_AUTHORIZER_IDENTITY_SOURCE] }) }),
      },
      disconnectRouteOptions: { integration },
      // The route response sends the function's answer (subscribed, pong, error) back on the connection.
      defaultRouteOptions: { integration, returnResponse: true },
    });
    const accessLogs = new LogGroup(this, 'AccessLogs', { retention: props.logRetention });
    this.stage = new WebSocketStage(this, 'Stage', {
      webSocketApi: this.api,
      stageName: PUSH_STAGE_NAME,
      autoDeploy: true,
      throttle: props.throttle,
      accessLogSettings: {
        destination: new LogGroupLogDestination(accessLogs),
        // Connection facts only, never headers (the connect request may carry the API key).
        format: AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            requestTime: '$context.requestTime',
            sourceIp: '$context.identity.sourceIp',
            routeKey: '$context.routeKey',
            eventType: '$context.eventType',
            connectionId: '$context.connectionId',
            status: '$context.status',
            integrationStatus: '$context.integrationStatus',
            error: '$context.error.message',
          }),
        ),
      },
    });

    this.fanOut = bundledFunction(this, 'FanOut', {
      entryDir: 'push',
      entryFile: 'aws-fan-out.ts',
      description: 'Samsa push fan-out: settled batches → PostToConnection',
      memorySize: 256,
      timeout: Duration.seconds(30),
      data: { tables, access: PUSH_FAN_OUT_ACCESS, limits: props.limits },
      logRetention: props.logRetention,
      environment: { ...props.environment, [PUSH_ENV.callbackUrl]: this.stage.callbackUrl },
    });
    tables.grantQueryOfPartitions(this.fanOut, 'meta', ['push#sub#*'], true);
    tables.grantConfinedWrites(this.fanOut, 'meta', PUSH_FAN_OUT_WRITES);
    tables.grantConfinedWrites(this.fanOut, 'meta', LINKED_MEMBER_LEAVE);
    // The linked member's item is read (strongly) before it leaves; nothing else on meta.
    this.fanOut.addToRolePolicy(
      new PolicyStatement({
        actions: ['dynamodb:GetItem'],
        resources: [tables.tables.meta.tableArn],
        conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [metaKeys.groupPk('*')] } },
      }),
    );
    // PostToConnection on this stage's connections only.
    this.fanOut.addToRolePolicy(
      new PolicyStatement({
        actions: ['execute-api:ManageConnections'],
        resources: [Stack.of(this).formatArn({ service: 'execute-api', resource: this.api.apiId, resourceName: `${PUSH_STAGE_NAME}/POST/@connections/*` })],
      }),
    );
    this.fanOut.addEventSource(
      new DynamoEventSource(tables.tables.log, {
        startingPosition: StartingPosition.LATEST,
        filters: SETTLED_BATCH_FILTERS,
        batchSize: 100,
        // A notification is a hint (clients poll as a safety net): a failing batch is halved to isolate
        // the bad record, retried twice, and dropped after a minute, so it never holds the shard up.
        bisectBatchOnError: true,
        retryAttempts: 2,
        maxRecordAge: Duration.minutes(1),
      }),
    );

    acknowledgeRuntime(this);
    Validations.of(this.door).acknowledge({
      id: 'Serverless::Serverless-LambdaDLQ',
      reason: 'Only invoked synchronously by API Gateway WebSocket routes; the client receives the answer or the error.',
    });
    const hintReason =
      'Invoked only by its stream event source mapping; a dropped batch would be a stale notification, a hint clients do not depend on ' +
      '(they poll as a safety net), so there is nothing worth replaying from a dead-letter or on-failure destination.';
    Validations.of(this.fanOut).acknowledge({ id: 'Serverless::Serverless-LambdaDLQ', reason: hintReason });
    Validations.of(this.fanOut).acknowledge({ id: 'Serverless::Serverless-LambdaEventSourceMappingDestination', reason: hintReason });
    const stack = Stack.of(this);
    const apiLogicalId: unknown = stack.resolve(stack.getLogicalId(this.api.node.defaultChild as CfnApi));
    Validations.of(this.fanOut.role!).acknowledge({
      id: `AwsSolutions::AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:execute-api:<AWS::Region>:<AWS::AccountId>:<${String(apiLogicalId)}>/${PUSH_STAGE_NAME}/POST/@connections/*]`,
      reason:
        'PostToConnection addresses a connection by its id, which API Gateway assigns at $connect: the grant names this API, this stage and ' +
        'the one method (POST), and leaves only the connection id open.',
    });
    Validations.of(this.api).acknowledge({
      id: 'AwsSolutions::AwsSolutions-APIG4',
      reason:
        (props.jwt === undefined
          ? '$connect authenticates in the door function exactly as the HTTP API does (API key checked against its salted hash, lib/auth/keys.ts) and ' +
            'refuses the handshake otherwise'
          : '$connect has the JWT Lambda authorizer (functions/push/authorizer.ts: issuer, audience, signature, expiry, principal claim), and the ' +
            'door refuses a connect without its validated claims') +
        '; $default and $disconnect only act on a connection registered by an authenticated $connect (API Gateway allows authorizers on $connect only).',
    });
    acknowledgeStreamRead(this.fanOut);
  }

  /** The $connect authorizer of JWT mode: no table, no permission but its logs; invoked by this API's authorizer only. */
  private jwtAuthorizer(props: PushProps, jwt: NonNullable<PushProps['jwt']>): NodejsFunction {
    const fn = bundledFunction(this, 'Authorizer', {
      entryDir: 'push',
      entryFile: 'aws-authorizer.ts',
      description: 'Samsa WebSocket $connect authorizer: validates the JWT as the HTTP API JWT authorizer does',
      // Signature checks are cheap; the first connect of an instance fetches the issuer's discovery document and keys
      // (3 s timeout each, functions/push/aws-authorizer.ts), well within the timeout and API Gateway's wait for an authorizer.
      memorySize: 256,
      timeout: Duration.seconds(10),
      logRetention: props.logRetention,
      environment: {
        [PUSH_ENV.jwtIssuer]: jwt.issuer,
        [PUSH_ENV.jwtAudience]: jwt.audience.join(','),
        [ENV.jwtPrincipalClaim]: jwt.principalClaim,
      },
    });
    Validations.of(fn).acknowledge({
      id: 'Serverless::Serverless-LambdaDLQ',
      reason: 'Only invoked synchronously by API Gateway as the $connect authorizer; a failure refuses the handshake, there is nothing to redeliver.',
    });
    return fn;
  }
}

/** The event source mapping's read grant: dynamodb:ListStreams takes no resource but `*`. */
export function acknowledgeStreamRead(fn: NodejsFunction): void {
  Validations.of(fn).acknowledge({
    id: 'AwsSolutions::AwsSolutions-IAM5[Resource::*]',
    reason:
      'dynamodb:ListStreams (added by the DynamoDB event source) does not support resource-level permissions; the stream read actions ' +
      'name the log table stream, and xray:PutTraceSegments/PutTelemetryRecords (active tracing) support none either.',
  });
}

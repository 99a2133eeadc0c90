/**
 * The HTTP API (payload format 2.0): one route per ROUTES entry, each to its
 * area's function, plus `$default` so unknown paths still get Samsa's JSON
 * error envelope rather than API Gateway's own 404. JSON access logs without
 * headers (so no credentials), and stage-wide throttling.
 */
import { Duration, Stack, Validations } from 'aws-cdk-lib';
// HTTP API stages take the REST API module's access-log format class.
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import {
  CorsHttpMethod,
  HttpApi,
  HttpMethod,
  HttpNoneAuthorizer,
  HttpRoute,
  type CfnStage,
  type IHttpRouteAuthorizer,
  HttpRouteKey,
  LogGroupLogDestination,
  type HttpRouteIntegration,
  type ThrottleSettings,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { apiGatewayPath, DEFAULT_ROUTE_FUNCTION, ROUTES, type FunctionArea, type RouteId, type RouteSpec } from '../../functions/http/routes';

export interface SamsaHttpApiProps {
  functions: Record<FunctionArea, IFunction>;
  throttle: ThrottleSettings;
  /** Allowed browser origins; empty = no CORS configuration at all. */
  corsOrigins: string[];
  logRetention: RetentionDays;
  /** Validate JWTs at the edge (auth mode `jwt`); absent = the functions check API keys. */
  jwt?: { issuer: string; audience: string[] } | undefined;
  /** Tighter throttles for single routes (API Gateway route settings). */
  routeThrottle: Partial<Record<RouteId, ThrottleSettings>>;
}

/** Fields of each access-log line: request facts only, never headers or bodies. */
const ACCESS_LOG_FIELDS = {
  requestId: '$context.requestId',
  requestTime: '$context.requestTime',
  sourceIp: '$context.identity.sourceIp',
  httpMethod: '$context.httpMethod',
  path: '$context.path',
  routeKey: '$context.routeKey',
  protocol: '$context.protocol',
  status: '$context.status',
  responseLength: '$context.responseLength',
  responseLatency: '$context.responseLatency',
  integrationLatency: '$context.integrationLatency',
  integrationStatus: '$context.integrationStatus',
  integrationError: '$context.integrationErrorMessage',
  error: '$context.error.message',
};

export class SamsaHttpApi extends Construct {
  readonly api: HttpApi;

  constructor(scope: Construct, id: string, props: SamsaHttpApiProps) {
    super(scope, id);
    const integrations = new Map<FunctionArea, HttpRouteIntegration>();
    const integrationFor = (area: FunctionArea): HttpRouteIntegration => {
      let integration = integrations.get(area);
      if (integration === undefined) {
        // One invoke permission per function for this API instead of one per
        // route: $default already lets any path reach its function, and a
        // function's resource policy is capped at 20 KB.
        integration = new HttpLambdaIntegration(`${area}Integration`, props.functions[area], { scopePermissionToRoute: false });
        integrations.set(area, integration);
      }
      return integration;
    };

    const jwtAuthorizer: IHttpRouteAuthorizer | undefined =
      props.jwt === undefined ? undefined : new HttpJwtAuthorizer('Jwt', props.jwt.issuer, { jwtAudience: props.jwt.audience });
    this.api = new HttpApi(this, 'Api', {
      // The stack (stage) name tells the APIs of several stages apart in the console.
      apiName: Stack.of(this).stackName,
      description: "Samsa: Kafka's log model over HTTP",
      defaultIntegration: integrationFor(DEFAULT_ROUTE_FUNCTION),
      // Also guards $default: in JWT mode nothing reaches a function without a valid token but the public routes (health, the OpenAPI document).
      ...(jwtAuthorizer === undefined ? {} : { defaultAuthorizer: jwtAuthorizer }),
      corsPreflight: props.corsOrigins.length === 0 ? undefined : corsPreflight(props.corsOrigins),
      createDefaultStage: false,
    });

    const accessLogs = new LogGroup(this, 'AccessLogs', { retention: props.logRetention });
    const stage = this.api.addStage('DefaultStage', {
      stageName: '$default',
      autoDeploy: true,
      throttle: props.throttle,
      accessLogSettings: {
        destination: new LogGroupLogDestination(accessLogs),
        format: AccessLogFormat.custom(JSON.stringify(ACCESS_LOG_FIELDS)),
      },
    });

    const routeSettings: Record<string, { ThrottlingRateLimit?: number; ThrottlingBurstLimit?: number }> = {};
    for (const [routeId, route] of Object.entries(ROUTES) as [RouteId, RouteSpec][]) {
      const routeKey = `${route.method} ${apiGatewayPath(route.path)}`;
      const created = new HttpRoute(this, routeId, {
        httpApi: this.api,
        routeKey: HttpRouteKey.with(apiGatewayPath(route.path), HttpMethod[route.method]),
        integration: integrationFor(route.fn),
        ...(jwtAuthorizer === undefined ? {} : { authorizer: route.public === true ? new HttpNoneAuthorizer() : jwtAuthorizer }),
      });
      const throttle = props.routeThrottle[routeId];
      if (throttle !== undefined) {
        routeSettings[routeKey] = { ThrottlingRateLimit: throttle.rateLimit, ThrottlingBurstLimit: throttle.burstLimit };
        // Route settings name a route key that must exist when the stage is updated.
        stage.node.addDependency(created);
      }
    }
    (stage.node.defaultChild as CfnStage).routeSettings = routeSettings;

    // Covers every route, including $default and routes added later.
    Validations.of(this).acknowledge({
      id: 'AwsSolutions::AwsSolutions-APIG4',
      reason:
        props.jwt === undefined
          ? 'Every route but GET /v1/health and GET /v1/openapi.json authenticates in the function: the API key is verified against its salted hash ' +
            'in DynamoDB (lib/auth/keys.ts) before any handler runs, which costs no extra Lambda invocation per request as a ' +
            'Lambda authorizer would. Denials are tested on every route (test/api/auth.test.ts).'
          : 'Every route but GET /v1/health and GET /v1/openapi.json has the JWT authorizer; the health check and the API description are public on purpose and return no data.',
    });
  }
}

function corsPreflight(origins: string[]) {
  const methods = new Set(Object.values(ROUTES).map((r) => CorsHttpMethod[r.method]));
  return {
    allowOrigins: origins,
    allowMethods: [...methods],
    allowHeaders: ['content-type', 'authorization'],
    exposeHeaders: ['x-request-id', 'location', 'retry-after', 'allow'],
    maxAge: Duration.hours(1),
  };
}

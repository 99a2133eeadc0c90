/**
 * The Samsa stack: tables from the schema, one function per area, the HTTP API
 * in front. What runs or bills while nobody uses the stack (the lag publisher,
 * the dashboard, the alarms) is created only when its setting asks for it.
 */
import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { ApiFunctions } from './constructs/api-functions';
import { SamsaConsole } from './constructs/console';
import { SamsaHttpApi } from './constructs/http-api';
import { KafkaGateway } from './constructs/kafka-gateway';
import { LagMetrics } from './constructs/lag-metrics';
import { Monitoring } from './constructs/monitoring';
import { Push } from './constructs/push';
import { SubscriptionDelivery } from './constructs/subscription-delivery';
import { SamsaTables } from './constructs/tables';
import { ENV } from '../functions/config';
import { ROUTES } from '../functions/http/routes';
import { FUNCTION_AREAS } from './function-areas';
import { authEnvironment, resolveSecuritySettings, type SecuritySettings } from './security-settings';
import { resolveSettings, telemetryEnvironment, type SamsaSettings } from './settings';

export interface SamsaStackProps extends StackProps {
  settings?: Partial<SamsaSettings>;
  security?: Partial<SecuritySettings>;
}

export class SamsaStack extends Stack {
  readonly tables: SamsaTables;
  readonly functions: ApiFunctions;
  readonly httpApi: SamsaHttpApi;
  readonly webConsole: SamsaConsole;
  /** Only with samsa:lagMetrics. */
  readonly lagMetrics: LagMetrics | undefined;
  /** Only with samsa:dashboard or samsa:alarms. */
  readonly monitoring: Monitoring | undefined;
  /** Only with samsa:kafkaGateway. */
  readonly kafkaGateway: KafkaGateway | undefined;
  /** The WebSocket API and the fan-out; in JWT mode with a Lambda authorizer on $connect (API Gateway WebSocket APIs have no JWT authorizer). */
  readonly push: Push;
  readonly subscriptionDelivery: SubscriptionDelivery;

  constructor(scope: Construct, id: string, props: SamsaStackProps = {}) {
    super(scope, id, props);
    const settings = resolveSettings(this, props.settings);
    const security = resolveSecuritySettings(this, props.security);

    this.tables = new SamsaTables(this, 'Tables', settings.tableThroughputCap);
    this.functions = new ApiFunctions(this, 'Functions', {
      areas: FUNCTION_AREAS,
      tables: this.tables,
      logRetention: settings.logRetention,
      limits: settings.limits,
      environment: { ...authEnvironment(security), ...telemetryEnvironment(settings) },
      reservedConcurrency: security.reservedConcurrency,
    });
    this.httpApi = new SamsaHttpApi(this, 'Http', {
      functions: this.functions.byArea,
      throttle: settings.throttle,
      corsOrigins: settings.corsOrigins,
      logRetention: settings.logRetention,
      jwt: security.authMode === 'jwt' ? security.jwt : undefined,
      routeThrottle: security.routeThrottle,
    });

    new CfnOutput(this, 'ApiUrl', { value: this.httpApi.api.apiEndpoint, description: 'Base URL of the Samsa HTTP API' });
    // For `samsa keys bootstrap` (the first API key) and `samsa doctor`.
    new CfnOutput(this, 'MetaTableName', { value: this.tables.tables.meta.tableName, description: 'DynamoDB table of topics, groups, keys and ACLs' });
    new CfnOutput(this, 'LogTableName', { value: this.tables.tables.log.tableName, description: 'DynamoDB table of the partition logs' });

    // Push and subscription delivery bill nothing while idle (docs/deploy.md, "Costs"), so they are always on.
    this.push = new Push(this, 'Push', {
      tables: this.tables,
      logRetention: settings.logRetention,
      limits: settings.limits,
      environment: { ...authEnvironment(security), ...telemetryEnvironment(settings) },
      throttle: settings.throttle,
      jwt: security.authMode === 'jwt' && security.jwt !== undefined ? { ...security.jwt, principalClaim: security.jwtPrincipalClaim } : undefined,
    });
    new CfnOutput(this, 'PushUrl', { value: this.push.stage.url, description: 'WebSocket URL of push notifications (docs/push.md)' });
    // GET /v1/health names it, so clients find the endpoint from the API URL alone.
    this.functions.byArea[ROUTES.health.fn].addEnvironment(ENV.pushUrl, this.push.stage.url);
    this.subscriptionDelivery = new SubscriptionDelivery(this, 'SubscriptionDelivery', {
      tables: this.tables,
      logRetention: settings.logRetention,
      limits: settings.limits,
      environment: { ...authEnvironment(security), ...telemetryEnvironment(settings) },
      lambdaTargets: settings.subscriptionLambdaTargets,
    });
    // Create refuses a Lambda target delivery could not invoke, rather than accept it and fail every batch.
    this.subscriptionDelivery.shareLambdaTargets(this.functions.byArea[ROUTES.createSubscription.fn]);
    // Resume starts a delivery run at once, rather than waiting for the next produce to the topic.
    this.subscriptionDelivery.allowWake(this.functions.byArea[ROUTES.resumeSubscription.fn]);

    this.webConsole = new SamsaConsole(this, 'Console', { httpApi: this.httpApi.api, logRetention: settings.logRetention });
    new CfnOutput(this, 'ConsoleUrl', { value: `${this.httpApi.api.apiEndpoint}/console/`, description: 'The web console (static files; it asks for an API key)' });

    if (settings.kafkaGateway !== undefined) {
      this.kafkaGateway = new KafkaGateway(this, 'KafkaGateway', {
        tables: this.tables,
        settings: settings.kafkaGateway,
        logRetention: settings.logRetention,
        limits: settings.limits,
        environment: authEnvironment(security),
        jwt: security.authMode === 'jwt' ? security.jwt : undefined,
      });
      new CfnOutput(this, 'KafkaBootstrap', { value: this.kafkaGateway.bootstrap, description: 'Kafka bootstrap address (TLS; SASL/PLAIN with an API key as the password)' });
    }

    if (settings.lagMetrics) {
      this.lagMetrics = new LagMetrics(this, 'LagMetrics', {
        tables: this.tables,
        logRetention: settings.logRetention,
        limits: settings.limits,
        environment: telemetryEnvironment(settings),
      });
    }
    if (settings.dashboard || settings.alarms) {
      this.monitoring = new Monitoring(this, 'Monitoring', {
        api: this.httpApi.api,
        functions: {
          ...this.functions.byArea,
          ...(this.lagMetrics === undefined ? {} : { lagMetrics: this.lagMetrics.fn }),
          console: this.webConsole.fn,
          pushDoor: this.push.door,
          pushFanOut: this.push.fanOut,
          subscriptionDelivery: this.subscriptionDelivery.fn,
          // Not the JWT authorizer: it refuses a bad token by failing (API Gateway's way to a 401), so its
          // Errors count refusals, not faults. (Also, an alarm's metric math takes at most 10 metrics.)
        },
        tables: this.tables,
        lagAlarmThreshold: settings.lagAlarmThreshold,
        alarmEmail: settings.alarmEmail,
        dashboard: settings.dashboard,
        alarms: settings.alarms,
        lagMetrics: settings.lagMetrics,
      });
    }
    if (this.monitoring?.dashboard !== undefined) {
      new CfnOutput(this, 'DashboardName', { value: this.monitoring.dashboard.dashboardName, description: 'CloudWatch dashboard of this stack' });
    }
    if (this.monitoring?.alarmTopic !== undefined) {
      new CfnOutput(this, 'AlarmTopicArn', { value: this.monitoring.alarmTopic.topicArn, description: 'SNS topic the alarms notify' });
    }
  }
}

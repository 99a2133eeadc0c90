/**
 * The web console behind the same HTTP API: one small function
 * (functions/console) serving the static files of a Vite build of console/,
 * made fresh into the function's asset at synth (so a deploy never ships a
 * stale console/dist), on GET /console and GET /console/{proxy+}.
 *
 * The function reads only its own package: no table, no environment, no
 * secret. The routes carry no authorizer, also in JWT mode: the files hold no
 * data, and the console's requests to /v1 carry the user's own credentials
 * (an API key or a JWT, both sent as a Bearer token) like any other client's.
 */
import { Duration, Validations } from 'aws-cdk-lib';
import { HttpMethod, HttpNoneAuthorizer, HttpRoute, HttpRouteKey, type HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { CONSOLE_BASE } from '../../functions/console/assets';
import { acknowledgeRuntime, bundledFunction } from './bundled-function';

/** The console's route keys (the `GET /console` one redirects to `/console/`). */
export const CONSOLE_ROUTE_KEYS = [`GET ${CONSOLE_BASE}`, `GET ${CONSOLE_BASE}/{proxy+}`] as const;

export interface SamsaConsoleProps {
  httpApi: HttpApi;
  logRetention: RetentionDays;
}

export class SamsaConsole extends Construct {
  readonly fn: NodejsFunction;
  readonly routes: HttpRoute[];

  constructor(scope: Construct, id: string, props: SamsaConsoleProps) {
    super(scope, id);
    this.fn = bundledFunction(this, 'Assets', {
      entryDir: 'console',
      description: 'Samsa web console: static files of the Vite build (no data access)',
      // Files are read once per instance and kept in memory, gzipped; 256 MB gives a quicker cold start than 128.
      memorySize: 256,
      timeout: Duration.seconds(5),
      logRetention: props.logRetention,
      // Build the console from source into ./console of the function's package (functions/console/index.ts
      // serves from there). NODE_ENV=production: a test runner's NODE_ENV=test would keep development code.
      afterBundling: (inputDir, outputDir) => [
        `NODE_ENV=production node "${inputDir}/node_modules/vite/bin/vite.js" build --config "${inputDir}/console/vite.config.ts" ` +
          `--outDir "${outputDir}/console" --emptyOutDir --logLevel warn`,
      ],
    });

    const integration = new HttpLambdaIntegration('ConsoleIntegration', this.fn, { scopePermissionToRoute: false });
    this.routes = CONSOLE_ROUTE_KEYS.map(
      (key, i) =>
        new HttpRoute(this, i === 0 ? 'Root' : 'Files', {
          httpApi: props.httpApi,
          routeKey: HttpRouteKey.with(key.slice('GET '.length), HttpMethod.GET),
          integration,
          // Explicitly none: in JWT mode the API's default authorizer would otherwise apply.
          authorizer: new HttpNoneAuthorizer(),
        }),
    );

    acknowledgeRuntime(this);
    Validations.of(this).acknowledge({
      id: 'AwsSolutions::AwsSolutions-APIG4',
      reason:
        'The console routes serve the same static HTML/JS/CSS to everyone and read no data; the console then calls the ' +
        '/v1 routes with the user\'s own API key or JWT, which those routes check like any client\'s.',
    });
    Validations.of(this).acknowledge({
      id: 'Serverless::Serverless-LambdaDLQ',
      reason:
        'Only invoked synchronously by API Gateway for GET requests of static files; the browser receives any error ' +
        'and there is no asynchronous event that could be dead-lettered.',
    });
  }
}

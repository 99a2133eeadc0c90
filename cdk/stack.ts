/** The Samsa stack: tables from the schema, one function per area, the HTTP API in front. */
import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type { Construct } from 'constructs';
import { ApiFunctions } from './constructs/api-functions';
import { SamsaHttpApi } from './constructs/http-api';
import { SamsaTables } from './constructs/tables';
import { FUNCTION_AREAS } from './function-areas';
import { resolveSettings, type SamsaSettings } from './settings';

export interface SamsaStackProps extends StackProps {
  settings?: Partial<SamsaSettings>;
}

export class SamsaStack extends Stack {
  readonly tables: SamsaTables;
  readonly functions: ApiFunctions;
  readonly httpApi: SamsaHttpApi;

  constructor(scope: Construct, id: string, props: SamsaStackProps = {}) {
    super(scope, id, props);
    const settings = resolveSettings(this, props.settings);

    this.tables = new SamsaTables(this, 'Tables');
    this.functions = new ApiFunctions(this, 'Functions', {
      areas: FUNCTION_AREAS,
      tables: this.tables,
      logRetention: settings.logRetention,
      limits: settings.limits,
    });
    this.httpApi = new SamsaHttpApi(this, 'Http', {
      functions: this.functions.byArea,
      throttle: settings.throttle,
      corsOrigins: settings.corsOrigins,
      logRetention: settings.logRetention,
    });

    new CfnOutput(this, 'ApiUrl', { value: this.httpApi.api.apiEndpoint, description: 'Base URL of the Samsa HTTP API' });
  }
}
